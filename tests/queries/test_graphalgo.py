"""queries/graphalgo.py: networkx's answers, computed by igraph (no database)."""

from __future__ import annotations

import networkx as nx
import pytest
from persecution_graph.queries import graphalgo


def _two_cliques() -> nx.Graph:
    """Two groups of five, everyone tied to everyone in their group, one tie between groups."""
    left = [f"l{i}" for i in range(5)]
    right = [f"r{i}" for i in range(5)]
    network = nx.Graph()
    network.add_edges_from((a, b) for group in (left, right) for i, a in enumerate(group) for b in group[i + 1 :])
    network.add_edge("l0", "r0")
    nx.set_edge_attributes(network, 1, "weight")
    return network


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ([("a", "b"), ("b", "c")], {"a": 0.0, "b": 1.0, "c": 0.0}),
        ([("hub", "x"), ("hub", "y"), ("hub", "z")], {"hub": 1.0, "x": 0.0, "y": 0.0, "z": 0.0}),
        # a path of four: the inner two lie on 2 of the 3 pairs they are not in
        ([("a", "b"), ("b", "c"), ("c", "d")], {"a": 0.0, "b": 2 / 3, "c": 2 / 3, "d": 0.0}),
        ([("a", "b"), ("c", "d")], {"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0}),
    ],
)
def test_exact_betweenness(edges: list[tuple[str, str]], expected: dict[str, float]) -> None:
    assert graphalgo.betweenness(nx.Graph(edges)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("samples", [None, 2, 5, 17, 34])
def test_betweenness_is_networkx_own_for_the_same_samples(samples: int | None) -> None:
    network = nx.relabel_nodes(nx.karate_club_graph(), {i: f"person-{i}" for i in range(34)})
    network.add_edge("exile-1", "exile-2")  # a second component
    ours = graphalgo.betweenness(network, samples, seed=7)
    theirs = nx.betweenness_centrality(network, k=samples, normalized=True, seed=7)
    assert list(ours) == list(theirs)
    assert ours == pytest.approx(theirs, abs=1e-12)


@pytest.mark.parametrize("samples", [None, 5])
def test_betweenness_computed_apart_is_the_same(samples: int | None) -> None:
    network = nx.relabel_nodes(nx.karate_club_graph(), {i: f"person-{i}" for i in range(34)})
    started = graphalgo.start_betweenness(network, samples, seed=7, apart=True)
    assert started.pending is not None  # computed by a process of its own
    assert started() == graphalgo.betweenness(network, samples, seed=7)
    assert started.pending._process.returncode == 0


def test_a_converted_graph_gives_the_same_answers_and_ids() -> None:
    network = _two_cliques()
    indexed = graphalgo.Indexed.of(network)
    assert graphalgo.betweenness(indexed, 4) == graphalgo.betweenness(network, 4)
    assert graphalgo.communities(indexed) == graphalgo.communities(network)
    assert indexed.nodes == list(network)


@pytest.mark.parametrize(
    ("network", "expected"),
    [
        (_two_cliques(), [{"l0", "l1", "l2", "l3", "l4"}, {"r0", "r1", "r2", "r3", "r4"}]),
        (
            nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")]),
            [{"a", "b", "c"}, {"x", "y", "z"}],
        ),
        (nx.Graph([("solo", "pair")]), [{"pair", "solo"}]),
        (nx.empty_graph(["alone"]), []),
    ],
    ids=["two cliques", "two triangles", "one tie", "no tie"],
)
def test_communities(network: nx.Graph, expected: list[set[str]]) -> None:
    assert graphalgo.communities(network) == expected


def test_weights_decide_where_a_community_ends() -> None:
    """A square whose two opposite ties are heavy: two pairs, joined by the heavy ties."""
    network = nx.Graph()
    network.add_edge("a", "b", weight=10)
    network.add_edge("c", "d", weight=10)
    network.add_edge("b", "c", weight=1)
    network.add_edge("d", "a", weight=1)
    assert graphalgo.communities(network) == [{"a", "b"}, {"c", "d"}]


def test_communities_are_the_same_for_the_same_seed_and_as_good_as_networkx() -> None:
    network = nx.relabel_nodes(nx.les_miserables_graph(), str)
    first = graphalgo.communities(network)
    assert graphalgo.communities(network) == first
    assert sorted(n for members in first for n in members) == sorted(network)
    theirs = nx.community.louvain_communities(network, weight="weight", seed=7)
    assert graphalgo.modularity(network, first) >= graphalgo.modularity(network, theirs) - 0.01


@pytest.mark.parametrize("weighted", [True, False])
def test_communities_computed_apart_are_the_same(weighted: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Leiden in a process of its own (queries/apart.py): the same communities, bit for bit (the
    same graph built in the same order, drawing from the same seeded generator)."""
    from persecution_graph.queries import apart

    network = nx.relabel_nodes(nx.les_miserables_graph(), str)
    if not weighted:
        for _, _, data in network.edges(data=True):
            del data["weight"]
    started: list[apart.Pending] = []
    start = apart.start_leiden

    def counted(*args):  # type: ignore[no-untyped-def]
        pending = start(*args)
        started.append(pending)
        return pending

    monkeypatch.setattr(apart, "start_leiden", counted)
    here = graphalgo.communities(network)
    assert started == []
    assert graphalgo.communities(network, apart=True) == here
    assert [pending._process.returncode for pending in started] == [0]  # computed there, and ended
    for seed in (1, 2, 3):
        assert graphalgo.communities(network, seed=seed, apart=True) == graphalgo.communities(network, seed=seed)
