"""The scope rule, written once: what VISIBLE(...) becomes, and the flags the writer sets."""

from __future__ import annotations

import pytest
from persecution_graph.graph import scope as scope_module
from persecution_graph.graph.records import Dataset, Edge, Node
from persecution_graph.graph.scope import Scope, ScopeError, expand
from persecution_graph.graph.store import Graph


@pytest.mark.parametrize(
    ("statement", "scope", "expanded"),
    [
        (
            "MATCH (n) WHERE VISIBLE(n) RETURN n",
            Scope.PUBLIC,
            "MATCH (n) WHERE (n.public AND n.gen = $graph_generation) RETURN n",
        ),
        ("MATCH (n) WHERE VISIBLE(n) RETURN n", Scope.FULL, "MATCH (n) WHERE (n.gen = $graph_generation) RETURN n"),
        (
            "MATCH (a)-[e]->(b) WHERE VISIBLE(a, e) AND x",
            Scope.PUBLIC,
            "MATCH (a)-[e]->(b) WHERE (a.public AND a.gen = $graph_generation AND e.public AND "
            "e.gen = $graph_generation) AND x",
        ),
    ],
)
def test_visible_is_written_out_for_the_scope(statement: str, scope: Scope, expanded: str) -> None:
    assert expand(statement, scope) == expanded


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("MATCH (n) RETURN n", "a statement read through a view must say what it shows with VISIBLE(...)"),
        ("MATCH (n) WHERE VISIBLE(n.public OR true) RETURN n", "VISIBLE takes variable names, not 'n.public OR true'"),
        ("MATCH (n) WHERE VISIBLE() RETURN n", "VISIBLE takes variable names, not ''"),
    ],
)
def test_a_statement_that_does_not_say_what_it_shows_is_refused(statement: str, message: str) -> None:
    with pytest.raises(ScopeError) as refused:
        expand(statement, Scope.PUBLIC)
    assert str(refused.value).startswith(message)


def _node(node_id: str, sensitivity: str = "public") -> Node:
    return Node(
        node_id, "Person", ["Person"], {"id": node_id, "name": node_id, "sensitivity": sensitivity, "sources": []}
    )


def _edge(source: str, target: str, sensitivity: str = "public") -> Edge:
    return Edge(
        "RELATED_TO",
        source,
        target,
        {"id": f"{source}-{target}", "relation": "brother", "sensitivity": sensitivity, "sources": []},
    )


def test_the_writer_marks_what_the_public_may_see(graph: Graph) -> None:
    """A restricted node is not public; nor is an edge that is restricted, or that touches a
    node that is not public, even when the node was made restricted by a later record."""
    nodes = [_node("a"), _node("b"), _node("minor", "restricted"), _node("later")]
    edges = [_edge("a", "b"), _edge("a", "minor"), _edge("b", "a", "restricted"), _edge("a", "later")]
    with graph.writer() as writer:
        for node in nodes:
            writer.node(node)
        for edge in edges:
            writer.edge(edge)
        writer.retell(_node("later", "restricted"))
    rows = graph._read("MATCH (n:Entity) RETURN n.id AS id, n.public AS public ORDER BY id")
    assert rows == [
        {"id": "a", "public": True},
        {"id": "b", "public": True},
        {"id": "later", "public": False},
        {"id": "minor", "public": False},
    ]
    rows = graph._read("MATCH (x)-[e]->(y) RETURN x.id + '-' + y.id AS edge, e.public AS public ORDER BY edge")
    assert rows == [
        {"edge": "a-b", "public": True},
        {"edge": "a-later", "public": False},
        {"edge": "a-minor", "public": False},
        {"edge": "b-a", "public": False},
    ]
    public = graph.view(Scope.PUBLIC)
    assert (public.count(), graph.view(Scope.FULL).count()) == (2, 4)
    assert [e.source + "-" + e.target for e in public.export().edges] == ["a-b"]
    assert "public" not in next(iter(public.export().nodes.values())).properties  # derived: not shown
    graph.replace(Dataset())


