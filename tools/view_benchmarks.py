"""Time and measure the network view of the largest hub of the configured graph (by default
Mukhtar Ablyazov in the bundled data), and of synthetic views of N nodes, in headless Chromium.

    .venv/bin/python tools/view_benchmarks.py                       # the hub at depths 1-3
    .venv/bin/python tools/view_benchmarks.py --hub ID --sizes 500 2000 10000

For the hub, at each depth: composing the picture through the public view (cold, then kept),
building the page, the SVG and the PNG; in Chromium (1280x900), the time from navigation to the
first drawing with labels, the labels drawn, the smallest label font, overlapping labels and
labels outside the frame (both must be 0), and the round trip of the picture with the largest group opened (the page's request).
Prints a Markdown table (docs/BENCHMARKS.md keeps the last one). It reads the graph as it is: run
`persecution-graph load` on the data first.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

MEASURE = """
var labels = window.persecutionGraphLabels || [], canvas = document.querySelector('#network canvas');
var w = canvas.clientWidth, h = canvas.clientHeight, overlaps = 0, outside = 0, smallest = 99;
labels.forEach(function (a, i) {
  smallest = Math.min(smallest, a.px);
  if (a.left < 0 || a.top < 0 || a.left + a.width > w || a.top + a.height > h) outside++;
  labels.slice(i + 1).forEach(function (b) {
    if (a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height) overlaps++;
  });
});
return {labels: labels.length, node_labels: labels.filter(function (l) { return l.of === 'node'; }).length,
        smallest_px: smallest, overlaps: overlaps, outside: outside, frame: w + 'x' + h,
        nodes: window.persecutionGraphNetwork.body.data.nodes.length, label_ms: +document.body.dataset.labelMs};
"""


def random_network(size: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """N people, each tied to one other drawn at random (the same for the same N): nodes, edges.
    tools/benchmarks.py draws the same pictures."""
    rng = random.Random(size)
    nodes = [{"id": f"n{i}", "name": f"Person {i}", "labels": ["Person"], "sources": []} for i in range(size)]
    edges = [
        {"id": f"e{i}", "source": f"n{i}", "target": f"n{rng.randrange(size)}", "type": "ASSOCIATE_OF",
         "sources": [], "detail": "colleague"}
        for i in range(size)
    ]  # fmt: skip
    return nodes, edges


def headless_chromium() -> Any:
    """Debian's Chromium through selenium, headless, 1280x900 (tools/benchmarks.py uses it too)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900"):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def _wait(driver: Any, script: str, timeout: float = 120.0) -> Any:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.02)
    raise TimeoutError(script)


def _timed(work: Any) -> tuple[Any, float]:
    began = time.perf_counter()
    value = work()
    return value, time.perf_counter() - began


def hub(entity_id: str) -> list[dict[str, Any]]:
    import uvicorn
    from persecution_graph.api.main import create_app
    from persecution_graph.graph.scope import Scope
    from persecution_graph.graph.store import open_graph
    from persecution_graph.queries.subgraphs import SURROUNDINGS
    from persecution_graph.viz.network import to_html, to_png, to_svg
    from persecution_graph.viz.views import ego_view

    results = []
    with open_graph() as graph:
        view = graph.view(Scope.PUBLIC)
        server = uvicorn.Server(uvicorn.Config(create_app(graph), host="127.0.0.1", port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        _wait_started(server)
        port = server.servers[0].sockets[0].getsockname()[1]
        driver = headless_chromium()
        folder = Path(tempfile.mkdtemp(prefix="pg-hub-"))
        try:
            for depth in (1, 2, 3):
                SURROUNDINGS._values.clear()
                picture, cold = _timed(lambda d=depth: ego_view(view, entity_id, d))
                _, warm = _timed(lambda d=depth: ego_view(view, entity_id, d))
                page, build = _timed(lambda p=picture: to_html(p, entity_id=entity_id))
                _, svg = _timed(lambda p=picture: to_svg(p))
                _, png = _timed(lambda p=picture: to_png(p, folder / "hub.png"))
                began = time.perf_counter()
                driver.get(f"http://127.0.0.1:{port}/views/network/{entity_id}?depth={depth}")
                _wait(driver, "return document.body.dataset.labels")
                drawn = time.perf_counter() - began
                measured = driver.execute_script(MEASURE)
                group = driver.execute_script(
                    "var n = window.persecutionGraphNetwork.body.data.nodes.get().filter(function (n) {"
                    " return n.members; }).sort(function (a, b) { return b.members - a.members; })[0];"
                    " return n ? n.id : null;"
                )
                opened = None
                if group:
                    opened = driver.execute_async_script(
                        "var done = arguments[arguments.length - 1], t = performance.now();"
                        " fetch(arguments[0]).then(function (r) { return r.json(); })"
                        ".then(function () { done(Math.round(performance.now() - t)); });",
                        f"/views/network/{entity_id}/data?depth={depth}&open={group}",
                    )
                assert picture is not None
                results.append(
                    {
                        "depth": depth,
                        "drawn": f"{len(picture.nodes)} / {len(picture.edges)}",
                        "groups": sum(1 for n in picture.nodes if n.get("members")),
                        "compose_s": f"{cold:.2f} / {warm:.2f}",
                        "page_kb": len(page.encode()) // 1024,
                        "build_svg_png_s": f"{build:.2f} / {svg:.2f} / {png:.2f}",
                        "browser_s": round(drawn, 2),
                        "open_group_ms": opened,
                        **measured,
                    }
                )
        finally:
            driver.quit()
            server.should_exit = True
            thread.join(timeout=10)
            shutil.rmtree(folder, ignore_errors=True)
    return results


def _wait_started(server: Any) -> None:
    deadline = time.perf_counter() + 30
    while not server.started and time.perf_counter() < deadline:
        time.sleep(0.05)


def synthetic(sizes: list[int]) -> list[dict[str, Any]]:
    """Views of N people in a random network (no centre: a force layout), from a file."""
    from persecution_graph.viz.network import Picture, to_html

    driver = headless_chromium()
    folder = Path(tempfile.mkdtemp(prefix="pg-views-"))
    results = []
    try:
        for size in sizes:
            nodes, edges = random_network(size)
            page, build = _timed(
                lambda n=nodes, e=edges, s=size: to_html(Picture(title=f"{s} nodes", nodes=n, edges=e))
            )
            path = folder / f"view-{size}.html"
            path.write_text(page, encoding="utf-8")
            began = time.perf_counter()
            driver.get(path.as_uri())
            _wait(driver, "return document.body.dataset.labels", timeout=300)
            drawn = time.perf_counter() - began
            zoom = driver.execute_script(
                "var n = window.persecutionGraphNetwork, t = performance.now();"
                " for (var i = 0; i < 5; i++) { n.moveTo({scale: n.getScale() * 1.2}); n.redraw(); }"
                " return (performance.now() - t) / 5;"
            )
            results.append({"nodes": size, "build_s": round(build, 2), "browser_s": round(drawn, 2),
                            "frame_ms": round(zoom, 1), **driver.execute_script(MEASURE)})  # fmt: skip
    finally:
        driver.quit()
        shutil.rmtree(folder, ignore_errors=True)
    return results


def table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    names = list(rows[0])
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(str(row.get(n, "")) for n in names) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", default="mukhtar-ablyazov", help="entity at the centre")
    parser.add_argument("--sizes", type=int, nargs="*", default=[], help="synthetic view sizes to time")
    args = parser.parse_args()
    print(table(hub(args.hub)))
    if args.sizes:
        print()
        print(table(synthetic(args.sizes)))


if __name__ == "__main__":
    main()
