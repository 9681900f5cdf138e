"""A picture as a static image for print: SVG or PNG, the same scene in both.

The scene is laid out once (:func:`scene`): the title and what the picture holds at the top,
the network in the middle with its labels where they fit (viz/layout.py), arrows on directed
links, then the key (each kind once, from the model), the link types drawn, and the date and
sources at the bottom. SVG and PNG only draw it.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..graph.model import Model, load_model
from .layout import Label, Line, Mark, layout, node_size, place_labels
from .picture import Picture, footer, is_directed, key, link_key, link_label, short, style_of

# DejaVu Sans (Debian's fonts-dejavu-core) where it is, for its Cyrillic; else Pillow's own font.
SYSTEM_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SYSTEM_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
SVG_FONTS = "DejaVu Sans, Verdana, Arial, sans-serif"
NODE_PX, CENTER_PX, LINK_PX, KEY_PX, TITLE_PX, NOTE_PX = 13.0, 15.0, 12.0, 13.0, 20.0, 13.0
PAD = 20.0
EDGE_COLOR = "#8a8a8a"


@cache
def _font(px: float, bold: bool = False) -> Any:
    from PIL import ImageFont

    path = SYSTEM_BOLD if bold else SYSTEM_FONT
    if path.exists():
        return ImageFont.truetype(str(path), size=round(px))
    return ImageFont.load_default(size=round(px))


def measure(text: str, px: float, bold: bool = False) -> float:
    """The width of a line of text at a size, in pixels (the font the PNG draws with; the SVG
    asks for the same one first, and the widest common fallbacks are narrower)."""
    return float(_font(px, bold).getlength(text)) + 1.0


def _wrap(text: str, px: float, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and measure(lines[-1] + " " + word, px) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


@dataclass
class Scene:
    """Everything an image draws, in pixels."""

    width: float
    height: float
    title: str
    head: list[tuple[str, float, float]]  # note and cut lines: text, x, y
    marks: dict[str, Mark]
    styles: dict[str, dict[str, str]]
    lines: list[Line]
    arrows: dict[str, bool]
    labels: list[Label]
    key: list[tuple[dict[str, str], float, float]]
    tail: list[tuple[str, float, float, str]] = field(default_factory=list)  # text, x, y, colour
    group_ids: set[str] = field(default_factory=set)


def _ranked(picture: Picture, node: dict[str, Any], degree: dict[str, int]) -> tuple[Any, ...]:
    """The order labels are placed in: the centre, then groups, then nearest, most connected."""
    if node["id"] == picture.center:
        return (0,)
    if node.get("members"):
        return (2, node.get("hop", 9), -len(node["members"]), node["id"])
    return (3, node.get("hop", 9), -degree.get(node["id"], 0), node.get("name") or "", node["id"])


def scene(picture: Picture, width: int, height: int, model: Model) -> Scene:
    """The picture laid out in an image of this size."""
    text_width = width - 2 * PAD
    head = []
    y = PAD + TITLE_PX + 12
    for sentence in (picture.note, picture.cut):
        for line in _wrap(sentence, NOTE_PX, text_width) if sentence else []:
            head.append((line, PAD, y))
            y += NOTE_PX * 1.4
    top = y + 4
    degree: dict[str, int] = {}
    for edge in picture.edges:
        degree[edge["source"]] = degree.get(edge["source"], 0) + 1
        degree[edge["target"]] = degree.get(edge["target"], 0) + 1
    key_height, key_items = _key_rows(picture, model, width)
    tail_lines = _wrap(footer(picture), 12.0, text_width)
    bottom = height - PAD - 16 * len(tail_lines) - key_height - 6
    area = (PAD, top, width - 2 * PAD, max(120.0, bottom - top))
    positions, scale = _fit(picture, area)
    hops = {node["id"]: int(node.get("hop") or 0) for node in picture.nodes}
    marks = {}
    styles = {}
    for node in picture.nodes:
        x, y = positions[node["id"]]
        radius = max(5.0, min(26.0, node_size(node, picture.center) * min(scale, 1.2)))
        px = CENTER_PX if node["id"] == picture.center else NODE_PX
        text = short(node.get("name") or node["id"])
        marks[node["id"]] = Mark(node["id"], x, y, radius, text, px, _ranked(picture, node, degree))
        styles[node["id"]] = _style(node, model)
    lines = []
    arrows = {}
    for edge in picture.edges:
        a, b = marks[edge["source"]], marks[edge["target"]]
        text = "" if edge.get("silent") else short(link_label(edge, model))
        near = min(hops[edge["source"]], hops[edge["target"]])
        rank = (0 if picture.center in (edge["source"], edge["target"]) else 1, near, edge["type"], edge["id"])
        lines.append(Line(edge["id"], a.x, a.y, b.x, b.y, text, LINK_PX, rank))
        arrows[edge["id"]] = is_directed(edge["type"], model)
    labels = place_labels(list(marks.values()), lines, area, measure)
    key_top = bottom + 6 + KEY_PX / 2
    tail_top = bottom + 6 + key_height + 14
    return Scene(
        width=width,
        height=height,
        title=picture.title,
        head=head,
        marks=marks,
        styles=styles,
        lines=lines,
        arrows=arrows,
        labels=labels,
        key=[(item, x, key_top + dy) for item, x, dy in key_items],
        tail=[(line, PAD, tail_top + 16 * i, "#444444") for i, line in enumerate(tail_lines)],
        group_ids={n["id"] for n in picture.nodes if n.get("members")},
    )


def _style(node: dict[str, Any], model: Model) -> dict[str, str]:
    return style_of(node["kind"], model) if node.get("kind") else model.style_for(node["labels"])


def _key_rows(picture: Picture, model: Model, width: int) -> tuple[float, list[tuple[dict[str, str], float, float]]]:
    """The key's entries placed in rows under the network: each kind drawn (a swatch each),
    groups if drawn, then the link types with how many ties each stands for.
    Returns the key's height and each entry with its x and its offset from the key's top."""
    items: list[dict[str, str]] = [
        {"name": e["name"], "color": e["color"], "shape": e["shape"]} for e in key(picture, model)
    ]
    if any(n.get("members") for n in picture.nodes):
        items.append({"name": "group of ties of one kind", "color": "#ffffff", "shape": "group"})
    placed: list[tuple[dict[str, str], float, float]] = []
    x, row = PAD, 0.0
    for item in items:
        span = 18 + measure(item["name"], KEY_PX) + 16
        if x + span > width - PAD and x > PAD:
            x, row = PAD, row + 20
        placed.append((item, x, row))
        x += span
    links = link_key(picture, model)
    words = "Links, arrow from whom to whom: " + "; ".join(f"{k['label']} ({k['count']})" for k in links)
    for line in _wrap(words, KEY_PX, width - 2 * PAD) if links else []:
        row += 20
        placed.append(({"name": line, "color": "", "shape": "text"}, PAD, row))
    return row + 20, placed


def _fit(picture: Picture, area: tuple[float, float, float, float]) -> tuple[dict[str, tuple[float, float]], float]:
    """Positions scaled into the area, with room at the sides for labels."""
    positions = layout(picture)
    if not positions:
        return {}, 1.0
    left, top, width, height = area
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    room_x, room_y = min(150.0, width / 5), 30.0
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    scale = min((width - 2 * room_x) / span_x, (height - 2 * room_y) / span_y, 1.6)
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {
        node: (left + width / 2 + (x - mid_x) * scale, top + height / 2 + (y - mid_y) * scale)
        for node, (x, y) in positions.items()
    }, scale


def _arrow_head(line: Line, radius: float) -> list[tuple[float, float]] | None:
    """The arrow head at the target end of a link, touching the target node's outline."""
    dx, dy = line.x2 - line.x1, line.y2 - line.y1
    length = math.hypot(dx, dy)
    if length < radius + 12:
        return None
    ux, uy = dx / length, dy / length
    tip = (line.x2 - ux * (radius + 1), line.y2 - uy * (radius + 1))
    base = (tip[0] - ux * 9, tip[1] - uy * 9)
    return [tip, (base[0] - uy * 4, base[1] + ux * 4), (base[0] + uy * 4, base[1] - ux * 4)]


