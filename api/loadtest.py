"""A load test on loopback: concurrent clients on search, entity and ego-network through a real
uvicorn server, for a fixed time; requests, errors, throughput, p50 and p99 per route.
Used by `persecution-graph bench` and tools/reliability.py."""

from __future__ import annotations

import random
import socket
import statistics
import threading
import time
import urllib.parse
import urllib.request
from typing import Any


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_test(graph: Any, clients: int, seconds: float) -> dict[str, Any]:
    import uvicorn

    from .main import create_app

    ids = [
        row["id"]
        for row in graph.read("MATCH (n:Person) WHERE n.sensitivity <> 'restricted' RETURN n.id AS id ORDER BY id")
    ]
    names = [row["name"] for row in graph.read("MATCH (n:Person) RETURN n.name AS name")]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(graph, keys=[]), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    latencies: dict[str, list[float]] = {"search": [], "entity": [], "ego": []}
    errors: dict[str, int] = {"search": 0, "entity": 0, "ego": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            kind = rng.choice(("search", "entity", "ego"))
            if kind == "search":
                word = rng.choice(names).split()[-1]
                url = f"{base}/api/search?q={urllib.parse.quote(word)}"
            elif kind == "entity":
                url = f"{base}/api/entities/{rng.choice(ids)}"
            else:
                url = f"{base}/api/graph/ego/{rng.choice(ids)}?depth=2"
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies[kind].append(elapsed)
                errors[kind] += 0 if ok else 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.monotonic() - began
    server.should_exit = True
    thread.join(timeout=10)

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
