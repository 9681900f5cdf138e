"""A load test on loopback: concurrent clients on search, entity and ego-network through a real
uvicorn server, for a fixed time; requests, errors, throughput, p50 and p99 per route. The
same clients can ask another server for the same entities (`measure`: Datasette, in
bench/datasette.py). Used by `persecution-graph bench` and tools/reliability.py.

The clients run in a process of their own (``python -m persecution_graph.api.loadtest``), so
the server is measured, not the clients competing with it for the interpreter.
"""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import IO, Any

ROUTES = ("search", "entity", "ego")


def people(graph: Any) -> dict[str, list[str]]:
    """What the clients ask for: the ids and names of the persons an anonymous reader may open."""
    from ..graph.scope import Scope

    view = graph.view(Scope.PUBLIC)
    rows = view.read("MATCH (n:Person) WHERE VISIBLE(n) RETURN n.id AS id, n.name AS name ORDER BY id")
    return {"ids": [row["id"] for row in rows], "names": [row["name"] for row in rows]}


def load_test(graph: Any, clients: int, seconds: float, routes: tuple[str, ...] = ROUTES) -> dict[str, Any]:
    """Serve the graph on a free port and measure it under `clients` concurrent clients, each
    asking for one of `routes` at random (an anonymous reader's requests)."""
    import uvicorn

    from ..api.main import create_app
    from ..graph.embedded import free_port
    from ..queries.catalogue import settle_collector

    threshold = gc.get_threshold()
    settle_collector()  # as `serve` does once its answers are kept (warm_in_background)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(graph, keys=[]), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        return measure(f"http://127.0.0.1:{port}", people(graph), clients, seconds, routes)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        gc.set_threshold(*threshold)


def load_test_workers(
    graph: Any,
    settings: Any,
    workers: int,
    clients: int,
    seconds: float,
    loads: tuple[tuple[str, ...], ...],
    engine_pid: int | None = None,
) -> list[dict[str, Any]]:
    """As `load_test`, once for each set of routes in ``loads``, with the app `serve --workers N`
    runs (api/server.py worker_app): uvicorn's worker processes, each connected to the database
    of ``settings`` (running), measured once they are warm: their processor time, and the
    database's (``engine_pid``), stops growing."""
    from ..api.server import WORKER_HEALTHCHECK_S
    from ..graph.embedded import free_port

    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "persecution_graph.api.server:worker_app", "--factory"]
    command += ["--workers", str(workers), "--host", "127.0.0.1", "--port", str(port), "--log-level", "error"]
    command += ["--timeout-worker-healthcheck", str(WORKER_HEALTHCHECK_S)]  # as `serve` gives it
    env = {**os.environ, **settings.as_env()}
    # What the server says goes to a file, read if it stops: a pipe nobody reads would fill and
    # stall it.
    with tempfile.TemporaryFile("w+") as said:
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=said, text=True)
        try:
            _wait_until_warm(
                server, said, f"http://127.0.0.1:{port}/api/health", [server.pid, *([engine_pid] if engine_pid else [])]
            )
            plan = people(graph)
            return [
                {**measure(f"http://127.0.0.1:{port}", plan, clients, seconds, routes), "workers": workers}
                for routes in loads
            ]
        finally:
            server.terminate()
            server.wait(timeout=60)


def _wait_until_warm(
    server: subprocess.Popen[str], said: IO[str], health: str, watched: list[int], timeout_s: float = 600
) -> None:
    """Until the server answers, and then until the processor time of the ``watched`` processes
    and their children grows by less than 50 ms in a second (the warm-up in the background has
    ended; no request is sent meanwhile: each would be work of its own)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if server.poll() is not None:
            said.seek(0)
            raise RuntimeError(f"the server stopped: {said.read()[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not answer within {timeout_s:.0f} s")
        try:
            with urllib.request.urlopen(health, timeout=5):
                break
        except OSError:
            time.sleep(0.5)
    last = sum(_cpu_seconds(pid) for pid in watched)
    while time.monotonic() < deadline:
        time.sleep(1)
        spent = sum(_cpu_seconds(pid) for pid in watched)
        if spent - last < 0.05:
            return
        last = spent
    raise RuntimeError(f"the server was not warm within {timeout_s:.0f} s")


def _cpu_seconds(pid: int) -> float:
    """Processor time of a process and its children that are alive (Linux /proc)."""
    total = 0.0
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(status.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measure(
    base: str, plan: dict[str, Any], clients: int, seconds: float, routes: tuple[str, ...] = ROUTES
) -> dict[str, Any]:
    """Run the clients, in a process of their own, against the server at `base`. `plan`: the
    ids and names to draw from and, for a server of another kind, `urls` ({route: a URL with
    {id} or {name}} in place of this API's)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({**plan, "routes": list(routes)}, handle)
    try:
        command = [sys.executable, "-m", __name__, base, str(clients), str(seconds), handle.name]
        measured = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    finally:
        Path(handle.name).unlink(missing_ok=True)
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


# This API's URLs; another server's come in the plan.
URLS = {"search": "/api/search?q={name}", "entity": "/api/entities/{id}", "ego": "/api/graph/ego/{id}?depth=2"}


def run_clients(base: str, clients: int, seconds: float, plan: dict[str, Any]) -> dict[str, Any]:
    """The clients' side: each asks for one of the plan's routes at random (a search for a
    person's last name, an entity, an ego network of depth 2) until time is up."""
    routes = tuple(plan.get("routes") or ROUTES)
    urls = {**URLS, **(plan.get("urls") or {})}
    latencies: dict[str, list[float]] = {kind: [] for kind in routes}
    errors: dict[str, int] = dict.fromkeys(routes, 0)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            kind = rng.choice(routes)
            name = urllib.parse.quote(rng.choice(plan["names"]).split()[-1])
            url = base + urls[kind].format(id=urllib.parse.quote(rng.choice(plan["ids"])), name=name)
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
