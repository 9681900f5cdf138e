"""Network analytics: central state actors, communities, brokers between them.

The network (made once per load and scope from the graph's links) is held as igraph holds it,
and its measures are computed by igraph in C (queries/graphalgo.py): betweenness with networkx's
own numbers, communities by Leiden. At 100k entities networkx's Louvain took 76 s, its sampled
betweenness 18 s, and building the networkx graph itself 2-3 s."""

from __future__ import annotations

import heapq
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np

from ...graph.scope import View
from .. import graphalgo
from . import EDGES_BY_ANCHOR, Rows, cached, holds, procedure
from .network import Link, anchored, read_entities, read_links

# -- analytics -----------------------------------------------------------------------------

STATE_KINDS = (
    "Official", "Court", "ProsecutorOffice", "Police", "SecurityService", "Ministry",
    "DetentionFacility", "Hospital", "Akimat", "Government", "Investigator",
)  # fmt: skip
# Acts and ties, from the graph's links (queries/procedures/network.py): never an act whose text
# names no agent, nor a possible duplicate, nor a place or a part. Inferred acts come too: the
# network counts them only when asked (include_inferred).
NOT_IN_NETWORK = frozenset({"LOCATED_IN", "PART_OF", "CONCERNS", "POSSIBLY_SAME_AS"})
# The evidence of the edges a ranking shows, read for those only.
SOURCES_CYPHER = EDGES_BY_ANCHOR + "RETURN e.id AS edge, e.sources AS sources"


# Betweenness is exact (every node a source) while that work, nodes x (nodes + edges), stays
# within BETWEENNESS_WORK: the bundled data (about 550 nodes and 1,000 edges) is exact in
# milliseconds. Beyond it, estimated from sampled sources: at most BETWEENNESS_SAMPLES, fewer on
# large graphs so that sources x (nodes + edges) stays within the same work, never fewer than the
# floor (100k entities: 50 sources, seconds in igraph).
BETWEENNESS_SAMPLES = 300
BETWEENNESS_WORK = 20_000_000
BETWEENNESS_FLOOR = 30


