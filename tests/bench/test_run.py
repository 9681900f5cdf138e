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
    assert stages == [
        "generated",
        "validated",
        "loaded",
        "raw ceiling",
        "queries",
        "api load",
        "api entity",
        "api workers",
        "datasette",
        "naive",
    ]
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
    assert set(result["query_p95_ms"]) == set(result["query_p50_ms"]) == set(result["first_call_ms"]) == names
    assert all(value > 0 for value in result["query_p95_ms"].values())
    assert result["api_load"]["errors"] == 0
    assert set(result["api_load"]["by_route"]) == {"search", "entity", "ego"}
    assert result["api_entity"]["errors"] == 0
    assert set(result["api_entity"]["by_route"]) == {"entity"}
    # The same as `serve --workers 2` answers them: two processes.
    assert [load["workers"] for load in (result["api_load_workers"], result["api_entity_workers"])] == [2, 2]
    assert [load["errors"] for load in (result["api_load_workers"], result["api_entity_workers"])] == [0, 0]
    assert set(result["api_load_workers"]["by_route"]) == {"search", "entity", "ego"}
    assert result["api_entity_workers"]["requests"] > 0
    # Datasette, from the bench's own environment, on a SQLite file of the same graph.
    assert (result["datasette"]["version"], result["datasette"]["errors"]) == ("0.65.5", 0)
    assert result["datasette"]["requests"] > 0
    api = result["api"]
    assert set(api) == {
        "requests_per_s",
        "entity_p99_ms",
        "mixed_requests_per_s",
        "ego_p99_ms",
        "search_p99_ms",
        "datasette_requests_per_s",
        "datasette_p99_ms",
        "workers",
        "workers_requests_per_s",
        "workers_entity_p99_ms",
        "workers_mixed_requests_per_s",
        "workers_ego_p99_ms",
        "workers_search_p99_ms",
    }
    assert api["workers_requests_per_s"] == result["api_entity_workers"]["throughput_rps"] > 0
    assert api["requests_per_s"] == result["api_entity"]["throughput_rps"] > 0
    assert api["datasette_requests_per_s"] == result["datasette"]["throughput_rps"] > 0
    assert set(result["targets"]) == {
        "load_at_least_half_raw",
        "load_at_least_10x_naive",
        "queries_p95_at_most_50ms",
        "api",
    }
    assert set(result["targets"]["api"]) == {
        "requests_per_s",
        "entity_p99_ms",
        "mixed_requests_per_s",
        "ego_p99_ms",
        "search_p99_ms",
        "at_least_datasette",
        *(f"workers_{name}" for name in ("requests_per_s", "entity_p99_ms", "mixed_requests_per_s")),
        *(f"workers_{name}" for name in ("ego_p99_ms", "search_p99_ms", "at_least_datasette")),
    }
    assert all(said.startswith(("met (", "missed: ")) for said in result["targets"]["api"].values())
    text = report_text(result)
    assert "Datasette 0.65.5 on the same lookups:" in text
    assert "serve --workers 2: entity lookups" in text
    assert text.startswith("scale 300: 302 nodes, 938 edges")
    assert "relatives-as-hostages" in text


def test_without_the_api_the_named_queries_are_still_measured(tmp_path: Path) -> None:
    """As tools/benchmarks.py runs 1M entities (`bench --no-api`): the load, the ceilings and
    every named query's first call and p95, no load test nor Datasette."""
    stages: list[str] = []
    result = run(300, repeats=3, on_stage=lambda so_far: stages.append(so_far["stage"]), api=False)
    assert stages == ["generated", "validated", "loaded", "raw ceiling", "queries", "naive"]
    names = set(load_catalogue())
    assert set(result["query_p95_ms"]) == set(result["first_call_ms"]) == names
    assert not {"api_load", "api_entity", "api_load_workers", "datasette", "api"} & set(result)
    assert set(result["targets"]) == {"load_at_least_half_raw", "load_at_least_10x_naive", "queries_p95_at_most_50ms"}
    text = report_text(result)
    assert "relatives-as-hostages" in text
    assert text.endswith("(API not measured)\n")


def test_the_api_targets_say_by_how_much_they_are_missed() -> None:
    from persecution_graph.bench.run import api_targets

    said = api_targets(
        {
            "requests_per_s": 250.0,
            "entity_p99_ms": 40.0,
            "mixed_requests_per_s": 200.0,
            "ego_p99_ms": 260.0,
            "search_p99_ms": 100.0,
            "datasette_requests_per_s": 500.0,
        }
    )
    assert said == {
        "requests_per_s": "missed: 250, 2.0x short of 500",
        "entity_p99_ms": "met (40 <= 50)",
        "mixed_requests_per_s": "met (200 >= 200)",
        "ego_p99_ms": "missed: 260, 60 over 200",
        "search_p99_ms": "met (100 <= 100)",
        "at_least_datasette": "missed: 250, 2.0x short of 500",
    }
    near = api_targets(
        {
            **dict.fromkeys(("requests_per_s", "mixed_requests_per_s"), 432.2),
            "entity_p99_ms": 1.0,
            "ego_p99_ms": 1.0,
            "search_p99_ms": 1.0,
            "datasette_requests_per_s": 439.3,
        }
    )
    assert near["at_least_datasette"] == "missed: 432.2, 1.02x short of 439.3"
