"""Large loads through ArcadeDB's importer (graph/bulk.py): the same graph as over Bolt, the same
safety. Embedded engine only (on Neo4j a load writes its generation in place, in UNWIND batches)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import ConstraintError
from persecution_graph.graph import embedded
from persecution_graph.graph.bulk import BULK_ENV, NativeImport
from persecution_graph.graph.errors import GraphError, UserError
from persecution_graph.graph.records import Dataset, Edge, Node
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.graph.writer import ONE_TRANSACTION_ENV, ONE_TRANSACTION_MAX, NewDatabase, target_for
from persecution_graph.loaders.load import load

from tests.conftest import paused_load
from tests.graph.test_writer import public_and_full, write_records_naming_restricted_ones

SEED = Path(__file__).parents[2] / "seed_data"


def _loaded(graph: Graph, monkeypatch: pytest.MonkeyPatch, way: str, write: Any) -> dict[str, Any]:
    """The graph's dump after writing it into a new database ``way`` (native or bolt)."""
    monkeypatch.setenv(ONE_TRANSACTION_ENV, "0")
    monkeypatch.setenv(BULK_ENV, way)
    write()
    return graph.view(Scope.FULL).dump()


def _by_bolt_and_natively(graph: Graph, monkeypatch: pytest.MonkeyPatch, write: Any) -> tuple[Any, Any]:
    return _loaded(graph, monkeypatch, "bolt", write), _loaded(graph, monkeypatch, "native", write)


def _same_graph(bolt: Dataset, native: Dataset) -> None:
    """Node by node and edge by edge, every label, type and property as stored."""
    assert list(native.nodes) == list(bolt.nodes)
    for ours, theirs in zip(native.nodes.values(), bolt.nodes.values(), strict=True):
        assert ours.labels == theirs.labels, ours.id
        assert ours.properties == theirs.properties, ours.id
        for key, value in theirs.properties.items():  # the same Python types (no int/float, date drift)
            assert type(ours.properties[key]) is type(value), (ours.id, key)
    assert len(native.edges) == len(bolt.edges)
    for ours_edge, theirs_edge in zip(native.edges, bolt.edges, strict=True):
        assert ours_edge == theirs_edge
    assert native == bolt


