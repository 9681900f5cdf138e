"""Network views: self-contained HTML, SVG and PNG from the same layout, on the real graph."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.viz.network import Picture, layout, to_html, to_png, to_svg, vis_data
from persecution_graph.viz.views import ego_view

# Anything that would make a browser fetch from elsewhere: src/href/url()/@import to a host.
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)


def test_ego_view_draws_the_surroundings_with_evidence(small_graph: Graph) -> None:
    view = ego_view(small_graph.view(Scope.PUBLIC), "bekizhan-mendygazyev", depth=1, limit=300)
    assert view is not None
    assert [n["id"] for n in view.nodes] == [
        "barlyk-mendygazyev",
        "bekizhan-mendygazyev",
        "kazakhstan-police",
        "nsc",
        "perpetrator-not-stated",
    ]
    assert [(e["source"], e["type"], e["target"], e["detail"]) for e in view.edges] == [
        ("bekizhan-mendygazyev", "DETAINED_BY", "perpetrator-not-stated", "pre_trial_detention"),
        ("bekizhan-mendygazyev", "INVESTIGATED_BY", "kazakhstan-police", "attempted only"),
        ("bekizhan-mendygazyev", "INVESTIGATED_BY", "nsc", "attempted only"),
        ("bekizhan-mendygazyev", "RELATED_TO", "barlyk-mendygazyev", "brother"),
    ]
    assert ego_view(small_graph.view(Scope.PUBLIC), "daughter-of-dilnar-insenova", 1, 300) is None


def test_html_is_self_contained_and_carries_dates_and_sources(small_graph: Graph) -> None:
    view = ego_view(small_graph.view(Scope.PUBLIC), "bekizhan-mendygazyev", depth=1, limit=300)
    assert view is not None
    page = to_html(
        view, sources={"odf-2021-political-prisoners": {"title": "Political prisoners", "date": "2021-09-02"}}
    )
    assert EXTERNAL.findall(page) == []
    assert "default-src 'none'" in page
    data = json.loads(re.search(r"var data = (\{.*?\});\n", page).group(1))  # type: ignore[union-attr]
    assert sorted(n["id"] for n in data["nodes"]) == [n["id"] for n in view.nodes]
    detained = next(e for e in data["edges"] if e["type"] == "DETAINED_BY")
    assert detained["label"] == "detained by (pre_trial_detention)"
    assert detained["title"].splitlines() == [
        "detained by (pre_trial_detention)",
        "date: 2021-06-03",
        'odf-2021-political-prisoners:416 "Since 3 June 2021, Barlyk\'s brother Bekizhan Mendygaziyev has been kept in a pre-trial detention facility"',
        'odf-2021-political-prisoners:361 "They have been taken hostage"',
    ]
    assert "<b>odf-2021-political-prisoners</b>: Political prisoners, 2021-09-02" in page


def test_layout_is_reproducible_and_large_views_need_no_physics() -> None:
    nodes = [{"id": f"n{i}", "name": f"N {i}", "labels": ["Person"], "sources": []} for i in range(400)]
    edges = [
        {"source": f"n{i}", "target": f"n{(i * 7) % 400}", "type": "ASSOCIATE_OF", "sources": []} for i in range(400)
    ]
    view = Picture(title="big", nodes=nodes, edges=edges)
    assert layout(view) == layout(view)
    assert vis_data(view)["physics"] is False
    small = Picture(title="small", nodes=nodes[:50], edges=[])
    assert vis_data(small)["physics"] is True


def test_svg_and_png_for_print(small_graph: Graph, tmp_path: Path) -> None:
    view = ego_view(small_graph.view(Scope.PUBLIC), "nsc", depth=1, limit=300)
    assert view is not None
    svg = ET.fromstring(to_svg(view))
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "National Security Committee" in texts
    assert texts[-1] == f"Drawn {view.drawn_on} from persecution-graph. Sources: odf-2021-political-prisoners"
    png = tmp_path / "nsc.png"
    to_png(view, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
