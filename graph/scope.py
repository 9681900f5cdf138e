"""What a reader may see: a scope, and the view of the graph through it.

Every read of the graph's records goes through a :class:`View` of one :class:`Scope`: the read
layer (queries/) takes a view, and the front doors (api/, viz/) hand each caller the view its
key allows, never the graph itself. So no read can forget the public/restricted rule.

The rule is written twice, both times here or beside here: the writer sets ``public`` on every
record (graph/writer.py: a node is public unless restricted; a relationship is public unless it
is restricted or one of its ends is not public), and a statement read through a view says which
of its variables it shows with ``VISIBLE(x, y, ...)``, which the view expands once, below: in the
public scope to ``(x.public AND y.public)``, in the full scope to ``true``. Because a public
relationship has public ends, ``VISIBLE(r)`` covers a relationship and both its nodes.

The same marker keeps a reader in one generation of the graph (graph/writer.py: every record
carries the ``gen`` of the load that wrote it): ``VISIBLE(x)`` also requires ``x.gen`` to be
the view's generation, so a read never mixes the old graph with the one being written. A view
takes the generation current when it is made, and after each statement checks that it still
is: if a load made another current meanwhile (and may be deleting the view's), the statement
is read again in the new one. An edge's generation is its ends', so ``VISIBLE(r)`` covers both.

A statement that ends within half the grace of the view's last look at the version needs no
check after it (``Graph.observe``): a load leaves the old generation whole for its grace after
making the new one current (graph/writer.py), and a look taken before the switch is older than
the switch, so such a statement ran wholly before any of the view's records went. A request of
the API reads in a few milliseconds: one look serves all its statements, and the views of
requests made within a quarter of the grace of one another share it.
"""

from __future__ import annotations

import enum
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .encoding import GENERATION, decode, decoded_json, to_json_text
from .errors import DatabaseUnavailable, GraphError, QueryError
from .model import ENTITY_LABEL
from .records import Dataset, Edge, Node

if TYPE_CHECKING:
    from .model import Model
    from .store import Graph, Seen

MARKER = re.compile(r"VISIBLE\(([^()]*)\)")
# The parameter that carries the view's generation into its statements.
GENERATION_PARAMETER = "graph_generation"
# A read is tried again in a new generation at most this many times (a load ended each time).
REREADS = 3
T = TypeVar("T")
# A failure of the engine within this many seconds is read again (View.read); a statement
# stopped at a time limit (5 s for the console, 120 s for the server) is not.
QUICK_FAULT_S = 2.0
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A whole-graph table (View.read_whole_table) comes in records of at most this many rows, each
# decoded by the driver in one call that holds the interpreter (neo4j-rust-ext): read as one
# record, the whole-graph tables of 1M entities held it up to 23 s at a time, and a server
# answered nothing meanwhile. The parameter that carries it.
TABLE_CHUNK = 20_000
CHUNK_PARAMETER = "table_chunk"
# A table's statement ends in a RETURN of collect(...) AS rows.
RETURN_WORD = re.compile(r"\bRETURN\b")
TABLE_RETURN = re.compile(r"RETURN(\s+collect\(.*\)\s+AS\s+rows)\s*", re.DOTALL)


class Scope(enum.Enum):
    """Who reads: the public (no restricted record), or a key holder (every record)."""

    PUBLIC = "public"
    FULL = "full"


class ScopeError(GraphError):
    """A statement read through a view that does not say what it shows (a developer's mistake)."""


def expand(statement: str, scope: Scope) -> str:
    """The statement with each ``VISIBLE(x, ...)`` written out for the scope; a statement
    without one is refused, so no read can leave the rule out."""
    if not MARKER.search(statement):
        raise ScopeError(f"a statement read through a view must say what it shows with VISIBLE(...): {statement!r}")
    return MARKER.sub(lambda found: _condition(found.group(1), scope), statement)


