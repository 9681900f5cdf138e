"""Measure reliability and write docs/RELIABILITY.md:  `.venv/bin/python tools/reliability.py`

In one run, on a fresh embedded database of its own (a temporary folder) holding the bundled
data (or the test fixture with --fixture):
1. generated requests from the OpenAPI schema (schemathesis): cases tried, server errors;
2. random and mutated YAML through the validator (hypothesis): cases tried, tracebacks;
3. faults: the database killed under the API (503 then recovery), a reload killed mid-way
   (old graph intact), a dump and import round trip (identical graph);
4. a load test on loopback: concurrent clients on search, entity and ego-network for a fixed
   time through a real uvicorn server; requests, errors, throughput, p50 and p99 latency;
5. the attacks on the Cypher console (tests/security/attacks.yaml) replayed as an editor: how
   each was refused, and whether the graph's export stayed byte-identical.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def fuzz_api(app: Any, examples: int) -> dict[str, Any]:
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    counts = {"operations": 0, "cases": 0, "server_errors": 0, "bad_error_shape": 0}
    for result in schema.get_all_operations():
        operation = result.ok()
        counts["operations"] += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            for headers in ({}, {"Authorization": "Bearer editor-token"}):
                response = case.call(headers=headers)
                counts["cases"] += 1
                if response.status_code >= 500:
                    counts["server_errors"] += 1
                elif response.status_code >= 400:
                    body = response.json()
                    if set(body) != {"error"}:
                        counts["bad_error_shape"] += 1

        run()
    return counts


def console_attacks(app: Any, graph: Any, data_dir: Path) -> list[dict[str, Any]]:
    """Every attack of tests/security/attacks.yaml through the console, as an editor."""
    import yaml
    from fastapi.testclient import TestClient
    from persecution_graph.graph import embedded
    from persecution_graph.graph.formats import FORMATS
    from persecution_graph.graph.formats import render as render_format
    from persecution_graph.graph.scope import Scope

    attacks = yaml.safe_load((ROOT / "tests" / "security" / "attacks.yaml").read_text(encoding="utf-8"))
    info = embedded.running(data_dir)
    assert info is not None
    client = TestClient(app)
    full = graph.view(Scope.FULL)
    minor = full.read(
        "MATCH (n:Person) WHERE n.sensitivity = 'restricted' AND VISIBLE(n) RETURN n.id AS id ORDER BY id LIMIT 1"
    )
    results = []
    for kind in ("writes", "files"):
        for attack in attacks[kind]:
            statement = (
                attack["statement"]
                .replace("{minor}", minor[0]["id"] if minor else "none")
                .replace("{data}", str(data_dir).lstrip("/"))
                .replace("{http}", str(info.http_port))
            )
            before = render_format(FORMATS["json"], full)
            response = client.post(
                "/api/cypher", json={"statement": statement}, headers={"Authorization": "Bearer editor-token"}
            )
            detail = response.json().get("error", {}).get("detail", "") if response.status_code >= 400 else ""
            results.append(
                {
                    "tried": attack["tried"],
                    "status": response.status_code,
                    "answer": str(detail).split(" (the database said")[0],
                    "unchanged": render_format(FORMATS["json"], full) == before,
                }
            )
    return results


def fuzz_loader(data: Path, examples: int) -> dict[str, Any]:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from persecution_graph.loaders.validate import validate

    original = sorted(p for p in data.glob("*.yaml") if p.name != "sources.yaml")[0].read_text(encoding="utf-8")
    folder = Path(tempfile.mkdtemp(prefix="pg-fuzz-"))
    shutil.copy(data / "sources.yaml", folder)
    shutil.copytree(data / "reports", folder / "reports")
    counts = {"cases": 0, "tracebacks": 0, "unlocated_problems": 0}

    @given(at=st.integers(0, len(original)), cut=st.integers(0, 60), junk=st.text(max_size=8))
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(at: int, cut: int, junk: str) -> None:
        (folder / "mutated.yaml").write_text(
            original[:at] + junk + original[at + cut :], encoding="utf-8", errors="replace"
        )
        counts["cases"] += 1
        try:
            result = validate(folder)
        except Exception:
            counts["tracebacks"] += 1
            return
        counts["unlocated_problems"] += sum(1 for p in result.problems if p.where.line < 1)

    run()
    shutil.rmtree(folder, ignore_errors=True)
    return counts


def faults(data_dir: Path, dataset: Any) -> dict[str, Any]:
    from fastapi.testclient import TestClient
    from persecution_graph.api.main import create_app
    from persecution_graph.graph import embedded
    from persecution_graph.graph.scope import Scope
    from persecution_graph.graph.settings import Settings
    from persecution_graph.graph.store import PAUSE_ENV, connect_healing

    settings = Settings(data_dir=data_dir)
    graph = connect_healing(settings)
    results: dict[str, Any] = {}
    try:
        graph.replace(dataset)
        before = graph.view(Scope.FULL).dump()
        client = TestClient(create_app(graph, keys=[], state_dir=data_dir))
        info = embedded.running(data_dir)
        assert info is not None
        os.kill(info.pid, signal.SIGKILL)
        started = time.monotonic()
        statuses = []
        while time.monotonic() - started < 90:
            status = client.get("/api/entities/mukhtar-ablyazov").status_code
            statuses.append(status)
            if status == 200:
                break
            time.sleep(0.5)
        results["kill_during_requests"] = {
            "answers_503": statuses.count(503),
            "other_errors": sum(1 for s in statuses if s not in (200, 503)),
            "recovered_after_s": round(time.monotonic() - started, 1),
            "graph_identical": graph.view(Scope.FULL).dump() == before,
        }
        # A reload killed mid-way: its generation partly written, never made current.
        marker = data_dir / "paused"
        env = {**os.environ, PAUSE_ENV: str(marker), "PERSECUTION_GRAPH_DATA_DIR": str(data_dir)}
        process = subprocess.Popen(
            [sys.executable, "-m", "persecution_graph.api.cli", "load", str(ROOT / "tests" / "fixtures" / "small")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        process.kill()
        process.wait()
        results["kill_during_reload"] = {
            "paused_mid_load": marker.exists(),
            "graph_identical": graph.view(Scope.FULL).dump() == before,
        }
        # Backup and restore.
        from persecution_graph.graph.formats.dump import read_dump, write_dump

        backup = data_dir / "backup.jsonl"
        with backup.open("w", encoding="utf-8") as handle:
            write_dump(handle, before, public_only=False)
        graph.clear()
        graph.restore(read_dump(backup))
        results["dump_and_import"] = {
            "nodes": len(before.nodes),
            "edges": len(before.edges),
            "identical": graph.view(Scope.FULL).dump() == before,
        }
    finally:
        graph.driver.close()
        embedded.stop(data_dir)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "seed_data"))
    parser.add_argument("--examples", type=int, default=40, help="generated cases per API operation")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "RELIABILITY.md"))
    args = parser.parse_args()

    from persecution_graph.api.auth import StoredKey, token_hash
    from persecution_graph.api.main import create_app
    from persecution_graph.graph import embedded
    from persecution_graph.graph.settings import Settings
    from persecution_graph.graph.store import connect
    from persecution_graph.loaders.validate import validate

    work = Path(tempfile.mkdtemp(prefix="pg-reliability-"))
    os.environ["PERSECUTION_GRAPH_DATA_DIR"] = str(work / "main")
    result = validate(Path(args.data))
    if not result.ok:
        print(f"{args.data} is not valid; run `persecution-graph validate {args.data}`", file=sys.stderr)
        return 1
    shown = Path(args.data).resolve()
    shown_data = str(shown.relative_to(ROOT)) if shown.is_relative_to(ROOT) else str(shown)
    report: dict[str, Any] = {"data": shown_data, "records": len(result.dataset)}
    info = embedded.start(work / "main")
    graph = connect(Settings(data_dir=work / "main"), info)
    try:
        graph.replace(result.dataset)
        app = create_app(graph, data_folder=args.data, keys=[StoredKey("e", "editor", token_hash("editor-token"))])
        print("fuzzing the API ...", file=sys.stderr)
        report["api_fuzz"] = fuzz_api(app, args.examples)
        print("fuzzing the loader ...", file=sys.stderr)
        report["loader_fuzz"] = fuzz_loader(Path(args.data), args.examples * 5)
        print(f"load test: {args.clients} clients for {args.seconds:.0f} s ...", file=sys.stderr)
        from persecution_graph.bench.loadtest import load_test

        report["load"] = load_test(graph, args.clients, args.seconds)
        print("console attacks ...", file=sys.stderr)
        report["attacks"] = console_attacks(app, graph, work / "main")
    finally:
        graph.driver.close()
        embedded.stop(work / "main")
    print("faults ...", file=sys.stderr)
    report["faults"] = faults(work / "faults", result.dataset)
    shutil.rmtree(work, ignore_errors=True)
    Path(args.output).write_text(render(report), encoding="utf-8")
    print(json.dumps(report, indent=1))
    return 0


def render(r: dict[str, Any]) -> str:
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    api, loader, load, faults_ = r["api_fuzz"], r["loader_fuzz"], r["load"], r["faults"]
    rows = "\n".join(
        f"| {kind} | {v['requests']} | {v['errors']} | {v['p50_ms']} | {v['p99_ms']} |"
        for kind, v in load["by_route"].items()
    )
    kill, reload_, dump = faults_["kill_during_requests"], faults_["kill_during_reload"], faults_["dump_and_import"]
    attacks = "\n".join(f"| {a['tried']} | {a['status']} | {a['answer']} | {a['unchanged']} |" for a in r["attacks"])
    refused = sum(1 for a in r["attacks"] if a["status"] >= 400 and a["unchanged"])
    return f"""# Reliability, measured

