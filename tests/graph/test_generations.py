"""A load is a generation of records that nobody reads until it is made current (graph/writer.py,
graph/scope.py): every route answers from the old graph while a load waits to switch."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from persecution_graph.api.auth import StoredKey, token_hash
from persecution_graph.api.main import create_app
from persecution_graph.graph.model import ENTITY_LABEL
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.graph.writer import ONE_TRANSACTION_ENV, PAUSE_AT_ENV
from persecution_graph.queries.cache import KEPT

from tests.conftest import SMALL, every_get_url, paused_load

# When an answer was made (a dump's "created", the minute a picture was drawn, in its footer
# and its data): a minute may turn between the two calls of one URL.
STAMPED = re.compile(rb'"created": "[^"]*"|\d{4}-\d\d-\d\d \d\d:\d\d UTC')
KEYS = [StoredKey("ana", "reader", token_hash("reader-token"))]


def _changed_copy(tmp_path: Path) -> Path:
    """The small fixture with one person more and one renamed: the same ids in both graphs,
    and answers that differ if a read saw the new one."""
    folder = tmp_path / "changed"
    shutil.copytree(SMALL, folder)
    (folder / "extra.yaml").write_text(
        "persons:\n  - {id: askar-shaygumarov, name: Askar Shaygumarov, sources: ['odf-2018-dck-ban:100']}\n"
    )
    for path in folder.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("name: Dilnar Insenova\n", "name: Dilnar Insenova-Changed\n"), encoding="utf-8")
    return folder


def _answers(client: TestClient, urls: list[str], headers: dict[str, str]) -> dict[str, tuple[int, bytes]]:
    KEPT.clear()  # no answer kept from before: each is read again
    answers = {}
    for url in urls:
        found = client.get(url, headers=headers)
        answers[url] = (found.status_code, STAMPED.sub(b"", found.content))
    return answers


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "reader-token"}], ids=["public", "full"])
def test_every_route_answers_from_the_old_graph_while_a_load_waits_to_switch(
    graph: Graph, small_dataset, cli_env: dict[str, str], tmp_path: Path, headers: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    graph.replace(small_dataset)
    client = TestClient(create_app(graph, data_folder=str(SMALL), keys=KEYS, state_dir=tmp_path))
    urls = every_get_url(client)
    before = _answers(client, urls, headers)
    assert len(before) > 60
    env = {**cli_env, PAUSE_AT_ENV: "switch", ONE_TRANSACTION_ENV: "50000"}
    with paused_load(env, _changed_copy(tmp_path), tmp_path / "paused"):
        # Both generations are in the store, every node of the new one written.
        [row] = graph._read(f"MATCH (n:{ENTITY_LABEL}) RETURN count(n) AS n, count(DISTINCT n.gen) AS gens")
        assert (row["n"], row["gens"]) == (2 * len(small_dataset.nodes) + 1, 2)
        during = _answers(client, urls, headers)
    assert [url for url in urls if during[url] != before[url]] == []


def test_a_view_moves_to_the_new_generation_once_a_load_ends(graph: Graph, small_dataset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from persecution_graph.loaders.validate import validate

    graph.replace(small_dataset)
    view = graph.view(Scope.FULL)
    old = view.generation
    name = "MATCH (n:Person {id: 'dilnar-insenova'}) WHERE VISIBLE(n) RETURN n.name AS name"
    assert view.read(name) == [{"name": "Dilnar Insenova"}]
    graph.replace(validate(_changed_copy(tmp_path)).dataset)
    assert view.read(name) == [{"name": "Dilnar Insenova-Changed"}]
    assert view.generation == graph.version() != old
    # The old generation is gone from the store.
    [row] = graph._read(f"MATCH (n:{ENTITY_LABEL}) RETURN count(n) AS n, count(DISTINCT n.gen) AS gens")
    assert (row["n"], row["gens"]) == (len(small_dataset.nodes) + 1, 1)


def test_a_failed_load_deletes_what_it_wrote(graph: Graph, small_dataset) -> None:  # type: ignore[no-untyped-def]
    from persecution_graph.graph.errors import QueryError
    from persecution_graph.graph.records import Edge

    graph.replace(small_dataset)
    before = graph.view(Scope.FULL).export()
    with pytest.raises(QueryError, match="refers to node 'nobody'"), graph.writer() as writer:
        for node in small_dataset.nodes.values():
            writer.node(node)
        writer.edge(Edge("RELATED_TO", "dilnar-insenova", "nobody", {"id": "e-nobody"}))
    assert graph.view(Scope.FULL).export() == before
    [row] = graph._read(f"MATCH (n:{ENTITY_LABEL}) RETURN count(n) AS n")
    assert row["n"] == len(small_dataset.nodes)


def test_a_load_stands_when_deleting_the_old_generation_fails(
    graph: Graph, small_dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """After the switch, the new graph is current: a failure while deleting the old one (Neo4j
    refused a batch at its transaction memory once) must not undo the load, nor delete it."""
    import persecution_graph.graph.writer as writer_module
    from neo4j.exceptions import TransientError
    from persecution_graph.loaders.validate import validate

    graph.replace(small_dataset)
    calls = []
    deleting = writer_module.delete_in_batches

    def refused_after_the_switch(*args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:  # the first clears what killed loads left; the second runs after the switch
            raise TransientError("The allocation of an extra 2.0 MiB would use more than the limit")
        deleting(*args, **kwargs)

    monkeypatch.setattr(writer_module, "delete_in_batches", refused_after_the_switch)
    graph.replace(validate(_changed_copy(tmp_path)).dataset)
    assert "the new graph is current, but deleting the old one failed" in capfd.readouterr().err
    name = "MATCH (n:Person {id: 'dilnar-insenova'}) WHERE VISIBLE(n) RETURN n.name AS name"
    assert graph.view(Scope.FULL).read(name) == [{"name": "Dilnar Insenova-Changed"}]
    count = f"MATCH (n:{ENTITY_LABEL}) RETURN count(n) AS n, count(DISTINCT n.gen) AS gens"
    assert graph._read(count) == [{"n": 2 * len(small_dataset.nodes) + 1, "gens": 2}]  # nobody reads the old one
    monkeypatch.setattr(writer_module, "delete_in_batches", deleting)
    graph.replace(small_dataset)  # the next load deletes what was left
    assert graph._read(count) == [{"n": len(small_dataset.nodes), "gens": 1}]
