"""Writing a whole graph: batches sent by a thread of their own, made current in one step.

A load (loaders/load.py), a restore from a dump and `Graph.replace` all write through a
:class:`GraphWriter`. The caller hands it nodes and edges as it produces them; the writer groups
them into batches of ``BATCH_SIZE`` rows, and a thread of its own sends each batch while the
caller prepares the next, so Python's work (validation, encoding) and the database's overlap.
At most ``QUEUED_BATCHES`` batches wait, so memory stays bounded however large the load.

Every load is a *generation*: a fresh id, carried by each of its nodes and edges as ``gen``,
which becomes the graph's version when the load ends (``GraphMeta.version``). Readers see the
old graph or the new one, never a mix, because a reader reads one generation: a view
(graph/scope.py) reads the records of the generation current when it was made, and checks
after each statement that it is still current, reading again in the new one otherwise. Each
batch is its own transaction (memory stays bounded: one transaction of four million records
failed on the embedded engine, and Neo4j's is capped by its transaction memory). Loads of one
graph take turns. Where the new generation goes (``target_for``):

- beside the old one, in the same database (Neo4j, whose community server has a single user
  database; and small loads on the embedded engine, where a new database would cost more than
  the load: each label set and edge type is a new type there, 15-25 ms each). Nobody reads it
  until it is made current, in one write; the old generation is then deleted, batch by batch,
  after a grace (below).
  A load that fails deletes what it wrote; one that is killed leaves records of a generation
  nobody reads, which the next load deletes first.
- into a new database (embedded ArcadeDB, large loads), then readers are pointed at it in one
  step and the old database is dropped, after a grace. A load that fails or is killed leaves
  a database nobody points at; the next load drops it.

The grace (``PERSECUTION_GRAPH_LOAD_GRACE_MS``, 1 s unless set) is how long the old graph stays
whole after the switch. Each load writes its grace on the graph and waits at least the grace of
the load before it: a reader that looked at the version less than half of it ago reads without
checking again (graph/scope.py), which saves an API request most of its statements.

Statements that read the store directly, not through a view (the Cypher console), see every
generation there is: during a load on the first path, the records being written too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import queue
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import neo4j
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from . import embedded
from .encoding import GENERATION, decode, encode
from .errors import DatabaseUnavailable, GraphError, QueryError, UserError
from .model import ENTITY_LABEL, ids_of
from .records import Edge, Node, paused_gc, tell_again

# What a fact told again may change besides its sources (records.tell_again).
TOLD_AGAIN = ("description", "reason", "attribution", "attribution_note")

if TYPE_CHECKING:
    from .store import Graph

BATCH_SIZE = 10_000
# While the writer thread has nothing to do, a batch goes as soon as it has this many rows (the
# database starts on a small load, or on the first nodes of a large one, at once).
EAGER_BATCH = 1_000
QUEUED_BATCHES = 2
# Expected records up to which the embedded engine writes a generation in place (see above);
# the environment variable sets another bound (0: always a new database).
ONE_TRANSACTION_MAX = 50_000
ONE_TRANSACTION_ENV = "PERSECUTION_GRAPH_ONE_TRANSACTION_MAX"
META_LABEL = "GraphMeta"
# The record format: 2 since every node and edge carries `public` (graph/scope.py), 3 since they
# carry `gen` too. A graph written in another format is read only after loading it again.
RECORD_FORMAT = 3
# How ids are kept unique in a database (GraphMeta.schema): per generation (the constraints of
# Graph.schema_statements), or alone (by ArcadeDB's importer, graph/bulk.py).
SCHEMA_GENERATIONS = "generations"
SCHEMA_IMPORTER = "importer"
# A load on an ArcadeDB server not heard of for this long has died (NewGeneration._take_the_lease).
LEASE_STALE_MS = 10 * 60 * 1000
# How long the old graph stays whole after a load's switch (see above), in ms.
GRACE_ENV = "PERSECUTION_GRAPH_LOAD_GRACE_MS"
GRACE_MS = 1000
# Edges, then nodes, deleted per transaction when a generation goes (delete_in_batches).
DELETE_BATCH = 10_000
RESTRICTED = "restricted"
LOCK_FILE = ".load-lock"
# Test hook: once a load has written its first nodes (or, if PAUSE_AT_ENV says ``switch``, all
# its records, just before it makes them current), write this file and wait (see tests/graph).
PAUSE_ENV = "PERSECUTION_GRAPH_TEST_PAUSE_FILE"
PAUSE_AT_ENV = "PERSECUTION_GRAPH_TEST_PAUSE_AT"

# Told how many records a batch wrote (a progress bar).
OnWritten = Callable[[int], None]
Stored = Callable[[dict[str, Any]], dict[str, Any]]
NodeRow = tuple[tuple[str, ...], dict[str, Any]]


Run = Callable[..., list[neo4j.Record]]


class Target:
    """Where a writer's statements go; ends by making the new graph current, or by dropping it.
    ``generation``: the id the new graph's records carry, its version once current."""

    generation: str = ""
    schema: str = SCHEMA_GENERATIONS
    # How long to leave the old graph whole once the new one is current (the grace, above).
    grace_s: float = 0.0

    @contextlib.contextmanager
    def batch(self) -> Iterator[Run]:
        """Statements that belong together (one batch of rows): ``run(statement, **params)``."""
        raise NotImplementedError
        yield

    def run(self, statement: str, **params: Any) -> list[neo4j.Record]:
        with self.batch() as run:
            return run(statement, **params)

    def write(self, writer: GraphWriter, kind: str, rows: Any) -> None:
        """Write one batch the writer thread took (``nodes``, ``retold`` or ``edges``): by
        default with the writer's own statements."""
        getattr(writer, f"_write_{kind}")(rows)

    def finish(self, writer: GraphWriter) -> None:
        """Every batch is written; edges told again and the version are written next."""

    def commit(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError


def target_for(graph: Graph, expected_records: int | None) -> Target:
    """A new generation beside the old one on Neo4j or for a small load; a new database for a
    large one, filled by batches over Bolt, or by the engine's own importer when
    PERSECUTION_GRAPH_BULK is ``native`` (graph/bulk.py: why Bolt is the default). A database
    the importer made keeps its ids unique without the generation (ArcadeDB's importer indexes
    them alone): the next load into it goes into a new database."""
    from .bulk import BULK_ENV, NativeImport  # bulk builds on this module

    bound = _setting(ONE_TRANSACTION_ENV, str(ONE_TRANSACTION_MAX), "a number of records", _is_count)
    way = _setting(BULK_ENV, "auto", "auto, native or bolt", ("auto", "native", "bolt").__contains__)
    small = expected_records is not None and expected_records <= int(bound)
    if graph.embedded_dir is None:
        return NewGeneration(graph)
    if small:
        lock = _take_turns(graph.embedded_dir)
        try:
            beside = graph.version() is None or graph.stored_schema() == SCHEMA_GENERATIONS
        except BaseException:
            lock.close()
            raise
        if beside:
            return NewGeneration(graph, lock)
        return NewDatabase(graph, graph.embedded_dir, lock)
    if way == "native":
        return NativeImport(graph, graph.embedded_dir)
    return NewDatabase(graph, graph.embedded_dir)


def _setting(name: str, default: str, expected: str, allowed: Callable[[str], bool]) -> str:
    """A load's setting from the environment; a value it cannot mean is refused before anything
    is read or written, never taken for another."""
    value = os.environ.get(name) or default
    if not allowed(value):
        raise UserError(f"{name}={value!r} is not a setting this load understands: expected {expected}")
    return value


def _is_count(value: str) -> bool:
    return value.isascii() and value.isdigit()  # str.isdigit alone takes "²", which int refuses


def _take_turns(data_dir: Path) -> IO[str]:
    """Loads of one data folder take turns: a lock held until the load ends (closing the file)."""
    lock = os.fdopen(os.open(data_dir / LOCK_FILE, os.O_WRONLY | os.O_CREAT, 0o600), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def _new_generation() -> str:
    return uuid.uuid4().hex


class NewGeneration(Target):
    """The new graph written beside the current one, made current in one write, then the old
    one deleted (see the module's text)."""

    def __init__(self, graph: Graph, lock: IO[str] | None = None) -> None:
        self.generation = _new_generation()
        self.lock = lock
        self.switched = False
        self.turn: neo4j.Transaction | None = None
        self.turn_session: neo4j.Session | None = None
        self.session: neo4j.Session | None = None
        self.leased = False
        try:
            graph.ensure_schema()
            self.session = graph.driver.session(database=graph.database)
            if graph.embedded_dir is None and graph.engine == "arcadedb":
                self._take_the_lease()
            elif graph.embedded_dir is None:
                self._take_turns_on_server(graph)
            # Records of loads that failed or were killed: every generation but the current one.
            current = graph.version()
            self._delete_generations_but({current} if current else set())
        except BaseException:
            self._let_others_in()
            raise

    def _take_turns_on_server(self, graph: Graph) -> None:
        """Loads of a Neo4j server take turns: each holds a write lock on the node that says
        whose turn it is, in a transaction open until the load ends (the server lets it go if
        the loader dies); the next load waits for the lock."""
        self.turn_session = graph.driver.session(database=graph.database)
        self.turn = self.turn_session.begin_transaction()
        self.turn.run(
            f"MERGE (t:{META_LABEL} {{key: 'load'}}) SET t.generation = $generation, t.since = timestamp()",
            generation=self.generation,
        ).consume()

    def _take_the_lease(self) -> None:
        """Loads of an ArcadeDB server take turns by a lease: ArcadeDB locks nothing until a
        commit, so an open transaction would not make the next load wait, and two loads would
        each delete what the other writes. The lease is claimed in a transaction of its own
        (two claims at once: the engine refuses one at commit, or the second finds it taken),
        renewed with every batch, given back at the end; one not renewed for LEASE_STALE_MS is
        a load that died."""
        assert self.session is not None
        claim = (
            f"MERGE (t:{META_LABEL} {{key: 'load'}}) WITH t "
            "WHERE t.generation IS NULL OR t.beat < timestamp() - $stale "
            "SET t.generation = $generation, t.beat = timestamp() RETURN t.generation AS holder"
        )
        try:
            found = self.session.execute_write(
                lambda tx: tx.run(claim, generation=self.generation, stale=LEASE_STALE_MS).single()
            )
        except Neo4jError:
            found = None
        if found is None:
            raise UserError(
                "another load is writing this graph; try again when it ends (a load not heard of for "
                f"{LEASE_STALE_MS // 60_000} minutes is taken as stopped)"
            )
        self.leased = True

    def _delete_generations_but(self, keep: set[str]) -> None:
        """Delete the records of other generations."""
        self._delete(f"x.{GENERATION} IS NULL OR NOT x.{GENERATION} IN $keep", keep=sorted(keep))

    def _delete(self, where: str, **params: Any) -> None:
        session = self.session
        assert session is not None

        def write(statement: str, **given: Any) -> int:
            found = session.execute_write(lambda tx: tx.run(statement, given).single())
            return 0 if found is None else int(found["deleted"])

        delete_in_batches(write, where, **params)

    def _let_others_in(self) -> None:
        if self.leased and self.session is not None:
            with contextlib.suppress(Exception):
                self.session.execute_write(
                    lambda tx: tx.run(
                        f"MATCH (t:{META_LABEL} {{key: 'load'}}) WHERE t.generation = $generation "
                        "SET t.generation = null",
                        generation=self.generation,
                    ).consume()
                )
        for closing in (self.turn, self.turn_session, self.session):
            if closing is not None:
                with contextlib.suppress(Exception):
                    closing.close()
        if self.lock is not None:
            self.lock.close()

    @contextlib.contextmanager
    def batch(self) -> Iterator[Run]:
        assert self.session is not None
        with self.session.begin_transaction() as tx:
            yield lambda statement, **params: list(tx.run(statement, params))
            if self.leased:  # still here: the lease is renewed with every batch
                tx.run(
                    f"MATCH (t:{META_LABEL} {{key: 'load'}}) WHERE t.generation = $generation "
                    "SET t.beat = timestamp()",
                    generation=self.generation,
                ).consume()
            tx.commit()

    def commit(self) -> None:
        """The new generation is current (the writer's last write): the old one goes. If deleting
        it fails, the load still stands (nobody reads the old records; the next load deletes
        them): it is said, and what this load wrote is never deleted after the switch."""
        self.switched = True
        try:
            time.sleep(self.grace_s)
            self._delete_generations_but({self.generation})
        except (Neo4jError, ServiceUnavailable, SessionExpired) as error:
            print(
                "persecution-graph: the new graph is current, but deleting the old one failed "
                f"({error}); the next load deletes what is left",
                file=sys.stderr,
            )
        finally:
            self._let_others_in()

    def abort(self) -> None:
        """Delete what this load wrote (the current generation stays as it was)."""
        try:
            if self.session is not None and not self.switched:
                with contextlib.suppress(Exception):
                    self._delete_generation(self.generation)
        finally:
            self._let_others_in()

    def _delete_generation(self, generation: str) -> None:
        self._delete(f"x.{GENERATION} = $generation", generation=generation)


class NewDatabase(Target):
    """Embedded ArcadeDB: a database of its own, batch by batch, then made current."""

    def __init__(self, graph: Graph, data_dir: Path, lock: IO[str] | None = None) -> None:
        self.generation = _new_generation()
        self.data_dir = data_dir
        self.lock = lock or _take_turns(data_dir)
        try:
            self.previous = embedded.current_database(data_dir)
            self._drop_leftovers()
            self.name = f"{embedded.STAGING_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
            embedded.server_command(data_dir, f"create database {self.name}")
            self.session = graph.driver.session(database=self.name)
            self._prepare(graph)
        except BaseException:
            self.abort()
            raise

    def _prepare(self, graph: Graph) -> None:
        """The new database's schema, before any row (unique ids on every node type)."""
        for statement in graph.schema_statements():
            self.session.run(statement).consume()

    def _drop_leftovers(self) -> None:
        """Databases of loads that failed or were killed (nobody reads them), and the file of
        one that was killed while the importer's file was being written (graph/bulk.py)."""
        folder = embedded.import_folder(self.data_dir)
        for left in folder.iterdir() if folder.is_dir() else ():  # loads take turns: it is a killed load's
            left.unlink(missing_ok=True)
        names = embedded.server_command(self.data_dir, "list databases")
        for name in names if isinstance(names, list) else []:
            if str(name).startswith(embedded.STAGING_PREFIX) and name != self.previous:
                # One the engine still imports into (its loader was killed) goes at the next start.
                with contextlib.suppress(GraphError):
                    embedded.server_command(self.data_dir, f"drop database {name}")

    @contextlib.contextmanager
    def batch(self) -> Iterator[Run]:
        # An explicit transaction per batch: ArcadeDB runs a statement sent in auto-commit mode
        # 3x slower (measured: 100k entities 57 s against 19 s).
        with self.session.begin_transaction() as tx:
            yield lambda statement, **params: list(tx.run(statement, params))
            tx.commit()

    def commit(self) -> None:
        try:
            self.session.close()
            embedded.make_current(self.data_dir, self.name)
            # Readers still on the old database read it whole for the grace, then move to the
            # new one (graph/scope.py).
            time.sleep(self.grace_s)
            with contextlib.suppress(GraphError):
                embedded.server_command(self.data_dir, f"drop database {self.previous}")
        finally:
            self.lock.close()

    def abort(self) -> None:
        try:
            with contextlib.suppress(Exception):
                self.session.close()
            with contextlib.suppress(Exception):
                embedded.server_command(self.data_dir, f"drop database {self.name}")
        finally:
            self.lock.close()


class GraphWriter:
    """Takes a whole new graph, node by node and edge by edge, and writes it in batches.

    Nodes come before the edges that join them; a node may be told again (its merged form
    replaces it) and an edge too (its sources are added). Use it through ``Graph.writer()``.
    """

    def __init__(self, graph: Graph, target: Target, stored: Stored = encode, progress: OnWritten | None = None):
        self.target = target
        self.generation = target.generation
        # This load's grace, and how long it waits: at least the grace the current graph's load
        # promised its readers (none on an empty graph: nobody reads what is there).
        self.grace_ms = load_grace_ms()
        seen = graph.observe(fresh=True)
        self.wait_s = max(self.grace_ms / 1000, seen.grace_s) if seen.version is not None else 0.0
        # Where to look when the engine fails (a full disk), from where its log ends now.
        self.data_dir = graph.embedded_dir
        self.log_start = embedded.log_size(self.data_dir) if self.data_dir is not None else 0
        self.stored = stored
        self.progress = progress or (lambda _: None)
        self.labels = graph.model.all_labels()
        self.edge_types = set(graph.model.edges)
        # Reference properties (`ref`, `refs` in graph/model.yaml) by node and edge type: they
        # keep another record's id, a slug of its name.
        self.node_refs = {name: _ref_keys(t.properties) for name, t in graph.model.nodes.items()}
        self.edge_refs = {name: _ref_keys(t.properties) for name, t in graph.model.edges.items()}
        # Rows waiting for a batch, properties already as stored: they are encoded here, in the
        # caller's thread, so that the writer thread only sends (the database never waits for
        # Python to encode the next batch). A batch is written in one transaction, a statement
        # per label set or edge type. An edge that joins a waiting node waits for its batch.
        self.new_nodes: dict[str, NodeRow] = {}
        self.retold_nodes: dict[str, NodeRow] = {}
        self.new_edges: list[Edge] = []
        self.held_edges: list[Edge] = []
        self.told_again: dict[str, list[Edge]] = defaultdict(list)
        self.element_ids: dict[str, str] = {}  # node id -> element id (the writer thread's)
        # Ids of restricted nodes (few): an edge touching one is not public (graph/scope.py).
        self.restricted: set[str] = set()
        self.restricted_later: set[str] = set()
        # Public records whose references name other records, decided at the end (a record may
        # be restricted after them): a record that names a restricted one is not public.
        self.naming_nodes: dict[str, list[str]] = {}
        self.naming_edges: list[tuple[str, str, str, list[str]]] = []  # source, target, id, named
        # Whether any record is not public: the graph says so (not how many) to public readers.
        self.any_restricted = False
        self.queue: queue.Queue[tuple[str, Any] | None] = queue.Queue(maxsize=QUEUED_BATCHES)
        self.error: BaseException | None = None
        self.paused = False
        self.idle = True  # the writer thread waits for a batch
        self.thread = threading.Thread(target=self._work, name="graph-writer", daemon=True)
        self.thread.start()

    # -- the caller's side -------------------------------------------------------------------

    def node(self, node: Node) -> None:
        """A new node."""
        self.new_nodes[node.id] = (self._checked_labels(node), self._visible(node))
        if self._full(len(self.new_nodes)):
            self._send_nodes()

    def _visible(self, node: Node) -> dict[str, Any]:
        """A node's properties as stored, with ``public`` (graph/scope.py): true unless restricted."""
        stored = self.stored(node.properties)
        named = _named(node.properties, self.node_refs.get(node.type, ()))
        stored["public"] = node.properties.get("sensitivity") != RESTRICTED and not self.restricted.intersection(named)
        stored[GENERATION] = self.generation
        self.naming_nodes.pop(node.id, None)
        if not stored["public"]:
            self.restricted.add(node.id)
            self.any_restricted = True
        elif named:
            self.naming_nodes[node.id] = named
        return stored

    def retell(self, node: Node) -> None:
        """A node already given, told again: this merged form replaces it."""
        was_restricted = node.id in self.restricted
        row = (self._checked_labels(node), self._visible(node))
        if not was_restricted and node.id in self.restricted:
            self.restricted_later.add(node.id)  # edges written meanwhile are made not public at the end
        if node.id in self.new_nodes:  # not sent yet: still a new node, in its new form
            self.new_nodes[node.id] = row
            return
        self.retold_nodes[node.id] = row
        if len(self.retold_nodes) >= BATCH_SIZE:
            self._send_nodes()

    def edge(self, edge: Edge) -> None:
        """A new edge; both its nodes were given before."""
        if edge.type not in self.edge_types:
            raise QueryError(f"edge type {edge.type!r} is not in the model")
        properties = self.stored(edge.properties)
        # A public edge has public ends: VISIBLE(e) then covers a relationship and its nodes.
        named = _named(edge.properties, self.edge_refs.get(edge.type, ()))
        properties["public"] = (
            edge.properties.get("sensitivity") != RESTRICTED
            and edge.source not in self.restricted
            and edge.target not in self.restricted
            and not self.restricted.intersection(named)
        )
        properties[GENERATION] = self.generation
        self.any_restricted = self.any_restricted or not properties["public"]
        if properties["public"] and named:
            self.naming_edges.append((edge.source, edge.target, edge.id, named))
        stored = Edge(edge.type, edge.source, edge.target, properties)
        if (self.new_nodes or self.retold_nodes) and (
            edge.source in self.new_nodes
            or edge.target in self.new_nodes
            or edge.source in self.retold_nodes
            or edge.target in self.retold_nodes
        ):
            self.held_edges.append(stored)  # goes right after the batch of its nodes
            if len(self.held_edges) >= BATCH_SIZE:
                self._send_nodes()
            return
        self.new_edges.append(stored)
        if self._full(len(self.new_edges)):
            self._send_edges()

    def _full(self, rows: int) -> bool:
        """A batch is full at BATCH_SIZE rows, or at EAGER_BATCH while the writer thread waits."""
        return rows >= BATCH_SIZE or (rows % EAGER_BATCH == 0 and self.idle)

    def edge_again(self, edge: Edge) -> None:
        """An edge already given, told again by another record: its sources and description are
        added to the first's (records.tell_again) when the load ends."""
        self.told_again[edge.id].append(edge)

    def _checked_labels(self, node: Node) -> tuple[str, ...]:
        unknown = [label for label in node.labels if label not in self.labels]
        if unknown:
            raise QueryError(f"node {node.id!r} has labels not in the model: {unknown}")
        return tuple(node.labels)

    def _send_nodes(self) -> None:
        """Send the waiting nodes, then the edges that waited for them."""
        if self.new_nodes:
            self._put("nodes", self.new_nodes)
            self.new_nodes = {}
        if self.retold_nodes:
            self._put("retold", self.retold_nodes)
            self.retold_nodes = {}
        if self.held_edges:
            self.new_edges += self.held_edges
            self.held_edges = []
            if len(self.new_edges) >= BATCH_SIZE:
                self._send_edges()

    def _send_edges(self) -> None:
        if self.new_edges:
            self._put("edges", self.new_edges)
            self.new_edges = []

    def _put(self, kind: str, rows: Any) -> None:
        while True:
            self._raise_if_failed()
            try:
                self.queue.put((kind, rows), timeout=0.5)
                return
            except queue.Full:
                continue

    def _raise_if_failed(self) -> None:
        if self.error is not None:
            raise _as_graph_error(self.error, self.data_dir, self.log_start)

    def close(self) -> None:
        """Send what waits, add the sources of edges told again, and make the new graph current."""
        self._send_nodes()
        self._send_edges()
        self._stop_thread()
        self._raise_if_failed()
        try:
            self.target.finish(self)
            self._add_told_again()
            self._hide_records_naming_restricted()
            self._hide_edges_of_restricted_later()
            _pause_for_tests("switch")
            # The switch: the new generation is the graph's version (readers and caches of
            # derived results key on it).
            self.target.run(
                f"MERGE (m:{META_LABEL} {{key: 'graph'}}) "
                "SET m.version = $version, m.format = $format, m.schema = $schema, "
                "m.restricted = $restricted, m.grace_ms = $grace_ms",
                grace_ms=self.grace_ms,
                version=self.generation,
                format=RECORD_FORMAT,
                schema=self.target.schema,
                restricted=self.any_restricted,
            )
            self.target.grace_s = self.wait_s
            self.target.commit()
        except (Neo4jError, ServiceUnavailable, SessionExpired) as error:
            raise _as_graph_error(error, self.data_dir, self.log_start) from None

    def _hide_records_naming_restricted(self) -> None:
        """Records written public that name a record restricted after them (validation refuses
        such data, loaders/validate.py; a dump imported is not validated): not public. A node
        so hidden is hidden with its edges, and hides what names it in turn."""
        hidden: list[str] = []
        while True:
            found = [i for i, named in self.naming_nodes.items() if self.restricted.intersection(named)]
            if not found:
                break
            for node_id in found:
                del self.naming_nodes[node_id]
                self.restricted.add(node_id)
            hidden += found
        edges = [
            {"source": source, "target": target, "id": edge_id}
            for source, target, edge_id, named in self.naming_edges
            if self.restricted.intersection(named)
        ]
        if hidden:
            self.target.run(
                f"UNWIND $ids AS i MATCH (n:{ENTITY_LABEL} {{id: i, {GENERATION}: $generation}}) SET n.public = false",
                ids=sorted(hidden),
                generation=self.generation,
            )
            self.restricted_later.update(hidden)
        if edges:
            self.target.run(
                f"UNWIND $edges AS x MATCH (a:{ENTITY_LABEL} {{id: x.source, {GENERATION}: $generation}})"
                f"-[r]->(b:{ENTITY_LABEL} {{id: x.target, {GENERATION}: $generation}}) "
                "WHERE r.id = x.id SET r.public = false",
                edges=edges,
                generation=self.generation,
            )
        self.any_restricted = self.any_restricted or bool(hidden or edges)

    def _hide_edges_of_restricted_later(self) -> None:
        """Edges written before a later record made one of their ends restricted."""
        if self.restricted_later:
            self.target.run(
                f"UNWIND $ids AS i MATCH (n:{ENTITY_LABEL} {{id: i, {GENERATION}: $generation}})-[r]-() "
                "SET r.public = false",
                ids=sorted(self.restricted_later),
                generation=self.generation,
            )

    def abort(self) -> None:
        """Leave the current graph as it was."""
        self.new_nodes, self.retold_nodes, self.new_edges, self.held_edges = {}, {}, [], []
        self._stop_thread()
        self.target.abort()

    def _stop_thread(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()

    # -- the writer thread -------------------------------------------------------------------

    def _work(self) -> None:
        with paused_gc():
            while (item := self._next()) is not None:
                if self.error is not None:
                    continue  # drain: the caller learns of the error at its next batch
                kind, rows = item
                try:
                    self.target.write(self, kind, rows)
                except BaseException as error:  # handed to the caller's thread
                    self.error = error

    def _next(self) -> tuple[str, Any] | None:
        self.idle = self.queue.empty()
        item = self.queue.get()
        self.idle = False
        return item

    def _write_nodes(self, rows: dict[str, NodeRow]) -> None:
        by_labels: dict[tuple[str, ...], dict[str, dict[str, Any]]] = defaultdict(dict)
        for node_id, (labels, properties) in rows.items():
            by_labels[labels][node_id] = properties
        with self.target.batch() as run:
            for labels, batch in by_labels.items():
                statement = (
                    f"UNWIND $rows AS r CREATE (n:{':'.join([ENTITY_LABEL, *labels])}) SET n = r "
                    "RETURN collect(r.id) AS ids, collect(elementId(n)) AS element_ids"
                )
                self._keep_element_ids(batch, _run_rows(run, statement, list(batch.values())))
        self.progress(len(rows))
        if not self.paused:
            self.paused = True
            _pause_for_tests()

    def _keep_element_ids(self, batch: dict[str, Any], found: list[neo4j.Record]) -> None:
        """Element ids by node id. They come back as one list in the order of the rows (10k
        records of one value each cost the driver several times more, in Python), and are
        kept under the caller's own id strings, not the copies sent back (a million of them)."""
        ids = list(batch)
        if found[0]["ids"] != ids:
            raise QueryError("the database returned element ids out of the order of the rows")
        self.element_ids.update(zip(ids, found[0]["element_ids"], strict=True))

    def _write_retold(self, rows: dict[str, NodeRow]) -> None:
        """Replace nodes told again. Labels are set anew (a merge may add roles); on ArcadeDB a
        node whose labels change gets a new element id, so the ids are read back."""
        by_labels: dict[tuple[str, ...], dict[str, dict[str, Any]]] = defaultdict(dict)
        for node_id, (labels, properties) in rows.items():
            by_labels[labels][node_id] = {"e": self.element_ids[node_id], "props": properties}
        with self.target.batch() as run:
            for labels, batch in by_labels.items():
                statement = (
                    "UNWIND $rows AS r MATCH (n) WHERE elementId(n) = r.e "
                    f"SET n = r.props SET n:{':'.join([ENTITY_LABEL, *labels])} "
                    "RETURN collect(n.id) AS ids, collect(elementId(n)) AS element_ids"
                )
                self._keep_element_ids(batch, _run_rows(run, statement, list(batch.values())))

    def _write_edges(self, edges: list[Edge]) -> None:
        """Edges join nodes found by element id: one lookup each, where matching on the id
        property costs an index lookup per label set on the embedded engine (2x slower)."""
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        element_ids = self.element_ids
        for edge in edges:
            try:
                ends = element_ids[edge.source], element_ids[edge.target]
            except KeyError as missing:
                raise QueryError(f"a {edge.type} edge refers to node {missing.args[0]!r}, not written") from None
            by_type[edge.type].append({"a": ends[0], "b": ends[1], "props": edge.properties})
        with self.target.batch() as run:
            for edge_type, batch in by_type.items():
                statement = (
                    "UNWIND $rows AS r MATCH (a) WHERE elementId(a) = r.a MATCH (b) WHERE elementId(b) = r.b "
                    f"CREATE (a)-[e:{edge_type}]->(b) SET e = r.props"
                )
                _run_rows(run, statement, batch)
        self.progress(len(edges))

    # -- after the batches -------------------------------------------------------------------

    def _add_told_again(self) -> None:
        """Edges told by several records: the others' sources and descriptions added to the
        first one's (read back, merged by records.tell_again, written once)."""
        by_type: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for edge_id, others in self.told_again.items():
            first = others[0]
            ends = {"a": self.element_ids[first.source], "b": self.element_ids[first.target]}
            by_type[first.type][edge_id] = {**ends, "id": edge_id}
        match = (
            "UNWIND $rows AS r MATCH (a)-[e:{}]->(b) WHERE elementId(a) = r.a AND elementId(b) = r.b AND e.id = r.id "
        )
        for edge_type, rows in by_type.items():
            told_back = ", ".join(f"e.{key} AS {key}" for key in TOLD_AGAIN)
            found = self.target.run(
                match.format(edge_type) + f"RETURN r.id AS id, e.sources AS sources, {told_back}",
                rows=list(rows.values()),
            )
            merged = []
            for record in found:
                told = decode({"sources": record["sources"] or [], **{k: record[k] for k in TOLD_AGAIN}})
                for other in self.told_again[record["id"]]:
                    told = tell_again(told, other.properties)
                stored = encode(told)
                merged.append({**rows[record["id"]], **{k: told.get(k) for k in TOLD_AGAIN}, **stored})
            told_anew = ", ".join(f"e.{key} = r.{key}" for key in TOLD_AGAIN)
            self.target.run(
                match.format(edge_type) + f"SET e.sources = r.sources, e.source_ids = r.source_ids, {told_anew}",
                rows=merged,
            )


def _run_rows(run: Run, statement: str, rows: list[dict[str, Any]]) -> list[neo4j.Record]:
    """Run one statement on a batch of rows, then empty the list: the driver's result keeps its
    parameters and sits in a reference cycle, which nobody collects while the cyclic collector
    is paused (records.paused_gc); emptying the list frees the rows at once (without it, 100k
    entities held 430 MB more at the end of a load)."""
    try:
        return run(statement, rows=rows)
    finally:
        rows.clear()


def _as_graph_error(error: BaseException, data_dir: Path | None = None, log_start: int = 0) -> GraphError:
    full = embedded.disk_full(data_dir, log_start) if data_dir is not None else None
    if full is not None:
        return GraphError(f"{full}; nothing was changed")
    if isinstance(error, GraphError):
        return error
    if isinstance(error, ServiceUnavailable | SessionExpired):
        return DatabaseUnavailable(f"the database went away during the load; nothing was changed: {error}")
    if isinstance(error, Neo4jError):
        return QueryError(f"the database refused the load; nothing was changed: {error.message}")
    return GraphError(f"the load failed; nothing was changed: {error!r}")


def delete_in_batches(write: Callable[..., int], where: str = "true", **params: Any) -> None:
    """Delete the entities for which ``where`` holds (said of ``x``) and their edges, a batch per
    transaction, ``write(statement, **params)`` giving how many it deleted. Edges go first, by
    the same rule: a node's DETACH DELETE would put all of a hub's edges in one transaction,
    which went past Neo4j's transaction memory (692.9 MiB with a 1 GB heap) at 100k entities."""
    for statement in (
        f"MATCH (:{ENTITY_LABEL})-[x]->(:{ENTITY_LABEL}) WHERE {where} WITH x LIMIT $limit DELETE x",
        f"MATCH (x:{ENTITY_LABEL}) WHERE {where} WITH x LIMIT $limit DETACH DELETE x",
    ):
        while write(statement + " RETURN count(*) AS deleted", limit=DELETE_BATCH, **params):
            pass


def _pause_for_tests(at: str = "first-batch") -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker and os.environ.get(PAUSE_AT_ENV, "first-batch") == at:
        Path(marker).write_text("paused")
        time.sleep(600)


def load_grace_ms() -> int:
    """The grace of a load (GRACE_ENV, in ms; GRACE_MS unless set)."""
    given = os.environ.get(GRACE_ENV, "")
    try:
        return max(0, int(given)) if given.strip() else GRACE_MS
    except ValueError:
        raise UserError(f"{GRACE_ENV} must be a number of milliseconds, not {given!r}") from None


@contextlib.contextmanager
def writing(graph: Graph, target: Target, stored: Stored, progress: OnWritten | None) -> Iterator[GraphWriter]:
    writer = GraphWriter(graph, target, stored, progress)
    try:
        yield writer
    except BaseException:
        writer.abort()
        raise
    try:
        writer.close()
    except BaseException:
        writer.abort()
        raise
    graph.forget_seen()  # this process's next views read the new graph


def _ref_keys(properties: dict[str, Any]) -> tuple[str, ...]:
    return tuple(key for key, prop in properties.items() if prop.is_reference)


def _named(properties: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    """The ids a record's reference properties hold."""
    return [named for key in keys for named in ids_of(properties.get(key))]
