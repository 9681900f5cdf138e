"""A server started by a command stays up for the next commands and stops itself once unused
(graph/embedded.py): a data folder of its own, the real engine."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from persecution_graph.graph import embedded

from tests.conftest import SMALL


def _cli(data: Path, *args: str, idle: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PERSECUTION_GRAPH_DATA_DIR": str(data), embedded.IDLE_TIMEOUT_ENV: idle}
    return subprocess.run(
        [sys.executable, "-m", "persecution_graph.api.cli", *args], env=env, capture_output=True, text=True
    )


def _gone_within(data: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while embedded.running(data) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    return embedded.running(data) is None


@pytest.fixture
def data(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    yield folder
    embedded.stop(folder)


def test_the_next_command_finds_the_server_and_it_stops_once_unused(data: Path) -> None:
    assert _cli(data, "load", str(SMALL), idle="4").returncode == 0
    first = embedded.running(data)
    assert first is not None and first.ephemeral and first.idle_timeout_s == 4
    stats = _cli(data, "stats", idle="4")
    assert stats.returncode == 0 and "Person" in stats.stdout
    assert embedded.running(data) == first
    with embedded.in_use(data):  # a command running longer than the timeout keeps it up
        time.sleep(7)
        assert embedded.running(data) == first
    assert _gone_within(data, 30)
    assert not (data / embedded.STATE_FILE).exists()
    again = _cli(data, "stats", idle="4")  # and the next command starts one again
    assert again.returncode == 0 and again.stdout == stats.stdout


def test_db_stop_ends_it_and_a_zero_timeout_stops_it_with_its_command(data: Path) -> None:
    assert _cli(data, "stats", idle="600").returncode == 0
    assert embedded.running(data) is not None
    assert _cli(data, "db", "stop", idle="600").stdout == "embedded database stopped\n"
    assert embedded.running(data) is None
    assert _cli(data, "stats", idle="0").returncode == 0
    assert embedded.running(data) is None
