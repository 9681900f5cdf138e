"""Whole-graph analytics on a networkx graph, computed by igraph (C) instead of pure Python.

Pure functions: they take the persecution network as queries/procedures.py builds it (an
undirected ``nx.Graph``, nodes keyed by entity id, a ``weight`` on each edge) and return what
networkx would, keyed by the same node ids. They read no database and know no scope: the caller
decides which network to pass. igraph was chosen by measuring igraph, rustworkx and networkit on
the 100k-entity synthetic network (docs/BENCHMARKS.md, "Analytics").

- :func:`betweenness` is networkx's ``betweenness_centrality(G, k, normalized=True, seed)``:
  exact when ``samples`` is None, else estimated from the same sampled sources networkx would
  draw with the same seed, so the scores are the same numbers (to rounding), only faster.
  :func:`start_betweenness` starts it, in this process or (``apart``) in a process of its own
  (queries/apart.py, told the graph as numbers only), so the caller can run Leiden meanwhile.
- :func:`communities` optimises weighted modularity with igraph's Leiden algorithm, not
  networkx's Louvain: Leiden refines Louvain (its communities are always connected) and, on the
  100k-entity network, found a higher modularity (0.406 against networkx's 0.383) in 2.3 s
  against 76 s. On a graph with clear clusters both find them; elsewhere the two can split
  differently: how far apart they are on the bundled data is measured in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import igraph as ig
import networkx as nx
import numpy as np

from . import apart as _apart

SEED = 7
# Leiden passes: at 100k entities 2 give modularity 0.402 in 1.3 s, 5 give 0.406 in 2.3 s.
LEIDEN_ITERATIONS = 5


@dataclass(frozen=True)
class Indexed:
    """A networkx graph as igraph holds it: vertex ``i`` is ``nodes[i]``, in the networkx
    graph's own node order (which fixes the sampled sources and the order of ties)."""

    nodes: list[Hashable]
    graph: ig.Graph
    # The graph's edges as pairs of vertex positions, in igraph's order (an int64 array of shape
    # (edges, 2)): handed to a process of its own as they are, and counted with numpy (igraph's
    # get_edgelist makes a tuple per edge: about 1 s at 100k entities).
    ends: np.ndarray

    @classmethod
    def of(cls, network: nx.Graph, weight: str | None = "weight") -> Indexed:
        """Convert once; pass the result to several functions to convert once only.

        >>> Indexed.of(nx.path_graph(["a", "b", "c"])).graph.ecount()
        2
        """
        if network.is_directed() or network.is_multigraph():
            raise ValueError("an undirected simple graph is expected (the persecution network)")
        nodes = list(network)
        index = {node: position for position, node in enumerate(nodes)}
        edges, weights = [], []
        for a, b, value in network.edges(data=weight or "weight", default=1):
            edges.append((index[a], index[b]))
            weights.append(value)
        graph = ig.Graph(n=len(nodes), edges=edges, directed=False)
        if weight is not None:
            graph.es["weight"] = weights
        return cls(nodes, graph, np.array(edges, dtype=np.int64).reshape(-1, 2))


def _indexed(network: nx.Graph | Indexed) -> Indexed:
    return network if isinstance(network, Indexed) else Indexed.of(network)