Generated by `.venv/bin/python tools/reliability.py` on {dt.date.today().isoformat()} ({machine}),
on `{r['data']}` ({r['records']} records) in an embedded database of its own. Do not edit by hand.

## Hardened inputs

| what | cases tried | failures |
|---|---|---|
| generated API requests (schemathesis, {api['operations']} operations, anonymous and editor) | {api['cases']} | {api['server_errors']} server errors, {api['bad_error_shape']} errors outside the JSON shape |
| mutated YAML through the validator (hypothesis) | {loader['cases']} | {loader['tracebacks']} tracebacks, {loader['unlocated_problems']} problems without a line |

The test suite runs the same two checks with fewer cases (tests/api/test_fuzz.py,
tests/loaders/test_fuzz.py); bodies over 1 MiB get 413 and URLs over 8 KiB get 414.

## Faults

| fault | result |
|---|---|
| embedded database killed (SIGKILL) under the API | {kill['answers_503']} answers 503, {kill['other_errors']} other errors; serving again after {kill['recovered_after_s']} s (the server restarts the database itself); graph identical: {kill['graph_identical']} |
| reload killed mid-way (its generation partly written) | paused mid-load: {reload_['paused_mid_load']}; graph identical afterwards: {reload_['graph_identical']} |
| `export --format dump` then `import` | {dump['nodes']} nodes and {dump['edges']} edges; identical: {dump['identical']} |

## Load held

{load['clients']} concurrent clients for {load['seconds']} s on loopback through uvicorn: {load['requests']}
requests, **{load['errors']} errors**, {load['throughput_rps']} requests per second.

| route | requests | errors | p50 ms | p99 ms |
|---|---|---|---|---|
{rows}

## Attacks on the Cypher console

Replayed as an editor (tests/security/attacks.yaml; tests/security/ replays the same on every
test run): **{refused} of {len(r["attacks"])} refused, graph unchanged**. The engine refuses them
(docs/SECURITY.md): the console's user may only read, and its statements go through the engine's
read-only query endpoint.

| attack | status | answer | graph unchanged |
|---|---|---|---|
{attacks}
"""


if __name__ == "__main__":
    sys.exit(main())
