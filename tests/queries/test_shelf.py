"""Records as text on the shelf (queries/shelf.py): the API's ego networks written from it are
those read from the engine, a public shelf holds no restricted record, and a shelf is of one
version, whole, private."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from persecution_graph.graph.scope import Scope, View
from persecution_graph.graph.store import Graph
from persecution_graph.loaders.validate import validate
from persecution_graph.queries import shelf
from persecution_graph.queries.subgraphs import SURROUNDINGS, ego_json

from tests.conftest import changed_copy, load_ends_under, statements_read

CENTRES = ["rinat-batkayev", "dilnar-insenova", "nsc", "barlyk-mendygazyev", "daughter-of-dilnar-insenova"]
ASKED = [(centre, depth, limit) for centre in CENTRES for depth in (1, 2, 3) for limit in (3, 200)]


def _answers(view: View) -> list[bytes | None]:
    SURROUNDINGS.clear()
    return [ego_json(view, centre, depth, limit) for centre, depth, limit in ASKED]


@pytest.mark.parametrize("scope", [Scope.FULL, Scope.PUBLIC])
def test_ego_networks_from_the_shelf_are_those_read_from_the_engine_and_read_nothing(
    small_graph: Graph, scope: Scope
) -> None:
    view = small_graph.view(scope)
    assert shelf.shelved(view) is None
    from_engine = _answers(view)
    assert shelf.shelve(view) is True
    assert shelf.shelved(view) is not None
    answers: list[bytes | None] = []
    assert statements_read(small_graph, lambda: answers.extend(_answers(view))) == []
    assert answers == from_engine
    # The restricted relative is no one to a public reader; the key holder sees her.
    assert (answers[ASKED.index(("daughter-of-dilnar-insenova", 1, 200))] is None) == (scope is Scope.PUBLIC)


def test_a_public_shelf_holds_no_restricted_record(small_graph: Graph) -> None:
    public, full = small_graph.view(Scope.PUBLIC), small_graph.view(Scope.FULL)
    assert shelf.shelve(public) is True
    assert shelf.shelved(full) is None  # written for each scope apart: the warm-up writes the public one
    assert shelf.shelve(full) is True
    public_shelf, full_shelf = shelf.shelved(public), shelf.shelved(full)
    assert public_shelf is not None and full_shelf is not None
    restricted = [
        row["id"] for row in full.read("MATCH (n) WHERE n.sensitivity = 'restricted' AND VISIBLE(n) RETURN n.id AS id")
    ]
    assert "daughter-of-dilnar-insenova" in restricted
    assert set(full_shelf.nodes.get(restricted)) == set(restricted)
    assert public_shelf.nodes.get(restricted) == {}
    hidden = [
        row["id"]
        for row in full.read(
            "MATCH ()-[e]->() WHERE VISIBLE(e) AND (e.sensitivity = 'restricted' "
            "OR startNode(e).sensitivity = 'restricted' OR endNode(e).sensitivity = 'restricted') RETURN e.id AS id"
        )
    ]
    assert hidden and set(full_shelf.edges.get(hidden)) == set(hidden)
    assert public_shelf.edges.get(hidden) == {}
    assert len(public_shelf.nodes.ids) == public.count()
    assert b"restricted" not in bytes(public_shelf.nodes.texts) + bytes(public_shelf.edges.texts)


def test_a_shelf_is_private_and_of_its_version_only(small_graph: Graph, small_dataset) -> None:  # type: ignore[no-untyped-def]
    view = small_graph.view(Scope.PUBLIC)
    assert shelf.shelve(view) is True
    answers = small_graph.answers_dir
    assert answers is not None
    (folder,) = [path for path in (answers / str(view.version())).glob("records-public-*") if path.is_dir()]
    assert folder.name == f"records-public-{shelf.CODE}"
    for path in [folder, folder.with_suffix(".lock"), *folder.rglob("*")]:
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path
    small_graph.replace(small_dataset)  # a new version: the old shelf is not read, and goes
    new = small_graph.view(Scope.PUBLIC)
    assert shelf.shelved(new) is None
    assert shelf.shelve(new) is True
    assert [path.name for path in answers.iterdir()] == [str(new.version())]


def test_a_shelf_written_while_a_load_ends_is_of_the_new_graph(
    small_graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its nodes read from the old graph, its edges from the new one: not kept; it is written
    again, whole, for the new version."""
    changed = validate(changed_copy(tmp_path))
    assert changed.problems == []
    view = small_graph.view(Scope.FULL)
    old_version = view.version()
    read = shelf._read
    loaded: list[bool] = []

    def a_load_ends_before_the_edges(view: View, ids: list[str], statement: str, make):  # type: ignore[no-untyped-def]
        if statement == shelf.EDGES_CYPHER and not loaded:
            loaded.append(True)
            load_ends_under(small_graph, changed.dataset, view)
        return read(view, ids, statement, make)

    answers = small_graph.answers_dir
    assert answers is not None
    drop = shelf.drop_other_versions
    left: list[list[str]] = []  # the old version's shelves, as each try to write one begins

    def look_then_drop(folder: Path, version: str) -> None:
        left.append([path.name for path in (folder / str(old_version)).glob("records-*") if path.is_dir()])
        drop(folder, version)

    monkeypatch.setattr(shelf, "_read", a_load_ends_before_the_edges)
    monkeypatch.setattr(shelf, "drop_other_versions", look_then_drop)
    assert shelf.shelve(view) is True
    assert loaded == [True] and view.version() != old_version
    assert left == [[], []]  # the first try, read from both graphs, was not kept
    kept = shelf.shelved(view)
    assert kept is not None
    (text,) = kept.nodes.get(["dilnar-insenova"]).values()
    assert json.loads(text)["properties"]["name"] == "Dilnar Insenova-Changed"
    monkeypatch.undo()
    SURROUNDINGS.clear()
    written = ego_json(view, "dilnar-insenova", 2, 200)
    assert written is not None and b"Dilnar Insenova-Changed" in written


def test_texts_are_found_by_id_and_only_those_there(tmp_path: Path) -> None:
    records = [("b-22", b'{"y":"\xc3\x96"}'), ("a-1", b'{"x":1}'), ("\u00d6lke", b"{}"), ("b", b"")]  # as read
    shelf._write(tmp_path / "kind", records)
    texts = shelf._open(tmp_path / "kind")
    assert texts.get(["b-22", "a-1", "nobody", "a-1", "b", "\u00d6lke", "a-1-longer-than-any-id-here", ""]) == {
        "b-22": b'{"y":"\xc3\x96"}',
        "a-1": b'{"x":1}',
        "b": b"",
        "\u00d6lke": b"{}",
    }
    shelf._write(tmp_path / "none", [])
    assert shelf._open(tmp_path / "none").get(["a-1"]) == {}
