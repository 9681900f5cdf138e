"""Graphs the procedures' tests compare old and new answers on (never a mock: the run's engine)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from persecution_graph.graph.store import Graph
from persecution_graph.loaders.synthetic import write_corpus
from persecution_graph.loaders.validate import validate

ROOT = Path(__file__).parents[3]


def holding(graph: Graph, folder: str) -> Graph:
    """The graph of this run's engine holding exactly the curated data of ``folder``."""
    graph.replace(validate(ROOT / folder).dataset)
    return graph


@pytest.fixture
def synthetic_graph(graph: Graph, tmp_path: Path, small_dataset) -> Iterator[Graph]:  # type: ignore[no-untyped-def]
    """A synthetic corpus of 1,500 entities (seed 7): busy courts and officials with hundreds of
    acts, cases of thirty, institutions with staff, inferred acts, loops, duplicates' doubts."""
    write_corpus(tmp_path, 1500, seed=7)
    graph.replace(validate(tmp_path).dataset)
    yield graph
    graph.replace(small_dataset)