def test_a_table_is_read_in_one_record_as_the_scope_sees_it(graph: Graph) -> None:
    graph.replace(Dataset.of([_node("b"), _node("a"), _node("minor", "restricted")], []))
    table = "MATCH (n:Entity) WHERE VISIBLE(n) WITH n ORDER BY n.id RETURN collect([n.id, n.sensitivity]) AS rows"
    maps = "MATCH (n:Entity) WHERE VISIBLE(n) WITH n ORDER BY n.id RETURN collect({id: n.id, d: date('2019-03-01')}) AS rows"
    assert graph.view(Scope.PUBLIC).read_table(table) == [["a", "public"], ["b", "public"]]
    assert graph.view(Scope.FULL).read_table(table) == [["a", "public"], ["b", "public"], ["minor", "restricted"]]
    # Values the driver does not give as JSON (a date) are converted in maps as in rows.
    assert graph.view(Scope.PUBLIC).read_table(maps) == [{"id": "a", "d": "2019-03-01"}, {"id": "b", "d": "2019-03-01"}]
    empty = "MATCH (n:Entity) WHERE VISIBLE(n) AND n.id = 'none' RETURN collect(n.id) AS rows"
    assert graph.view(Scope.FULL).read_table(empty) == []
    # A plain table (ids, names: the links, the entities) is the same, scoped the same, but its
    # values are not walked: a date would stay the driver's.
    assert graph.view(Scope.PUBLIC).read_plain_table(table) == [["a", "public"], ["b", "public"]]
    assert graph.view(Scope.FULL).read_plain_table(table) == graph.view(Scope.FULL).read_table(table)
    assert [type(row["d"]).__name__ for row in graph.view(Scope.PUBLIC).read_plain_table(maps)] == ["Date", "Date"]
    with pytest.raises(ScopeError, match="one record with one column"):
        graph.view(Scope.FULL).read_plain_table("MATCH (n:Entity) WHERE VISIBLE(n) RETURN n.id AS id")
    # Rows of stored values, the same way: as read() gives them, scoped the same, not walked.
    records = "MATCH (n:Entity) WHERE VISIBLE(n) RETURN labels(n) AS labels, properties(n) AS properties ORDER BY n.id"
    for scope in Scope:
        assert graph.view(scope).read_stored(records) == graph.view(scope).read(records)
    assert [row["properties"]["id"] for row in graph.view(Scope.PUBLIC).read_stored(records)] == ["a", "b"]
    dated = "MATCH (n:Entity) WHERE VISIBLE(n) RETURN date('2019-03-01') AS d"
    assert [type(row["d"]).__name__ for row in graph.view(Scope.PUBLIC).read_stored(dated)] == ["Date", "Date"]
    with pytest.raises(ScopeError, match="VISIBLE"):
        graph.view(Scope.PUBLIC).read_stored("MATCH (n:Entity) RETURN n.id AS id")
    graph.replace(Dataset())


def test_a_table_past_the_engines_default_heap_limit_is_read(graph: Graph) -> None:
    """Every edge at 1M entities is a table of 3.15M rows: past ArcadeDB's default of 2,097,152
    elements an operation may hold, so every read of the links failed at that scale."""
    graph.replace(Dataset.of([_node("a")], []))
    rows = 2_200_000
    table = (
        "MATCH (n:Entity) WHERE VISIBLE(n) UNWIND range(1, 100000) AS i UNWIND range(1, 22) AS j "
        "RETURN collect(i) AS rows"
    )
    found = graph.view(Scope.FULL).read_table(table)
    assert (len(found), found[:2], found[-1]) == (rows, [1, 1], 100_000)
    graph.replace(Dataset())


@pytest.mark.parametrize(
    "statement",
    [
        "MATCH (n:Entity) WHERE VISIBLE(n) RETURN n.id AS rows",  # a record per row
        "MATCH (n:Entity) WHERE VISIBLE(n) AND n.id = 'a' RETURN n.id AS rows",  # one, but not a table
        "MATCH (n:Entity) WHERE VISIBLE(n) RETURN collect(n.id) AS ids",  # not the rows column
        "MATCH (n:Entity) WHERE VISIBLE(n) RETURN collect(n.id) AS rows, count(n) AS n",
    ],
)
def test_a_table_that_is_not_one_record_of_rows_is_refused(graph: Graph, statement: str) -> None:
    graph.replace(Dataset.of([_node("a"), _node("b")], []))
    with pytest.raises(ScopeError, match="^a table is read as one record with one column, rows: "):
        graph.view(Scope.FULL).read_table(statement)
    with pytest.raises(ScopeError, match="^a table's statement ends in RETURN collect\\(...\\) AS rows: "):
        graph.view(Scope.FULL).read_whole_table(statement)
    graph.replace(Dataset())


@pytest.mark.parametrize("chunk", [1, 2, 3, 4])
def test_a_table_comes_in_chunks_of_rows_whole_and_in_order(
    graph: Graph, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record of a whole-graph table is decoded in one call that holds the interpreter (up to
    23 s at 1M entities as one record): it comes in records of TABLE_CHUNK rows, the same rows
    as a table read as one record."""
    graph.replace(Dataset.of([_node("b"), _node("a"), _node("minor", "restricted")], []))
    table = "MATCH (n:Entity) WHERE VISIBLE(n) WITH n ORDER BY n.id RETURN collect([n.id, n.sensitivity]) AS rows"
    monkeypatch.setattr(scope_module, "TABLE_CHUNK", chunk)
    records: list[int] = []
    read = graph._read

    def counted(statement, **params):  # type: ignore[no-untyped-def]
        found = read(statement, **params)
        if "collect([n.id, n.sensitivity])" in statement:  # not the looks at the graph's version
            records.append(len(found))
        return found

    monkeypatch.setattr(graph, "_read", counted)
    found = graph.view(Scope.FULL).read_whole_table(table)
    assert found == [["a", "public"], ["b", "public"], ["minor", "restricted"]]
    assert records == [-(-3 // chunk)]  # one statement, its rows in this many records
    assert graph.view(Scope.PUBLIC).read_whole_table(table) == graph.view(Scope.PUBLIC).read_plain_table(table)
    empty = "MATCH (n:Entity) WHERE VISIBLE(n) AND n.id = 'none' RETURN collect(n.id) AS rows"
    assert graph.view(Scope.FULL).read_whole_table(empty) == []
    with pytest.raises(ScopeError, match="table_chunk is the view's own parameter"):
        graph.view(Scope.FULL).read_whole_table(table, table_chunk=1)
    graph.replace(Dataset())
