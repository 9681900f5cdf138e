"""Pictures' subgraphs (queries/subgraphs.py): records read once are kept for the next picture,
per scope, and never shown to a reader who may not see them."""

from __future__ import annotations

import json

import pytest
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.queries.procedures import network
from persecution_graph.queries.subgraphs import SURROUNDINGS, ego_json, ego_subgraph, nodes_drawn

from tests.conftest import statements_sent


def test_a_picture_reads_only_the_records_no_earlier_picture_read(small_graph: Graph) -> None:
    view = small_graph.view(Scope.FULL)
    wide = ego_subgraph(view, "rinat-batkayev", 2, 200)
    sent = statements_sent(small_graph, lambda: ego_subgraph(view, "rinat-batkayev", 1, 200))
    # Its edges and nodes were all read for the wider picture: only the centre is looked up.
    assert not any("properties(e)" in s or "properties(n)" in s for s in sent), sent
    near = ego_subgraph(view, "rinat-batkayev", 1, 200)
    assert {e.id for e in near.edges} < {e.id for e in wide.edges}
    # The same answer as when every record is read again.
    network.kept_records(view, "edges").clear()
    network.kept_records(view, "nodes").clear()
    assert ego_subgraph(small_graph.view(Scope.FULL), "rinat-batkayev", 1, 199).as_dict() == {**near.as_dict()}


def test_records_kept_for_a_key_holder_never_reach_a_public_reader(small_graph: Graph) -> None:
    full = ego_subgraph(small_graph.view(Scope.FULL), "dilnar-insenova", 1, 200)
    assert "daughter-of-dilnar-insenova" in {node.id for node in full.nodes}
    public = ego_subgraph(small_graph.view(Scope.PUBLIC), "dilnar-insenova", 1, 200)
    assert "daughter-of-dilnar-insenova" not in {node.id for node in public.nodes}
    assert {e.id for e in public.edges} < {e.id for e in full.edges}
    assert all(edge.properties.get("sensitivity") != "restricted" for edge in public.edges)
    # Asked for by id, right after a key holder's picture read it.
    assert nodes_drawn(small_graph.view(Scope.PUBLIC), ["daughter-of-dilnar-insenova", "dilnar-insenova"]) == [
        node for node in public.nodes if node.id == "dilnar-insenova"
    ]


def test_the_least_recently_used_records_go_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "RECORDS_KEPT", 2)
    records: dict = {}
    network.keep_records(records, {"a": 1, "b": 2}, [])
    network.keep_records(records, {"c": 3}, ["a"])  # "a" used again: "b" is the oldest
    assert records == {"a": 1, "c": 3}


def test_a_picture_is_whole_when_other_requests_let_its_kept_records_go(
    small_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = small_graph.view(Scope.FULL)
    whole = ego_subgraph(view, "rinat-batkayev", 2, 300).as_dict()
    keep = network.keep_records

    def keep_then_lose_all(records: dict, found: dict, used: list, most: int | None = None) -> None:
        keep(records, found, used, most)
        records.clear()  # as if other pictures had pushed every kept record out meanwhile

    monkeypatch.setattr(network, "keep_records", keep_then_lose_all)
    assert ego_subgraph(view, "rinat-batkayev", 2, 301).as_dict() == whole
    assert json.loads(ego_json(view, "rinat-batkayev", 2, 302) or b"") == whole


@pytest.mark.parametrize("scope", [Scope.FULL, Scope.PUBLIC])
def test_an_ego_network_written_from_kept_texts_is_the_subgraph_the_pictures_draw(
    small_graph: Graph, scope: Scope
) -> None:
    view = small_graph.view(scope)
    centres = ["rinat-batkayev", "dilnar-insenova", "nsc", "barlyk-mendygazyev"]
    asked = [(centre, depth, limit) for centre in centres for depth in (1, 2, 3) for limit in (3, 200)]
    for centre, depth, limit in asked:
        text = ego_json(view, centre, depth, limit)
        assert text is not None and json.loads(text) == ego_subgraph(view, centre, depth, limit).as_dict()
    cut = json.loads(ego_json(view, "nsc", 2, 3) or b"")
    # The limit stopped the walk while it added the second step: the last step drawn.
    assert (len(cut["edges"]), cut["cut"], cut["reached"]) == (3, {"limit": 3, "step": 2}, 2)
    # Every record was read for an earlier answer: none is read again.
    SURROUNDINGS.clear()
    sent = statements_sent(small_graph, lambda: ego_json(view, "rinat-batkayev", 2, 200))
    assert not any("properties(e)" in s or "properties(n)" in s for s in sent), sent


def test_an_ego_network_as_text_shows_a_public_reader_no_restricted_record(small_graph: Graph) -> None:
    ego_json(small_graph.view(Scope.FULL), "dilnar-insenova", 1, 200)  # kept texts of a key holder's view
    public = json.loads(ego_json(small_graph.view(Scope.PUBLIC), "dilnar-insenova", 1, 200) or b"")
    assert "daughter-of-dilnar-insenova" not in {node["id"] for node in public["nodes"]}
    assert "daughter-of-dilnar-insenova" not in json.dumps(public)
    assert ego_json(small_graph.view(Scope.PUBLIC), "daughter-of-dilnar-insenova", 1, 200) is None
    assert ego_json(small_graph.view(Scope.FULL), "no-such-entity", 1, 200) is None
