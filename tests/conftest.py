"""Shared fixtures: one real embedded ArcadeDB server for the session (never a mock).

Set PERSECUTION_GRAPH_TEST_NEO4J_URI (with _USER and _PASSWORD) to run the graph contract
suite against a Neo4j 5 server as well; without it those cases are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from persecution_graph.graph import embedded
from persecution_graph.graph.settings import Settings
from persecution_graph.graph.store import Graph, connect
from persecution_graph.loaders.validate import validate

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data folder with a running embedded server, stopped at the end of the session.

    It is also the configured data folder for the session, so nothing reads or writes the
    user's own (API keys, audit log)."""
    folder = tmp_path_factory.mktemp("data")
    saved = os.environ.get("PERSECUTION_GRAPH_DATA_DIR")
    os.environ["PERSECUTION_GRAPH_DATA_DIR"] = str(folder)
    embedded.start(folder)
    yield folder
    embedded.stop(folder)
    if saved is None:
        os.environ.pop("PERSECUTION_GRAPH_DATA_DIR", None)
    else:
        os.environ["PERSECUTION_GRAPH_DATA_DIR"] = saved


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir)


def _neo4j_settings() -> Settings | None:
    uri = os.environ.get("PERSECUTION_GRAPH_TEST_NEO4J_URI")
    if not uri:
        return None
    return Settings(
        data_dir=Path("/nonexistent"),
        neo4j_uri=uri,
        neo4j_user=os.environ.get("PERSECUTION_GRAPH_TEST_NEO4J_USER", "neo4j"),
        neo4j_password=os.environ.get("PERSECUTION_GRAPH_TEST_NEO4J_PASSWORD"),
    )


@pytest.fixture(scope="session", params=["arcadedb", "neo4j"])
def any_graph(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Graph]:
    """The graph contract suite runs on every engine that is configured."""
    if request.param == "neo4j":
        neo4j_settings = _neo4j_settings()
        if neo4j_settings is None:
            pytest.skip("PERSECUTION_GRAPH_TEST_NEO4J_URI is not set")
        graph = connect(neo4j_settings)
    else:
        graph = connect(Settings(data_dir=data_dir), embedded.running(data_dir))
    yield graph
    graph.driver.close()


@pytest.fixture(scope="session")
def graph(settings: Settings, data_dir: Path) -> Iterator[Graph]:
    """A Graph on the embedded engine."""
    connected = connect(settings, embedded.running(data_dir))
    yield connected
    connected.driver.close()


@pytest.fixture(scope="session")
def small_dataset():  # type: ignore[no-untyped-def]
    result = validate(SMALL)
    assert result.problems == []
    return result.dataset


@pytest.fixture
def small_graph(graph: Graph, small_dataset) -> Graph:  # type: ignore[no-untyped-def]
    """The embedded graph holding exactly the small fixture."""
    graph.replace(small_dataset)
    return graph


@pytest.fixture
def cli_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for running the CLI against the session's server."""
    monkeypatch.setenv("PERSECUTION_GRAPH_DATA_DIR", str(data_dir))
    monkeypatch.delenv("PERSECUTION_GRAPH_NEO4J_URI", raising=False)
    return {**os.environ, "PERSECUTION_GRAPH_DATA_DIR": str(data_dir)}