def _shape_points(shape: str, x: float, y: float, r: float) -> list[tuple[float, float]] | None:
    if shape == "star":
        return [
            (x + (r if i % 2 == 0 else r * 0.45) * math.sin(math.pi * i / 5),
             y - (r if i % 2 == 0 else r * 0.45) * math.cos(math.pi * i / 5))
            for i in range(10)
        ]  # fmt: skip
    sides = {"triangle": 3, "diamond": 4, "hexagon": 6}.get(shape)
    if sides is None:
        return None
    return [
        (x + r * math.sin(2 * math.pi * i / sides), y - r * math.cos(2 * math.pi * i / sides)) for i in range(sides)
    ]


# -- SVG ---------------------------------------------------------------------------------------


def _svg_shape(shape: str, x: float, y: float, r: float, color: str) -> str:
    stroke = 'stroke="#333" stroke-width="0.9"'
    circle = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"'
    if shape == "group":
        return f'{circle} fill="{color}" stroke="#333" stroke-width="1.6" stroke-dasharray="4 3"/>'
    if shape in ("square", "box"):
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" fill="{color}" {stroke}/>'
        )
    points = _shape_points(shape, x, y, r)
    if points:
        text = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        return f'<polygon points="{text}" fill="{color}" {stroke}/>'
    return f'{circle} fill="{color}" {stroke}/>'


