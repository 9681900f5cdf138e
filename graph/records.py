"""The one record shape of the graph: what loaders produce, the writer stores, and exports,
dumps, imports, subgraphs and pictures read back.

A node is its id, its labels (type first) and its properties; an edge its type, its two ends
and its properties (its id among them). Evidence is a list of :class:`Evidence` under
``sources``, decoded in one place (graph/encoding.py ``decode_evidence``). On the wire (the JSON
export, a dump line, the API's subgraphs) a record is ``as_dict()``: the same fields by name.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, Required, TypedDict


class Evidence(TypedDict, total=False):
    """One reference: a source document's id and where in it the record is told (a line or
    lines "12-14", a page, a quote; at least one)."""

    source: Required[str]
    line: str
    page: str
    quote: str


def where(ref: Evidence) -> str:
    """The line(s) or page a reference points at ('' for a whole source or a quote alone)."""
    return str(ref.get("line") or ref.get("page") or "")


def cited(ref: Evidence, quote: bool = False) -> str:
    """A reference as the dossiers cite it: "source:line" (or page, or the source alone), with
    its quote after it when `quote` is asked and it has one."""
    text = f"{ref['source']}:{where(ref)}" if where(ref) else ref["source"]
    return text + (f' "{ref["quote"]}"' if quote and ref.get("quote") else "")


@dataclass
class Node:
    """A node: stable id, its labels (type first, then roles/kinds) and its properties."""

    id: str
    type: str
    labels: list[str]
    properties: dict[str, Any]

    @property
    def sources(self) -> list[Evidence]:
        return list(self.properties.get("sources") or [])

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "labels": self.labels, "properties": self.properties}

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Node:
        return cls(record["id"], record["labels"][0], record["labels"], record["properties"])


@dataclass
class Edge:
    """An edge between two node ids; ``key`` identifies the same fact told by several files."""

    type: str
    source: str
    target: str
    properties: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.properties["id"])

    @property
    def sources(self) -> list[Evidence]:
        return list(self.properties.get("sources") or [])

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "source": self.source, "target": self.target, "properties": self.properties}

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Edge:
        return cls(record["type"], record["source"], record["target"], record["properties"])


@dataclass
class Dataset:
    """A whole graph (or the part a view may see): validated and ready to be written, or read
    back for an export."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.nodes) + len(self.edges)

    @classmethod
    def of(cls, nodes: list[Node], edges: list[Edge]) -> Dataset:
        return cls({node.id: node for node in nodes}, edges)

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {"nodes": [n.as_dict() for n in self.nodes.values()], "edges": [e.as_dict() for e in self.edges]}


class Sink(Protocol):
    """Where validated records go as they are read: a dataset, or a graph writer."""

    def node(self, node: Node) -> None:
        """A new node."""

    def retell(self, node: Node) -> None:
        """A node told again by another record: this merged form replaces the first."""

    def edge(self, edge: Edge) -> None:
        """A new edge between nodes given before."""

    def edge_again(self, edge: Edge) -> None:
        """An edge told again by another record: see ``tell_again``."""


def tell_again(first: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The properties of a fact told again by another record: the other's sources added to the
    first's (each reference once), its description (or a possible duplicate's reason) appended
    when it says something else, and who did it as the two records say it together
    (``told_attribution``)."""
    merged = dict(first)
    sources = list(first.get("sources", []))
    merged["sources"] = sources + [ref for ref in other.get("sources", []) if ref not in sources]
    for key in ("description", "reason"):  # a text that says something else is appended
        text = other.get(key)
        if text not in (None, first.get(key)):
            merged[key] = f"{first.get(key) or ''}\n\n{text}".strip()
    if first.get("attribution") or other.get("attribution"):
        merged.update(told_attribution(first, other))
    return merged


def told_attribution(first: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """One act told by two records that differ on who did it: it is `stated` if either record's
    text names the agent, and the note keeps what each inferring record said, with its evidence
    ("Inferred where told by src:12: ..."), so a reader sees which text names no agent.

    >>> told_attribution({"attribution": "stated", "sources": [{"source": "a", "line": "3"}]},
    ...                  {"attribution": "inferred", "attribution_note": "the police, line 2",
    ...                   "sources": [{"source": "b", "line": "9"}]})
    {'attribution': 'stated', 'attribution_note': 'Inferred where told by b:9: the police, line 2'}
    """
    ours, theirs = first.get("attribution"), other.get("attribution")
    attribution = "stated" if "stated" in (ours, theirs) else ours or theirs
    notes = [_note_as_told(first, attribution), _note_as_told(other, attribution)]
    joined = "\n\n".join(dict.fromkeys(note for note in notes if note))
    return {"attribution": attribution, "attribution_note": joined or None}


def _note_as_told(told: dict[str, Any], attribution: str | None) -> str | None:
    """A record's attribution note; under a stated act, an inferring record's says where it was told."""
    note = told.get("attribution_note")
    if not note or told.get("attribution") != "inferred" or attribution != "stated":
        return str(note) if note else None
    told_where = ", ".join(f"{ref['source']}:{where(ref) or ref.get('quote')}" for ref in told.get("sources", []))
    return f"Inferred where told by {told_where}: {note}"


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building or writing a whole graph.

    Building hundreds of thousands of small objects makes the collector scan all of them
    again and again (measured: 60% of a validation's time); nothing built here is cyclic
    garbage, so reference counting frees what is dropped. Nested uses are harmless."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
