"""A load is a generation of records that nobody reads until it is made current (graph/writer.py,
graph/scope.py): every route answers from the old graph while a load waits to switch."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from persecution_graph.api.auth import StoredKey, token_hash
from persecution_graph.api.main import create_app
from persecution_graph.graph.model import ENTITY_LABEL
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.graph.writer import GRACE_ENV, ONE_TRANSACTION_ENV, PAUSE_AT_ENV
from persecution_graph.queries.cache import KEPT

from tests.conftest import SMALL, changed_copy, every_get_url, load_ends_under, paused_load

# When an answer was made (a dump's "created", the minute a picture was drawn, in its footer
# and its data): a minute may turn between the two calls of one URL.
STAMPED = re.compile(rb'"created": "[^"]*"|\d{4}-\d\d-\d\d \d\d:\d\d UTC')
KEYS = [StoredKey("ana", "reader", token_hash("reader-token"))]


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
    with paused_load(env, changed_copy(tmp_path), tmp_path / "paused"):
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
    graph.replace(validate(changed_copy(tmp_path)).dataset)
    assert view.read(name) == [{"name": "Dilnar Insenova-Changed"}]
    assert view.generation == graph.version() != old
    # The old generation is gone from the store.
    [row] = graph._read(f"MATCH (n:{ENTITY_LABEL}) RETURN count(n) AS n, count(DISTINCT n.gen) AS gens")
    assert (row["n"], row["gens"]) == (len(small_dataset.nodes) + 1, 1)


def _records_of(graph: Graph, generation: str | None) -> int:
    """Nodes and edges of one generation, read from the store (not through a view)."""
    [nodes] = graph.write(f"MATCH (n:{ENTITY_LABEL}) WHERE n.gen = $g RETURN count(n) AS n", g=generation)
    [edges] = graph.write(f"MATCH (:{ENTITY_LABEL})-[r]->() WHERE r.gen = $g RETURN count(r) AS n", g=generation)
    return int(nodes["n"]) + int(edges["n"])


def _grace_back_to_the_tests(graph: Graph) -> None:
    """The graph's grace as the tests' loads write it (the next load waits at least this)."""
    graph.write("MATCH (m:GraphMeta {key: 'graph'}) SET m.grace_ms = 100")


def test_a_load_leaves_the_old_graph_whole_for_its_grace(
    graph: Graph, small_dataset, cli_env: dict[str, str], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    graph.replace(small_dataset)
    old = graph.version()
    whole = _records_of(graph, old)
    assert whole == len(small_dataset)
    env = {**cli_env, GRACE_ENV: "3000", ONE_TRANSACTION_ENV: "50000"}
    command = [sys.executable, "-m", "persecution_graph.api.cli", "load", str(changed_copy(tmp_path))]
    loader = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while graph.observe(fresh=True).version == old and time.monotonic() < deadline:
            time.sleep(0.02)
        assert graph.version() != old, "the load never switched"
        assert _records_of(graph, old) == whole  # the new graph is current; the old one still whole
        _, errors = loader.communicate(timeout=60)
        assert loader.returncode == 0, errors
        assert _records_of(graph, old) == 0  # gone once the grace is over
        assert graph.observe(fresh=True).grace_s == 3.0  # what the next load waits at least
    finally:
        loader.kill()
        _grace_back_to_the_tests(graph)


def test_a_view_looks_at_the_version_again_only_after_half_the_grace(
    graph: Graph, small_dataset, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from persecution_graph.loaders.validate import validate

    monkeypatch.setenv(GRACE_ENV, "60000")
    graph.replace(small_dataset)
    try:
        graph.read_log = []
        view = graph.view(Scope.PUBLIC)
        name = "MATCH (n:Person {id: 'dilnar-insenova'}) WHERE VISIBLE(n) RETURN n.name AS name"
        for _ in range(3):
            assert view.read(name) == [{"name": "Dilnar Insenova"}]
        graph.view(Scope.FULL).read(name)  # a view made soon after shares the look
        looks = [cypher for _, cypher in graph.read_log if "GraphMeta" in cypher]
        assert (len(looks), len(graph.read_log)) == (1, 5)
        # A look older than half the grace: each statement is checked after it ...
        graph.read_log.clear()
        view.seen = dataclasses.replace(view.seen, at=view.seen.at - 31)
        assert view.read(name) == [{"name": "Dilnar Insenova"}]
        assert ["GraphMeta" in cypher for _, cypher in graph.read_log] == [False, True]
        # ... so a view whose look is old moves to the graph a load made current.
        _grace_back_to_the_tests(graph)
        monkeypatch.setenv(GRACE_ENV, "100")
        graph.replace(validate(changed_copy(tmp_path)).dataset)
        view.seen = dataclasses.replace(view.seen, at=view.seen.at - 31)
        assert view.read(name) == [{"name": "Dilnar Insenova-Changed"}]
    finally:
        graph.read_log = None
        _grace_back_to_the_tests(graph)


def test_a_load_waits_for_the_grace_the_last_load_promised_even_with_none_of_its_own(
    graph: Graph, small_dataset, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    graph.replace(small_dataset)
    graph.write("MATCH (m:GraphMeta {key: 'graph'}) SET m.grace_ms = 1500")
    monkeypatch.setenv(GRACE_ENV, "0")
    began = time.monotonic()
    graph.replace(small_dataset)
    assert time.monotonic() - began >= 1.5
    assert graph.observe(fresh=True).grace_s == 0.0  # its own, for the next load
    monkeypatch.setenv(GRACE_ENV, "100")
    graph.replace(small_dataset)
    assert graph.observe(fresh=True).grace_s == 0.1


def test_a_whole_graph_read_is_of_one_generation_when_a_load_ends_between_its_statements(
    graph: Graph, small_dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from persecution_graph.graph.scope import View
    from persecution_graph.loaders.validate import validate

    changed = validate(changed_copy(tmp_path)).dataset
    graph.replace(changed)
    new = graph.view(Scope.FULL).dump()
    graph.replace(small_dataset)
    view = graph.view(Scope.FULL)
    reads = View.read
    loaded: list[bool] = []

    def a_load_ends_after_the_first_statement(self: View, statement: str, **params: object) -> list:
        rows = reads(self, statement, **params)
        if not loaded:
            loaded.append(True)
            load_ends_under(graph, changed, self)
        return rows

    monkeypatch.setattr(View, "read", a_load_ends_after_the_first_statement)
    # The nodes were read from the old graph, the edges would be the new one's: read again, whole.
    assert view.dump() == new
    assert loaded == [True]


def test_a_grace_that_is_not_a_number_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from persecution_graph.graph.errors import UserError
    from persecution_graph.graph.writer import load_grace_ms

    monkeypatch.setenv(GRACE_ENV, "1s")
    with pytest.raises(UserError, match="^PERSECUTION_GRAPH_LOAD_GRACE_MS must be a number of milliseconds, not '1s'$"):
        load_grace_ms()
    monkeypatch.setenv(GRACE_ENV, "-5")
    assert load_grace_ms() == 0


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
    graph.replace(validate(changed_copy(tmp_path)).dataset)
    assert "the new graph is current, but deleting the old one failed" in capfd.readouterr().err
    name = "MATCH (n:Person {id: 'dilnar-insenova'}) WHERE VISIBLE(n) RETURN n.name AS name"
    assert graph.view(Scope.FULL).read(name) == [{"name": "Dilnar Insenova-Changed"}]
    count = f"MATCH (n:{ENTITY_LABEL}) RETURN count(n) AS n, count(DISTINCT n.gen) AS gens"
    assert graph._read(count) == [{"n": 2 * len(small_dataset.nodes) + 1, "gens": 2}]  # nobody reads the old one
    monkeypatch.setattr(writer_module, "delete_in_batches", deleting)
    graph.replace(small_dataset)  # the next load deletes what was left
    assert graph._read(count) == [{"n": len(small_dataset.nodes), "gens": 1}]
