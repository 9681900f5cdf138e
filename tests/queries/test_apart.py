"""queries/apart.py: igraph's betweenness and Leiden computed by a process of its own, the same numbers."""

from __future__ import annotations

import random

import igraph as ig
import pytest
from persecution_graph.queries import apart


def _network(vertices: int, edges: int, seed: int = 3) -> ig.Graph:
    rng = random.Random(seed)
    pairs = [(rng.randrange(vertices), rng.randrange(vertices)) for _ in range(edges)]
    return ig.Graph(n=vertices, edges=pairs, directed=False)  # loops and repeats too


@pytest.mark.parametrize("sources", [None, [0, 5, 17, 400, 999]])
def test_the_same_numbers_as_igraph_here(sources: list[int] | None) -> None:
    network = _network(1000, 3000)
    pending = apart.start(network.vcount(), network.get_edgelist(), sources)
    assert pending is not None
    here = network.betweenness(directed=False, sources=sources) if sources else network.betweenness(directed=False)
    assert pending.result() == here  # bit for bit: the same graph, built in the same order
    pending.close()


@pytest.mark.parametrize(
    ("edges", "said"),
    [
        ([(0, 1), (1, 7)], "exit 0, 8 values for 3 vertices"),  # igraph added vertices up to 7
        ([(0, 1), (1, -2)], "exit 1, 0 values for 3 vertices"),  # igraph refused the edge
    ],
)
def test_a_wrong_answer_or_a_failed_process_is_none_and_said(
    edges: list[tuple[int, int]], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pending = apart.start(3, edges, None)
    assert pending is not None
    assert pending.result() is None
    assert capsys.readouterr().err == f"persecution-graph: betweenness apart failed ({said}): computed here\n"


def test_close_ends_a_process_still_computing() -> None:
    network = _network(20_000, 80_000)
    pending = apart.start(network.vcount(), network.get_edgelist(), None)  # exact: minutes
    assert pending is not None
    pending.close()
    assert pending._process.returncode == -9  # killed, and reaped


def test_no_python_to_start_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.executable", "")
    assert apart.start(3, [(0, 1)], None) is None


def test_edges_as_numpy_pairs_are_told_as_the_same_graph() -> None:
    """The analytics hand their edges over as an int64 array of pairs (queries/graphalgo.py
    Indexed.ends): the child builds the same graph as from a list of pairs."""
    import numpy as np

    network = _network(500, 1500, seed=5)
    pairs = network.get_edgelist()
    sources = [1, 2, 3, 250]
    from_list = apart.start(network.vcount(), pairs, sources)
    from_array = apart.start(network.vcount(), np.array(pairs, dtype=np.int32).reshape(-1, 2), sources)
    assert from_list is not None and from_array is not None
    assert from_array.result() == from_list.result() == network.betweenness(directed=False, sources=sources)
    from_list.close()
    from_array.close()


@pytest.mark.parametrize("weights", [None, "counts"])
def test_leiden_apart_is_the_membership_igraph_finds_here(weights: str | None) -> None:
    network = _network(1000, 3000, seed=11)
    told = [1.0 + (i % 3) for i in range(network.ecount())] if weights else None
    pending = apart.start_leiden(network.vcount(), network.get_edgelist(), told, 5, 7)
    assert pending is not None
    if told:
        network.es["weight"] = told
    ig.set_random_number_generator(random.Random(7))
    try:
        here = network.community_leiden(
            objective_function="modularity", weights="weight" if told else None, n_iterations=5
        ).membership
    finally:
        ig.set_random_number_generator(random)
    assert pending.result() == here
    pending.close()


def test_leiden_apart_told_a_wrong_graph_is_none_and_said(capsys: pytest.CaptureFixture[str]) -> None:
    pending = apart.start_leiden(3, [(0, 1), (1, -2)], None, 5, 7)
    assert pending is not None
    assert pending.result() is None
    assert (
        capsys.readouterr().err
        == "persecution-graph: Leiden apart failed (exit 1, 0 values for 3 vertices): computed here\n"
    )
