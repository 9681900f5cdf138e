"""A load test on loopback: concurrent clients on search, entity and ego-network through a real
uvicorn server, for a fixed time; requests, errors, throughput, p50 and p99 per route.
Used by `persecution-graph bench` and tools/reliability.py.

The clients run in a process of their own (``python -m persecution_graph.api.loadtest``), so
the server is measured, not the clients competing with it for the interpreter.
"""

from __future__ import annotations

import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROUTES = ("search", "entity", "ego")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_test(graph: Any, clients: int, seconds: float) -> dict[str, Any]:
    """Serve the graph on a free port and measure it under `clients` concurrent clients."""
    import uvicorn

    from ..api.main import create_app
    from ..graph.scope import Scope

    view = graph.view(Scope.PUBLIC)  # the load test is an anonymous reader's
    plan = {
        "ids": [row["id"] for row in view.read("MATCH (n:Person) WHERE VISIBLE(n) RETURN n.id AS id ORDER BY id")],
        "names": [
            row["name"] for row in view.read("MATCH (n:Person) WHERE VISIBLE(n) RETURN n.name AS name ORDER BY n.id")
        ],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(plan, handle)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(graph, keys=[]), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        command = [sys.executable, "-m", __name__, f"http://127.0.0.1:{port}", str(clients), str(seconds), handle.name]
        measured = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    finally:
        Path(handle.name).unlink(missing_ok=True)
        server.should_exit = True
        thread.join(timeout=10)
    return _summary(clients, measured["seconds"], measured["latencies"], measured["errors"])


def _summary(
    clients: int, duration: float, latencies: dict[str, list[float]], errors: dict[str, int]
) -> dict[str, Any]:
    def pct(values: list[float], q: int) -> float:
        return round(statistics.quantiles(values, n=100)[q - 1], 1) if len(values) > 1 else 0.0

    total = sum(len(v) for v in latencies.values())
    return {
        "clients": clients,
        "seconds": round(duration, 1),
        "requests": total,
        "errors": sum(errors.values()),
        "throughput_rps": round(total / duration, 1),
        "by_route": {
            kind: {"requests": len(v), "errors": errors[kind], "p50_ms": pct(v, 50), "p99_ms": pct(v, 99)}
            for kind, v in latencies.items()
        },
    }


def run_clients(base: str, clients: int, seconds: float, plan: dict[str, list[str]]) -> dict[str, Any]:
    """The clients' side: each asks for a random search, entity or ego network until time is up."""
    latencies: dict[str, list[float]] = {kind: [] for kind in ROUTES}
    errors: dict[str, int] = dict.fromkeys(ROUTES, 0)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            kind = rng.choice(ROUTES)
            if kind == "search":
                url = f"{base}/api/search?q={urllib.parse.quote(rng.choice(plan['names']).split()[-1])}"
            elif kind == "entity":
                url = f"{base}/api/entities/{rng.choice(plan['ids'])}"
            else:
                url = f"{base}/api/graph/ego/{rng.choice(plan['ids'])}?depth=2"
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            with lock:
                latencies[kind].append((time.perf_counter() - began) * 1000)
                errors[kind] += 0 if ok else 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"seconds": time.monotonic() - began, "latencies": latencies, "errors": errors}


if __name__ == "__main__":
    base, clients, seconds, plan_file = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    plan = json.loads(Path(plan_file).read_text())
    print(json.dumps(run_clients(base, clients, seconds, plan)))
