"""Network analytics: central state actors, communities, brokers between them.

The network is a networkx graph (read once per load and scope); its measures are computed by
igraph in C (queries/graphalgo.py): betweenness with networkx's own numbers, communities by
Leiden. At 100k entities networkx's Louvain took 76 s and its sampled betweenness 18 s."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from ...graph.model import ENTITY_LABEL
from ...graph.scope import View
from .. import graphalgo
from . import NOT_STATED, Rows, cached, procedure

# -- analytics -----------------------------------------------------------------------------

STATE_KINDS = (
    "Official", "Court", "ProsecutorOffice", "Police", "SecurityService", "Ministry",
    "DetentionFacility", "Hospital", "Akimat", "Government", "Investigator",
)  # fmt: skip
# Acts and ties; never an act whose text names no agent, nor a possible duplicate. Inferred
# acts come too: the network counts them only when asked (include_inferred).
NETWORK_CYPHER = f"""
MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL})
WHERE NOT type(e) IN ['LOCATED_IN', 'PART_OF', 'CONCERNS', 'POSSIBLY_SAME_AS']
  AND NOT b:{NOT_STATED} AND NOT a:{NOT_STATED}
  AND VISIBLE(e)
RETURN a.id AS a, a.name AS a_name, labels(a) AS a_labels, coalesce(a.unnamed, false) AS a_unnamed,
       b.id AS b, b.name AS b_name, labels(b) AS b_labels, coalesce(b.unnamed, false) AS b_unnamed,
       e.attribution = 'inferred' AS inferred, e.sources AS sources, e.id AS edge
"""


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


def _betweenness(network: nx.Graph | graphalgo.Indexed) -> dict[str, float]:
    """Betweenness centrality, exact on small graphs and estimated from sampled sources
    (fixed seed) on large ones: networkx's numbers, computed by igraph (seconds at 100k)."""
    indexed = graphalgo.Indexed.of(network) if isinstance(network, nx.Graph) else network
    samples = betweenness_samples(len(indexed.nodes), indexed.graph.ecount())
    return graphalgo.betweenness(indexed, samples)  # type: ignore[return-value]


def read_network(view: View, include_inferred: bool = False) -> nx.Graph:
    """The persecution network (cached until the next load): see _read_network."""

    def compute() -> nx.Graph:
        return _read_network(view, include_inferred)

    return cached(view, _scoped("network", include_inferred), compute)  # type: ignore[no-any-return]


def _scoped(what: str, include_inferred: bool) -> str:
    """The cache key of an analytic on stated acts only, or on inferred ones too."""
    return f"{what}+inferred" if include_inferred else what


def _read_network(view: View, include_inferred: bool = False) -> nx.Graph:
    """The persecution network as an undirected weighted networkx graph: people, institutions,
    events and articles joined by acts and ties (not by places), each edge's evidence kept.
    An act attributed by inference joins it only with ``include_inferred``; either way it is
    counted on both ends as ``inferred`` (shown apart in the rankings)."""
    network = nx.Graph()
    inferred: dict[str, int] = defaultdict(int)
    # In id order: the sampled betweenness and Louvain (fixed seeds) depend on the order nodes
    # and edges were added, which must not be the engine's row order.
    rows = view.read(NETWORK_CYPHER)
    for row in sorted(rows, key=lambda r: (r["a"], r["b"], r["edge"] or "")):
        if row["inferred"]:
            inferred[row["a"]] += 1
            inferred[row["b"]] += 1
            if not include_inferred:
                continue
        for end in ("a", "b"):
            network.add_node(
                row[end],
                name=row[f"{end}_name"],
                labels=view.sorted_labels(row[f"{end}_labels"]),
                unnamed=row[f"{end}_unnamed"],
            )
        if network.has_edge(row["a"], row["b"]):
            network[row["a"]][row["b"]]["weight"] += 1
            network[row["a"]][row["b"]]["sources"].extend(row["sources"] or [])
        else:
            network.add_edge(row["a"], row["b"], weight=1, sources=list(row["sources"] or []))
    for node, count in inferred.items():
        if node in network:
            network.nodes[node]["inferred"] = count
    return network


