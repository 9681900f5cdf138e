"""Database access: one Graph over the official neo4j driver, for both engines.

All values reach Cypher as parameters. Labels and relationship types cannot be parameters in
Cypher, so the few statements that need them take them from the model (never from input).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from . import embedded
from .encoding import GENERATION, encode
from .errors import DatabaseUnavailable, GraphError, QueryError, UserError
from .model import ENTITY_LABEL, Model, load_model
from .records import Dataset
from .scope import Scope, View
from .settings import Settings
from .writer import (
    BATCH_SIZE,
    META_LABEL,
    PAUSE_ENV,
    RECORD_FORMAT,
    GraphWriter,
    OnWritten,
    delete_in_batches,
    target_for,
    writing,
)

RECONNECT_INTERVAL_S = 2.0
ANSWERS_DIR = "answers"
# An API request should fail fast when the database is gone (the driver would otherwise retry
# for 30 s); the graph then reconnects on its own (see Graph._recovered).
# The server's notifications are turned off: Neo4j sends one for every property key a graph
# does not have yet (an edge type with no `description`), and the driver logged each to stderr
# on every command. Deprecations are caught by a test instead (tests/queries/test_same_answers.py).
DRIVER_OPTIONS: dict[str, Any] = {
    "max_transaction_retry_time": 3.0,
    "connection_timeout": 5.0,
    "notifications_min_severity": "OFF",
}
__all__ = ["BATCH_SIZE", "PAUSE_ENV", "Graph", "GraphWriter", "connect", "connect_healing", "open_graph"]
ENGINE_NEO4J, ENGINE_ARCADEDB = "neo4j", "arcadedb"  # Graph.engine: the key of a query's variants


# Values the driver gives as JSON already: most of what is read (texts, numbers, lists of texts).
_PLAIN = (str, int, float, bool, type(None))


def _cypher_value(value: Any) -> Any:
    """Driver values to JSON-friendly ones (dates as ISO text). Lists and maps are changed in
    place (the driver made them for this read alone): a whole table comes as one list of rows
    (View.read_table), and rebuilding each row and each row's lists took 1.7 s for 180k rows."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, list):
        for index, item in enumerate(value):
            if type(item) not in _PLAIN:
                value[index] = _cypher_value(item)
        return value
    if isinstance(value, dict):
        for key, item in value.items():
            if type(item) not in _PLAIN:
                value[key] = _cypher_value(item)
        return value
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


@dataclass(frozen=True)
class Seen:
    """What a reader saw of the graph at ``at`` (time.monotonic(), taken before it asked): the
    database holding it, its version (the current generation), whether any record is
    restricted, and the grace the load that made it current promised: the time it leaves the
    old generation in place after the next load's switch (graph/writer.py)."""

    database: str
    version: str | None
    restricted: bool | None
    grace_s: float
    at: float