def _svg_text(text: str, x: float, y: float, px: float, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{px:g}"{extra}>{html.escape(text)}</text>'


def to_svg(picture: Picture, width: int = 1400, height: int = 1000, model: Model | None = None) -> str:
    """The picture as a static SVG for print: the same layout, key, link labels and arrows as
    the page, with the date drawn and the sources."""
    model = model or load_model()
    s = scene(picture, width, height, model)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{SVG_FONTS}">',
        f"<title>{html.escape(picture.title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        _svg_text(s.title, PAD, PAD + TITLE_PX - 2, TITLE_PX, font_weight="bold"),
    ]
    out += [_svg_text(text, x, y, NOTE_PX, fill="#333") for text, x, y in s.head]
    out.append(f'<g stroke="{EDGE_COLOR}" stroke-width="1">')
    for line in s.lines:
        out.append(f'<line x1="{line.x1:.1f}" y1="{line.y1:.1f}" x2="{line.x2:.1f}" y2="{line.y2:.1f}"/>')
    out.append("</g>")
    names = {node["id"]: node.get("name") or node["id"] for node in picture.nodes}
    for line in s.lines:
        head = _arrow_head(line, s.marks[_target_of(picture, line.id)].r) if s.arrows[line.id] else None
        if head:
            out.append(f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in head)}" fill="#666"/>')
    for node_id, mark in s.marks.items():
        style = s.styles[node_id]
        shape = "group" if node_id in s.group_ids else style["shape"]
        title = f"<title>{html.escape(names[node_id])}</title>"
        shape_svg = _svg_shape(shape, mark.x, mark.y, mark.r, style["color"])
        out.append(f'<g data-id="{html.escape(node_id, quote=True)}">{title}{shape_svg}</g>')
    for label in s.labels:
        node_label = label.of == "node"
        out.append(
            _svg_text(
                label.text,
                label.left,
                label.top + label.height * 0.78,
                label.px,
                fill="#111" if node_label else "#555",
                font_weight="bold" if label.id == picture.center and node_label else "normal",
                stroke="#ffffff",
                stroke_width="3",
                paint_order="stroke",
            )
        )
    for entry, x, y in s.key:
        if entry["shape"] == "text":
            out.append(_svg_text(entry["name"], x, y + 4, KEY_PX, fill="#333"))
            continue
        out.append(_svg_shape(entry["shape"], x + 6, y, 6, entry["color"]))
        out.append(_svg_text(entry["name"], x + 18, y + 4.5, KEY_PX))
    out += [_svg_text(text, x, y, 12, fill=colour) for text, x, y, colour in s.tail]
    out.append("</svg>")
    return "\n".join(out)


def _target_of(picture: Picture, edge_id: str) -> str:
    return next(e["target"] for e in picture.edges if e["id"] == edge_id)


# -- PNG ---------------------------------------------------------------------------------------


def to_png(picture: Picture, path: Path, width: int = 1600, height: int = 1150, model: Model | None = None) -> None:
    """The picture as a PNG for print, the same scene as the SVG, drawn with Pillow."""
    from PIL import Image, ImageDraw

    model = model or load_model()
    s = scene(picture, width, height, model)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((PAD, PAD), s.title, fill="black", font=_font(TITLE_PX, bold=True))
    for text, x, y in s.head:
        draw.text((x, y - NOTE_PX), text, fill="#333333", font=_font(NOTE_PX))
    targets = {e["id"]: e["target"] for e in picture.edges}
    for line in s.lines:
        draw.line([(line.x1, line.y1), (line.x2, line.y2)], fill=EDGE_COLOR, width=1)
    for line in s.lines:
        head = _arrow_head(line, s.marks[targets[line.id]].r) if s.arrows[line.id] else None
        if head:
            draw.polygon(head, fill="#666666")
    for node_id, mark in s.marks.items():
        style = s.styles[node_id]
        shape = "group" if node_id in s.group_ids else style["shape"]
        _png_shape(draw, shape, mark.x, mark.y, mark.r, style["color"])
    for label in s.labels:
        bold = label.id == picture.center and label.of == "node"
        draw.text(
            (label.left, label.top + label.height / 2),
            label.text,
            fill="#111111" if label.of == "node" else "#555555",
            font=_font(label.px, bold),
            anchor="lm",
            stroke_width=2,
            stroke_fill="white",
        )
    for entry, x, y in s.key:
        if entry["shape"] == "text":
            draw.text((x, y), entry["name"], fill="#333333", font=_font(KEY_PX), anchor="lm")
            continue
        _png_shape(draw, entry["shape"], x + 6, y, 6, entry["color"])
        draw.text((x + 18, y), entry["name"], fill="black", font=_font(KEY_PX), anchor="lm")
    for text, x, y, colour in s.tail:
        draw.text((x, y), text, fill=colour, font=_font(12), anchor="ls")
    image.save(path, format="PNG")


def _png_shape(draw: Any, shape: str, x: float, y: float, r: float, color: str) -> None:
    outline = "#333333"
    box = [x - r, y - r, x + r, y + r]
    if shape == "group":
        draw.ellipse(box, fill=color, outline=outline, width=2)
        for i in range(12):
            if i % 2:
                draw.arc(box, 30 * i, 30 * i + 30, fill="white", width=2)
        return
    if shape in ("square", "box"):
        draw.rectangle(box, fill=color, outline=outline)
    elif (points := _shape_points(shape, x, y, r)) is not None:
        draw.polygon(points, fill=color, outline=outline)
    else:
        draw.ellipse(box, fill=color, outline=outline)