def _is_state(data: dict[str, Any]) -> bool:
    return not data["unnamed"] and any(label in STATE_KINDS for label in data["labels"])


def _evidence(network: nx.Graph, node: str, limit: int = 20) -> list[Any]:
    refs: list[Any] = []
    for _, _, data in sorted(network.edges(node, data=True), key=lambda e: (e[0], e[1])):
        for ref in data["sources"]:
            if ref not in refs:
                refs.append(ref)
    return refs[:limit]


def _indexed(view: View, network: nx.Graph, include_inferred: bool) -> graphalgo.Indexed:
    """The network as igraph holds it, converted once per load and scope for both measures."""
    return cached(view, _scoped("indexed", include_inferred), lambda: graphalgo.Indexed.of(network))  # type: ignore[no-any-return]


def _communities(network: nx.Graph | graphalgo.Indexed) -> list[set[str]]:
    """Communities by modularity (igraph's Leiden, fixed seed), largest first, then by their
    smallest member id."""
    return graphalgo.communities(network)  # type: ignore[return-value]


@procedure("centrality")
def centrality(view: View, params: dict[str, Any]) -> Rows:
    scope = params["include_inferred"]
    network = read_network(view, scope)
    if network.number_of_nodes() == 0:
        return []
    betweenness = cached(view, _scoped("betweenness", scope), lambda: _betweenness(_indexed(view, network, scope)))

    rows = [
        {
            "id": node,
            "name": data["name"],
            "labels": data["labels"],
            "degree": network.degree(node),
            "betweenness": round(betweenness[node], 4),
            "people": sum(1 for other in network.neighbors(node) if network.nodes[other]["labels"][0] == "Person"),
            "inferred": data.get("inferred", 0),
            "sources": _evidence(network, node),
        }
        for node, data in network.nodes(data=True)
        if _is_state(data)
    ]
    rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["id"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows[: params["limit"]]


@procedure("communities")
def communities(view: View, params: dict[str, Any]) -> Rows:
    scope = params["include_inferred"]
    network = read_network(view, scope)
    rows = []
    found = cached(view, _scoped("communities", scope), lambda: _communities(_indexed(view, network, scope)))
    for number, members in enumerate(found, 1):
        if len(members) < params["min_size"]:
            continue
        sub = network.subgraph(members)
        ranked = sorted(members, key=lambda n: (-sub.degree(n), n))
        rows.append(
            {
                "community": number,
                "size": len(members),
                "central": [network.nodes[n]["name"] for n in ranked[:5]],
                "state_actors": [network.nodes[n]["name"] for n in ranked if _is_state(network.nodes[n])][:10],
                "member_ids": sorted(members),
                "sources": [ref for n in ranked[:3] for ref in _evidence(network, n, 5)],
            }
        )
    return rows


@procedure("brokers")
def brokers(view: View, params: dict[str, Any]) -> Rows:
    scope = params["include_inferred"]
    network = read_network(view, scope)
    found = cached(view, _scoped("communities", scope), lambda: _communities(_indexed(view, network, scope)))
    membership = {n: i for i, members in enumerate(found, 1) for n in members}
    if not membership:
        return []
    betweenness = cached(view, _scoped("betweenness", scope), lambda: _betweenness(_indexed(view, network, scope)))
    rows = []
    for node, data in network.nodes(data=True):
        bridged = sorted({membership[other] for other in network.neighbors(node)} | {membership[node]})
        if len(bridged) < 2 or data["unnamed"]:
            continue
        rows.append(
            {
                "id": node,
                "name": data["name"],
                "labels": data["labels"],
                "communities": bridged,
                "betweenness": round(betweenness[node], 4),
                "inferred": data.get("inferred", 0),
                "sources": _evidence(network, node),
            }
        )
    rows.sort(key=lambda r: (-len(r["communities"]), -r["betweenness"], r["id"]))
    return rows[: params["limit"]]
