"""`persecution-graph bench` at a small scale: every figure the issue asks for, stage by stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from persecution_graph.bench.run import report_text, run, write_json
from persecution_graph.queries.catalogue import load_catalogue


def test_one_run_measures_load_ceiling_naive_queries_memory_and_api(tmp_path: Path, engine, settings) -> None:  # type: ignore[no-untyped-def]
    """On every engine: a database of its own on the embedded engine, the test server's graph
    (replaced) on Neo4j."""
    stages: list[str] = []

    def on_stage(so_far: dict[str, Any]) -> None:
        stages.append(so_far["stage"])
        write_json(so_far, tmp_path / "partial.json")

    result = run(300, repeats=3, on_stage=on_stage, api_seconds=1.0, server=None if engine.embedded else settings)
    assert result["engine"] == engine.name
    assert stages == ["generated", "validated", "loaded", "raw ceiling", "queries", "api load", "naive"]
    assert json.loads((tmp_path / "partial.json").read_text())["stage"] == "naive"
    assert result["stage"] == "done"
    assert (result["scale"], result["nodes"], result["edges"], result["records"]) == (
        300,
        302,
        938,
        1240,
    )  # and the model's perpetrator-not-stated
    for key in ("load_records_per_s", "raw_ceiling_records_per_s", "naive_records_per_s", "peak_rss_mb"):
        assert result[key] > 0, key
    names = set(load_catalogue())
    assert set(result["query_p95_ms"]) == set(result["query_p50_ms"]) == set(result["query_first_ms"]) == names
    assert all(value > 0 for value in result["query_p95_ms"].values())
    assert result["api_load"]["errors"] == 0
    assert set(result["api_load"]["by_route"]) == {"search", "entity", "ego"}
    assert set(result["targets"]) == {"load_at_least_half_raw", "load_at_least_10x_naive", "queries_p95_at_most_50ms"}
    text = report_text(result)
    assert text.startswith("scale 300: 302 nodes, 938 edges")
    assert "relatives-as-hostages" in text