def _condition(variables: str, scope: Scope) -> str:
    names = [name.strip() for name in variables.split(",") if name.strip()]
    if not names or not all(VARIABLE.match(name) for name in names):
        raise ScopeError(f"VISIBLE takes variable names, not {variables!r}")
    terms = []
    for name in names:
        if scope is Scope.PUBLIC:
            terms.append(f"{name}.public")
        terms.append(f"{name}.{GENERATION} = ${GENERATION_PARAMETER}")
    return "(" + " AND ".join(terms) + ")"


class View:
    """The graph as one scope may see it, in one generation at a time: the only way to read its
    records. ``generation``: the graph's version when the view was made (see the module's text)."""

    def __init__(self, graph: Graph, scope: Scope) -> None:
        self.graph = graph
        self.scope = scope
        self._look(graph.observe())

    def _look(self, seen: Seen) -> None:
        self.seen = seen
        self.generation = seen.version

    def __repr__(self) -> str:
        return f"View({self.scope.value}, generation {self.generation})"

    @property
    def public(self) -> bool:
        return self.scope is Scope.PUBLIC

    @property
    def model(self) -> Model:
        return self.graph.model

    @property
    def engine(self) -> str:
        return self.graph.engine

    def read(self, statement: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of a parameterised statement that marks what it shows with VISIBLE(...), all of
        one generation: the view's, or the current one if a load ended during the read."""
        return self._read(statement, True, params)

    def read_stored(self, statement: str, **params: Any) -> list[dict[str, Any]]:
        """``read`` for rows of what the writer stores (records' properties, labels, ids, names:
        texts, numbers, booleans and lists of them, graph/encoding.py): left as the driver gave
        them, not walked for its own types (an entity's page, a picture's records: ~1,500 values
        walked for each ego network of depth 2 at 100k entities). A value of such a type (a
        date a statement computes) would reach the caller as the driver's object."""
        return self._read(statement, False, params)

    def _read(self, statement: str, converted: bool, params: dict[str, Any]) -> list[dict[str, Any]]:
        if GENERATION_PARAMETER in params:
            raise ScopeError(f"${GENERATION_PARAMETER} is the view's own parameter")
        cypher = expand(statement, self.scope)
        for attempt in range(1, REREADS + 1):
            generation, seen = self.generation, self.seen
            began = time.monotonic()
            try:
                rows = self.graph._read(
                    cypher,
                    scope=self.scope,
                    database=seen.database,
                    converted=converted,
                    **{GENERATION_PARAMETER: generation},
                    **params,
                )
            except QueryError as refused:
                # A generation being deleted under the statement can fail it ("record not found"),
                # whether it is this view's or another one the statement scanned past (ArcadeDB:
                # "record ... was deleted during read"): read again. Not a statement the engine
                # stopped at its time limit, nor one it refused as written.
                if not self._still_current(generation):
                    continue
                if refused.engine_fault and time.monotonic() - began < QUICK_FAULT_S and attempt < REREADS:
                    continue
                raise
            if time.monotonic() - seen.at < seen.grace_s / 2 or self._still_current(generation):
                return rows
        raise DatabaseUnavailable("the graph was replaced by several loads during one read; try again")

    def read_table(self, statement: str, **params: Any) -> list[Any]:
        """A whole-graph table: ``statement`` ends in ``RETURN collect([...]) AS rows`` (lists)
        or ``collect({...})`` (maps). The driver spends about 25 us on each record it receives (a
        Bolt message, read from the socket on its own), so 315k edges took 9 s one record each
        and 2 s as one list (100k entities, embedded). A table of the whole graph is read with
        read_whole_table."""
        return self._table(statement, True, params)

    def read_plain_table(self, statement: str, **params: Any) -> list[Any]:
        """``read_table`` for a table of what the writer stores (ids, type names, names,
        records' properties: texts, numbers, booleans and lists of them, graph/encoding.py): its
        values are left as the driver gave them, not walked for its own types (dates, nodes),
        0.3 s of the links of 100k entities. A value of such a type would reach the caller as
        the driver's object."""
        return self._table(statement, False, params)

    def _table(self, statement: str, converted: bool, params: dict[str, Any]) -> list[Any]:
        rows = self._read(statement, converted, params)
        if len(rows) != 1 or set(rows[0]) != {"rows"} or not isinstance(rows[0]["rows"], list):
            raise ScopeError(f"a table is read as one record with one column, rows: {statement!r}")
        return rows[0]["rows"]  # type: ignore[no-any-return]

    def read_whole_table(self, statement: str, **params: Any) -> list[Any]:
        """``read_plain_table`` for a table of the whole graph (every edge, every act): its rows
        come in records of TABLE_CHUNK. Each record costs the engine ~1.5 ms more a statement
        (ArcadeDB, a table of 40 entities: 3.5 -> 5.0 ms at the median), so a table a request
        reads stays one record (read_plain_table)."""
        returns = [found.start() for found in RETURN_WORD.finditer(statement)]
        ending = TABLE_RETURN.fullmatch(statement, returns[-1]) if returns else None
        if ending is None:
            raise ScopeError(f"a table's statement ends in RETURN collect(...) AS rows: {statement!r}")
        if CHUNK_PARAMETER in params:
            raise ScopeError(f"${CHUNK_PARAMETER} is the view's own parameter")
        # Its rows in chunks, a record each (see TABLE_CHUNK); none for no row.
        chunked = (
            f"{statement[: ending.start()]}WITH{ending.group(1)}\n"
            f"UNWIND range(0, size(rows) - 1, ${CHUNK_PARAMETER}) AS chunk_at\n"
            f"RETURN rows[chunk_at..chunk_at + ${CHUNK_PARAMETER}] AS rows"
        )
        table = []
        for record in self._read(chunked, False, {**params, CHUNK_PARAMETER: TABLE_CHUNK}):
            table.extend(record["rows"])
        return table

    def in_one_generation(self, compute: Callable[[], T]) -> T:
        """What several statements read together (a whole graph's nodes and then its edges), all
        of one generation: if a load ended between them and the view moved, all are read again."""
        for _ in range(REREADS):
            generation = self.generation
            value = compute()
            if self.generation == generation:
                return value
        raise DatabaseUnavailable("the graph was replaced by several loads during one read; try again")

    def _still_current(self, generation: str | None) -> bool:
        """True if ``generation`` is still the graph's version; else the view moves to it. Either
        way the look is the view's latest."""
        seen = self.graph.observe(fresh=True)
        self._look(seen)
        return seen.version == generation

    def sorted_labels(self, labels: list[str]) -> list[str]:
        return self.graph.sorted_labels(labels)

    @property
    def answers_dir(self) -> Any:
        """Where answers derived from the whole graph are kept between processes (queries/cache.py)."""
        return getattr(self.graph, "answers_dir", None)

    def version(self) -> str | None:
        """The generation this view reads (caches of derived results key on it)."""
        return self.generation

    def hides_records(self) -> bool:
        """Whether this view leaves records out (the public scope, on a graph with restricted
        records; a graph loaded before loads said so may, too). Never how many."""
        return self.public and self.seen.restricted is not False

    # -- the whole graph, as this scope sees it ---------------------------------------------

    def count(self) -> int:
        """How many entities this scope may open."""
        return int(self.read(f"MATCH (n:{ENTITY_LABEL}) WHERE VISIBLE(n) RETURN count(n) AS n")[0]["n"])

    def count_by_type(self) -> dict[str, int]:
        """Entities per node type of the model (every type, zero where there is none)."""
        rows = self.read(f"MATCH (n:{ENTITY_LABEL}) WHERE VISIBLE(n) RETURN labels(n) AS labels, count(n) AS n")
        counts: Counter[str] = Counter()
        for row in rows:
            for label in row["labels"]:
                if label in self.model.nodes:
                    counts[label] += row["n"]
        return {name: counts[name] for name in self.model.nodes}

    def node(self, row: dict[str, Any], stored: bool = False) -> Node:
        """The node record of a row with `labels(n) AS labels, properties(n) AS properties`: its
        type label first, its properties decoded (as stored with `stored`, but its generation)."""
        labels = self.sorted_labels(row["labels"])
        properties = {k: v for k, v in row["properties"].items() if k != GENERATION}
        return Node(properties["id"], labels[0], labels, properties if stored else decode(properties))

    def edge(self, row: dict[str, Any], stored: bool = False) -> Edge:
        """The edge record of a row with `type`, `source`, `target` (ids) and `properties`."""
        properties = {k: v for k, v in row["properties"].items() if k != GENERATION}
        return Edge(row["type"], row["source"], row["target"], properties if stored else decode(properties))

    def node_text(self, row: dict[str, Any]) -> bytes:
        """``self.node(row).as_dict()`` as JSON text, its evidence not decoded (decoded_json):
        for answers written from records' text (queries/subgraphs.py ego_json)."""
        labels, properties = self.sorted_labels(row["labels"]), row["properties"]
        return (
            f'{{"id":{to_json_text(properties["id"])},"labels":{to_json_text(labels)},'
            f'"properties":{decoded_json(properties)}}}'
        ).encode()

    def edge_text(self, row: dict[str, Any]) -> bytes:
        """``self.edge(row).as_dict()`` as JSON text (see node_text)."""
        return (
            f'{{"type":{to_json_text(row["type"])},"source":{to_json_text(row["source"])},'
            f'"target":{to_json_text(row["target"])},"properties":{decoded_json(row["properties"])}}}'
        ).encode()

    def dump(self) -> Dataset:
        """Every node and edge this scope may see, with its properties as stored (but its generation)."""
        return self.in_one_generation(self._dump)

    def _dump(self) -> Dataset:
        nodes = self.read(
            f"MATCH (n:{ENTITY_LABEL}) WHERE VISIBLE(n) "
            "RETURN labels(n) AS labels, properties(n) AS properties ORDER BY n.id"
        )
        edges = self.read(
            f"MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL}) WHERE VISIBLE(e) "
            "RETURN type(e) AS type, a.id AS source, b.id AS target, properties(e) AS properties "
            "ORDER BY type, source, target, properties.id"
        )
        return Dataset.of(
            [self.node(row, stored=True) for row in nodes], [self.edge(row, stored=True) for row in edges]
        )

    def export(self) -> Dataset:
        """Every node and edge this scope may see, sorted, evidence decoded, derived values out."""
        dump = self.dump()
        for node in dump.nodes.values():
            node.properties = decode(node.properties)
        for edge in dump.edges:
            edge.properties = decode(edge.properties)
        return dump

    def stats(self) -> dict[str, Any]:
        """Counts per node type, edge type and source, and the share of records with a locator
        (the model's own nodes, which state nothing, need none)."""
        return self.in_one_generation(self._stats)

    def _stats(self) -> dict[str, Any]:
        nodes = self.read(
            f"MATCH (n:{ENTITY_LABEL}) WHERE VISIBLE(n) "
            "RETURN labels(n) AS labels, n.id AS id, n.source_ids AS sources, n.sources AS refs"
        )
        edges = self.read(
            f"MATCH (:{ENTITY_LABEL})-[e]->(:{ENTITY_LABEL}) WHERE VISIBLE(e) "
            "RETURN type(e) AS type, e.source_ids AS sources, e.sources AS refs"
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
        builtin = {props["id"] for _, props in self.model.builtin_nodes}
        sourced = total - sum(1 for row in nodes if row["id"] in builtin and not row["refs"])
        return {
            "nodes": dict(sorted(node_counts.items())),
            "edges": dict(sorted(Counter(row["type"] for row in edges).items())),
            "sources": dict(sorted(source_counts.items())),
            "records": total,
            "located_share": located / sourced if sourced else 0.0,
        }


def scope_of(public: bool) -> Scope:
    return Scope.PUBLIC if public else Scope.FULL


__all__ = ["Scope", "ScopeError", "View", "expand", "scope_of"]
