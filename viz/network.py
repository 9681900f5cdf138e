"""Network views: a subgraph drawn as one self-contained HTML page, an SVG or a PNG.

The page inlines the vis-network library shipped inside the pyvis package, through our own
template: no request leaves for any other host (a Content-Security-Policy in the page forbids
it too). Positions are computed here with networkx, so a large view is drawn at once instead
of waiting for the physics to settle; small views keep a short, bounded physics run.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx
import pyvis
from pyvis.network import Network

from ..graph.model import Model, load_model

VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
TEMPLATES = Path(__file__).with_name("templates")
# A view runs its own inline script and asks no other host for anything; it is meant to be
# embedded in reports, so any page may frame it (sent as a header by the server; the frozen
# file carries the same policy, less framing, in a <meta> tag).
VIEW_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors *"
)
# Above this many nodes the physics is off and the precomputed layout is final.
PHYSICS_MAX_NODES = 300
SCALE = 1000.0


@dataclass
class Picture:
    """What a view draws: nodes and edges with their evidence, and where they came from."""

    title: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    center: str | None = None
    drawn_on: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
    note: str = ""

    def source_ids(self) -> list[str]:
        refs = [ref for item in self.nodes + self.edges for ref in item.get("sources") or []]
        return sorted({ref["source"] for ref in refs})


def _evidence_text(sources: list[dict[str, Any]]) -> str:
    parts = []
    for ref in sources or []:
        where = ref.get("line") or ref.get("page") or ""
        text = f"{ref['source']}:{where}" if where else ref["source"]
        if ref.get("quote"):
            text += f' "{ref["quote"]}"'
        parts.append(text)
    return "\n".join(parts)


def _force_layout(size: int, pairs: list[tuple[int, int]], seed: int, iterations: int = 80) -> Any:
    """Fruchterman-Reingold on one connected component, in numpy, in a unit box.

    Repulsion is estimated from a fixed-seed random sample of the other nodes (scaled up to
    the whole), so a step costs O(n * sample + edges) instead of O(n^2): 10,000 nodes are laid
    out in seconds, and the same graph always gets the same picture.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    pos = rng.random((size, 2))
    if size == 1:
        return pos * 0 + 0.5
    k = 1.0 / math.sqrt(size)
    sample = min(size - 1, 48)
    src = np.array([a for a, _ in pairs], dtype=int)
    dst = np.array([b for _, b in pairs], dtype=int)
    step = 0.1
    for _ in range(iterations):
        others = rng.integers(0, size, size=(size, sample))
        delta = pos[:, None, :] - pos[others]
        dist2 = (delta**2).sum(-1) + 1e-6
        repulsion = (delta / dist2[..., None]).sum(1) * (k * k) * ((size - 1) / sample)
        attraction = np.zeros_like(pos)
        if len(pairs):
            d = pos[src] - pos[dst]
            force = d * np.sqrt((d**2).sum(-1))[:, None] / k
            np.add.at(attraction, src, -force)
            np.add.at(attraction, dst, force)
        move = repulsion + attraction
        length = np.sqrt((move**2).sum(-1))[:, None] + 1e-9
        pos += move / length * np.minimum(length, step)
        step *= 0.95
    pos -= pos.min(0)
    return pos / max(float(pos.max()), 1e-9)


