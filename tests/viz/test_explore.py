"""The exploration view on the bundled data, around its largest hub (Mukhtar Ablyazov): the
2-step picture is grouped and readable, measured in headless Chromium from the drawn positions
and label boxes; what the reader composes (depth, filters, groups opened, entities expanded) is
what the snapshot, the SVG and the PNG give. Screenshots are kept in build/test-artifacts/."""

from __future__ import annotations

import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from persecution_graph.graph.scope import Scope, View
from persecution_graph.graph.store import Graph
from persecution_graph.loaders.validate import validate
from persecution_graph.viz import explore
from persecution_graph.viz.explore import ViewState, compose
from persecution_graph.viz.views import ego_view

from tests.conftest import SMALL, changed_copy, load_ends_under
from tests.viz.test_browser import (
    ARTIFACTS,
    _labels_measured,
    _requested_hosts,
    _wait_for,
    assert_labels_readable,
    headless_chromium,
    serving,
)

SEED = Path(__file__).parents[2] / "seed_data"
HUB = "mukhtar-ablyazov"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def seed_graph(graph: Graph) -> Graph:
    result = validate(SEED)
    assert result.problems == []
    graph.replace(result.dataset)
    return graph


@pytest.fixture(scope="module")
def seed_server(seed_graph: Graph) -> Iterator[str]:
    yield from serving(seed_graph, SEED)


@pytest.fixture
def chromium() -> Iterator[object]:
    yield from headless_chromium()


def test_the_hubs_two_steps_are_grouped_by_tie(seed_graph: Graph) -> None:
    picture = ego_view(seed_graph.view(Scope.PUBLIC), HUB, 2)
    assert picture is not None
    groups = sorted((n["name"], n["id"]) for n in picture.nodes if n.get("members"))
    assert groups == [
        ("concerns (6)", "group:political-prisoners-list-2021-09-01:CONCERNS:out"),
        ("harassed by (14)", "group:kazakhstan-authorities:HARASSED_BY:out"),
        ("investigated by (8)", "group:kazakhstan-investigators-unnamed:INVESTIGATED_BY:out"),
        ("listed in (31)", "group:political-prisoners-list-2021-09-01:LISTED_IN:out"),
        ("listed in (5)", "group:ep-resolution-kazakhstan-2021-02-11:LISTED_IN:out"),
        ("organized by (5)", "group:dck:ORGANIZED_BY:out"),
        ("organized by (6)", "group:kazakhstan-authorities:ORGANIZED_BY:out"),
        ("participated in (6)", "group:smear-campaign-ablyazov-2020-09:PARTICIPATED_IN:out"),
        ("sentenced by (65)", "group:kazakhstan-court-unnamed:SENTENCED_BY:out"),
        ("surveilled by (8)", "group:kazakhstan-authorities:SURVEILLED_BY:out"),
        ("various ties (10)", "group:kazakhstan-court-unnamed:various"),
    ]
    assert (len(picture.nodes), len(picture.edges)) == (65, 142)
    assert picture.note == (
        "Everything within 2 steps of Mukhtar Ablyazov. 164 entities are drawn as 11 groups (click a group to open it)."
    )
    opened = ego_view(
        seed_graph.view(Scope.PUBLIC),
        HUB,
        state=ViewState(depth=2, open=("group:kazakhstan-court-unnamed:SENTENCED_BY:out",)),
    )
    assert opened is not None
    assert not any(n["id"] == "group:kazakhstan-court-unnamed:SENTENCED_BY:out" for n in opened.nodes)
    assert sum(1 for n in opened.nodes if n.get("hop") == 2 and not n.get("members")) > 65


def test_depth_three_is_whole_or_says_where_it_stopped(seed_graph: Graph) -> None:
    view = seed_graph.view(Scope.PUBLIC)
    whole = ego_view(view, HUB, 3)
    assert whole is not None and whole.cut == ""
    assert max(n["hop"] for n in whole.nodes) == 3
    cut = ego_view(view, HUB, 3, limit=300)
    assert cut is not None
    assert cut.cut == (
        "Stopped at 300 links (the limit) while adding step 2 of 3: step 1 is whole, step 2 is not; "
        "a higher limit (at most 20,000) draws more."
    )


def _open(browser, url: str) -> None:  # type: ignore[no-untyped-def]
    browser.get(url)
    _wait_for(browser, "return document.body.dataset.labels && !document.body.dataset.busy")


