"""The whole-graph analytics, networkx against queries/graphalgo.py: error on the bundled data,
time at a scale. Prints Markdown for docs/BENCHMARKS.md ("Analytics").

    .venv/bin/python tools/analytics.py                   # the bundled data only
    .venv/bin/python tools/analytics.py --scale 100000    # and the synthetic network at 100k

The network is the one the analytics read (queries/procedures/analytics.py: read from the
database, stated acts, for a public reader and for every reader), on an embedded database of
its own. Errors are against exact betweenness (every source); "networkx" is what the catalogue
ran before igraph (sampled betweenness, Louvain), "graphalgo" what it runs (queries/graphalgo.py:
the same betweenness computed by igraph, Leiden communities).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _timed(work: Callable[[], Any]) -> tuple[Any, float]:
    began = time.perf_counter()
    found = work()
    return found, time.perf_counter() - began


def _ranks(scores: dict[Hashable, float]) -> dict[Hashable, int]:
    return {node: rank for rank, node in enumerate(sorted(scores, key=lambda n: (-scores[n], str(n))), 1)}


def betweenness_error(network: Any, samples: int | None) -> dict[str, Any]:
    """Sampled against exact betweenness: the largest and mean absolute error, and how many of
    the exact top 20 the sample also ranks in its top 20."""
    from persecution_graph.queries import graphalgo

    exact = graphalgo.betweenness(network)
    estimate = graphalgo.betweenness(network, samples)
    errors = [abs(estimate[n] - exact[n]) for n in exact]
    top = set(list(_ranks(exact))[:20])
    return {
        "samples": samples or "all",
        "max_abs_error": max(errors, default=0.0),
        "mean_abs_error": statistics.fmean(errors) if errors else 0.0,
        "largest_exact": max(exact.values(), default=0.0),
        "top20_kept": len(top & set(list(_ranks(estimate))[:20])),
    }


def community_agreement(network: Any) -> dict[str, Any]:
    """networkx's Louvain (as the catalogue ran it) against graphalgo's Leiden (as it runs now)."""
    import igraph as ig
    import networkx as nx
    from persecution_graph.queries import graphalgo

    theirs = nx.community.louvain_communities(network, weight="weight", seed=7)
    ours = graphalgo.communities(network)
    order = list(network)

    def membership(parts: list[set[Hashable]]) -> list[int]:
        where = {node: i for i, members in enumerate(parts) for node in members}
        return [where[node] for node in order]

    return {
        "louvain_communities": len(theirs),
        "leiden_communities": len(ours),
        "louvain_modularity": graphalgo.modularity(network, theirs),
        "leiden_modularity": graphalgo.modularity(network, ours),
        "nmi": ig.compare_communities(membership(theirs), membership(ours), method="nmi"),
        "same_partition": sorted(map(sorted, theirs)) == sorted(map(sorted, ours)),
    }


def bundled(graph: Any) -> list[str]:
    """Error of every approximation on the bundled data, for each scope the catalogue serves."""
    from persecution_graph.graph.scope import Scope
    from persecution_graph.loaders.load import load
    from persecution_graph.queries.procedures.analytics import betweenness_samples, read_network

    assert load(graph, ROOT / "seed_data").ok
    lines = [
        "| scope | nodes | edges | betweenness samples | max abs error | mean abs error | largest exact | "
        "exact top 20 kept | Louvain / Leiden communities | modularity Louvain / Leiden | NMI |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for public in (True, False):
        for inferred in (False, True):
            network = read_network(graph.view(Scope.PUBLIC if public else Scope.FULL), inferred).to_networkx()
            n, m = network.number_of_nodes(), network.number_of_edges()
            sampled = betweenness_error(network, betweenness_samples(n, m))
            groups = community_agreement(network)
            scope = f"{'public' if public else 'every reader'}{', with inferred acts' if inferred else ''}"
            lines.append(
                f"| {scope} | {n} | {m} | {sampled['samples']} | {sampled['max_abs_error']:.4f} | "
                f"{sampled['mean_abs_error']:.5f} | {sampled['largest_exact']:.4f} | {sampled['top20_kept']} / 20 | "
                f"{groups['louvain_communities']} / {groups['leiden_communities']} | "
                f"{groups['louvain_modularity']:.3f} / {groups['leiden_modularity']:.3f} | {groups['nmi']:.3f} |"
            )
    return lines


def at_scale(graph: Any, scale: int, folder: Path) -> list[str]:
    """The first call's work at a scale: reading the network, communities and betweenness, by
    networkx and by graphalgo."""
    import networkx as nx
    from persecution_graph.graph.scope import Scope
    from persecution_graph.loaders.load import load
    from persecution_graph.loaders.synthetic import write_corpus
    from persecution_graph.queries import graphalgo
    from persecution_graph.queries.procedures.analytics import _read_network, betweenness_samples

    write_corpus(folder, scale, 1)
    assert load(graph, folder).ok
    network, read_s = _timed(lambda: _read_network(graph.view(Scope.PUBLIC)).to_networkx())
    n, m = network.number_of_nodes(), network.number_of_edges()
    samples = betweenness_samples(n, m)
    indexed, convert_s = _timed(lambda: graphalgo.Indexed.of(network))
    ours_b, ours_b_s = _timed(lambda: graphalgo.betweenness(indexed, samples))
    ours_c, ours_c_s = _timed(lambda: graphalgo.communities(indexed))
    theirs_c, theirs_c_s = _timed(lambda: nx.community.louvain_communities(network, weight="weight", seed=7))
    theirs_b, theirs_b_s = _timed(lambda: nx.betweenness_centrality(network, k=samples, normalized=True, seed=7))
    same = max(abs(ours_b[k] - theirs_b[k]) for k in theirs_b)
    return [
        f"{scale:,} entities: the public network has {n:,} nodes and {m:,} edges; betweenness from "
        f"{samples} sampled sources (the catalogue's budget).",
        "",
        "| step | networkx s | graphalgo s |",
        "|---|---|---|",
        f"| read the network (Cypher, networkx graph; both) | {read_s:.1f} | {read_s:.1f} |",
        f"| to igraph | - | {convert_s:.1f} |",
        f"| communities | {theirs_c_s:.1f} (Louvain, modularity {graphalgo.modularity(network, theirs_c):.3f}) | "
        f"{ours_c_s:.1f} (Leiden, modularity {graphalgo.modularity(network, ours_c):.3f}) |",
        f"| betweenness, {samples} sources | {theirs_b_s:.1f} | {ours_b_s:.1f} (largest difference {same:.1e}) |",
        f"| first call of brokers, these summed | {read_s + theirs_c_s + theirs_b_s:.1f} | "
        f"{read_s + convert_s + ours_c_s + ours_b_s:.1f} |",
    ]


def main() -> int:
    from persecution_graph.graph import embedded
    from persecution_graph.graph.settings import Settings
    from persecution_graph.graph.store import connect

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=0, help="also time the analytics at this many entities")
    args = parser.parse_args()
    random.seed(7)
    work = Path(tempfile.mkdtemp(prefix="pg-analytics-"))
    try:
        info = embedded.start(work / "db", ephemeral=True)
        graph = connect(Settings(data_dir=work / "db"), info)
        try:
            print("\n".join(bundled(graph)))
            if args.scale:
                print()
                print("\n".join(at_scale(graph, args.scale, work / "corpus")))
        finally:
            graph.driver.close()
            embedded.stop(work / "db")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