def betweenness_samples(nodes: int, edges: int) -> int | None:
    """How many sources to sample for betweenness (None: all of them, exact)."""
    if nodes * (nodes + edges) <= BETWEENNESS_WORK:
        return None
    budget = max(BETWEENNESS_FLOOR, min(BETWEENNESS_SAMPLES, BETWEENNESS_WORK // max(nodes + edges, 1)))
    return None if nodes <= budget else budget


# From this many edges, betweenness asked for with the communities (brokers) is computed in a
# process of its own while Leiden runs (queries/apart.py): at 100k entities (300k edges) each
# takes about 2 s; starting the process takes about 0.2 s, more than the bundled data's takes.
APART_EDGES = 20_000


def _betweenness(indexed: graphalgo.Indexed, apart: bool = False) -> graphalgo.Started:
    """Betweenness centrality, exact on small graphs and estimated from sampled sources
    (fixed seed) on large ones: networkx's numbers, computed by igraph (seconds at 100k).
    Started (graphalgo.start_betweenness): call what it returns for the scores."""
    samples = betweenness_samples(len(indexed.nodes), indexed.graph.ecount())
    return graphalgo.start_betweenness(indexed, samples, apart=apart)


@dataclass(frozen=True)
class Network:
    """The persecution network, undirected: an edge for each pair of entities joined by acts or
    ties, standing for those links (its weight: how many). ``nodes``: each entity's name,
    labels, whether it is unnamed and how many of its acts are inferred, in the order they were
    added; ``neighbours``: each one's, in the order their edges were added (a loop once);
    ``loops``: the entities linked to themselves; ``indexed``: the same graph in igraph, with
    its vertices and edges in the order networkx would give them (the measures' fixed seeds
    then give networkx's numbers)."""

    nodes: dict[str, dict[str, Any]]
    neighbours: dict[str, list[str]]
    links: dict[tuple[str, str], list[Link]]  # by the pair's ids, the smaller first
    loops: frozenset[str]
    indexed: graphalgo.Indexed

    def between(self, a: str, b: str) -> list[Link]:
        """The links an edge stands for, in the order they were added."""
        return self.links[(a, b) if a <= b else (b, a)]

    def degree(self, node: str, among: set[str] | None = None) -> int:
        """Edges at a node (a loop counts twice, as networkx counts it), or only those to ``among``."""
        near = self.neighbours[node]
        count = len(near) if among is None else sum(1 for other in near if other in among)
        return count + (node in self.loops and (among is None or node in among))

    def to_networkx(self) -> nx.Graph:
        """The same network as a networkx graph (to compare with networkx's own measures)."""
        network = nx.Graph()
        network.add_nodes_from(self.nodes.items())
        network.add_edges_from((a, b, {"weight": len(kept), "links": kept}) for (a, b), kept in self.links.items())
        return network


def read_network(view: View, include_inferred: bool = False) -> Network:
    """The persecution network (cached until the next load): see _read_network."""

    def compute() -> Network:
        return _read_network(view, include_inferred)

    return cached(view, _scoped("network", include_inferred), compute)  # type: ignore[no-any-return]


def _scoped(what: str, include_inferred: bool) -> str:
    """The cache key of an analytic on stated acts only, or on inferred ones too."""
    return f"{what}+inferred" if include_inferred else what


def _read_network(view: View, include_inferred: bool = False) -> Network:
    """The persecution network, undirected and weighted: people, institutions,
    events and articles joined by acts and ties (not by places), each edge keeping the links it
    stands for (their evidence is read for what a ranking shows: ``evidence``). An act
    attributed by inference joins it only with ``include_inferred``; either way it is counted
    on both ends as ``inferred`` (shown apart in the rankings)."""
    return view.in_one_generation(lambda: _network(view, include_inferred))


def _network(view: View, include_inferred: bool) -> Network:
    links = read_links(view)
    shown = {row["id"]: row for row in read_entities(view)}
    no_one = links.no_one
    chosen = [
        link for link in links.every
        if link[1] not in NOT_IN_NETWORK and link[0] not in no_one and link[2] not in no_one
    ]  # fmt: skip
    # In id order (source, target, edge id): the sampled betweenness and the communities (fixed
    # seeds) depend on the order nodes and edges were added, which must not be the engine's.
    chosen.sort(key=itemgetter(0, 2, 3))
    # Acts attributed by inference count on both ends, in the network or not.
    by_inference = [link for link in chosen if link[3] in links.inferred]
    inferred = Counter(end for link in by_inference for end in (link[0], link[2]))
    used = chosen
    if by_inference and not include_inferred:
        used = [link for link in chosen if link[3] not in links.inferred]
    nodes: dict[str, dict[str, Any]] = {}
    for end in dict.fromkeys(itertools.chain.from_iterable((link[0], link[2]) for link in used)):
        row = shown[end]
        nodes[end] = {"name": row["name"], "labels": view.sorted_labels(row["labels"]), "unnamed": row["unnamed"]}
    edges: dict[tuple[str, str], list[Link]] = {}
    for link in used:
        a, b = link[0], link[2]
        pair = (a, b) if a <= b else (b, a)
        kept = edges.get(pair)
        if kept is None:
            edges[pair] = [link]
        else:
            kept.append(link)
    # Each node's neighbours in the order its edges were added.
    neighbours: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        neighbours[a].append(b)
        if a != b:
            neighbours[b].append(a)
    for node, count in inferred.items():
        if node in nodes:
            nodes[node]["inferred"] = count
    return Network(nodes, dict(neighbours), edges, frozenset(a for a, b in edges if a == b), _igraph(nodes, edges))


def _igraph(nodes: dict[str, Any], edges: dict[tuple[str, str], list[Link]]) -> graphalgo.Indexed:
    """The network in igraph, vertices in the order nodes were added and edges in the order
    networkx's ``edges()`` gives them: each node's, in the order they were added, to a node not
    yet passed; that is, by the earlier of its two ends, then by when the edge was added (the
    order of ``edges``). An edge weighs as many links as it stands for."""
    index = {node: position for position, node in enumerate(nodes)}
    ends = np.array([index[end] for pair in edges for end in pair], dtype=np.int64).reshape(-1, 2)
    ends.sort(axis=1)  # (earlier, later), as networkx gives them
    order = np.argsort(ends[:, 0], kind="stable")
    ends = ends[order]
    graph = ig.Graph(n=len(index), edges=ends.tolist(), directed=False)
    weights = np.array([len(kept) for kept in edges.values()], dtype=np.int64)
    graph.es["weight"] = weights[order].tolist()
    return graphalgo.Indexed(list(nodes), graph, ends)


def _is_state(data: dict[str, Any]) -> bool:
    return not data["unnamed"] and any(label in STATE_KINDS for label in data["labels"])


def evidence(view: View, network: Network, nodes: list[str], limit: int = 20) -> dict[str, list[Any]]:
    """Each node's evidence: the distinct references of its edges in the network, by neighbour
    id and then in link order, at most ``limit``. Read for these nodes only, a few edges each
    (a hub has thousands): the next ones only while a node has fewer than ``limit``."""
    links = read_links(view)
    queues = {
        node: [link for other in sorted(network.neighbours[node]) for link in network.between(node, other)]
        for node in nodes
    }
    read: dict[str | None, list[Any]] = {}
    found: dict[str, list[Any]] = {node: [] for node in nodes}
    at = dict.fromkeys(nodes, 0)
    while True:
        asked = {}
        for node in nodes:
            if len(found[node]) < limit:
                for link in queues[node][at[node] : at[node] + limit]:
                    if link[3] not in read:
                        asked[link[3]] = link
        if not asked:
            break
        for row in view.read(SOURCES_CYPHER, steps=[anchored(links, link) for link in asked.values()]):
            read[row["edge"]] = row["sources"] or []
        for edge in asked:
            read.setdefault(edge, [])  # gone from view since the network was read: no evidence
        for node in nodes:
            queue, refs = queues[node], found[node]
            while len(refs) < limit and at[node] < len(queue) and queue[at[node]][3] in read:
                for ref in read[queue[at[node]][3]]:
                    if ref not in refs:
                        refs.append(ref)
                at[node] += 1
            del refs[limit:]
    return found


def _communities(indexed: graphalgo.Indexed) -> list[set[str]]:
    """Communities by modularity (igraph's Leiden, fixed seed), largest first, then by their
    smallest member id."""
    # Apart on a large network: Leiden holds Python's lock throughout (42 s at 1M entities).
    return graphalgo.communities(indexed, apart=indexed.graph.ecount() >= APART_EDGES)  # type: ignore[return-value]


def _measured(view: View, network: Network, what: str, include_inferred: bool) -> Any:
    """A measure of the network (``betweenness`` or ``communities``), kept until the next load."""
    if what == "betweenness":
        return cached(view, _scoped(what, include_inferred), lambda: _betweenness(network.indexed)())
    return cached(view, _scoped(what, include_inferred), lambda: _communities(network.indexed))


def _both_measured(view: View, network: Network, include_inferred: bool) -> tuple[list[set[str]], dict[str, float]]:
    """The communities and the betweenness of the network, kept until the next load. On a
    large network not yet measured, betweenness is computed in a process of its own while
    Leiden runs here: the two take about as long, and two cores do both at once."""
    key = _scoped("betweenness", include_inferred)
    started = None
    if network.indexed.graph.ecount() >= APART_EDGES and not holds(view, key):
        started = _betweenness(network.indexed, apart=True)
    try:
        found = _measured(view, network, "communities", include_inferred)
        if started is not None:
            betweenness = cached(view, key, started)
        else:
            betweenness = _measured(view, network, "betweenness", include_inferred)
    finally:
        if started is not None:  # its process ends with the call, whatever happened
            started.close()
    return found, betweenness


@procedure("centrality")
def centrality(view: View, params: dict[str, Any]) -> Rows:
    scope = params["include_inferred"]
    network = read_network(view, scope)
    if not network.nodes:
        return []
    betweenness = _measured(view, network, "betweenness", scope)
    rows = [
        {
            "id": node,
            "name": data["name"],
            "labels": data["labels"],
            "degree": network.degree(node),
            "betweenness": round(betweenness[node], 4),
            "people": sum(1 for other in network.neighbours[node] if network.nodes[other]["labels"][0] == "Person"),
            "inferred": data.get("inferred", 0),
        }
        for node, data in network.nodes.items()
        if _is_state(data)
    ]
    rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["id"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return _with_evidence(view, network, rows[: params["limit"]])


def _with_evidence(view: View, network: Network, rows: Rows) -> Rows:
    """Ranked rows of nodes (``id``) with each node's evidence, read for these rows only."""
    found = evidence(view, network, [row["id"] for row in rows])
    for row in rows:
        row["sources"] = found[row["id"]]
    return rows


@procedure("communities")
def communities(view: View, params: dict[str, Any]) -> Rows:
    scope = params["include_inferred"]
    network = read_network(view, scope)
    rows = []
    found = _measured(view, network, "communities", scope)
    shown: list[list[str]] = []  # the three most linked members of each community listed
    for number, members in enumerate(found, 1):
        if len(members) < params["min_size"]:
            continue
        ranked = sorted(members, key=lambda n: (-network.degree(n, among=members), n))
        shown.append(ranked[:3])
        rows.append(
            {
                "community": number,
                "size": len(members),
                "central": [network.nodes[n]["name"] for n in ranked[:5]],
                "state_actors": [network.nodes[n]["name"] for n in ranked if _is_state(network.nodes[n])][:10],
                "member_ids": sorted(members),
            }
        )
    refs = evidence(view, network, sorted({n for three in shown for n in three}), 5)
    for row, three in zip(rows, shown, strict=True):
        row["sources"] = [ref for n in three for ref in refs[n]]
    return rows


@procedure("brokers")
def brokers(view: View, params: dict[str, Any]) -> Rows:
    scope = params["include_inferred"]
    network = read_network(view, scope)
    found, betweenness = _both_measured(view, network, scope)
    if not found:
        return []
    nodes = list(network.nodes)  # the vertices, in order
    position = {node: index for index, node in enumerate(nodes)}
    membership = _membership(position, found)
    touched = _communities_touched(network.indexed, membership, len(found))
    ranked = []
    for index in np.flatnonzero(touched >= 2).tolist():
        node = nodes[index]
        if not network.nodes[node]["unnamed"]:
            ranked.append((-int(touched[index]), -round(betweenness[node], 4), node))
    rows = []  # most communities, then highest betweenness, then id
    for _, _, node in heapq.nsmallest(params["limit"], ranked):
        data = network.nodes[node]
        bridged = {int(membership[position[other]]) for other in [node, *network.neighbours[node]]}
        rows.append(
            {
                "id": node,
                "name": data["name"],
                "labels": data["labels"],
                "communities": sorted(bridged),
                "betweenness": round(betweenness[node], 4),
                "inferred": data.get("inferred", 0),
            }
        )
    return _with_evidence(view, network, rows)


def _membership(position: dict[str, int], found: list[set[str]]) -> Any:
    """Each vertex's community, numbered from 1 in the order found (an array by vertex)."""
    membership = np.zeros(len(position), dtype=np.int64)
    for number, members in enumerate(found, 1):
        membership[[position[member] for member in members]] = number
    return membership


def _communities_touched(indexed: graphalgo.Indexed, membership: Any, count: int) -> Any:
    """How many communities each vertex touches: its own and its neighbours' (an array by
    vertex). Each (vertex, community) pair is counted once; at 100k entities a set a node in
    Python took 1.3 s of brokers' first call."""
    ends = indexed.ends
    vertices = np.arange(len(membership), dtype=np.int64)
    span = count + 1
    pairs = np.concatenate(
        [
            vertices * span + membership,
            ends[:, 0] * span + membership[ends[:, 1]],
            ends[:, 1] * span + membership[ends[:, 0]],
        ]
    )
    pairs.sort()  # then each pair once (np.unique hashed them: 0.4 s at 100k entities)
    distinct = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])]
    return np.bincount(distinct // span, minlength=len(membership))