def _click_node(browser, node_id: str) -> str:  # type: ignore[no-untyped-def]
    """Click a node where it is drawn; the state the view reaches."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    canvas = browser.find_element(By.CSS_SELECTOR, "#network canvas")
    at = browser.execute_script(
        "var n = window.persecutionGraphNetwork; return n.canvasToDOM(n.getPositions([arguments[0]])[arguments[0]]);",
        node_id,
    )
    before = browser.execute_script("return window.persecutionGraphState()")
    size = canvas.size
    ActionChains(browser).move_to_element_with_offset(
        canvas, at["x"] - size["width"] / 2, at["y"] - size["height"] / 2
    ).click().perform()
    _wait_for(browser, f"return window.persecutionGraphState() !== {before!r} && !document.body.dataset.busy")
    return str(browser.execute_script("return window.persecutionGraphState()"))


@pytest.mark.parametrize(
    ("window", "named"),
    [
        # A full page: the centre and the largest groups are named.
        ((1280, 900), {"Mukhtar Ablyazov", "sentenced by (65)", "listed in (31)"}),
        # A small frame (an embed): fewer labels fit, the centre's always.
        ((900, 600), {"Mukhtar Ablyazov"}),
    ],
)
def test_the_hubs_two_step_view_is_readable(
    seed_server: str, chromium, window: tuple[int, int], named: set[str]
) -> None:  # type: ignore[no-untyped-def]
    chromium.set_window_size(*window)
    _open(chromium, f"{seed_server}/views/network/{HUB}?depth=2")
    labels = _labels_measured(chromium)
    assert_labels_readable(labels, HUB)
    assert named <= {label["text"] for label in labels if label["of"] == "node"}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chromium.save_screenshot(str(ARTIFACTS / f"hub-{HUB}-depth-2-{window[0]}x{window[1]}.png"))
    print(f"{window}: {len(labels)} labels ({sum(1 for lb in labels if lb['of'] == 'node')} of nodes), "
          f"drawn in {chromium.execute_script('return document.body.dataset.settledMs')} ms")  # fmt: skip
    assert _requested_hosts(chromium) <= {"127.0.0.1", "data", "blob", "about"}


def test_what_the_reader_composes_is_what_every_format_gives(seed_server: str, chromium) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    chromium.set_window_size(1280, 900)
    _open(chromium, f"{seed_server}/views/network/{HUB}")
    Select(chromium.find_element(By.ID, "depth")).select_by_value("2")
    _wait_for(chromium, "return window.persecutionGraphState() === 'depth=2' && !document.body.dataset.busy")
    court = "group:kazakhstan-court-unnamed:SENTENCED_BY:out"
    assert _click_node(chromium, court) == f"depth=2&open={court}"
    expandable = chromium.execute_script(
        "return window.persecutionGraphNetwork.body.data.nodes.get().filter(function (n) {"
        " return !n.members && n.hop === 2 && n.links > n.degree; }).map(function (n) { return n.id; }).sort()[0];"
    )
    assert _click_node(chromium, expandable) == f"depth=2&expand={expandable}&open={court}"
    chromium.find_element(By.CSS_SELECTOR, "input[data-link=LOCATED_IN]").click()
    _wait_for(chromium, "return window.persecutionGraphState().includes('hide_links=LOCATED_IN')")
    chromium.find_element(By.ID, "from").send_keys("2019")
    chromium.find_element(By.ID, "apply").click()
    state = _wait_for(
        chromium, "return window.persecutionGraphState().includes('from=2019') && window.persecutionGraphState()"
    )
    assert state == f"depth=2&hide_links=LOCATED_IN&expand={expandable}&open={court}&from=2019"
    _wait_for(chromium, "return document.body.dataset.labels && !document.body.dataset.busy")
    assert chromium.current_url == f"{seed_server}/views/network/{HUB}?{state}"
    assert_labels_readable(_labels_measured(chromium), HUB)
    drawn = sorted(chromium.execute_script("return window.persecutionGraphNetwork.body.data.nodes.getIds()"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chromium.save_screenshot(str(ARTIFACTS / f"hub-{HUB}-composed.png"))
    links = {name: chromium.find_element(By.ID, name).get_attribute("href") for name in ("png", "svg", "snapshot")}
    assert links == {
        "png": f"{seed_server}/views/network/{HUB}?{state}&format=png",
        "svg": f"{seed_server}/views/network/{HUB}?{state}&format=svg",
        "snapshot": f"{seed_server}/views/network/{HUB}?{state}&snapshot=true",
    }
    with urllib.request.urlopen(links["svg"]) as answer:
        svg = ET.fromstring(answer.read())
    assert sorted(g.get("data-id") for g in svg.iter(f"{SVG}g") if g.get("data-id")) == drawn
    texts = [t.text or "" for t in svg.iter(f"{SVG}text")]
    assert any(text.startswith("Links, arrow from whom to whom: ") for text in texts)
    assert "SecurityService" in texts and "Court" in texts
    with urllib.request.urlopen(links["snapshot"]) as answer:
        snapshot = answer.read().decode()
    assert all(f'"id": "{node}"' in snapshot for node in drawn)
    with urllib.request.urlopen(links["png"]) as answer:
        png = answer.read()
    assert png[:4] == b"\x89PNG"
    (ARTIFACTS / f"hub-{HUB}-composed-picture.png").write_bytes(png)
    assert _requested_hosts(chromium) <= {"127.0.0.1", "data", "blob", "about"}


def test_a_picture_is_of_one_generation_when_a_load_ends_while_it_is_composed(
    seed_graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The surroundings, the expanded entities' links and the link counts are read by statements
    of their own; a load that ends between them makes the picture read again, all of it new."""
    changed = validate(changed_copy(tmp_path)).dataset
    state = ViewState(depth=1, expand=("daughter-of-dilnar-insenova",))
    links_of = explore.links_of
    loaded: list[bool] = []

    def a_load_ends_after_the_surroundings(view: View, ids: list[str], limit: int):  # type: ignore[no-untyped-def]
        more = links_of(view, ids, limit)
        if not loaded:
            loaded.append(True)
            load_ends_under(seed_graph, changed, view)
        return more

    try:
        seed_graph.replace(changed)
        new = compose(seed_graph.view(Scope.FULL), "dilnar-insenova", state)
        assert new is not None and new.title == "Dilnar Insenova-Changed"
        seed_graph.replace(validate(SMALL).dataset)
        view = seed_graph.view(Scope.FULL)
        monkeypatch.setattr(explore, "links_of", a_load_ends_after_the_surroundings)
        # Read from the old graph up to the expanded links, then the new one: read again, whole.
        assert compose(view, "dilnar-insenova", state) == new
        assert loaded == [True]
    finally:
        seed_graph.replace(validate(SEED).dataset)
