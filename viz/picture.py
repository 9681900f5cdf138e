"""What a network view draws, and the words and colours it draws it with, from the model.

A :class:`Picture` is the same for every format (the interactive page, the frozen snapshot,
SVG, PNG): nodes and edges with their evidence, the groups standing for many ties of one kind,
where it came from and what was left out. The key and the link labels come from the model
(graph/model.yaml: node ``style``, ``label_styles``, edge ``label``), each kind once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..graph.model import Model
from ..graph.records import Edge, Evidence, Node, cited
from ..queries.procedures import edge_detail

GROUP_KIND = "Group"
GROUP_COLOR = "#bbbbbb"


@dataclass
class Picture:
    """A subgraph as a view draws it.

    Nodes: ``id``, ``name``, ``labels``, ``sources`` (and ``date``); in a composed picture also
    ``kind`` (its key entry), ``hop`` (steps from the centre), ``links`` (its links in the whole
    graph) and, for a group, ``members`` (ids and names). Edges: ``source``, ``target``,
    ``type``, ``date``, ``detail``, ``sources``; an edge of a group also ``count``.
    """

    title: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    center: str | None = None
    drawn_on: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
    note: str = ""
    # The view state that composed it, as a query string (depth, filters, expansions, groups opened).
    state: str = ""
    # Why it holds less than was asked (a limit on links), said wherever it is drawn.
    cut: str = ""
    # Link types and entity kinds before the reader's filters, with counts: what the filters offer.
    offered_links: dict[str, int] = field(default_factory=dict)
    offered_kinds: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for number, edge in enumerate(self.edges):
            edge.setdefault("id", f"{edge['source']}>{edge['type']}>{edge['target']}#{number}")

    def source_ids(self) -> list[str]:
        refs = [ref for item in self.nodes + self.edges for ref in item.get("sources") or []]
        return sorted({ref["source"] for ref in refs})


def drawn_node(node: Node, model: Model) -> dict[str, Any]:
    """A node record as a picture draws it (a new dict: composing adds to it)."""
    props = node.properties
    return {
        "id": node.id,
        "name": props.get("name") or props.get("title"),
        "labels": node.labels,
        "date": props.get("date"),
        "sources": node.sources,
        "kind": kind_of(node.labels, model),
    }


def drawn_edge(edge: Edge) -> dict[str, Any]:
    """An edge record as a picture draws it, its detail written out (queries/procedures
    ``edge_detail``)."""
    return {
        "id": edge.id,
        "source": edge.source,
        "target": edge.target,
        "type": edge.type,
        "date": edge.properties.get("date"),
        "detail": edge_detail(edge.properties),
        "sources": edge.sources,
    }


def kind_of(labels: list[str] | tuple[str, ...], model: Model) -> str:
    """A node's entry in the key: its distinguished role or kind (Official, Court), else its type
    (the same rule as the model's ``style_for``)."""
    for label in labels:
        if label in model.label_styles:
            return label
    return next((label for label in labels if label in model.nodes), "Entity")


def kinds(model: Model) -> list[str]:
    """Every kind a key can show, in the model's order: each node type, then its distinguished
    roles or kinds (Person, Official, Organization, Court, SecurityService, ...)."""
    found: list[str] = []
    for name, node_type in model.nodes.items():
        found.append(name)
        found += [label for label in model.label_styles if label in node_type.extra_labels and label not in found]
    return found + [label for label in model.label_styles if label not in found]


def style_of(kind: str, model: Model) -> dict[str, str]:
    if kind in model.label_styles:
        return model.label_styles[kind]
    if kind in model.nodes:
        return model.nodes[kind].style
    return {"color": GROUP_COLOR, "shape": "dot"}


def key(picture: Picture, model: Model) -> list[dict[str, str]]:
    """The key of what is drawn: each kind present once, in the model's order, with its style."""
    present = {node.get("kind") or kind_of(node["labels"], model) for node in picture.nodes}
    return [{"name": name, **style_of(name, model)} for name in kinds(model) if name in present]


def link_label(edge: dict[str, Any], model: Model) -> str:
    """An edge's words: its type's label from the model, what the text adds (a relation, a
    sentence, "authorised only"), and for a group's edge how many ties it stands for."""
    edge_type = model.edges.get(edge["type"])
    words = edge_type.label if edge_type else edge["type"].lower().replace("_", " ")
    if edge.get("detail"):
        words += f" ({str(edge['detail']).replace('_', ' ')})"
    if edge.get("count"):
        words += f" ({edge['count']})"
    return words


def is_directed(edge_type: str, model: Model) -> bool:
    found = model.edges.get(edge_type)
    return found is None or found.directed


def link_key(picture: Picture, model: Model) -> list[dict[str, Any]]:
    """The link types drawn, each once with how many ties it stands for, in the model's order."""
    counts: dict[str, int] = {}
    for edge in picture.edges:
        counts[edge["type"]] = counts.get(edge["type"], 0) + int(edge.get("count") or 1)
    order = list(model.edges)
    ranked = sorted(counts, key=lambda name: (order.index(name) if name in order else len(order), name))
    return [{"type": name, "label": type_label(name, model), "count": counts[name]} for name in ranked]


def type_label(edge_type: str, model: Model) -> str:
    found = model.edges.get(edge_type)
    return found.label if found else edge_type.lower().replace("_", " ")


# Labels longer than this are cut at a word, with "…" (the whole text is in the tooltip).
LABEL_MAX = 40


def short(text: str, most: int = LABEL_MAX) -> str:
    """A label that fits more often: cut at the last word that fits, marked with "…"."""
    if len(text) <= most:
        return text
    cut = text[: most - 1]
    if " " in cut[most // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:(") + "…"


def evidence_text(sources: list[Evidence]) -> str:
    """Sources as lines of a tooltip: "source:line "quote"", one per reference."""
    return "\n".join(cited(ref, quote=True) for ref in sources or [])


def footer(picture: Picture) -> str:
    return f"Drawn {picture.drawn_on} from persecution-graph. Sources: {', '.join(picture.source_ids()) or 'none'}"
