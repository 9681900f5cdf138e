"""The graph writer: batches written as they come, made current in one step, on every engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from persecution_graph.graph import embedded
from persecution_graph.graph.errors import QueryError
from persecution_graph.graph.records import Edge, Node
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.graph.writer import BATCH_SIZE, ONE_TRANSACTION_MAX


def _person(node_id: str, roles: list[str], line: int) -> Node:
    sources = [{"source": "report", "line": str(line)}]
    props = {"id": node_id, "name": node_id.title(), "roles": roles, "sources": sources}
    return Node(node_id, "Person", ["Person", *roles], props)


def _detained(source: str, target: str, line: int, description: str | None = None) -> Edge:
    props = {"id": f"{source}-{target}", "sources": [{"source": "report", "line": str(line)}]}
    if description:
        props["description"] = description
    return Edge("DETAINED_BY", source, target, props)


def test_a_node_told_again_takes_its_new_labels_and_keeps_its_edges(graph: Graph) -> None:
    with graph.writer() as writer:
        writer.node(_person("aidos", ["Activist"], 1))
        writer.node(_person("berik", ["Official"], 2))
        writer.edge(_detained("aidos", "berik", 3))
        writer.retell(_person("aidos", ["Activist", "Journalist"], 4))
        writer.edge(_detained("berik", "aidos", 5))
    rows = graph._read(
        "MATCH (p:Person {id: 'aidos'}) OPTIONAL MATCH (p)-[e]-(o) "
        "RETURN labels(p) AS labels, p.roles AS roles, collect(o.id) AS others"
    )
    assert sorted(rows[0]["labels"]) == ["Activist", "Entity", "Journalist", "Person"]
    assert rows[0]["roles"] == ["Activist", "Journalist"]
    assert sorted(rows[0]["others"]) == ["berik", "berik"]


def test_an_edge_told_again_adds_its_sources_and_description(graph: Graph) -> None:
    with graph.writer() as writer:
        writer.node(_person("aidos", ["Activist"], 1))
        writer.node(_person("berik", ["Official"], 2))
        writer.edge(_detained("aidos", "berik", 3, "at the rally"))
        writer.edge_again(_detained("aidos", "berik", 3))  # the same reference: kept once
        writer.edge_again(_detained("aidos", "berik", 7, "for two days"))
    [row] = graph._read("MATCH ()-[e:DETAINED_BY]->() RETURN e.sources AS s, e.source_ids AS ids, e.description AS d")
    assert row == {
        "s": ['{"line": "3", "source": "report"}', '{"line": "7", "source": "report"}'],
        "ids": ["report"],
        "d": "at the rally\n\nfor two days",
    }


def test_an_act_told_stated_after_inferred_is_stated_with_the_inference_kept(graph: Graph) -> None:
    inferred = _detained("aidos", "berik", 3)
    inferred.properties.update(attribution="inferred", attribution_note="named the line before")
    stated = _detained("aidos", "berik", 9)
    stated.properties["attribution"] = "stated"
    with graph.writer() as writer:
        writer.node(_person("aidos", ["Activist"], 1))
        writer.node(_person("berik", ["Official"], 2))
        writer.edge(inferred)
        writer.edge_again(stated)
    [row] = graph._read("MATCH ()-[e:DETAINED_BY]->() RETURN e.attribution AS a, e.attribution_note AS note")
    assert row == {"a": "stated", "note": "Inferred where told by report:3: named the line before"}


def test_a_possible_duplicate_told_for_two_reasons_keeps_both(graph: Graph) -> None:
    one = Edge("POSSIBLY_SAME_AS", "aidos", "berik", {"id": "x", "reason": "one letter apart", "sources": []})
    two = Edge("POSSIBLY_SAME_AS", "aidos", "berik", {"id": "x", "reason": "the same town", "sources": []})
    with graph.writer() as writer:
        writer.node(_person("aidos", ["Activist"], 1))
        writer.node(_person("berik", ["Activist"], 2))
        writer.edge(one)
        writer.edge_again(two)
    [row] = graph._read("MATCH ()-[e:POSSIBLY_SAME_AS]->() RETURN e.reason AS reason")
    assert row == {"reason": "one letter apart\n\nthe same town"}


def test_batches_fill_and_every_edge_finds_its_nodes(graph: Graph) -> None:
    """More rows than a batch, nodes and edges interleaved as a validator hands them on."""
    count = BATCH_SIZE + 7
    with graph.writer() as writer:
        writer.node(_person("hub", ["Official"], 1))
        for index in range(count):
            writer.node(_person(f"p{index}", ["Activist"], 1))
            writer.edge(_detained(f"p{index}", "hub", 2))
    assert graph._read("MATCH (:Person)-[e:DETAINED_BY]->(:Person {id: 'hub'}) RETURN count(e) AS n") == [{"n": count}]
    assert graph.view(Scope.FULL).count() == count + 1


def test_a_failed_load_changes_nothing(small_graph: Graph) -> None:
    before = small_graph.view(Scope.FULL).export()
    database = small_graph.database
    with pytest.raises(RuntimeError, match="curator pressed stop"), small_graph.writer() as writer:
        writer.node(_person("aidos", ["Activist"], 1))
        raise RuntimeError("curator pressed stop")
    assert small_graph.database == database
    assert small_graph.view(Scope.FULL).export() == before


def test_an_edge_to_a_node_never_given_is_refused_and_changes_nothing(small_graph: Graph) -> None:
    before = small_graph.view(Scope.FULL).export()
    refused = pytest.raises(QueryError, match="a DETAINED_BY edge refers to node 'nobody', not written")
    with refused, small_graph.writer() as writer:
        writer.node(_person("aidos", ["Activist"], 1))
        writer.edge(_detained("aidos", "nobody", 2))
    assert small_graph.view(Scope.FULL).export() == before


def test_a_load_drops_the_databases_of_loads_that_died(embedded_graph: Graph, data_dir: Path) -> None:
    """Embedded engine only: its large loads go into a database of their own."""
    graph = embedded_graph
    embedded.server_command(data_dir, f"create database {embedded.STAGING_PREFIX}killed-load")
    with graph.writer() as writer:  # a new database
        writer.node(_person("aidos", ["Activist"], 1))
    databases = embedded.server_command(data_dir, "list databases")
    assert isinstance(databases, list)
    assert [name for name in databases if str(name).startswith(embedded.STAGING_PREFIX)] == [graph.database]


def test_small_loads_write_a_generation_in_place_and_large_ones_into_a_new_database(
    embedded_graph: Graph, small_dataset
) -> None:  # type: ignore[no-untyped-def]
    """Embedded engine only (on Neo4j every load writes its generation in place)."""
    graph = embedded_graph
    graph.replace(small_dataset)
    in_place = graph.database
    graph.replace(small_dataset)
    assert graph.database == in_place
    with graph.writer(expected_records=ONE_TRANSACTION_MAX + 1) as writer:
        writer.node(_person("aidos", ["Activist"], 1))
    assert graph.database != in_place
    assert [row["id"] for row in graph._read("MATCH (n:Entity) RETURN n.id AS id")] == ["aidos"]


def _node(node_id: str, type_name: str, **properties: object) -> Node:
    props = {"id": node_id, "name": node_id.title(), "sources": [{"source": "report", "line": "1"}], **properties}
    return Node(node_id, type_name, [type_name], props)


def write_records_naming_restricted_ones(graph: Graph) -> None:
    """Records that name a restricted record in a reference (validation refuses them,
    loaders/validate.py; an imported dump is not validated). Public readers see only aidos,
    berik, dana and the edge dana-berik."""
    with graph.writer() as writer:
        writer.node(_node("safe-house", "Place", sensitivity="restricted"))
        writer.node(_node("ngo", "Organization", place="safe-house"))  # names one already restricted
        writer.node(_node("flat", "Place"))  # restricted only when told again, below
        writer.node(_node("club", "Organization", place="flat"))
        writer.node(_node("club-branch", "Organization", part_of="club"))  # hidden with club
        writer.node(_person("aidos", ["Activist"], 2))
        writer.node(_person("berik", ["Official"], 3))
        writer.node(_person("dana", ["Relative"], 4))
        writer.edge(Edge("MEMBER_OF", "aidos", "club-branch", {"id": "m1", "sources": [{"source": "r", "line": "5"}]}))
        detained = {"id": "d1", "place": "flat", "sources": [{"source": "r", "line": "6"}]}
        writer.edge(Edge("DETAINED_BY", "aidos", "berik", detained))
        pressure = {"id": "t1", "pressure_on": ["aidos", "safe-house"], "sources": [{"source": "r", "line": "7"}]}
        writer.edge(Edge("THREATENED_BY", "dana", "berik", pressure))
        writer.edge(_detained("dana", "berik", 8))
        writer.retell(_node("flat", "Place", sensitivity="restricted"))


def public_and_full(graph: Graph) -> tuple[list[str], list[str], int, int]:
    """The node and edge ids a public reader sees, and how many of each a key holder sees."""
    public, full = graph.view(Scope.PUBLIC), graph.view(Scope.FULL)
    nodes = "MATCH (n:Entity) WHERE VISIBLE(n) RETURN n.id AS id ORDER BY id"
    edges = "MATCH (:Entity)-[e]->(:Entity) WHERE VISIBLE(e) RETURN e.id AS id ORDER BY id"
    return (
        [row["id"] for row in public.read(nodes)],
        [row["id"] for row in public.read(edges)],
        len(full.read(nodes)),
        len(full.read(edges)),
    )


def test_a_record_naming_a_restricted_one_is_not_public_whatever_wrote_it(graph: Graph) -> None:
    write_records_naming_restricted_ones(graph)
    assert public_and_full(graph) == (["aidos", "berik", "dana"], ["dana-berik"], 8, 4)
    assert graph.view(Scope.PUBLIC).hides_records()
