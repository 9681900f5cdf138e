"""Shared fixtures: every test that touches the graph runs on every engine (never a mock).

The engines: the embedded ArcadeDB server (always), and a Neo4j 5 Community server that
`tools/engine` starts (or the one PERSECUTION_GRAPH_TEST_NEO4J_URI, _USER, _PASSWORD name).
The `engine` fixture is parametrised over them, and `graph`, `small_graph`, `settings` and
`cli_env` follow it, so the same test runs once per engine (`test_x[arcadedb]`,
`test_x[neo4j]`). Tests about the embedded server itself (its child process, its data folder,
its new-database loads) use `embedded_graph` or start their own, and say so.

Without Java or Maven, the Neo4j engine is skipped with a message; under CI=true it must run.
PERSECUTION_GRAPH_TEST_ENGINES=arcadedb,neo4j picks engines (default: all).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from persecution_graph.graph import embedded
from persecution_graph.graph.scope import View
from persecution_graph.graph.settings import PREFIX, Settings
from persecution_graph.graph.store import Graph, connect
from persecution_graph.loaders.validate import validate

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small"
TOOLS_ENGINE = Path(__file__).parents[1] / "tools" / "engine"
EMBEDDED = "arcadedb"
# Engines that tools/engine can start. The ArcadeDB cluster is not among them: its replication
# module is not served by the registries this project uses (README, "Using Neo4j, Aura or a cluster").
SERVER_ENGINES = ("neo4j",)
ENGINES = (EMBEDDED, *SERVER_ENGINES)
# tools/engine's exit codes for "Java or Maven missing" and "not available from the registries".
MISSING_TOOLS, NOT_AVAILABLE = 3, 4
SERVER_VARIABLES = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")

# A user's own server settings must never reach the tests (they replace whole graphs).
for _name in SERVER_VARIABLES:
    os.environ.pop(PREFIX + _name, None)
# A load leaves the old graph whole for its grace (graph/writer.py): 100 ms in the tests, which
# load hundreds of times (1 s unless set); a view's reads within 50 ms of its look need no check,
# so both ways of reading run (tests/graph/test_generations.py tests the grace itself).
os.environ.setdefault("PERSECUTION_GRAPH_LOAD_GRACE_MS", "100")


@dataclass(frozen=True)
class Engine:
    """One engine the suite runs on: the embedded server, or a Bolt server and its account."""

    name: str
    server: dict[str, str] = field(default_factory=dict)  # PERSECUTION_GRAPH_NEO4J_* values

    @property
    def embedded(self) -> bool:
        return not self.server

    def settings(self, data_dir: Path) -> Settings:
        if self.embedded:
            return Settings(data_dir=data_dir)
        return Settings(
            data_dir=data_dir,
            neo4j_uri=self.server["PERSECUTION_GRAPH_NEO4J_URI"],
            neo4j_user=self.server.get("PERSECUTION_GRAPH_NEO4J_USER", "neo4j"),
            neo4j_password=self.server.get("PERSECUTION_GRAPH_NEO4J_PASSWORD"),
            neo4j_database=self.server.get("PERSECUTION_GRAPH_NEO4J_DATABASE", "neo4j"),
        )


def _selected() -> tuple[str, ...]:
    wanted = os.environ.get("PERSECUTION_GRAPH_TEST_ENGINES")
    return tuple(name for name in ENGINES if not wanted or name in wanted.split(","))


def _parse_exports(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export":
            name, _, value = words[1].partition("=")
            values[name] = value
    return values


def _unavailable(message: str) -> None:
    if message.startswith("tools/engine start"):
        pytest.fail(message, pytrace=False)
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: every engine must run)", pytrace=False)
    pytest.skip(message)


def _external_neo4j() -> dict[str, str] | None:
    uri = os.environ.get("PERSECUTION_GRAPH_TEST_NEO4J_URI")
    if not uri:
        return None
    return {
        "PERSECUTION_GRAPH_NEO4J_URI": uri,
        "PERSECUTION_GRAPH_NEO4J_USER": os.environ.get("PERSECUTION_GRAPH_TEST_NEO4J_USER", "neo4j"),
        "PERSECUTION_GRAPH_NEO4J_PASSWORD": os.environ.get("PERSECUTION_GRAPH_TEST_NEO4J_PASSWORD", ""),
        "PERSECUTION_GRAPH_NEO4J_DATABASE": os.environ.get("PERSECUTION_GRAPH_TEST_NEO4J_DATABASE", "neo4j"),
    }


def _tools_engine(action: str, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TOOLS_ENGINE), action, name], capture_output=True, text=True, timeout=900)


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
def engines() -> Iterator[dict[str, Engine | str]]:
    """Every selected engine, started once for the session: an Engine, or why it is missing.
    A server engine is the one already running, or one that tools/engine starts now and stops
    at the end of the session."""
    found: dict[str, Engine | str] = {}
    started = []
    for name in _selected():
        if name == EMBEDDED:
            found[name] = Engine(name)
            continue
        external = _external_neo4j() if name == "neo4j" else None
        if external is not None:
            found[name] = Engine(name, external)
            continue
        run = _tools_engine("status", name)
        if run.returncode != 0:
            run = _tools_engine("start", name)
            if run.returncode == 0:
                started.append(name)
        if run.returncode in (MISSING_TOOLS, NOT_AVAILABLE):
            found[name] = f"{name}: {run.stderr.strip()}"
        elif run.returncode != 0:
            found[name] = f"tools/engine start {name} failed:\n{run.stderr}"
        else:
            found[name] = Engine(name, _parse_exports(run.stdout))
    yield found
    for name in started:
        _tools_engine("stop", name)


def available(found: Engine | str) -> Engine:
    """The engine, or the test skipped with the reason (failed under CI=true)."""
    if isinstance(found, str):
        _unavailable(found)
    assert isinstance(found, Engine)
    return found


@pytest.fixture(scope="session", params=_selected())
def engine(request: pytest.FixtureRequest, engines: dict[str, Engine | str]) -> Engine:
    """The engine this run of a test is on."""
    return available(engines[request.param])


@pytest.fixture(scope="session")
def engine_data_dir(engine: Engine, data_dir: Path) -> Path:
    """The data folder for this engine's runs (API keys, audit, answers kept): the embedded
    server's own, or a folder of its own beside it."""
    if engine.embedded:
        return data_dir
    folder = data_dir / f"engine-{engine.name}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def settings(engine: Engine, engine_data_dir: Path) -> Settings:
    return engine.settings(engine_data_dir)