class Graph:
    """The graph database, whichever engine holds it."""

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str,
        engine: str,
        model: Model | None = None,
        reconnect: Callable[[], neo4j.Driver] | None = None,
        answers_dir: Path | None = None,
        embedded_dir: Path | None = None,
    ) -> None:
        self.driver = driver
        self._database = database
        self._schema_ready: set[str] = set()
        # The embedded engine's data folder: which database is current is kept there, and a
        # load makes a new one current (graph/writer.py).
        self.embedded_dir = embedded_dir
        self.engine = engine
        self.model = model or load_model()
        # Where whole-graph answers are kept between processes (queries/cache.py); None: not kept.
        self.answers_dir = answers_dir
        self._sorted_labels: dict[tuple[str, ...], tuple[str, ...]] = {}
        # Tests set a list here to see every read and the scope it went through.
        self.read_log: list[tuple[Scope | None, str]] | None = None
        self._format_checked = False
        # Called when the database has gone away: returns a driver to a database that is back
        # (for the embedded engine, it restarts the server). Tried at most every few seconds.
        self._reconnect = reconnect
        self._reconnect_lock = threading.Lock()
        self._last_reconnect = 0.0
        # The last look at the graph's version, shared by the views made soon after (observe).
        self._seen: Seen | None = None

    def close(self) -> None:
        """Close the connection for good: a read after this (a thread still warming answers
        while `serve` shuts down) fails, and never starts the embedded database again."""
        with self._reconnect_lock:
            self._reconnect = None
        self.driver.close()

    @property
    def database(self) -> str:
        """The database that holds the graph now (on the embedded engine, a load changes it)."""
        if self.embedded_dir is None:
            return self._database
        return embedded.current_database(self.embedded_dir)

    def _recovered(self) -> bool:
        """Try once to reach the database again; True if a new driver is in place."""
        if self._reconnect is None:
            return False
        with self._reconnect_lock:
            if time.monotonic() - self._last_reconnect < RECONNECT_INTERVAL_S:
                return False
            self._last_reconnect = time.monotonic()
            try:
                driver = self._reconnect()
            except (GraphError, Neo4jError, DriverError, OSError):
                return False
            old, self.driver = self.driver, driver
            with contextlib.suppress(Exception):
                old.close()
            return True

    # -- running Cypher ----------------------------------------------------------------------

    def view(self, scope: Scope) -> View:
        """The graph as ``scope`` may see it: the only way the read layer reads records. A graph
        written before records carried visibility flags is refused until it is loaded again."""
        if not self._format_checked:
            _cleared_for_reading(self)
            self._format_checked = True
        return View(self, scope)

    def observe(self, fresh: bool = False) -> Seen:
        """The graph's version, its database, and what its load said (``Seen``). Views made within
        a quarter of the grace of one look share it (an API under load asks once for many
        requests) unless ``fresh``: what a view reads within half the grace of the look needs
        no check (graph/scope.py), and a load ends no sooner than the grace after it."""
        seen = self._seen
        if not fresh and seen is not None and time.monotonic() - seen.at < seen.grace_s / 4:
            return seen
        at = time.monotonic()
        database = self.database
        rows = self._read(
            f"MATCH (m:{META_LABEL} {{key: 'graph'}}) "
            "RETURN m.version AS version, m.restricted AS restricted, m.grace_ms AS grace_ms",
            database=database,
        )
        row: dict[str, Any] = rows[0] if rows else {"version": None, "restricted": False, "grace_ms": None}
        grace_ms = row["grace_ms"] if isinstance(row["grace_ms"], int) else 0
        seen = Seen(database, row["version"], row["restricted"], max(0, grace_ms) / 1000, at)
        self._seen = seen
        return seen

    def forget_seen(self) -> None:
        """A load by this process ended: its views see the new graph at once."""
        self._seen = None

    def _read(
        self,
        cypher: str,
        scope: Scope | None = None,
        database: str | None = None,
        converted: bool = True,
        **params: Any,
    ) -> list[dict[str, Any]]:
        """Run a read with parameters; rows as plain dicts (a View's reads, and this package's
        own reads of its metadata), on ``database`` (a view's; the current one if not given).
        ``converted=False`` leaves the values as the driver gave them (for a table of what the
        writer stores: texts, numbers, booleans and lists of them, graph/encoding.py).
        If the database has gone away and comes back (see ``reconnect``), the read is tried
        once more."""
        if self.read_log is not None:
            self.read_log.append((scope, cypher))
        for attempt in (1, 2):
            database = database if attempt == 1 and database else self.database
            try:
                # An auto-commit read: one round trip (a managed transaction adds a second, its
                # COMMIT; measured on an entity page, 19-23 ms against 16-17).
                with self.driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
                    records = list(session.run(cypher, params))
                break
            except (ServiceUnavailable, SessionExpired) as error:
                if attempt == 2 or not self._recovered():
                    raise DatabaseUnavailable(f"the database is not reachable: {error}") from None
            except Neo4jError as error:
                # A load replaced the graph while this read was on its way: read the new one.
                # The old database is then gone ("not found"), or going, in which case the
                # embedded engine answers with its name alone (seen by a test that reads
                # during loads: tests/graph/test_store.py).
                if attempt == 2 or self.database == database:
                    refused = QueryError(f"the database refused the query: {error.message}")
                    # The engine's own failure, not the statement's (a syntax or security error
                    # is a ClientError): a view may read again (graph/scope.py).
                    refused.engine_fault = not isinstance(error, ClientError)
                    raise refused from None
        if not converted:
            return [dict(record.items()) for record in records]
        return [{k: _cypher_value(v) for k, v in record.items()} for record in records]

    def write(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of one statement in a write transaction of its own (the schema, tools, tests)."""
        try:
            records, _, _ = self.driver.execute_query(
                cypher, params, database_=self.database, routing_=RoutingControl.WRITE
            )
        except (ServiceUnavailable, SessionExpired) as error:
            self._recovered()
            raise DatabaseUnavailable(f"the database is not reachable: {error}") from None
        return [dict(record) for record in records]

    def clear(self) -> None:
        """Delete every entity and edge, a batch per transaction (one transaction for a large
        graph would go past a server's transaction memory)."""
        delete_in_batches(lambda statement, **params: int(self.write(statement, **params)[0]["deleted"]))

    # -- schema ------------------------------------------------------------------------------

    def schema_statements(self) -> list[str]:
        """Ids unique within a generation (graph/writer.py), and looked up by an index, on every
        node and every node type of the model; one graph metadata node per key."""
        statements = [f"CREATE CONSTRAINT graph_meta_key IF NOT EXISTS FOR (m:{META_LABEL}) REQUIRE m.key IS UNIQUE"]
        for label in (ENTITY_LABEL, *self.model.nodes):
            name = label.lower()
            statements += [
                f"CREATE CONSTRAINT {name}_generation IF NOT EXISTS "
                f"FOR (n:{label}) REQUIRE (n.id, n.{GENERATION}) IS UNIQUE",
                f"CREATE INDEX {name}_id_lookup IF NOT EXISTS FOR (n:{label}) ON (n.id)",
            ]
        return statements

    def _earlier_schema_statements(self) -> list[str]:
        """Constraints of record formats before generations (ids unique across the database),
        which a new generation beside the old one would break."""
        return [f"DROP CONSTRAINT {label.lower()}_id IF EXISTS" for label in (ENTITY_LABEL, *self.model.nodes)]

    def ensure_schema(self) -> None:
        """The schema on the current database (once per database for this Graph: a small load
        would otherwise spend a fifth of its time asking for constraints that are there)."""
        database = self.database
        if database in self._schema_ready:
            return
        for statement in self._earlier_schema_statements() + self.schema_statements():
            with contextlib.suppress(ClientError):  # already there under another name
                self.write(statement)
        self._schema_ready.add(database)

    # -- writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def writer(
        self,
        progress: OnWritten | None = None,
        stored: Callable[..., dict[str, Any]] = encode,
        expected_records: int | None = None,
    ) -> Iterator[GraphWriter]:
        """A whole new graph, written as it is given; when the block ends without an error it
        replaces the current graph in one step (readers see the old graph or the new one), and
        otherwise the current graph stays as it was. ``expected_records``, if known, picks the
        way of writing (graph/writer.py)."""
        try:
            target = target_for(self, expected_records)
        except (ServiceUnavailable, SessionExpired) as error:
            self._recovered()
            raise DatabaseUnavailable(f"the database is not reachable; nothing was changed: {error}") from None
        with writing(self, target, stored, progress) as writer:
            yield writer

    def replace(self, dataset: Dataset, progress: OnWritten | None = None) -> None:
        """Replace the whole graph with a validated dataset (see ``writer``)."""
        with self.writer(progress, expected_records=len(dataset)) as writer:
            for node in dataset.nodes.values():
                writer.node(node)
            for edge in dataset.edges:
                writer.edge(edge)

    def restore(self, dataset: Dataset, progress: OnWritten | None = None) -> None:
        """Replace the graph with stored records as `dump` gives them (properties as stored),
        like `replace`. Labels and types must be in the model."""
        for edge in dataset.edges:
            missing = [end for end in (edge.source, edge.target) if end not in dataset.nodes]
            if missing:
                raise QueryError(f"a {edge.type} edge refers to nodes not in the dump: {missing}")
        with self.writer(progress, stored=dict, expected_records=len(dataset)) as writer:
            for node in dataset.nodes.values():
                writer.node(node)
            for edge in dataset.edges:
                writer.edge(edge)

    def sorted_labels(self, labels: list[str]) -> list[str]:
        """Type label first, then the others alphabetically, without the technical Entity
        (each set of labels worked out once: a graph has a few dozen)."""
        key = tuple(labels)
        found = self._sorted_labels.get(key)
        if found is None:
            kinds = [label for label in labels if label in self.model.nodes]
            found = (*kinds, *sorted(label for label in labels if label not in kinds and label != ENTITY_LABEL))
            self._sorted_labels[key] = found
        return list(found)

    def version(self) -> str | None:
        """An id that changes with every load (None before the first)."""
        return self.observe(fresh=True).version

    def stored_schema(self) -> str | None:
        """How the current database keeps ids unique (graph/writer.py; None: empty, or written
        before this was recorded)."""
        rows = self._read(f"MATCH (m:{META_LABEL} {{key: 'graph'}}) RETURN m.schema AS s")
        return rows[0]["s"] if rows else None

    def stored_format(self) -> int | None:
        """The record format the graph was written in (None: empty, or written before formats
        were numbered; such a graph has no visibility flags and must be loaded again)."""
        rows = self._read(f"MATCH (m:{META_LABEL} {{key: 'graph'}}) RETURN m.format AS f")
        return rows[0]["f"] if rows else None


def _cleared_for_reading(graph: Graph) -> None:
    """Refuse to read a non-empty graph written before records carried ``public``."""
    if graph.stored_format() != RECORD_FORMAT and graph.version() is not None:
        raise UserError(
            "the stored graph was written by an earlier version of persecution-graph; load it again "
            "(`persecution-graph load`, or `serve` reloads its data folder)"
        )


def _driver(settings: Settings, info: embedded.ServerInfo | None) -> tuple[neo4j.Driver, str, str]:
    if settings.neo4j_uri:
        driver = GraphDatabase.driver(
            settings.neo4j_uri, auth=(settings.neo4j_user, settings.neo4j_password or ""), **DRIVER_OPTIONS
        )
        database, engine = settings.neo4j_database, ENGINE_NEO4J
    else:
        assert info is not None
        driver = GraphDatabase.driver(info.uri, auth=embedded.credentials(settings.data_dir), **DRIVER_OPTIONS)
        database, engine = embedded.current_database(settings.data_dir), ENGINE_ARCADEDB
    try:
        agent = driver.get_server_info().agent
    except (ServiceUnavailable, AuthError, DriverError, OSError) as error:
        driver.close()
        where = settings.neo4j_uri or "the embedded database"
        raise DatabaseUnavailable(f"cannot connect to {where}: {error}") from None
    # A configured server may be ArcadeDB too ("Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)"):
    # the engine named by the server picks the queries' per-engine variants.
    return driver, database, ENGINE_ARCADEDB if ENGINE_ARCADEDB in agent.lower() else engine


def connect_healing(settings: Settings) -> Graph:
    """A Graph for a long-running server: if the database goes away, the next request tries
    to reach it again, and for the embedded engine starts it again (data is on disk)."""

    def reconnect() -> neo4j.Driver:
        info = (
            None if settings.neo4j_uri else (embedded.running(settings.data_dir) or embedded.start(settings.data_dir))
        )
        return _driver(settings, info)[0]

    info = None if settings.neo4j_uri else embedded.start(settings.data_dir)
    driver, database, engine = _driver(settings, info)
    return Graph(
        driver,
        database,
        engine,
        reconnect=reconnect,
        answers_dir=settings.data_dir / ANSWERS_DIR,
        embedded_dir=_embedded_dir(settings),
    )


def connect(settings: Settings, info: embedded.ServerInfo | None = None) -> Graph:
    """A Graph on the configured Neo4j server, or on a running embedded server. It does not
    hold the server's in-use lease: a server a command started (ephemeral) may stop under it
    once unused for its idle timeout. Scripts use ``open_graph``, which holds it."""
    return Graph(
        *_driver(settings, info), answers_dir=settings.data_dir / ANSWERS_DIR, embedded_dir=_embedded_dir(settings)
    )


def _embedded_dir(settings: Settings) -> Path | None:
    return None if settings.neo4j_uri else settings.data_dir


@contextlib.contextmanager
def open_graph(settings: Settings | None = None) -> Iterator[Graph]:
    """The graph for one command: uses a running server, or starts one that stays up for the
    commands after it until unused for its idle timeout (PERSECUTION_GRAPH_IDLE_TIMEOUT_S; with
    0, it is stopped when this command ends). The server never stops while a command uses it."""
    settings = settings or Settings.from_env()
    if settings.neo4j_uri:
        graph = connect(settings)
        try:
            yield graph
        finally:
            graph.driver.close()
        return
    idle = embedded.idle_timeout_s()
    with embedded.in_use(settings.data_dir):
        started: embedded.ServerInfo | None = None
        info = embedded.running(settings.data_dir)
        if info is None:
            info = started = embedded.start(settings.data_dir, ephemeral=True, idle_timeout=idle)
        graph = connect(settings, info)
        try:
            yield graph
        finally:
            graph.driver.close()
    if started is not None and idle <= 0:
        embedded.stop(settings.data_dir, only_ephemeral_pid=started.pid)