def betweenness(network: nx.Graph | Indexed, samples: int | None = None, seed: int = SEED) -> dict[Hashable, float]:
    """Normalised betweenness centrality, unweighted, as networkx computes it: exact, or from
    ``samples`` sources drawn as ``random.Random(seed).sample(list(nodes), samples)``.

    >>> betweenness(nx.path_graph(["a", "b", "c"]))
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    return start_betweenness(network, samples, seed)()


class Started:
    """Betweenness being computed (``start_betweenness``): call it for the scores; ``close``
    ends the process computing it apart if they are no longer needed."""

    def __init__(self, indexed: Indexed, sources: list[int] | None, pending: _apart.Pending | None) -> None:
        self.indexed, self.sources, self.pending = indexed, sources, pending

    def __call__(self) -> dict[Hashable, float]:
        found = None
        if self.pending is not None:
            found = self.pending.result()
            self.close()
        graph = self.indexed.graph
        if found is None:  # not started apart, or that process failed
            if self.sources is None:
                found = graph.betweenness(directed=False)
            else:
                found = graph.betweenness(directed=False, sources=self.sources)
        # igraph counts each unordered pair once; networkx each ordered pair: twice as much.
        scaled = _rescaled([2 * value for value in found], len(self.indexed.nodes), self.sources)
        return dict(zip(self.indexed.nodes, scaled, strict=True))

    def close(self) -> None:
        if self.pending is not None:
            self.pending.close()


def start_betweenness(
    network: nx.Graph | Indexed, samples: int | None = None, seed: int = SEED, apart: bool = False
) -> Started:
    """``betweenness``, started. With ``apart``, igraph computes it in a process of its own
    (queries/apart.py) while this one goes on; calling the result waits for it (and computes
    it here if that process failed)."""
    indexed = _indexed(network)
    count = len(indexed.nodes)
    if samples == count:  # networkx does all of them then (same result, exact scale)
        samples = None
    drawn = None if samples is None else random.Random(seed).sample(indexed.nodes, samples)
    position = {node: i for i, node in enumerate(indexed.nodes)}
    sources = None if drawn is None else [position[node] for node in drawn]
    pending = _apart.start(count, indexed.ends, sources) if apart and count else None
    return Started(indexed, sources, pending)


def _rescaled(raw: list[float], count: int, sources: Sequence[int] | None) -> list[float]:
    """networkx's normalisation of pair dependencies (endpoints excluded): by the pairs a node
    can lie between, and, when sampled, by the sources drawn, a source not counting itself."""
    pairs = count - 1  # targets a path through v can reach (v itself excluded)
    if pairs < 2:
        return raw
    if sources is None:
        return [value / (pairs * (pairs - 1)) for value in raw]
    drawn = len(sources)
    as_source = 1 / ((drawn - 1) * (pairs - 1)) if drawn > 1 else math.nan
    otherwise = 1 / (drawn * (pairs - 1))
    chosen = set(sources)
    return [value * (as_source if i in chosen else otherwise) for i, value in enumerate(raw)]


def communities(
    network: nx.Graph | Indexed, seed: int = SEED, iterations: int = LEIDEN_ITERATIONS, apart: bool = False
) -> list[set[Hashable]]:
    """Communities that maximise weighted modularity (igraph's Leiden, ``iterations`` passes,
    with the ``weight`` of each edge), largest first, then by smallest member; the same for the
    same network and seed. With ``apart``, computed in a process of its own (queries/apart.py),
    the same communities: this process waits without holding Python's lock (or computes them
    itself if that process failed).

    >>> two_triangles = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> [sorted(members) for members in communities(two_triangles)]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    indexed = _indexed(network)
    if indexed.graph.ecount() == 0:
        return []
    weights = "weight" if "weight" in indexed.graph.es.attributes() else None
    membership = None
    if apart:
        told = indexed.graph.es["weight"] if weights else None
        pending = _apart.start_leiden(len(indexed.nodes), indexed.ends, told, iterations, seed)
        if pending is not None:
            try:
                membership = pending.result()
            finally:
                pending.close()
    if membership is None:
        # igraph draws the order it visits vertices in from its generator: one of our own,
        # seeded (igraph's call holds the GIL, so no other thread draws from it meanwhile).
        ig.set_random_number_generator(random.Random(seed))
        try:
            membership = indexed.graph.community_leiden(
                objective_function="modularity", weights=weights, n_iterations=iterations
            ).membership
        finally:
            ig.set_random_number_generator(random)
    found: dict[int, set[Hashable]] = {}
    for position, cluster in enumerate(membership):
        found.setdefault(cluster, set()).add(indexed.nodes[position])
    return sorted(found.values(), key=lambda members: (-len(members), min(members)))  # type: ignore[type-var]


def modularity(network: nx.Graph, parts: list[set[Hashable]], weight: str = "weight") -> float:
    """The weighted modularity of a partition (to compare two partitions of one network)."""
    return float(nx.community.modularity(network, parts, weight=weight))


__all__ = [
    "LEIDEN_ITERATIONS", "SEED", "Indexed", "Started", "betweenness", "communities", "modularity", "start_betweenness",
]  # fmt: skip