def layout(view: Picture, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions for every node, the same for the same graph (fixed seed).

    Each connected component is laid out on its own and the components are packed in rows,
    largest first, each in a square whose side grows with the square root of its size.
    """
    network = nx.Graph()
    network.add_nodes_from(node["id"] for node in view.nodes)
    network.add_edges_from((e["source"], e["target"]) for e in view.edges if e["source"] != e["target"])
    components = sorted((sorted(c) for c in nx.connected_components(network)), key=lambda c: (-len(c), c[0]))
    positions: dict[str, tuple[float, float]] = {}
    sides = [math.sqrt(len(c)) if len(c) > 1 else 1.0 for c in components]
    total_side = max(math.sqrt(sum(side * side for side in sides)) * 1.6, max(sides, default=1.0))
    x = y = row_height = 0.0
    for members in components:
        side = math.sqrt(len(members)) if len(members) > 1 else 1.0
        if x > 0 and x + side > total_side:
            x, y, row_height = 0.0, y + row_height + 0.5, 0.0
        index = {node: i for i, node in enumerate(members)}
        pairs = [(index[a], index[b]) for a, b in network.subgraph(members).edges()]
        unit = _force_layout(len(members), pairs, seed)
        for node, (px, py) in zip(members, unit, strict=True):
            positions[node] = ((x + float(px) * side) * SCALE / 4, (y + float(py) * side) * SCALE / 4)
        x += side + 0.5
        row_height = max(row_height, side)
    return positions


def _type_of(labels: list[str], model: Model) -> str:
    return next((label for label in labels if label in model.nodes), "Entity")


def legend(view: Picture, model: Model | None = None) -> list[dict[str, str]]:
    """The styles present in the view: one entry per style, named by the labels that have it."""
    model = model or load_model()
    seen: dict[tuple[str, str], str] = {}
    for node in view.nodes:
        style = model.style_for(node["labels"])
        name = next((label for label in node["labels"] if label in model.label_styles), None)
        name = name or _type_of(node["labels"], model)
        seen.setdefault((style["color"], style["shape"]), name)
    return [{"name": name, "color": color, "shape": shape} for (color, shape), name in seen.items()]


def vis_data(view: Picture, model: Model | None = None) -> dict[str, Any]:
    """Nodes, edges and options for vis-network, assembled with pyvis."""
    model = model or load_model()
    positions = layout(view)
    physics = len(view.nodes) <= PHYSICS_MAX_NODES
    net = Network(directed=True, cdn_resources="in_line")
    for node in view.nodes:
        style = model.style_for(node["labels"])
        x, y = positions.get(node["id"], (0.0, 0.0))
        tooltip = "\n".join(
            part
            for part in (
                node.get("name") or node["id"],
                ", ".join(node["labels"]),
                f"date: {node['date']}" if node.get("date") else "",
                _evidence_text(node.get("sources") or []),
            )
            if part
        )
        net.add_node(
            node["id"],
            label=node.get("name") or node["id"],
            title=tooltip,
            color=style["color"],
            shape=style["shape"],
            nodeType=_type_of(node["labels"], model),
            x=x,
            y=y,
            size=22 if node["id"] == view.center else 14,
            borderWidth=3 if node["id"] == view.center else 1,
        )
    for edge in view.edges:
        edge_type = model.edges.get(edge["type"])
        label = edge_type.label if edge_type else edge["type"].lower()
        if edge.get("detail"):
            label += f" ({edge['detail']})"
        tooltip = "\n".join(
            part
            for part in (
                label,
                f"date: {edge['date']}" if edge.get("date") else "",
                _evidence_text(edge.get("sources") or []),
            )
            if part
        )
        net.add_edge(
            edge["source"],
            edge["target"],
            label=label,
            title=tooltip,
            type=edge["type"],
            arrows="to" if (edge_type is None or edge_type.directed) else "",
        )
    options = {
        "physics": {
            "enabled": physics,
            "stabilization": {"enabled": True, "iterations": 150, "fit": True},
            "barnesHut": {"gravitationalConstant": -3000, "springLength": 120},
        },
        "interaction": {"hover": True, "keyboard": {"enabled": True}, "navigationButtons": False},
        "edges": {"font": {"size": 9, "align": "middle"}, "smooth": False, "color": {"color": "#888888"}},
        "nodes": {"font": {"size": 12}},
        "layout": {"improvedLayout": False},
    }
    nodes, edges, *_ = net.get_network_data()
    return {"nodes": nodes, "edges": edges, "options": options, "physics": physics}


@cache
def _vis_assets() -> tuple[str, str]:
    script = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    style = (VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    # A literal "</script>" inside the library would end our script element early.
    return script.replace("</script", "<\\/script"), style


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
) -> str:
    """The view as one self-contained HTML page; `sources` maps source ids to their records."""
    model = model or load_model()
    data = vis_data(view, model)
    script, style = _vis_assets()
    used = [
        {
            "id": sid,
            **{k: v for k, v in (sources or {}).get(sid, {}).items() if k in ("title", "publisher", "date", "url")},
        }
        for sid in view.source_ids()
    ]
    return (
        _environment()
        .get_template("network.html")
        .render(
            view=view,
            legend=legend(view, model),
            types=sorted({_type_of(n["labels"], model) for n in view.nodes}),
            used_sources=used,
            data_json=_json_for_script({"nodes": data["nodes"], "edges": data["edges"]}),
            options_json=_json_for_script(data["options"]),
            physics=data["physics"],
            vis_script=script,
            vis_style=style,
            embed_url=embed_url,
        )
    )


# -- static images -------------------------------------------------------------------------

SVG_MARGIN = 110.0


def _fit(view: Picture, width: float, height: float) -> dict[str, tuple[float, float]]:
    positions = layout(view)
    if not positions:
        return {}
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    scale = min((width - 2 * SVG_MARGIN) / span_x, (height - 2 * SVG_MARGIN) / span_y)
    return {
        node: (SVG_MARGIN + (x - min(xs)) * scale, SVG_MARGIN + (y - min(ys)) * scale)
        for node, (x, y) in positions.items()
    }


def _svg_shape(shape: str, x: float, y: float, r: float, color: str) -> str:
    fill = f'fill="{color}" stroke="#333" stroke-width="0.8"'
    if shape in ("square", "box"):
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" {fill}/>'
    if shape in ("triangle", "diamond", "hexagon", "star"):
        sides = {"triangle": 3, "diamond": 4, "hexagon": 6, "star": 5}[shape]
        points = " ".join(
            f"{x + r * math.sin(2 * math.pi * i / sides):.1f},{y - r * math.cos(2 * math.pi * i / sides):.1f}"
            for i in range(sides)
        )
        return f'<polygon points="{points}" {fill}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {fill}/>'


def to_svg(view: Picture, width: int = 1200, height: int = 900, model: Model | None = None) -> str:
    """The view as a static SVG for print: same layout, legend, date drawn and sources."""
    model = model or load_model()
    positions = _fit(view, width, height - 80)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="20" y="28" font-size="18">{html.escape(view.title)}</text>',
    ]
    for edge in view.edges:
        if edge["source"] not in positions or edge["target"] not in positions:
            continue
        (x1, y1), (x2, y2) = positions[edge["source"]], positions[edge["target"]]
        edge_type = model.edges.get(edge["type"])
        label = edge_type.label if edge_type else edge["type"]
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#999" stroke-width="1"/>')
        out.append(
            f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2:.1f}" font-size="8" fill="#666" '
            f'text-anchor="middle">{html.escape(label)}</text>'
        )
    for node in view.nodes:
        x, y = positions[node["id"]]
        style = model.style_for(node["labels"])
        radius = 11.0 if node["id"] == view.center else 7.0
        out.append(_svg_shape(style["shape"], x, y, radius, style["color"]))
        out.append(
            f'<text x="{x:.1f}" y="{y + radius + 11:.1f}" font-size="10" text-anchor="middle">'
            f"{html.escape(node.get('name') or node['id'])}</text>"
        )
    legend_y = height - 48
    x = 20.0
    for entry in legend(view, model):
        out.append(_svg_shape(entry["shape"], x + 6, legend_y, 6, entry["color"]))
        out.append(f'<text x="{x + 16:.1f}" y="{legend_y + 4:.1f}" font-size="11">{html.escape(entry["name"])}</text>')
        x += 30 + 7 * len(entry["name"])
    footer = f"Drawn {view.drawn_on} from persecution-graph. Sources: {', '.join(view.source_ids()) or 'none'}"
    out.append(f'<text x="20" y="{height - 18}" font-size="10" fill="#444">{html.escape(footer)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def to_png(view: Picture, path: Path, width: int = 1600, height: int = 1200, model: Model | None = None) -> None:
    """The view as a PNG for print (drawn with Pillow from the same layout as the SVG)."""
    from PIL import Image, ImageDraw

    model = model or load_model()
    positions = _fit(view, width, height - 100)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 16), view.title, fill="black", font_size=22)
    for edge in view.edges:
        if edge["source"] in positions and edge["target"] in positions:
            draw.line([positions[edge["source"]], positions[edge["target"]]], fill="#999999", width=1)
    for node in view.nodes:
        x, y = positions[node["id"]]
        style = model.style_for(node["labels"])
        r = 12 if node["id"] == view.center else 8
        box = [x - r, y - r, x + r, y + r]
        if style["shape"] in ("square", "box"):
            draw.rectangle(box, fill=style["color"], outline="#333333")
        elif style["shape"] in ("triangle", "diamond", "hexagon", "star"):
            sides = {"triangle": 3, "diamond": 4, "hexagon": 6, "star": 5}[style["shape"]]
            draw.regular_polygon((x, y, r), sides, fill=style["color"], outline="#333333")
        else:
            draw.ellipse(box, fill=style["color"], outline="#333333")
        draw.text((x, y + r + 8), node.get("name") or node["id"], fill="black", anchor="mm", font_size=13)
    footer = f"Drawn {view.drawn_on} from persecution-graph. Sources: {', '.join(view.source_ids()) or 'none'}"
    draw.text((20, height - 30), footer, fill="#444444", font_size=13)
    image.save(path, format="PNG")
