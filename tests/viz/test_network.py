"""Network views: what the reader composes (depth, filters, expansions, groups), drawn the same as
self-contained HTML, SVG and PNG, on the real graph."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from persecution_graph.api.main import create_app
from persecution_graph.graph.errors import QueryError
from persecution_graph.graph.model import load_model
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.viz.explore import ViewState, in_range
from persecution_graph.viz.images import scene
from persecution_graph.viz.layout import layout
from persecution_graph.viz.network import Picture, to_html, to_png, to_svg, vis_data
from persecution_graph.viz.picture import key, kinds
from persecution_graph.viz.views import ego_view

# Anything that would make a browser fetch from elsewhere: src/href/url()/@import to a host.
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)
SVG = "{http://www.w3.org/2000/svg}"


def _page_data(page: str) -> dict:
    return json.loads(re.search(r"var persecutionGraphData = (\{.*?\});\n", page).group(1))  # type: ignore[union-attr]


def test_the_key_offers_each_kind_once_from_the_model() -> None:
    assert kinds(load_model()) == [
        "Person",
        "Official",
        "Organization",
        "Court",
        "SecurityService",
        "DetentionFacility",
        "Event",
        "LegalArticle",
        "Place",
        "Source",
        "Discrepancy",
    ]


def test_a_state_reads_and_writes_its_address() -> None:
    model = load_model()
    given = {"depth": "2", "hide_links": "LISTED_IN,DETAINED_BY", "from": "2020", "expand": "nsc", "undated": "0"}
    state = ViewState.parse(given, model)
    assert state == ViewState(
        depth=2, hide_links=("DETAINED_BY", "LISTED_IN"), since="2020", undated=False, expand=("nsc",)
    )
    assert state.query() == "depth=2&hide_links=DETAINED_BY,LISTED_IN&expand=nsc&from=2020&undated=0"
    assert ViewState.parse({}, model).query() == ""


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"depth": "4"}, "depth must be from 1 to 3, not 4"),
        ({"depth": "two"}, "depth must be a whole number from 1 to 3, not 'two'"),
        ({"hide_kinds": "Person,Spy"}, "hide_kinds: Spy is not one of Person, Official, Organization, Court, "
         "SecurityService, DetentionFacility, Event, LegalArticle, Place, Source, Discrepancy"),
        ({"from": "March 2020"}, "from must be a date as YYYY, YYYY-MM or YYYY-MM-DD, not 'March 2020'"),
        ({"from": "2021", "to": "2020-06"}, "the date range ends (2020-06) before it starts (2021)"),
        ({"limit": "0"}, "limit must be from 1 to 20000, not 0"),
    ],
)  # fmt: skip
def test_a_state_that_is_not_understood_is_said(given: dict[str, str], message: str) -> None:
    with pytest.raises(QueryError) as refused:
        ViewState.parse(given, load_model())
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("date", "since", "until", "undated", "kept"),
    [
        ("2021-06-03", "2021", None, True, True),
        ("2021-06-03", "2021-07", None, True, False),
        ("2020-11/2020-12", "2020-12-15", "2021", True, True),
        ("2020-11/2020-12", "2021", None, True, False),
        ("2018", None, "2018-01-01", True, True),
        ("2018", "2018-06", "2018-06", True, True),
        (None, "2018", None, True, True),
        (None, "2018", None, False, False),
        (None, None, None, False, True),
    ],
)
def test_a_date_range_meets_dates_of_any_precision(
    date: str | None, since: str | None, until: str | None, undated: bool, kept: bool
) -> None:
    assert in_range(date, since, until, undated) is kept


def test_ego_view_draws_the_surroundings_with_evidence(small_graph: Graph) -> None:
    view = ego_view(small_graph.view(Scope.PUBLIC), "bekizhan-mendygazyev", depth=1)
    assert view is not None
    assert [(n["id"], n["kind"], n["hop"], n["links"]) for n in view.nodes] == [
        ("barlyk-mendygazyev", "Person", 1, 5),
        ("bekizhan-mendygazyev", "Person", 0, 4),
        ("kazakhstan-police", "Organization", 1, 1),
        ("nsc", "SecurityService", 1, 2),
        ("perpetrator-not-stated", "Organization", 1, 1),
    ]
    assert [(e["source"], e["type"], e["target"], e["detail"]) for e in view.edges] == [
        ("bekizhan-mendygazyev", "DETAINED_BY", "perpetrator-not-stated", "pre_trial_detention"),
        ("bekizhan-mendygazyev", "INVESTIGATED_BY", "kazakhstan-police", "attempted only"),
        ("bekizhan-mendygazyev", "INVESTIGATED_BY", "nsc", "attempted only"),
        ("bekizhan-mendygazyev", "RELATED_TO", "barlyk-mendygazyev", "brother"),
    ]
    assert view.note == "Everything within 1 step of Bekizhan Mendygazyev."
    assert view.cut == ""
    assert ego_view(small_graph.view(Scope.PUBLIC), "daughter-of-dilnar-insenova", 1) is None


def test_filters_by_link_type_kind_and_date_and_what_they_offer(small_graph: Graph) -> None:
    view = small_graph.view(Scope.PUBLIC)
    state = ViewState(depth=2, hide_links=("RELATED_TO",), hide_kinds=("SecurityService",), since="2021")
    picture = ego_view(view, "bekizhan-mendygazyev", state=state)
    assert picture is not None
    # The brother (RELATED_TO) and the NSC (SecurityService) are left out; the 2020 investigation
    # is outside the range, the 2021 detention inside; the undated are kept.
    assert [(e["source"], e["type"], e["target"]) for e in picture.edges] == [
        ("bekizhan-mendygazyev", "DETAINED_BY", "perpetrator-not-stated")
    ]
    assert picture.offered_links == {"RELATED_TO": 1, "INVESTIGATED_BY": 2, "DETAINED_BY": 1, "ASSOCIATE_OF": 2,
                                     "EXTRADITION_SOUGHT_BY": 1, "SEARCHED_BY": 1}  # fmt: skip
    assert picture.note == (
        'Everything within 2 steps of Bekizhan Mendygazyev; without "related to"; without SecurityService; '
        "links dated 2021 to …, undated links kept."
    )
    assert picture.state == "depth=2&hide_links=RELATED_TO&hide_kinds=SecurityService&from=2021"


def test_expanding_an_entity_adds_its_links_and_a_cut_is_said_with_its_number(small_graph: Graph) -> None:
    view = small_graph.view(Scope.PUBLIC)
    plain = ego_view(view, "bekizhan-mendygazyev", 1)
    expanded = ego_view(view, "bekizhan-mendygazyev", state=ViewState(expand=("barlyk-mendygazyev",)))
    assert plain is not None and expanded is not None
    added = sorted({n["id"] for n in expanded.nodes} - {n["id"] for n in plain.nodes})
    # Barlyk's associates, and the court that authorised the search of his home.
    assert added == ["almaty-court-unnamed", "baurzhan-jusupov", "natalia-dauletayarova"]
    assert expanded.note == "Everything within 1 step of Bekizhan Mendygazyev; with the links of Barlyk Mendygazyev."
    cut = ego_view(view, "barlyk-mendygazyev", 3, limit=5)
    assert cut is not None
    assert len(cut.edges) == 5
    assert cut.cut == (
        "Stopped at 5 links (the limit) while adding step 2 of 3: step 1 is whole, step 2 is not; "
        "a higher limit (at most 20,000) draws more."
    )


def test_layout_is_reproducible_and_rings_keep_the_centre_in_the_middle(small_graph: Graph) -> None:
    nodes = [{"id": f"n{i}", "name": f"N {i}", "labels": ["Person"], "sources": []} for i in range(400)]
    edges = [
        {"source": f"n{i}", "target": f"n{(i * 7) % 400}", "type": "ASSOCIATE_OF", "sources": []} for i in range(400)
    ]
    big = Picture(title="big", nodes=nodes, edges=edges)
    assert layout(big) == layout(big)
    picture = ego_view(small_graph.view(Scope.PUBLIC), "barlyk-mendygazyev", 2)
    assert picture is not None
    positions = layout(picture)
    assert positions["barlyk-mendygazyev"] == (0.0, 0.0)
    assert layout(picture) == positions
    assert {n["id"]: round(vis["x"], 1) for n, vis in zip(picture.nodes, vis_data(picture)["nodes"], strict=True)} == {
        n: round(x, 1) for n, (x, _) in positions.items()
    }


def test_html_is_self_contained_and_carries_dates_sources_and_state(small_graph: Graph) -> None:
    view = ego_view(small_graph.view(Scope.PUBLIC), "bekizhan-mendygazyev", 1)
    assert view is not None
    sources = {"odf-2021-political-prisoners": {"title": "Political prisoners", "date": "2021-09-02"}}
    page = to_html(view, sources=sources, entity_id="bekizhan-mendygazyev")
    assert EXTERNAL.findall(page) == []
    policy = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1))  # type: ignore[union-attr]
    assert policy.startswith("default-src 'none'; script-src 'unsafe-inline'") and "connect-src 'self'" in policy
    data = _page_data(page)
    assert sorted(n["id"] for n in data["nodes"]) == [n["id"] for n in view.nodes]
    detained = next(e for e in data["edges"] if e["type"] == "DETAINED_BY")
    assert detained["text"] == "detained by (pre trial detention)"
    assert detained["arrows"] == "to"
    assert detained["title"].splitlines() == [
        "detained by (pre trial detention)",
        "date: 2021-06-03",
        'odf-2021-political-prisoners:416 "Since 3 June 2021, Barlyk\'s brother Bekizhan Mendygaziyev has been kept in a pre-trial detention facility"',
        'odf-2021-political-prisoners:361 "They have been taken hostage"',
    ]
    assert [k["name"] for k in data["key"]] == ["Person", "Organization", "SecurityService"]
    assert "<b>odf-2021-political-prisoners</b>: Political prisoners, 2021-09-02" in page
    frozen = to_html(view, sources=sources)
    assert "connect-src" not in frozen and 'id="controls"' not in frozen and 'id="controls"' in page


def test_svg_for_print_has_the_key_link_labels_and_arrows(small_graph: Graph) -> None:
    picture = ego_view(small_graph.view(Scope.PUBLIC), "bekizhan-mendygazyev", 1)
    assert picture is not None
    svg = ET.fromstring(to_svg(picture))
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts[:2] == ["Bekizhan Mendygazyev", "Everything within 1 step of Bekizhan Mendygazyev."]
    for name in ("Barlyk Mendygazyev", "Police of Kazakhstan (agent not named)", "National Security Committee"):
        assert name in texts
    for words in ("detained by (pre trial detention)", "related to (brother)", "investigated by (attempted only)"):
        assert words in texts
    key_entries = [t for t in texts if t in ("Person", "Organization", "SecurityService")][-3:]
    assert key_entries == ["Person", "Organization", "SecurityService"]
    assert "Links, arrow from whom to whom: detained by (1); investigated by (2); related to (1)" in texts
    assert texts[-1] == f"Drawn {picture.drawn_on} from persecution-graph. Sources: odf-2021-political-prisoners"
    assert all(float(t.get("font-size", 0)) >= 12 for t in svg.iter(f"{SVG}text"))
    arrows = [p for p in svg.iter(f"{SVG}polygon") if p.get("fill") == "#666"]
    assert len(arrows) == 4  # every link here is directed
    assert sorted(g.get("data-id") for g in svg.iter(f"{SVG}g") if g.get("data-id")) == [n["id"] for n in picture.nodes]


def test_labels_never_overlap_or_leave_the_frame_in_print(small_graph: Graph, tmp_path: Path) -> None:
    picture = ego_view(small_graph.view(Scope.PUBLIC), "barlyk-mendygazyev", 3)
    assert picture is not None
    drawn = scene(picture, 1400, 1000, load_model())
    boxes = [(label.left, label.top, label.left + label.width, label.top + label.height) for label in drawn.labels]
    assert {label.text for label in drawn.labels if label.of == "node"} >= {"Barlyk Mendygazyev"}
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[2] <= 1400 and a[1] >= 0 and a[3] <= 1000
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert min(label.px for label in drawn.labels) >= 12
    png = tmp_path / "barlyk.png"
    to_png(picture, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert key(picture, load_model())[0] == {"name": "Person", "color": "#d62728", "shape": "dot"}


def test_routes_draw_the_state_in_every_format(small_graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    client = TestClient(create_app(small_graph))
    state = "depth=2&hide_links=RELATED_TO"
    data = client.get(f"/views/network/bekizhan-mendygazyev/data?{state}").json()
    assert data["state"] == state
    page = client.get(f"/views/network/bekizhan-mendygazyev?{state}").text
    assert [n["id"] for n in _page_data(page)["nodes"]] == [n["id"] for n in data["nodes"]]
    snapshot = client.get(f"/views/network/bekizhan-mendygazyev?{state}&snapshot=true")
    assert [n["id"] for n in _page_data(snapshot.text)["nodes"]] == [n["id"] for n in data["nodes"]]
    svg = ET.fromstring(client.get(f"/views/network/bekizhan-mendygazyev?{state}&format=svg").text)
    assert sorted(g.get("data-id") for g in svg.iter(f"{SVG}g") if g.get("data-id")) == sorted(
        n["id"] for n in data["nodes"]
    )
    png = client.get(f"/views/network/bekizhan-mendygazyev?{state}&format=png")
    assert png.content[:4] == b"\x89PNG" and png.headers["content-disposition"].startswith("inline; filename=")
    bad = client.get("/views/network/bekizhan-mendygazyev/data?hide_links=NOPE")
    assert bad.status_code == 400
    assert bad.json()["error"]["detail"].startswith("hide_links: NOPE is not one of DETAINED_BY, ")
    assert client.get("/views/network/daughter-of-dilnar-insenova/data").status_code == 404


def test_the_embed_code_uses_the_public_address(small_graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    client = TestClient(create_app(small_graph))
    assert '&lt;iframe src="http://testserver/views/network/nsc"' in client.get("/views/network/nsc").text
    monkeypatch.setenv("PERSECUTION_GRAPH_PUBLIC_URL", "https://graph.example.org/pg")
    view = client.get("/views/network/nsc").text
    assert '&lt;iframe src="https://graph.example.org/pg/views/network/nsc"' in view
    assert '"embed": "https://graph.example.org/pg/views/network/nsc"' in view
    entity = client.get("/entity/nsc").text
    assert '&lt;iframe src="https://graph.example.org/pg/views/network/nsc"' in entity
    monkeypatch.setenv("PERSECUTION_GRAPH_PUBLIC_URL", "graph.example.org")
    assert client.get("/views/network/nsc").json()["error"]["detail"] == (
        "PERSECUTION_GRAPH_PUBLIC_URL='graph.example.org' is not an http(s) address such as https://graph.example.org/"
    )


def test_viz_draws_the_state_it_is_given_and_says_where_it_stopped(
    small_graph: Graph, cli_env: dict[str, str], tmp_path: Path
) -> None:
    picture = tmp_path / "barlyk.svg"
    address = "http://127.0.0.1:8000/views/network/barlyk-mendygazyev?depth=3&limit=5&format=svg"
    run = subprocess.run(
        [sys.executable, "-m", "persecution_graph.api.cli", "viz", "barlyk-mendygazyev", "--public", "--state", address,
         "-o", str(picture)],
        env=cli_env, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    wrote, note = run.stdout.splitlines()
    assert wrote.startswith(f"wrote {picture}: 6 nodes, 5 edges, drawn ")
    assert note == "Everything within 3 steps of Barlyk Mendygazyev."
    assert run.stderr == (
        "Stopped at 5 links (the limit) while adding step 2 of 3: step 1 is whole, step 2 is not; "
        "a higher limit (at most 20,000) draws more.\n"
    )
    svg = ET.fromstring(picture.read_text())
    assert len([g for g in svg.iter(f"{SVG}g") if g.get("data-id")]) == 6
    refused = subprocess.run(
        [sys.executable, "-m", "persecution_graph.api.cli", "viz", "nsc", "--hide-links", "ARRESTED_BY", "-o",
         str(tmp_path / "nsc.png")],
        env=cli_env, capture_output=True, text=True,
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: hide_links: ARRESTED_BY is not one of DETAINED_BY, CHARGED_UNDER, ")


def test_query_views_draw_a_page_of_rows_with_labels(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    page = client.get("/views/query/co-defendants", params={"id": "rinat-batkayev", "limit": "1"}).text
    data = _page_data(page)
    assert data["note"] == (
        "The entities named in rows 1-1 (one page; the next page draws the next rows) of 'Co-defendants of a person' and every "
        "link among them."
    )
    assert all(node["text"] for node in data["nodes"])
    whole = _page_data(client.get("/views/query/co-defendants", params={"id": "rinat-batkayev"}).text)
    assert whole["note"] == "The entities named in rows 1-2 of 'Co-defendants of a person' and every link among them."
