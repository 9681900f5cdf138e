"""Files read by worker processes: the same answer as read here, and no process left behind."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from persecution_graph.graph.model import load_model
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.loaders import reader
from persecution_graph.loaders.load import load
from persecution_graph.loaders.synthetic import write_corpus
from persecution_graph.loaders.validate import validate, yaml_files

from tests.loaders.test_validate import BAD, EXPECTED

ROOT = Path(__file__).parents[2]
SEED = ROOT / "seed_data"
SMALL = ROOT / "tests" / "fixtures" / "small"


@pytest.mark.parametrize("folder", [BAD, SEED, SMALL], ids=["bad", "seed", "small"])
def test_files_read_by_two_processes_give_what_files_read_here_give(folder: Path) -> None:
    here, apart = validate(folder, readers=0), validate(folder, readers=2)
    assert [str(problem) for problem in apart.problems] == [str(problem) for problem in here.problems]
    assert apart.dataset.nodes == here.dataset.nodes
    assert apart.dataset.edges == here.dataset.edges
    assert (apart.nodes, apart.edges, apart.files) == (here.nodes, here.edges, here.files)


def test_every_mistake_is_still_reported_with_its_place_when_read_apart() -> None:
    assert [str(problem) for problem in validate(BAD, readers=3).problems] == EXPECTED


def test_a_synthetic_corpus_of_many_files_reads_the_same_apart(tmp_path: Path) -> None:
    write_corpus(tmp_path, 3_000, seed=3)  # 3 files of records, read by 2 processes
    here, apart = validate(tmp_path, readers=0), validate(tmp_path, readers=2)
    assert apart.problems == here.problems == []
    assert (apart.nodes, apart.edges) == (here.nodes, here.edges) == (3_002, 9_439)
    assert apart.dataset.nodes == here.dataset.nodes and apart.dataset.edges == here.dataset.edges


def test_a_large_corpus_is_read_by_one_process_per_core_and_a_small_one_here(tmp_path: Path) -> None:
    small = tmp_path / "small.yaml"
    small.write_text("persons: []\n")
    assert reader.readers_for([small]) == 0
    large = tmp_path / "large.yaml"
    large.write_text("#" * reader.READ_APART_FROM_BYTES + "\n")
    assert reader.readers_for([small, large]) == len(os.sched_getaffinity(0))


class _Recorded(reader._Reader):
    made: list[reader._Reader] = []

    def __init__(self, model) -> None:  # type: ignore[no-untyped-def]
        super().__init__(model)
        self.made.append(self)


def test_a_caller_that_stops_early_leaves_no_reading_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_Reader", _Recorded)
    _Recorded.made = []
    files = yaml_files(SEED)
    read = reader.read_files(load_model(), files, 2)
    first = next(read)
    assert first.problems == [] and first.records
    assert [worker.process.poll() for worker in _Recorded.made] == [None, None]  # still reading ahead
    read.close()
    assert [worker.process.poll() for worker in _Recorded.made] == [0, 0]


def test_a_reading_process_that_fails_or_dies_is_an_error_not_a_hang() -> None:
    worker = reader._Reader(load_model())
    worker.send(42)  # type: ignore[arg-type]  # not a path: reading it raises in the worker
    with pytest.raises(reader.ReaderFailed, match="a reading process failed: AttributeError: 'int' object"):
        worker.receive()
    worker.process.kill()
    worker.process.wait()
    with pytest.raises(reader.ReaderFailed, match=r"a reading process ended unexpectedly \(exit code -9\)"):
        worker.receive()
    worker.stop()


def test_a_load_read_by_worker_processes_writes_the_graph_a_load_read_here_writes(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load(graph, SEED).ok
    here = graph.view(Scope.FULL).export()
    monkeypatch.setattr(reader, "READ_APART_FROM_BYTES", 0)  # the seed data is read apart too
    monkeypatch.setattr(reader, "_Reader", _Recorded)
    _Recorded.made = []
    assert load(graph, SEED).ok
    assert len(_Recorded.made) == len(os.sched_getaffinity(0))
    assert graph.view(Scope.FULL).export() == here


def test_ctrl_c_stops_the_validator_not_its_reading_processes() -> None:
    """A terminal's Ctrl-C reaches every process of the group: the workers leave it to the
    validator, which stops them (a traceback from each would bury the validator's message)."""
    worker = reader._Reader(load_model())
    worker.send(SMALL / "graph.yaml")
    assert worker.receive().records  # started: its import done, its loop waiting
    worker.process.send_signal(signal.SIGINT)
    worker.send(SMALL / "hostages.yaml")
    assert worker.receive().records
    worker.stop()
    assert worker.process.returncode == 0


class _Dying(reader._Reader):
    COMMAND = [sys.executable, "-c", "import sys; sys.stdin.buffer.read(1); sys.exit(3)"]


def test_files_a_worker_could_not_read_are_read_here(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(reader, "_Reader", _Dying)
    here = validate(SEED, readers=0)
    apart = validate(SEED, readers=2)
    assert apart.dataset.nodes == here.dataset.nodes and apart.dataset.edges == here.dataset.edges
    assert apart.problems == here.problems == []
    assert "persecution-graph: a reading process ended unexpectedly (exit code 3); reading the other files here" in (
        capsys.readouterr().err
    )