@pytest.fixture(scope="session")
def graph(engine: Engine, settings: Settings, data_dir: Path) -> Iterator[Graph]:
    """A Graph on the engine of this run."""
    connected = connect(settings, embedded.running(data_dir) if engine.embedded else None)
    yield connected
    connected.driver.close()


@pytest.fixture(scope="session")
def embedded_graph(data_dir: Path) -> Iterator[Graph]:
    """A Graph on the embedded engine only: for tests about that server itself."""
    connected = connect(Settings(data_dir=data_dir), embedded.running(data_dir))
    yield connected
    connected.driver.close()


@pytest.fixture(scope="session")
def every_graph(engines: dict[str, Engine | str], data_dir: Path) -> Iterator[dict[str, Graph]]:
    """A Graph on every engine at once, the embedded one first (for comparing their answers).
    Skipped if an engine is missing (failed under CI=true), or if there is only one."""
    missing = [found for found in engines.values() if isinstance(found, str)]
    if missing:
        _unavailable("; ".join(missing))
    if len(engines) < 2:
        pytest.skip("one engine only: nothing to compare")
    graphs = {}
    for name, found in engines.items():
        engine = available(found)
        folder = data_dir if engine.embedded else data_dir / f"engine-{name}"
        folder.mkdir(mode=0o700, exist_ok=True)
        graphs[name] = connect(engine.settings(folder), embedded.running(data_dir) if engine.embedded else None)
    yield graphs
    for graph in graphs.values():
        graph.driver.close()


@pytest.fixture(scope="session")
def small_dataset():  # type: ignore[no-untyped-def]
    result = validate(SMALL)
    assert result.problems == []
    return result.dataset


