"""End to end in headless Chromium: search, open an entity, open its network view and see the
nodes drawn and labelled; no request may leave 127.0.0.1. Screenshots are kept in build/test-artifacts/.

Needs Debian's chromium and chromium-driver (.ci/run installs them). Without them the test is
skipped on a workstation, and fails under CI (where CI is set), so it can never pass unseen.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import uvicorn
from persecution_graph.api.main import create_app
from persecution_graph.graph.embedded import free_port
from persecution_graph.graph.store import Graph

from tests.conftest import SMALL

ARTIFACTS = Path(os.environ.get("PERSECUTION_GRAPH_ARTIFACTS", "build/test-artifacts"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def live_server(small_graph: Graph) -> Iterator[str]:
    yield from serving(small_graph, SMALL)


def serving(graph: Graph, data: Path) -> Iterator[str]:
    """The app on ``graph`` served by uvicorn in a thread on a free loopback port: its address,
    until the generator is closed."""
    port = free_port()
    config = uvicorn.Config(create_app(graph, data_folder=str(data)), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def headless_chromium() -> Iterator[object]:
    """Debian's Chromium, headless, logging every request it makes (skipped where it is missing,
    failed under CI)."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver are missing; .ci/run installs them")
        pytest.skip("chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,900",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def browser() -> Iterator[object]:
    yield from headless_chromium()


def _requested_hosts(driver) -> set[str]:  # type: ignore[no-untyped-def]
    hosts = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = urlparse(message["params"]["request"]["url"])
            hosts.add(url.hostname or url.scheme)
    return hosts


def _wait_for(driver, script: str, timeout: float = 20.0) -> object:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


def _labels_measured(driver) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every label the view drew, with what the test measures of it independently: the width
    its text has in its font, where its node or link is drawn, and the dark pixels in its box."""
    # The labels of the frame on screen: drawn for the view as it is now, nothing left to redraw.
    _wait_for(
        driver,
        "var net = window.persecutionGraphNetwork, drawn = window.persecutionGraphLabelled;"
        " var at = net.getViewPosition(), canvas = document.querySelector('#network canvas');"
        " return !document.body.dataset.busy && drawn && drawn.scale === net.getScale() && drawn.x === at.x"
        " && drawn.y === at.y && drawn.width === canvas.clientWidth && drawn.height === canvas.clientHeight;",
    )
    return driver.execute_script(  # type: ignore[no-any-return]
        """
        var net = window.persecutionGraphNetwork, labels = window.persecutionGraphLabels || [];
        var canvas = document.querySelector('#network canvas');
        var ratio = canvas.width / canvas.clientWidth;
        var pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        var probe = document.createElement('canvas').getContext('2d');
        var positions = net.getPositions(), scale = net.getScale();
        return labels.map(function (l) {
          probe.font = (l.bold ? 'bold ' : '') + l.px + 'px ' + window.persecutionGraphFont;
          var dark = 0;
          for (var y = Math.ceil(l.top * ratio); y < Math.floor((l.top + l.height) * ratio); y++) {
            for (var x = Math.ceil(l.left * ratio); x < Math.floor((l.left + l.width) * ratio); x++) {
              var i = (y * canvas.width + x) * 4;
              if (pixels.data[i] < 120 && pixels.data[i + 1] < 120 && pixels.data[i + 2] < 120) dark++;
            }
          }
          var at = {};
          if (l.of === 'node') {
            var p = net.canvasToDOM(positions[l.id]);
            at = {x: p.x, y: p.y, r: net.body.data.nodes.get(l.id).size * scale};
          } else {
            var e = net.body.data.edges.get(l.id);
            var a = net.canvasToDOM(positions[e.from]), b = net.canvasToDOM(positions[e.to]);
            at = {x1: a.x, y1: a.y, x2: b.x, y2: b.y};
          }
          return {text: l.text, of: l.of, id: l.id, left: l.left, top: l.top, width: l.width, height: l.height,
                  px: l.px, measured: probe.measureText(l.text).width, dark: dark, at: at,
                  frame: [canvas.clientWidth, canvas.clientHeight]};
        });
        """
    )


def assert_labels_readable(labels: list[dict], center: str) -> None:
    """No two labels overlap, none leaves the frame, none is under 12 px, each is drawn (dark
    pixels in its box) beside its node or on its link, and the centre's label is there."""
    assert any(label["of"] == "node" and label["id"] == center for label in labels)
    for i, a in enumerate(labels):
        width, height = a["frame"]
        assert a["px"] >= 12, a
        assert (
            a["left"] >= 0 and a["left"] + a["width"] <= width and a["top"] >= 0 and a["top"] + a["height"] <= height
        ), a
        assert abs(a["width"] - a["measured"]) <= 2, a
        assert a["dark"] > 0, a
        if a["of"] == "node":
            nearest_x = min(max(a["at"]["x"], a["left"]), a["left"] + a["width"])
            nearest_y = min(max(a["at"]["y"], a["top"]), a["top"] + a["height"])
            assert ((nearest_x - a["at"]["x"]) ** 2 + (nearest_y - a["at"]["y"]) ** 2) ** 0.5 <= a["at"]["r"] + 4, a
        for b in labels[i + 1 :]:
            apart = (
                a["left"] + a["width"] <= b["left"] or b["left"] + b["width"] <= a["left"]
                or a["top"] + a["height"] <= b["top"] or b["top"] + b["height"] <= a["top"]
            )  # fmt: skip
            assert apart, (a, b)


def test_from_a_name_to_a_network_picture(live_server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Job (c): a network picture of a case fit for a report, from the home page in four clicks:
    search a name, open the person, open the network view, download its PNG."""
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.get(live_server + "/")
    browser.find_element(By.NAME, "q").send_keys("Mendygaziyev")
    browser.find_element(By.CSS_SELECTOR, "form[role=search] button").click()  # 1
    _wait_for(browser, "return document.title.startsWith('Search') || location.search.includes('q=')")
    browser.find_element(By.LINK_TEXT, "Bekizhan Mendygazyev").click()  # 2
    _wait_for(browser, "return document.querySelector('h1') && document.querySelector('h1').textContent")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Bekizhan Mendygazyev"
    browser.save_screenshot(str(ARTIFACTS / "job-c-1-entity-page.png"))
    browser.find_element(By.LINK_TEXT, "Network view (full page)").click()  # 3
    drawn = _wait_for(browser, "return document.body.dataset.labels && document.body.dataset.drawn")
    settled_ms = _wait_for(browser, "return document.body.dataset.settledMs")
    assert drawn == "5"  # with perpetrator-not-stated, of the pre-trial detention
    assert int(str(settled_ms)) < 10_000
    labels = _labels_measured(browser)
    assert_labels_readable(labels, "bekizhan-mendygazyev")
    assert sorted(label["text"] for label in labels if label["of"] == "node") == [
        "Barlyk Mendygazyev", "Bekizhan Mendygazyev", "National Security Committee", "Perpetrator not stated",
        "Police of Kazakhstan (agent not named)",
    ]  # fmt: skip
    key = browser.find_element(By.ID, "kinds").text
    assert "Person" in key and "Organization" in key and "SecurityService" in key
    browser.save_screenshot(str(ARTIFACTS / "job-c-2-network-view.png"))
    browser.find_element(By.ID, "png").click()  # 4
    deadline = time.monotonic() + 20
    while not list(tmp_path.glob("*.png")) and time.monotonic() < deadline:
        time.sleep(0.1)
    (picture,) = tmp_path.glob("*.png")
    assert picture.name.startswith("bekizhan-mendygazyev-20") and picture.read_bytes()[:4] == b"\x89PNG"
    (ARTIFACTS / "job-c-3-picture-for-the-report.png").write_bytes(picture.read_bytes())
    assert _requested_hosts(browser) <= {"127.0.0.1", "data", "blob", "about"}


@pytest.mark.parametrize(
    ("path", "drawn"),
    [
        # Swagger UI lists each operation in a block of its own; ReDoc draws one menu entry each.
        ("/docs", "return document.querySelectorAll('.opblock').length"),
        ("/redoc", "return document.querySelectorAll('[data-section-id^=\"operation/\"]').length"),
    ],
)
def test_the_api_docs_draw_offline(live_server: str, browser, path: str, drawn: str) -> None:  # type: ignore[no-untyped-def]
    """/docs and /redoc draw every operation with their assets from this server alone."""
    from urllib.request import urlopen

    with urlopen(live_server + "/openapi.json") as answer:
        operations = sum(len(methods) for methods in json.load(answer)["paths"].values())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.get(live_server + path)
    assert _wait_for(browser, f"return ({drawn.removeprefix('return ')}) >= {operations}")
    browser.save_screenshot(str(ARTIFACTS / f"api{path.replace('/', '-')}.png"))
    assert _requested_hosts(browser) <= {"127.0.0.1", "data", "blob", "about"}
