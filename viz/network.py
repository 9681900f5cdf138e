"""Network views: a picture drawn as one self-contained HTML page (and, in viz/images.py, as an
SVG or a PNG).

The page inlines the vis-network library shipped inside the pyvis package and the view's own
script (templates/network.js), through our own template: no request leaves for any other host
(a Content-Security-Policy forbids it; the server sends it as a header too). Positions come
from viz/layout.py, so the page draws at once and shows what the SVG and the PNG show; the
page draws the labels itself, at a size the reader can read, only where they fit.

The page explores: it asks this server (same origin, through the caller's view) for the picture
of a new state when the reader changes depth or filters, expands an entity or opens a group
(``/views/network/ID/data?...``), and keeps the state in its address, so that the snapshot,
SVG, PNG and embed links it offers draw what the reader composed. A frozen snapshot keeps the
picture and its key, and asks nothing of anyone.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import pyvis

from ..graph.model import Model, load_model
from .images import to_png, to_svg
from .layout import layout, node_size
from .picture import (
    GROUP_KIND,
    Picture,
    evidence_text,
    footer,
    is_directed,
    key,
    kind_of,
    kinds,
    link_label,
    short,
    style_of,
    type_label,
)

VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
TEMPLATES = Path(__file__).with_name("templates")
# A view runs its own inline script, asks this server (and only it) for more of the graph, and
# nothing of any other host; it is meant to be embedded in reports, so any page may frame it
# (sent as a header by the server).
VIEW_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
    "connect-src 'self'; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors *"
)
# The frozen file asks nothing of anyone (in a <meta> tag: no framing rule there).
FROZEN_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; base-uri 'none'; form-action 'none'"
)
EDGE_CATEGORIES = {"act": "Acts", "status": "Status", "tie": "Ties", "structure": "Structure", "identity": "Identity"}

__all__ = ["VIEW_POLICY", "Picture", "cited", "layout", "payload", "to_html", "to_png", "to_svg", "vis_data"]


def _tooltip(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _node_tooltip(node: dict[str, Any], drawn: int) -> str:
    if node.get("members"):
        names = [m["name"] for m in node["members"]]
        shown = ", ".join(names[:25]) + (f" and {len(names) - 25} more" if len(names) > 25 else "")
        return _tooltip(node["name"], shown, "Click to draw each of them.")
    more = node.get("links", 0) - drawn
    return _tooltip(
        node.get("name") or node["id"],
        ", ".join(node["labels"]),
        f"date: {node['date']}" if node.get("date") else "",
        evidence_text(node.get("sources") or []),
        f"{more} more link{'s' if more != 1 else ''} in the graph: click to draw them." if more > 0 else "",
    )


def vis_data(picture: Picture, model: Model | None = None) -> dict[str, Any]:
    """Nodes and edges for vis-network, with the positions of viz/layout.py and what the page's
    label layer needs (text, importance); vis-network itself draws no label."""
    model = model or load_model()
    positions = layout(picture)
    degree: dict[str, int] = {}
    for edge in picture.edges:
        degree[edge["source"]] = degree.get(edge["source"], 0) + 1
        degree[edge["target"]] = degree.get(edge["target"], 0) + 1
    hops = {node["id"]: int(node.get("hop") or 0) for node in picture.nodes}
    nodes = []
    for node in picture.nodes:
        kind = node.get("kind") or kind_of(node["labels"], model)
        style = style_of(kind, model) if kind != GROUP_KIND else {"color": "#dddddd", "shape": "dot"}
        x, y = positions.get(node["id"], (0.0, 0.0))
        drawn = degree.get(node["id"], 0)
        more = not node.get("members") and node.get("links", 0) > drawn
        nodes.append(
            {
                "id": node["id"],
                "x": round(x, 1),
                "y": round(y, 1),
                "text": short(node.get("name") or node["id"]),
                "title": _node_tooltip(node, drawn),
                "kind": kind,
                "hop": hops[node["id"]],
                "degree": drawn,
                "links": node.get("links", 0),
                "members": len(node.get("members") or []),
                "shape": "dot" if node.get("members") else style["shape"],
                "size": node_size(node, picture.center),
                "color": {"background": style["color"], "border": "#333333"},
                "borderWidth": 3 if node["id"] == picture.center else (2 if node.get("members") or more else 1),
                "shapeProperties": {"borderDashes": [4, 3] if node.get("members") or more else False},
            }
        )
    edges = []
    for edge in picture.edges:
        words = link_label(edge, model)
        edges.append(
            {
                "id": edge["id"],
                "from": edge["source"],
                "to": edge["target"],
                "type": edge["type"],
                "text": "" if edge.get("silent") else short(words),
                "near": min(hops[edge["source"]], hops[edge["target"]]),
                "title": _tooltip(
                    words, f"date: {edge['date']}" if edge.get("date") else "", evidence_text(edge.get("sources") or [])
                ),
                "arrows": "to" if is_directed(edge["type"], model) else "",
                "width": 1 + min(4.0, (edge.get("count") or 1) ** 0.5 / 2) if edge.get("count") else 1,
            }
        )
    return {"nodes": nodes, "edges": edges}


def _link_order(edge_type: str, model: Model) -> tuple[int, int, str]:
    """Link types by category (acts, status, ties, structure, identity), then the model's order."""
    found = model.edges.get(edge_type)
    category = list(EDGE_CATEGORIES).index(found.category) if found and found.category in EDGE_CATEGORIES else 99
    return (category, list(model.edges).index(edge_type) if found else 999, edge_type)