@pytest.fixture
def small_graph(graph: Graph, small_dataset) -> Graph:  # type: ignore[no-untyped-def]
    """The graph of this run's engine holding exactly the small fixture."""
    graph.replace(small_dataset)
    return graph


@pytest.fixture
def cli_env(engine: Engine, engine_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for running the CLI against this run's engine (also set in this process)."""
    monkeypatch.setenv("PERSECUTION_GRAPH_DATA_DIR", str(engine_data_dir))
    for name, value in engine.server.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, "PERSECUTION_GRAPH_DATA_DIR": str(engine_data_dir), **engine.server}


def changed_copy(tmp_path: Path) -> Path:
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


def load_ends_under(graph: Graph, dataset: Any, view: View) -> None:
    """A load of ``dataset`` ends while ``view`` reads: its look at the graph's version is made
    old, so its next statement looks again and moves to the new graph (graph/scope.py)."""
    graph.replace(dataset)
    view.seen = dataclasses.replace(view.seen, at=view.seen.at - 3600)


def statements_sent(graph: Graph, action: Callable[[], object]) -> list[str]:
    """The statements ``action`` sent to the database ("version" for the graph's version)."""
    graph.read_log = []
    try:
        action()
        return ["version" if "GraphMeta" in statement else statement for _, statement in graph.read_log]
    finally:
        graph.read_log = None


def statements_read(graph: Graph, action: Callable[[], object]) -> list[str]:
    """The statements ``action`` sent, without looks at the graph's version (a view looks again
    after a statement slower than half the load's grace: tests/graph/test_generations.py)."""
    return [statement for statement in statements_sent(graph, action) if statement != "version"]


def api_routes(routes: list) -> list:
    """An app's routes, through the routers it includes (however FastAPI wraps them)."""
    from fastapi.routing import APIRoute

    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(api_routes(route.original_router.routes))
    return found


# Path parameters of the routes, each with a public and a restricted record where it names one.
ROUTE_FILL = {
    "entity_id": ["dilnar-insenova", "daughter-of-dilnar-insenova"],
    "fmt": ["json", "dump"],
    "source_id": ["odf-2018-dck-ban"],
}
QUERY_PARAMS = "id=dilnar-insenova&from=dilnar-insenova&to=almaty&as_of=2021-09-01&limit=5"


def every_get_url(client) -> list[str]:  # type: ignore[no-untyped-def]
    """Every GET route of an app on the small fixture, its path filled in, and every named query
    through the API, its page and its network view."""
    from persecution_graph.queries.catalogue import load_catalogue

    urls = []
    for route in api_routes(client.app.routes):
        if "GET" not in route.methods or route.path in ("/api/audit",) or route.path.startswith("/docs"):
            continue
        if "{name}" in route.path:
            urls += [route.path.replace("{name}", name) + "?" + QUERY_PARAMS for name in load_catalogue()]
            continue
        params = [p for p in ROUTE_FILL if "{" + p + "}" in route.path]
        if not params:
            urls.append(route.path + "?q=Insenova&" + QUERY_PARAMS)
            continue
        urls += [route.path.replace("{" + params[0] + "}", value) + "?depth=2" for value in ROUTE_FILL[params[0]]]
    return urls


@contextlib.contextmanager
def paused_load(env: dict[str, str], folder: Path, marker: Path, timeout: float = 60) -> Iterator[None]:
    """`persecution-graph load FOLDER` in a process of its own, waiting where the writer's pause
    hook stops it (graph/writer.py; ``env`` may say where, with PERSECUTION_GRAPH_TEST_PAUSE_AT);
    killed with SIGKILL when the block ends, as a crash would."""
    from persecution_graph.graph.writer import PAUSE_ENV

    loader = subprocess.Popen(
        [sys.executable, "-m", "persecution_graph.api.cli", "load", str(folder)],
        env={**env, PAUSE_ENV: str(marker)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the load never reached its pause"
        yield
    finally:
        os.kill(loader.pid, signal.SIGKILL)
        loader.wait()
