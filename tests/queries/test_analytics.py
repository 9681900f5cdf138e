"""The analytics' own counting (queries/procedures/analytics.py), against its definition."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
from persecution_graph.queries import graphalgo
from persecution_graph.queries.procedures.analytics import _communities_touched, _membership


def test_a_vertex_touches_its_own_community_and_each_of_its_neighbours_once() -> None:
    network = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("a", "a"), ("b", "d")])
    indexed = graphalgo.Indexed.of(network)
    assert indexed.nodes == ["a", "b", "c", "d", "e"]
    membership = _membership({"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}, [{"a", "b"}, {"c", "d"}, {"e"}])
    assert membership.tolist() == [1, 1, 2, 2, 3]
    # a: only its own (its loop and b are in it); d: its own, b's and e's.
    assert _communities_touched(indexed, membership, 3).tolist() == [1, 2, 2, 3, 2]


def test_the_counts_are_those_of_sets_made_vertex_by_vertex() -> None:
    rng = random.Random(11)
    network = nx.Graph()
    network.add_nodes_from(f"n{i}" for i in range(300))
    network.add_edges_from((f"n{rng.randrange(300)}", f"n{rng.randrange(300)}") for _ in range(900))
    network.remove_edges_from(list(network.edges("n7")))  # one alone: its own community only
    indexed = graphalgo.Indexed.of(network)
    membership = np.array([rng.randrange(1, 9) for _ in range(300)], dtype=np.int64)
    expected = [len({membership[v]} | {membership[u] for u in indexed.graph.neighbors(v)}) for v in range(300)]
    assert _communities_touched(indexed, membership, 8).tolist() == expected
    assert max(expected) > 3 and expected[7] == 1
