"""Database access: one Graph over the official neo4j driver, for both engines.

All values reach Cypher as parameters. Labels and relationship types cannot be parameters in
Cypher, so the few statements that need them take them from the model (never from input).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from . import embedded
from .encoding import decode, encode
from .errors import DatabaseUnavailable, GraphError, QueryError
from .model import ENTITY_LABEL, Model, load_model
from .records import Dataset, Edge, Node, paused_gc
from .settings import Settings

BATCH_SIZE = 10_000
RECONNECT_INTERVAL_S = 2.0
META_LABEL = "GraphMeta"
ANSWERS_DIR = "answers"
# An API request should fail fast when the database is gone (the driver would otherwise retry
# for 30 s); the graph then reconnects on its own (see Graph._recovered).
DRIVER_OPTIONS: dict[str, Any] = {"max_transaction_retry_time": 3.0, "connection_timeout": 5.0}
# Test hook: once a reload has written its nodes, write this file and wait (see tests/graph).
PAUSE_ENV = "PERSECUTION_GRAPH_TEST_PAUSE_FILE"

Progress = Callable[[int], None]
# Records to write: node properties by label set; (source id, target id, properties) by edge type.
NodeGroups = dict[tuple[str, ...], list[dict[str, Any]]]
EdgeGroups = dict[str, list[tuple[str, str, dict[str, Any]]]]
Stored = Callable[[dict[str, Any]], dict[str, Any]]


def _batches(rows: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _cypher_value(value: Any) -> Any:
    """Driver values to JSON-friendly ones (dates as ISO text)."""
    if isinstance(value, list):
        return [_cypher_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _cypher_value(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


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
    ) -> None:
        self.driver = driver
        self.database = database
        self.engine = engine
        self.model = model or load_model()
        # Where whole-graph answers are kept between processes (queries/cache.py); None: not kept.
        self.answers_dir = answers_dir
        # Called when the database has gone away: returns a driver to a database that is back
        # (for the embedded engine, it restarts the server). Tried at most every few seconds.
        self._reconnect = reconnect
        self._reconnect_lock = threading.Lock()
        self._last_reconnect = 0.0

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

    def read(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        """Run a read query with parameters; rows as plain dicts. If the database has gone
        away and comes back (see ``reconnect``), the read is tried once more."""
        for attempt in (1, 2):
            try:
                records, _, _ = self.driver.execute_query(
                    cypher, params, database_=self.database, routing_=RoutingControl.READ
                )
                break
            except (ServiceUnavailable, SessionExpired) as error:
                if attempt == 2 or not self._recovered():
                    raise DatabaseUnavailable(f"the database is not reachable: {error}") from None
            except Neo4jError as error:
                raise QueryError(f"the database refused the query: {error.message}") from None
        return [{k: _cypher_value(v) for k, v in record.items()} for record in records]

    def write(self, cypher: str, **params: Any) -> None:
        try:
            self.driver.execute_query(cypher, params, database_=self.database, routing_=RoutingControl.WRITE)
        except (ServiceUnavailable, SessionExpired) as error:
            self._recovered()
            raise DatabaseUnavailable(f"the database is not reachable: {error}") from None

    # -- schema ------------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Unique ids on every node; indexes on what queries look up, all from the model."""
        statements = [f"CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:{ENTITY_LABEL}) " "REQUIRE n.id IS UNIQUE"]
        statements += [
            f"CREATE CONSTRAINT {name.lower()}_id IF NOT EXISTS FOR (n:{name}) " "REQUIRE n.id IS UNIQUE"
            for name in self.model.nodes
        ]
        for statement in statements:
            with contextlib.suppress(ClientError):  # already there under another name
                self.write(statement)

    # -- writing -----------------------------------------------------------------------------

    def replace(self, dataset: Dataset, progress: Progress | None = None) -> None:
        """Replace the whole graph in one transaction: readers see the old graph or the new one.

        Writes go in batches of UNWIND statements inside that transaction; if anything fails
        (or the process dies), the transaction is rolled back and the old graph stays.
        """
        nodes: NodeGroups = defaultdict(list)
        for node in dataset.nodes.values():
            nodes[tuple(self._labels(node))].append(node.properties)
        edges: EdgeGroups = defaultdict(list)
        for edge in dataset.edges:
            edges[self._edge_type(edge)].append((edge.source, edge.target, edge.properties))
        self._replace_with(nodes, edges, encode, progress)

    def restore(
        self, nodes: list[dict[str, Any]], edges: list[dict[str, Any]], progress: Progress | None = None
    ) -> None:
        """Replace the graph with stored records as `dump` gives them (properties as stored),
        in one transaction like `replace`. Labels and types must be in the model."""
        by_labels: NodeGroups = defaultdict(list)
        allowed = self.model.all_labels()
        for node in nodes:
            unknown = [label for label in node["labels"] if label not in allowed]
            if unknown:
                raise QueryError(f"node {node['id']!r} has labels not in the model: {unknown}")
            by_labels[tuple(node["labels"])].append(node["properties"])
        ids = {node["id"] for node in nodes}
        by_type: EdgeGroups = defaultdict(list)
        for edge in edges:
            if edge["type"] not in self.model.edges:
                raise QueryError(f"edge type {edge['type']!r} is not in the model")
            missing = [end for end in (edge["source"], edge["target"]) if end not in ids]
            if missing:
                raise QueryError(f"a {edge['type']} edge refers to nodes not in the dump: {missing}")
            by_type[edge["type"]].append((edge["source"], edge["target"], edge["properties"]))
        self._replace_with(by_labels, by_type, dict, progress)

    def dump(self, public_only: bool = False) -> dict[str, list[dict[str, Any]]]:
        """Every node and edge with its properties exactly as stored (derived ones too)."""
        nodes = self.read(
            f"MATCH (n:{ENTITY_LABEL}) WHERE NOT $public OR n.sensitivity <> 'restricted' "
            "RETURN n.id AS id, labels(n) AS labels, properties(n) AS properties ORDER BY id",
            public=public_only,
        )
        edges = self.read(
            f"MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL}) WHERE NOT $public OR (e.sensitivity <> 'restricted' "
            "AND a.sensitivity <> 'restricted' AND b.sensitivity <> 'restricted') "
            "RETURN type(e) AS type, a.id AS source, b.id AS target, properties(e) AS properties "
            "ORDER BY type, source, target, properties.id",
            public=public_only,
        )
        for node in nodes:
            node["labels"] = self.sorted_labels(node["labels"])
        return {"nodes": nodes, "edges": edges}

    def _replace_with(
        self,
        nodes: NodeGroups,
        edges: EdgeGroups,
        stored: Stored,
        progress: Progress | None,
    ) -> None:
        """Delete everything and write the groups in one transaction. ``stored`` turns a
        record's properties into what the database keeps, a batch at a time (memory)."""
        self.ensure_schema()
        advance = progress or (lambda _: None)
        try:
            with (
                paused_gc(),
                self.driver.session(database=self.database) as session,
                session.begin_transaction() as tx,
            ):
                tx.run(f"MATCH (n:{ENTITY_LABEL}) DETACH DELETE n").consume()
                element_ids = self._create_nodes(tx, nodes, stored, advance)
                _pause_for_tests()
                self._create_edges(tx, edges, element_ids, stored, advance)
                # A new version for every load: caches of derived results (analytics) key on it.
                tx.run(
                    f"MERGE (m:{META_LABEL} {{key: 'graph'}}) SET m.version = $version",
                    version=uuid.uuid4().hex,
                ).consume()
                tx.commit()
        except (ServiceUnavailable, SessionExpired) as error:
            self._recovered()
            raise DatabaseUnavailable(f"the database went away during the load; nothing was changed: {error}") from None

    def _create_nodes(
        self, tx: neo4j.Transaction, nodes: NodeGroups, stored: Stored, advance: Progress
    ) -> dict[str, str]:
        """Create the nodes, a label set at a time; their element ids by node id, for the edges."""
        element_ids: dict[str, str] = {}
        for labels, records in sorted(nodes.items()):
            statement = (
                f"UNWIND $rows AS r CREATE (n:{':'.join([ENTITY_LABEL, *labels])}) SET n = r "
                "RETURN r.id AS id, elementId(n) AS element_id"
            )
            for batch in _batches(records):
                result = tx.run(statement, rows=[stored(props) for props in batch])
                element_ids.update((record["id"], record["element_id"]) for record in result)
                advance(len(batch))
        return element_ids

    def _create_edges(
        self, tx: neo4j.Transaction, edges: EdgeGroups, element_ids: dict[str, str], stored: Stored, advance: Progress
    ) -> None:
        """Create the edges between nodes found by element id: one lookup each, where matching
        on the id property costs an index lookup per label set on the embedded engine (2x slower)."""
        for edge_type, records in sorted(edges.items()):
            statement = (
                "UNWIND $rows AS r MATCH (a) WHERE elementId(a) = r.a MATCH (b) WHERE elementId(b) = r.b "
                f"CREATE (a)-[e:{edge_type}]->(b) SET e = r.props"
            )
            for batch in _batches(records):
                rows = [
                    {"a": element_ids[source], "b": element_ids[target], "props": stored(props)}
                    for source, target, props in batch
                ]
                tx.run(statement, rows=rows).consume()
                advance(len(batch))

    def _labels(self, node: Node) -> list[str]:
        allowed = self.model.all_labels()
        unknown = [label for label in node.labels if label not in allowed]
        if unknown:
            raise QueryError(f"node {node.id!r} has labels not in the model: {unknown}")
        return node.labels

    def _edge_type(self, edge: Edge) -> str:
        if edge.type not in self.model.edges:
            raise QueryError(f"edge type {edge.type!r} is not in the model")
        return edge.type

    # -- reading the whole -------------------------------------------------------------------

    def export(self, public_only: bool = False) -> dict[str, list[dict[str, Any]]]:
        """The whole graph as {"nodes": [...], "edges": [...]}, sorted, evidence decoded."""
        nodes = self.read(
            f"MATCH (n:{ENTITY_LABEL}) WHERE NOT $public OR n.sensitivity <> 'restricted' "
            "RETURN n.id AS id, labels(n) AS labels, properties(n) AS properties "
            "ORDER BY id",
            public=public_only,
        )
        edges = self.read(
            f"MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL}) "
            "WHERE NOT $public OR (e.sensitivity <> 'restricted' AND a.sensitivity <> 'restricted' "
            "AND b.sensitivity <> 'restricted') "
            "RETURN type(e) AS type, a.id AS source, b.id AS target, properties(e) AS properties "
            "ORDER BY type, source, target, properties.id",
            public=public_only,
        )
        for node in nodes:
            node["labels"] = self.sorted_labels(node["labels"])
            node["properties"] = decode(node["properties"])
        for edge in edges:
            edge["properties"] = decode(edge["properties"])
        return {"nodes": nodes, "edges": edges}

    def sorted_labels(self, labels: list[str]) -> list[str]:
        """Type label first, then the others alphabetically, without the technical Entity."""
        kinds = [label for label in labels if label in self.model.nodes]
        return kinds + sorted(label for label in labels if label not in kinds and label != ENTITY_LABEL)

    def stats(self) -> dict[str, Any]:
        """Counts per node type, edge type and source, and the share of located records."""
        nodes = self.read(
            f"MATCH (n:{ENTITY_LABEL}) RETURN labels(n) AS labels, " "n.source_ids AS sources, n.sources AS refs"
        )
        edges = self.read(
            f"MATCH (:{ENTITY_LABEL})-[e]->(:{ENTITY_LABEL}) RETURN type(e) AS type, "
            "e.source_ids AS sources, e.sources AS refs"
        )
        node_counts: Counter[str] = Counter()
        for row in nodes:
            node_counts.update(label for label in row["labels"] if label != ENTITY_LABEL)
        source_counts: Counter[str] = Counter()
        located = 0
        for row in nodes + edges:
            source_counts.update(row["sources"] or [])
            located += bool(row["refs"])
        total = len(nodes) + len(edges)
        return {
            "nodes": dict(sorted(node_counts.items())),
            "edges": dict(sorted(Counter(row["type"] for row in edges).items())),
            "sources": dict(sorted(source_counts.items())),
            "records": total,
            "located_share": located / total if total else 0.0,
        }

    def version(self) -> str | None:
        """An id that changes with every load (None before the first)."""
        rows = self.read(f"MATCH (m:{META_LABEL} {{key: 'graph'}}) RETURN m.version AS v")
        return rows[0]["v"] if rows else None

    def count(self) -> int:
        return int(self.read(f"MATCH (n:{ENTITY_LABEL}) RETURN count(n) AS n")[0]["n"])


