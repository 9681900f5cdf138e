"""Named queries and search on the small fixture graph, answers written out exactly."""

from __future__ import annotations

import pytest
from persecution_graph.graph.errors import QueryError
from persecution_graph.graph.store import Graph
from persecution_graph.queries.catalogue import load_catalogue
from persecution_graph.queries.search import search


def test_explanation_signers(small_graph: Graph) -> None:
    rows = load_catalogue()["explanation-signers"].run(small_graph, {})
    assert [(r["official"], r["position"], r["institution"], r["place"], r["warned"]) for r in rows] == [
        (
            "D. Shuykebayev",
            "prosecutor of Almaty",
            "Prosecutor's Office of Almaty",
            "Almaty",
            ["'Explanations' of the consequences of the DCK ban"],
        ),
        (
            "Zh. Smatov",
            "prosecutor of the city of Astana",
            "Prosecutor's Office of Astana",
            "Astana",
            ["'Explanations' of the consequences of the DCK ban"],
        ),
    ]
    assert rows[1]["sources"] == [
        {
            "line": "129",
            "quote": "the prosecutor of the city of Astana, Zh. Smatov",
            "source": "odf-2018-dck-ban",
        },
        {"line": "128-129", "source": "odf-2018-dck-ban"},
    ]


def test_relations_hide_restricted_records_from_the_public(small_graph: Graph) -> None:
    query = load_catalogue()["relations"]
    full = query.run(small_graph, {"id": "dilnar-insenova"})
    public = query.run(small_graph, {"id": "dilnar-insenova"}, public_only=True)
    assert [(r["direction"], r["type"], r["other_id"], r["detail"]) for r in full] == [
        ("in", "RELATED_TO", "daughter-of-dilnar-insenova", "daughter"),
        ("out", "THREATENED_BY", "almaty-police", None),
    ]
    assert [r["other_id"] for r in public] == ["almaty-police"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "query 'relations' needs parameter 'id': id of the entity (see `search`)"),
        ({"id": "x", "depth": "2"}, "unknown parameter 'depth' for query 'relations' (parameters: id)"),
    ],
)
def test_bad_parameters_are_refused_with_a_sentence(small_graph: Graph, params: dict, message: str) -> None:
    with pytest.raises(QueryError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        load_catalogue()["relations"].run(small_graph, params)


@pytest.mark.parametrize(
    ("text", "first_id"),
    [
        ("Shuikebaev", "d-shuykebayev"),
        ("insenova", "dilnar-insenova"),
        ("Democratic Choice", "dck"),
        ("Nur-Sultan", "astana"),
    ],
)
def test_search_finds_any_spelling(small_graph: Graph, text: str, first_id: str) -> None:
    assert search(small_graph, text)[0]["id"] == first_id


def test_public_search_never_returns_restricted_people(small_graph: Graph) -> None:
    assert [h["id"] for h in search(small_graph, "daughter", public_only=True)] == []
    assert [h["id"] for h in search(small_graph, "daughter")] == ["daughter-of-dilnar-insenova"]
