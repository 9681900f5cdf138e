"""`persecution-graph bench`: load and query speed at a scale, next to what the engine can do.

In one run, on an embedded database of its own (a temporary folder, stopped afterwards):
- load: synthetic YAML -> validate -> one-transaction replace, end to end (records per second),
  timed on a warmed-up database from an empty graph, like the raw ceiling;
- raw ceiling: the same nodes and edges, encoded beforehand, written by the store's own UNWIND
  batches of 10,000 (edges between nodes found by element id, the fastest way known on this
  engine), no validation and no mapping;
- naive: one MERGE per record, each in its own transaction (on a sample of the records, since
  at scale it would take hours; the rate is what matters);
- every named query, p50 and p95 over repeated runs with parameters drawn from the data, and
  the first call after the load apart (whole-graph answers are kept until the next load);
- peak memory (RSS) of this process during the load, and of the database server;
- the HTTP API under 8 concurrent clients (search, entity, ego-network) for 15 s.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

NAIVE_SAMPLE = 2000
SLOW_QUERY_BUDGET_MS = 20_000
API_LOAD_SECONDS = 15.0


def _as_stored(properties: dict[str, Any]) -> dict[str, Any]:
    return properties


def _ignore(_: int) -> None:
    pass


def machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _server_peak_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _pct(values: list[float], q: int) -> float:
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 2)


def _params_for(query: Any, ids: dict[str, list[str]], rng: random.Random) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for parameter in query.parameters:
        if parameter.name in ("id", "from"):
            pool = ids["Official"] if query.name == "official-footprint" else ids["Person"]
            params[parameter.name] = rng.choice(pool)
        elif parameter.name == "to":
            params[parameter.name] = rng.choice(ids["Person"])
    return params


def run(
    scale: int,
    repeats: int = 20,
    seed: int = 1,
    keep: Path | None = None,
    on_stage: Callable[[dict[str, Any]], None] | None = None,
    api_seconds: float = API_LOAD_SECONDS,
) -> dict[str, Any]:
    """The figures at one scale. ``on_stage`` gets the figures so far after each stage (with
    ``stage`` naming the last one done), so a run stopped by a time limit still says how far
    it got and what it measured."""
    from persecution_graph.graph import embedded
    from persecution_graph.graph.encoding import encode
    from persecution_graph.graph.model import ENTITY_LABEL
    from persecution_graph.graph.settings import Settings
    from persecution_graph.graph.store import connect
    from persecution_graph.loaders.synthetic import write_corpus
    from persecution_graph.loaders.validate import validate
    from persecution_graph.queries.catalogue import load_catalogue

    work = Path(keep or tempfile.mkdtemp(prefix="pg-bench-"))
    corpus, data_dir = work / "corpus", work / "db"
    result: dict[str, Any] = {
        "scale": scale,
        "machine": machine(),
    }
    run_began = time.perf_counter()

    def stage(name: str) -> None:
        result["stage"] = name
        result["elapsed_s"] = round(time.perf_counter() - run_began, 1)
        result["rss_mb"] = round(_rss_mb(), 1)
        if on_stage is not None:
            on_stage(result)

    began = time.perf_counter()
    write_corpus(corpus, scale, seed)
    result["generate_s"] = round(time.perf_counter() - began, 2)
    stage("generated")
    info = embedded.start(data_dir, ephemeral=True)
    graph = connect(Settings(data_dir=data_dir), info)
    try:
        graph.ensure_schema()  # a database in use has its schema; the first creation is not a load cost
        began = time.perf_counter()
        validated = validate(corpus)
        if not validated.ok:
            raise RuntimeError(f"synthetic corpus invalid: {validated.problems[:3]}")
        validated_s = time.perf_counter() - began
        result["validate_s"] = round(validated_s, 2)
        dataset = validated.dataset
        result.update(records=len(dataset), nodes=len(dataset.nodes), edges=len(dataset.edges))
        stage("validated")
        # Warm the database (a fresh JVM is slow for its first writes), then measure from empty.
        graph.replace(dataset)
        graph.write(f"MATCH (n:{ENTITY_LABEL}) DETACH DELETE n")
        gc.collect()
        rss_before = _rss_mb()
        began = time.perf_counter()
        graph.replace(dataset)
        write_s = time.perf_counter() - began
        load_s = validated_s + write_s
        records = len(dataset)
        result.update(
            records=records,
            nodes=len(dataset.nodes),
            edges=len(dataset.edges),
            load_s=round(load_s, 2),
            validate_s=round(validated_s, 2),
            write_s=round(write_s, 2),
            load_records_per_s=round(records / load_s),
            peak_rss_mb=round(_rss_mb(), 1),
            rss_before_load_mb=round(rss_before, 1),
        )
        stage("loaded")

        # The raw ceiling: the same rows, encoded beforehand, written by the store's own
        # statements (UNWIND batches, edges between nodes found by element id, the fastest way
        # known on this engine) in one transaction, with no validation or mapping.
        by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for node in dataset.nodes.values():
            by_labels[tuple(node.labels)].append(encode(node.properties))
        by_type: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
        for edge in dataset.edges:
            by_type[edge.type].append((edge.source, edge.target, encode(edge.properties)))
        graph.write(f"MATCH (n:{ENTITY_LABEL}) DETACH DELETE n")
        began = time.perf_counter()
        with graph.driver.session(database=graph.database) as session, session.begin_transaction() as tx:
            element_ids = graph._create_nodes(tx, by_labels, _as_stored, _ignore)
            graph._create_edges(tx, by_type, element_ids, _as_stored, _ignore)
            tx.commit()
        raw_s = time.perf_counter() - began
        result["raw_ceiling_records_per_s"] = round(records / raw_s)
        stage("raw ceiling")

        # The naive way: one MERGE per record in its own transaction, on a sample.
        graph.write(f"MATCH (n:{ENTITY_LABEL}) DETACH DELETE n")
        nodes = list(dataset.nodes.values())[: NAIVE_SAMPLE // 2]
        present = {n.id for n in nodes}
        edges = [e for e in dataset.edges if e.source in present and e.target in present][: NAIVE_SAMPLE // 2]
        began = time.perf_counter()
        for node in nodes:
            graph.write(
                f"MERGE (n:{ENTITY_LABEL}:{node.labels[0]} {{id: $id}}) SET n += $props",
                id=node.id,
                props=encode(node.properties),
            )
        for edge in edges:
            graph.write(
                f"MATCH (a:{ENTITY_LABEL} {{id: $source}}) MATCH (b:{ENTITY_LABEL} {{id: $target}}) "
                f"MERGE (a)-[e:{edge.type} {{id: $id}}]->(b) SET e += $props",
                source=edge.source,
                target=edge.target,
                id=edge.id,
                props=encode(edge.properties),
            )
        naive_s = time.perf_counter() - began
        result["naive_sample"] = len(nodes) + len(edges)
        result["naive_records_per_s"] = round((len(nodes) + len(edges)) / naive_s, 1)
        stage("naive")

        # Queries on the full graph again.
        graph.replace(dataset)
        rng = random.Random(seed)
        ids: dict[str, list[str]] = {
            "Person": [n.id for n in dataset.nodes.values() if "Activist" in n.labels or "Relative" in n.labels][:500],
            "Official": [n.id for n in dataset.nodes.values() if "Official" in n.labels][:200],
        }
        p50: dict[str, float] = {}
        p95: dict[str, float] = {}
        first: dict[str, float] = {}
        for name, query in load_catalogue().items():
            times: list[float] = []
            runs = max(3, repeats // 5) if query.procedure in ("centrality", "communities", "brokers") else repeats
            for _ in range(runs):
                params = _params_for(query, ids, rng)
                began = time.perf_counter()
                query.run(graph, params, public_only=True)
                times.append((time.perf_counter() - began) * 1000)
                if len(times) == 1:
                    first[name] = round(times[0], 2)
                if len(times) >= 3 and sum(times) > SLOW_QUERY_BUDGET_MS:
                    break  # a slow query: three runs say enough, and the scale must finish

            repeated = times[1:] or times  # the first call is reported apart
            p50[name], p95[name] = _pct(repeated, 50), _pct(repeated, 95)
        result["query_p50_ms"] = p50
        result["query_p95_ms"] = p95
        # The first call after the load: whole-graph answers (queries/cache.py) are computed
        # then and kept until the next load; the analytics share one network and its measures,
        # so the first of them to run pays for all.
        result["query_first_ms"] = first
        result["whole_graph_queries"] = sorted(n for n, q in load_catalogue().items() if q.whole_graph)
        stage("queries")
        from persecution_graph.queries.search import search

        began = time.perf_counter()
        search(graph, "warm", public_only=True)  # what `serve` does in the background at start
        result["search_index_s"] = round(time.perf_counter() - began, 2)
        from .loadtest import load_test

        result["api_load"] = load_test(graph, clients=8, seconds=api_seconds)
        result["server_peak_rss_mb"] = _server_peak_mb(info.pid)
        stage("api load")
    finally:
        graph.driver.close()
        embedded.stop(data_dir)
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    result["stage"] = "done"
    result["targets"] = {
        "load_at_least_half_raw": result["load_records_per_s"] >= 0.5 * result["raw_ceiling_records_per_s"],
        "load_at_least_10x_naive": result["load_records_per_s"] >= 10 * result["naive_records_per_s"],
        "queries_p95_at_most_50ms": {k: v <= 50 for k, v in result["query_p95_ms"].items()},
    }
    return result


def report_text(result: dict[str, Any]) -> str:
    from persecution_graph.graph.store import BATCH_SIZE

    lines = [
        f"scale {result['scale']}: {result['nodes']} nodes, {result['edges']} edges ({result['machine']})",
        f"load end to end   {result['load_records_per_s']:>10} records/s  ({result['load_s']} s, of which validation "
        f"{result['validate_s']} s)",
        f"raw ceiling       {result['raw_ceiling_records_per_s']:>10} records/s  (no validation, UNWIND {BATCH_SIZE})",
        f"naive MERGE       {result['naive_records_per_s']:>10} records/s  (one transaction each, "
        f"{result['naive_sample']} records)",
        f"peak RSS          {result['peak_rss_mb']:>10} MB (loader)   "
        f"{result['server_peak_rss_mb']} MB (database server)",
        "query                         p50 ms    p95 ms  first call ms",
    ]
    for name in result["query_p95_ms"]:
        lines.append(
            f"  {name:<26} {result['query_p50_ms'][name]:>8} {result['query_p95_ms'][name]:>9} "
            f"{result['query_first_ms'][name]:>13}"
        )
    api = result["api_load"]
    lines.append(f"search index built in {result.get('search_index_s')} s")
    lines.append(
        f"API, {api['clients']} clients for {api['seconds']} s: {api['throughput_rps']} requests/s, "
        f"{api['errors']} errors"
    )
    for route, figures in api["by_route"].items():
        lines.append(f"  {route:<26} p50 {figures['p50_ms']:>8} ms  p99 {figures['p99_ms']:>8} ms")
    return "\n".join(lines) + "\n"


def write_json(result: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
