"""The connection settings README.md says were tested: `neo4j://` routing on every engine, and
`neo4j+s://` with TLS (a self-signed certificate handed to the driver as SSL_CERT_FILE)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from persecution_graph.graph import embedded
from persecution_graph.graph.errors import DatabaseUnavailable, QueryError
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.settings import Settings
from persecution_graph.graph.store import Graph, connect


def _as_server(graph: Graph, settings: Settings, data_dir: Path) -> Settings:
    """This run's engine reached as a Bolt server through its settings (the embedded one too)."""
    if settings.neo4j_uri:
        return settings
    info = embedded.running(data_dir)
    assert info is not None
    user, password = embedded.credentials(data_dir)
    return Settings(
        data_dir=settings.data_dir,
        neo4j_uri=f"bolt://127.0.0.1:{info.bolt_port}",
        neo4j_user=user,
        neo4j_password=password,
        neo4j_database=graph.database,
    )


def _port(uri: str) -> int:
    return int(uri.rsplit(":", 1)[1])


def test_neo4j_routing_reads_and_loads(graph: Graph, settings: Settings, data_dir: Path, small_dataset) -> None:  # type: ignore[no-untyped-def]
    server = _as_server(graph, settings, data_dir)
    assert server.neo4j_uri is not None
    routed_settings = dataclasses.replace(server, neo4j_uri=f"neo4j://127.0.0.1:{_port(server.neo4j_uri)}")
    routed = connect(routed_settings)
    try:
        routed.replace(small_dataset)  # sent to the writer the routing table names
        assert routed.view(Scope.FULL).count() == 39  # read from a reader
        assert routed.engine == graph.engine  # told by the server, for the queries' variants
        assert routed.view(Scope.FULL).export() == graph.view(Scope.FULL).export()
    finally:
        routed.driver.close()


def test_neo4j_s_with_a_self_signed_certificate(
    engine, small_graph: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    ca = engine.server.get("PERSECUTION_GRAPH_ENGINE_CA")
    if not ca or not settings.neo4j_uri:
        pytest.skip("Neo4j started by tools/engine only (the embedded server has no TLS)")
    secure = dataclasses.replace(settings, neo4j_uri=f"neo4j+s://localhost:{_port(settings.neo4j_uri)}")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with pytest.raises(DatabaseUnavailable, match=r"^cannot connect to neo4j\+s://localhost:\d+: "):
        connect(secure)  # the certificate is not trusted
    monkeypatch.setenv("SSL_CERT_FILE", ca)
    trusted = connect(secure)
    try:
        assert trusted.view(Scope.FULL).count() == 39
        assert trusted.view(Scope.FULL).export() == small_graph.view(Scope.FULL).export()
    finally:
        trusted.driver.close()


def test_neo4j_refuses_writes_in_read_transactions_and_file_urls(small_graph: Graph, settings: Settings) -> None:
    """What the console's safety rests on with Neo4j Community (README): reads are read
    transactions, which the server enforces, and LOAD CSV cannot read the server's files."""
    if not settings.neo4j_uri:
        pytest.skip("Neo4j only: ArcadeDB ignores the read access mode (its console needs a read-only user)")
    with pytest.raises(QueryError, match="^the database refused the query: Writing in read access mode not allowed"):
        small_graph._read("CREATE (n:Entity {id: 'written-in-a-read'}) RETURN n.id AS id")
    with pytest.raises(QueryError, match=r"Cannot load from URL 'file:///etc/hostname'"):
        small_graph._read("LOAD CSV FROM 'file:///etc/hostname' AS line RETURN line")
    assert small_graph.view(Scope.FULL).count() == 39


def test_loads_of_an_arcadedb_server_take_turns_by_a_lease(
    graph: Graph, settings: Settings, data_dir: Path, small_dataset
) -> None:  # type: ignore[no-untyped-def]
    """ArcadeDB reached as a server locks nothing until a commit: a second load is refused while
    the first writes (before, each deleted what the other wrote); a lease not renewed for ten
    minutes is a load that died. (Neo4j's loads wait for a lock: test_store.py.)"""
    from persecution_graph.graph.errors import UserError
    from persecution_graph.graph.writer import LEASE_STALE_MS

    if graph.engine != "arcadedb":
        pytest.skip("ArcadeDB only: Neo4j's loads wait for a row lock")
    first, second = connect(_as_server(graph, settings, data_dir)), connect(_as_server(graph, settings, data_dir))
    try:
        second.replace(small_dataset)
        before = second.view(Scope.FULL).export()
        refused = pytest.raises(UserError, match="another load is writing this graph; try again when it ends")
        with first.writer() as writer:
            for node in small_dataset.nodes.values():
                writer.node(node)
            with refused:
                second.replace(small_dataset)
            for edge in small_dataset.edges:
                writer.edge(edge)
        assert first.view(Scope.FULL).export() == before  # the first load whole, nothing of the refused one
        second.replace(small_dataset)  # the lease was given back
        # A lease its load stopped renewing long ago (the loader was killed): the next load takes it.
        first.write(
            "MATCH (t:GraphMeta {key: 'load'}) SET t.generation = 'killed', t.beat = timestamp() - $old",
            old=LEASE_STALE_MS + 1,
        )
        second.replace(small_dataset)
        assert second._read("MATCH (t:GraphMeta {key: 'load'}) RETURN t.generation AS g") == [{"g": None}]
    finally:
        first.driver.close()
        second.driver.close()