def test_the_bundled_data_loaded_natively_is_the_graph_a_bolt_load_writes(
    embedded_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    bolt, native = _by_bolt_and_natively(embedded_graph, monkeypatch, lambda: load(embedded_graph, SEED))
    assert len(bolt.nodes) > 700 and len(bolt.edges) > 1500
    _same_graph(bolt, native)


def _awkward(writer: Any) -> None:
    """Values the importer would store otherwise, a node told again, an edge told again."""
    odd = {
        "id": "aidos",
        "name": 'Aidos «Ақтау»\nsecond line "quoted" \\ \u2028',
        "roles": ["Activist"],
        "sources": ['{"line": "1", "source": "r"}'],
        "seen_at": "2020-05-01T10:00:00",
        "seen_at_zone": "2020-05-01T10:00:00.5+01:00",
        "count": 7,
        "big": 2**40,
        "share": 0.25,
        "unnamed": False,
        "tags": ["2020-05-01T10:00:00", "b"],
        "numbers": [1, 2, 3],
    }
    writer.node(Node("aidos", "Person", ["Person", "Activist"], odd))
    writer.node(Node("berik", "Person", ["Person", "Official"], {"id": "berik", "name": "Berik"}))
    writer.node(Node("kuat", "Person", ["Person"], {"id": "kuat", "name": "Kuat"}))
    act = {"id": "a-b", "sources": ['{"line": "3", "source": "r"}'], "date": "2019", "weight": 1.5}
    writer.edge(Edge("DETAINED_BY", "aidos", "berik", act))
    writer.edge(Edge("DETAINED_BY", "kuat", "berik", {"id": "k-b", "at": "2019-01-01T00:00:00Z"}))
    writer._send_nodes()
    writer._send_edges()
    retold = {**odd, "name": "Aidos Retold", "roles": ["Activist", "Journalist"]}
    writer.retell(Node("aidos", "Person", ["Person", "Activist", "Journalist"], retold))
    writer.edge_again(Edge("DETAINED_BY", "aidos", "berik", {"id": "a-b", "sources": [{"source": "r", "line": "9"}]}))


def test_awkward_values_nodes_and_edges_told_again_come_out_as_over_bolt(
    embedded_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    def write() -> None:
        with embedded_graph.writer(stored=dict) as writer:
            _awkward(writer)

    bolt, native = _by_bolt_and_natively(embedded_graph, monkeypatch, write)
    _same_graph(bolt, native)
    aidos = native.nodes["aidos"]
    assert aidos.labels == ["Person", "Activist", "Journalist"]
    assert aidos.properties["seen_at"] == "2020-05-01T10:00:00"
    assert aidos.properties["share"] == 0.25
    [act] = [e for e in native.edges if e.id == "a-b"]
    assert act.properties["sources"] == ['{"line": "3", "source": "r"}', '{"line": "9", "source": "r"}']


def test_ids_stay_unique_and_every_node_type_is_indexed_on_id(
    embedded_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    _loaded(embedded_graph, monkeypatch, "native", lambda: load(embedded_graph, SEED))
    for labels in ("Entity:Person", "Entity:Person:Official", "Entity:Place", "Entity:Person:NewRole"):
        with pytest.raises(ConstraintError):
            embedded_graph.write(f"CREATE (n:{labels} {{id: $id}})", id="perpetrator-not-stated")
    for label in ["Entity", *embedded_graph.model.nodes]:
        statement = f"PROFILE MATCH (n:{label} {{id: $id}}) RETURN n.id AS id"
        with embedded_graph.driver.session(database=embedded_graph.database) as session:
            result = session.run(statement, id="zh-smatov")
            rows = [record["id"] for record in result]
            plan = str(result.consume().profile)
        assert "NodeIndexSeek" in plan, label
        assert rows == (["zh-smatov"] if label in ("Entity", "Person") else []), label


@pytest.mark.parametrize(
    ("way", "records", "by_importer"),
    [
        (None, ONE_TRANSACTION_MAX + 1, False),  # batches over Bolt: faster end to end (graph/bulk.py)
        (None, 10**7, False),
        ("auto", ONE_TRANSACTION_MAX + 1, False),
        ("bolt", 10**7, False),
        ("native", ONE_TRANSACTION_MAX + 1, True),
        ("native", 10**7, True),
    ],
)
def test_a_large_load_goes_over_bolt_unless_the_importer_is_asked_for(
    embedded_graph: Graph, monkeypatch: pytest.MonkeyPatch, way: str | None, records: int, by_importer: bool
) -> None:
    if way is None:
        monkeypatch.delenv(BULK_ENV, raising=False)
    else:
        monkeypatch.setenv(BULK_ENV, way)
    target = target_for(embedded_graph, records)
    try:
        assert isinstance(target, NewDatabase)  # a new database either way
        assert isinstance(target, NativeImport) is by_importer
    finally:
        target.abort()


def test_the_import_file_is_private_and_gone_when_the_load_ends(
    embedded_graph: Graph, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = NativeImport(embedded_graph, data_dir)
    assert target.path is not None and target.path.parent == embedded.import_folder(data_dir)
    assert target.path.stat().st_mode & 0o777 == 0o600
    assert target.path.parent.stat().st_mode & 0o777 == 0o700
    target.abort()
    assert not target.path.exists()
    assert target.name not in str(embedded.server_command(data_dir, "list databases"))
    monkeypatch.setenv(BULK_ENV, "native")
    with embedded_graph.writer(expected_records=ONE_TRANSACTION_MAX + 1) as writer:  # by the importer
        writer.node(Node("aidos", "Person", ["Person"], {"id": "aidos", "name": "Aidos"}))
    assert list(embedded.import_folder(data_dir).iterdir()) == []


def test_no_statement_reads_a_file_outside_the_import_folder_nor_as_the_console(
    embedded_graph: Graph, data_dir: Path, tmp_path: Path
) -> None:
    """IMPORT DATABASE is the one statement that reads files: only root may run it, and only on
    the load's own folder (LOAD CSV is refused for every user: tests/security)."""
    outside = tmp_path / "secret.json"
    outside.write_text('{"type":"node","id":"x","labels":["Entity"],"properties":{}}\n')
    database = embedded_graph.database
    with pytest.raises(GraphError, match="refused"):
        embedded.sql_command(data_dir, database, "IMPORT DATABASE WITH url = :url", url=outside.as_uri())
    folder = embedded.private_folder(embedded.import_folder(data_dir))
    inside = folder / "probe.json"
    inside.write_text(outside.read_text())
    try:
        info = embedded.running(data_dir)
        assert info is not None
        body = {"language": "sql", "command": "IMPORT DATABASE WITH url = :url", "params": {"url": inside.as_uri()}}
        user = embedded.console_credentials(data_dir)
        with pytest.raises(GraphError, match="refused"):
            embedded._post(info.http_port, f"/api/v1/command/{database}", body, user, "import as the console")
        with pytest.raises(GraphError, match="refused"):  # nor as a server command, even as root
            embedded.server_command(data_dir, f"import database probe {inside.as_uri()}")
    finally:
        inside.unlink()
    assert "probe" not in str(embedded.server_command(data_dir, "list databases"))
    assert embedded_graph._read("MATCH (n:Entity {id: 'x'}) RETURN n.id AS id") == []
    with GraphDatabase.driver(info.uri, auth=user) as driver, pytest.raises(Exception, match="(?i)file|url|security"):
        driver.execute_query("LOAD CSV FROM $url AS row RETURN row", url=inside.as_uri(), database_=database)


@pytest.mark.parametrize("way", ["native", "bolt"])
def test_a_killed_load_leaves_the_old_graph_and_the_next_load_clears_what_it_left(
    embedded_graph: Graph, small_dataset: Any, data_dir: Path, tmp_path: Path, way: str
) -> None:
    graph = embedded_graph
    graph.replace(small_dataset)
    before = graph.view(Scope.FULL).export()
    env = {**os.environ, "PERSECUTION_GRAPH_DATA_DIR": str(data_dir), ONE_TRANSACTION_ENV: "0", BULK_ENV: way}
    with paused_load(env, SEED, tmp_path / "paused", timeout=120):  # at its first batch
        left = list(embedded.import_folder(data_dir).glob("*.json")) if way == "native" else []
        assert graph.view(Scope.FULL).export() == before
    assert graph.view(Scope.FULL).export() == before
    if way == "native":
        assert len(left) == 1 and left[0].stat().st_mode & 0o777 == 0o600
    graph.replace(small_dataset)  # a small load: a generation in place, leaves the staging database
    with graph.writer() as writer:  # a large one clears what the killed load left
        writer.node(Node("aidos", "Person", ["Person"], {"id": "aidos", "name": "Aidos"}))
    assert list(embedded.import_folder(data_dir).iterdir()) == []
    databases = embedded.server_command(data_dir, "list databases")
    assert isinstance(databases, list)
    assert [name for name in databases if str(name).startswith(embedded.STAGING_PREFIX)] == [graph.database]


def test_a_record_naming_a_restricted_one_is_not_public_when_imported_natively(
    embedded_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    _loaded(embedded_graph, monkeypatch, "native", lambda: write_records_naming_restricted_ones(embedded_graph))
    assert public_and_full(embedded_graph) == (["aidos", "berik", "dana"], ["dana-berik"], 8, 4)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (BULK_ENV, "Native", "auto, native or bolt"),
        (BULK_ENV, "fast", "auto, native or bolt"),
        (ONE_TRANSACTION_ENV, "1e5", "a number of records"),
        (ONE_TRANSACTION_ENV, "-1", "a number of records"),
        (ONE_TRANSACTION_ENV, "\u00b2", "a number of records"),  # a digit to str.isdigit, not to int
    ],
)
def test_a_load_setting_it_cannot_mean_is_refused_before_anything_changes(
    embedded_graph: Graph, small_dataset: Any, monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    embedded_graph.replace(small_dataset)
    before = embedded_graph.view(Scope.FULL).export()
    monkeypatch.setenv(name, value)
    with pytest.raises(UserError) as refused:
        load(embedded_graph, SEED)
    assert str(refused.value) == (f"{name}={value!r} is not a setting this load understands: expected {expected}")
    assert embedded_graph.view(Scope.FULL).export() == before


def test_the_command_line_says_which_load_setting_it_refused(data_dir: Path) -> None:
    env = {**os.environ, "PERSECUTION_GRAPH_DATA_DIR": str(data_dir), BULK_ENV: "fast"}
    run = subprocess.run(
        [sys.executable, "-m", "persecution_graph.api.cli", "load", str(SEED)], env=env, capture_output=True, text=True
    )
    assert (run.returncode, run.stdout, run.stderr) == (
        2,
        "",
        "error: PERSECUTION_GRAPH_BULK='fast' is not a setting this load understands: expected auto, native or bolt\n",
    )
