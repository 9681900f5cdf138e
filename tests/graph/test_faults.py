"""Faults: the embedded database killed under a running API. Requests get 503 in the error
shape (never a traceback), and the API recovers by itself with the graph as it was."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from fastapi.testclient import TestClient
from persecution_graph.api.main import create_app
from persecution_graph.graph import embedded
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.settings import Settings
from persecution_graph.graph.store import connect, connect_healing


def test_api_survives_the_database_being_killed(tmp_path: Path, small_dataset) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "db")
    graph = connect_healing(settings)
    try:
        graph.replace(small_dataset)
        before = graph.view(Scope.FULL).export()
        client = TestClient(create_app(graph, keys=[], state_dir=tmp_path))
        assert client.get("/api/entities/zh-smatov").status_code == 200
        first = embedded.running(settings.data_dir)
        assert first is not None
        plain = connect(settings, first)  # a graph that does not heal, to see the 503 itself
        plain_client = TestClient(create_app(plain, keys=[], state_dir=tmp_path))
        os.kill(first.pid, signal.SIGKILL)
        response = plain_client.get("/api/entities/zh-smatov")
        assert response.status_code == 503
        assert response.json()["error"]["detail"].startswith("the database is not reachable")
        plain.driver.close()
        statuses = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            response = client.get("/api/entities/zh-smatov")
            statuses.append(response.status_code)
            if response.status_code == 200:
                break
            assert response.status_code == 503, response.text
            assert response.json()["error"]["title"] == "database unavailable"
            time.sleep(0.5)
        assert statuses[-1] == 200, statuses
        print(f"after SIGKILL: {statuses.count(503)} answers 503, back after {len(statuses)} requests")
        second = embedded.running(settings.data_dir)
        assert second is not None and second.pid != first.pid
        assert graph.view(Scope.FULL).export() == before
    finally:
        graph.driver.close()
        embedded.stop(settings.data_dir)


def test_a_closed_graph_never_starts_the_database_again(tmp_path: Path) -> None:
    """`serve` closes its graph, then stops the database. A read on its way then (the warm-up's)
    failed as its connection went, asked to heal, and started the database again once it had
    stopped: a server outlived `serve` (seen in CI)."""
    settings = Settings(data_dir=tmp_path / "db")
    graph = connect_healing(settings)
    try:
        assert graph._read("RETURN 1 AS one") == [{"one": 1}]
        graph.close()
        embedded.stop(settings.data_dir)
        assert graph._recovered() is False  # what that read does when its connection fails
        assert embedded.running(settings.data_dir) is None
    finally:
        embedded.stop(settings.data_dir)
