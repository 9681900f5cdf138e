"""An entity as a reader opens it (queries/entities.py): its record and every relation, read in
one statement, the same rows as the `relations` query, and only what the reader's scope shows."""

from __future__ import annotations

from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.queries.catalogue import load_catalogue
from persecution_graph.queries.entities import entity

from tests.conftest import statements_read


def test_an_entity_and_its_relations_are_one_statement(small_graph: Graph) -> None:
    view = small_graph.view(Scope.FULL)
    found: list[dict | None] = []
    sent = statements_read(small_graph, lambda: found.append(entity(view, "dilnar-insenova")))
    assert len(sent) == 1, sent
    opened = found[0]
    assert opened is not None and opened["id"] == "dilnar-insenova"
    assert [(r["direction"], r["type"], r["other_id"], r["detail"]) for r in opened["relations"]] == [
        ("in", "RELATED_TO", "daughter-of-dilnar-insenova", "daughter"),
        ("out", "THREATENED_BY", "almaty-police", None),
    ]
    assert opened["relations"][1]["sources"] == [
        {"source": "odf-2018-dck-ban", "line": "117", "quote": "policemen threatened Dilnar Insenova"}
    ]


def test_a_public_reader_opens_no_restricted_entity_nor_sees_its_relation(small_graph: Graph) -> None:
    public = small_graph.view(Scope.PUBLIC)
    assert entity(public, "daughter-of-dilnar-insenova") is None
    assert entity(small_graph.view(Scope.FULL), "daughter-of-dilnar-insenova") is not None
    opened = entity(public, "dilnar-insenova")
    assert opened is not None
    assert "daughter-of-dilnar-insenova" not in {r["other_id"] for r in opened["relations"]}
    assert "daughter-of-dilnar-insenova" not in repr(opened)
    assert entity(public, "no-such-entity") is None


def test_an_entity_with_no_relation_has_an_empty_list(small_graph: Graph) -> None:
    # An article of the code no one in the fixture is charged under.
    opened = entity(small_graph.view(Scope.PUBLIC), "kz-cc-405-2")
    assert opened is not None and opened["labels"] == ["LegalArticle"]
    assert opened["relations"] == [] and opened["possibly_same_as"] == []


def test_every_entitys_relations_are_the_relations_querys_rows_in_its_order(small_graph: Graph) -> None:
    relations = load_catalogue()["relations"]
    for scope in (Scope.PUBLIC, Scope.FULL):
        view = small_graph.view(scope)
        ids = [row["id"] for row in view.read("MATCH (n:Entity) WHERE VISIBLE(n) RETURN n.id AS id")]
        assert len(ids) > 20
        for entity_id in ids:
            opened = entity(view, entity_id)
            assert opened is not None
            assert opened["relations"] == relations.run(view, {"id": entity_id}), (scope, entity_id)
            # A page of the query is a slice of the same list.
            assert relations.run(view, {"id": entity_id, "offset": 1, "limit": 2}) == opened["relations"][1:3]