def payload(picture: Picture, model: Model | None = None) -> dict[str, Any]:
    """Everything the page draws for a picture: what the JSON route sends and the page holds."""
    model = model or load_model()
    drawn_kinds: dict[str, int] = {}
    for node in picture.nodes:
        kind = node.get("kind") or kind_of(node["labels"], model)
        drawn_kinds[kind] = drawn_kinds.get(kind, 0) + (len(node["members"]) if node.get("members") else 1)
    drawn_links: dict[str, int] = {}
    for edge in picture.edges:
        drawn_links[edge["type"]] = drawn_links.get(edge["type"], 0) + int(edge.get("count") or 1)
    link_types = sorted(set(picture.offered_links) | set(drawn_links), key=lambda t: _link_order(t, model))
    return {
        **vis_data(picture, model),
        "title": picture.title,
        "center": picture.center,
        "note": picture.note,
        "cut": picture.cut,
        "state": picture.state,
        "drawn_on": picture.drawn_on,
        "footer": footer(picture),
        "key": key(picture, model),
        "kinds": [
            {
                "name": name,
                **style_of(name, model),
                "drawn": drawn_kinds.get(name, 0),
                "offered": picture.offered_kinds.get(name, 0),
            }
            for name in kinds(model)
        ],
        "links": [
            {
                "type": name,
                "label": type_label(name, model),
                "category": EDGE_CATEGORIES.get(model.edges[name].category, "Other")
                if name in model.edges
                else "Other",
                "drawn": drawn_links.get(name, 0),
                "offered": picture.offered_links.get(name, drawn_links.get(name, 0)),
            }
            for name in link_types
        ],
        "has_groups": any(node.get("members") for node in picture.nodes),
    }


def cited(picture: Picture, sources: dict[str, dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The sources a picture draws from, with their title, publisher, date and address."""
    keep = ("title", "publisher", "date", "url")
    return [
        {"id": sid, **{k: v for k, v in (sources or {}).get(sid, {}).items() if k in keep}}
        for sid in picture.source_ids()
    ]


@cache
def _vis_assets() -> tuple[str, str]:
    script = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    style = (VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    # A literal "</script>" inside the library would end our script element early.
    return script.replace("</script", "<\\/script"), style


@cache
def _view_script() -> str:
    return (TEMPLATES / "network.js").read_text(encoding="utf-8").replace("</script", "<\\/script")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]))


def _json_for_script(value: Any) -> str:
    """JSON safe inside a <script> element (no closing tag, no HTML comment)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_html(
    view: Picture,
    sources: dict[str, dict[str, Any]] | None = None,
    embed_url: str | None = None,
    model: Model | None = None,
    frozen: bool | None = None,
    entity_id: str | None = None,
) -> str:
    """The picture as one self-contained HTML page; `sources` maps source ids to their records.

    `entity_id`: the page explores around it (asks this server for new states, offers the
    downloads of what is composed); `embed_url`: the public address the embed code points at.
    Without an entity the page is frozen unless `frozen` says otherwise: a picture and its key.
    """
    model = model or load_model()
    frozen = entity_id is None if frozen is None else frozen
    script, style = _vis_assets()
    used = cited(view, sources)
    data = {**payload(view, model), "sources": used}
    page = {
        "frozen": frozen,
        "entity": entity_id,
        "base": quote(entity_id, safe="") if entity_id else None,
        "embed": embed_url,
    }
    return (
        _environment()
        .get_template("network.html")
        .render(
            view=view,
            data=data,
            used_sources=used,
            data_json=_json_for_script(data),
            page_json=_json_for_script(page),
            frozen=frozen,
            explore=entity_id is not None and not frozen,
            policy=FROZEN_POLICY if frozen else VIEW_POLICY.replace("; frame-ancestors *", ""),
            vis_script=script,
            vis_style=style,
            view_script=_view_script(),
            embed_url=embed_url,
        )
    )