def _pause_for_tests() -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        Path(marker).write_text("paused")
        time.sleep(600)


def _driver(settings: Settings, info: embedded.ServerInfo | None) -> tuple[neo4j.Driver, str, str]:
    if settings.neo4j_uri:
        driver = GraphDatabase.driver(
            settings.neo4j_uri, auth=(settings.neo4j_user, settings.neo4j_password or ""), **DRIVER_OPTIONS
        )
        database, engine = settings.neo4j_database, "neo4j"
    else:
        assert info is not None
        driver = GraphDatabase.driver(info.uri, auth=embedded.credentials(settings.data_dir), **DRIVER_OPTIONS)
        database, engine = info.database, "arcadedb"
    try:
        driver.verify_connectivity()
    except (ServiceUnavailable, AuthError, DriverError, OSError) as error:
        driver.close()
        where = settings.neo4j_uri or "the embedded database"
        raise DatabaseUnavailable(f"cannot connect to {where}: {error}") from None
    return driver, database, engine


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
    return Graph(driver, database, engine, reconnect=reconnect, answers_dir=settings.data_dir / ANSWERS_DIR)


def connect(settings: Settings, info: embedded.ServerInfo | None = None) -> Graph:
    """A Graph on the configured Neo4j server, or on a running embedded server."""
    return Graph(*_driver(settings, info), answers_dir=settings.data_dir / ANSWERS_DIR)


@contextlib.contextmanager
def open_graph(settings: Settings | None = None) -> Iterator[Graph]:
    """The graph for one command: uses a running server, or starts one just for this command."""
    settings = settings or Settings.from_env()
    started: embedded.ServerInfo | None = None
    info = None
    if not settings.neo4j_uri:
        info = embedded.running(settings.data_dir)
        if info is None:
            info = started = embedded.start(settings.data_dir, ephemeral=True)
    graph = connect(settings, info)
    try:
        yield graph
    finally:
        graph.driver.close()
        if started is not None:
            embedded.stop(settings.data_dir, only_ephemeral_pid=started.pid)
