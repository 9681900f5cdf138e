"""The backup format: JSON Lines, one header line, then one node or edge per line, with the
properties exactly as stored, so `export --format dump` then `import` gives the same graph."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ..errors import InvalidData
from ..records import Dataset, Edge, Node

FORMAT = "persecution-graph-dump"
VERSION = 1


class DumpError(InvalidData):
    """A dump file that cannot be imported; the message says where."""


def write_dump(handle: TextIO, dump: Dataset, public_only: bool) -> None:
    header = {
        "format": FORMAT,
        "version": VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "public_only": public_only,
        "nodes": len(dump.nodes),
        "edges": len(dump.edges),
    }
    handle.write(json.dumps(header) + "\n")
    for node in dump.nodes.values():
        handle.write(json.dumps({"node": node.as_dict()}, ensure_ascii=False, sort_keys=True) + "\n")
    for edge in dump.edges:
        handle.write(json.dumps({"edge": edge.as_dict()}, ensure_ascii=False, sort_keys=True) + "\n")


def _lines(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                raise DumpError(f"{path}:{number}:{error.colno}: not JSON: {error.msg}") from None


def read_dump(path: Path) -> Dataset:
    """The records of a dump file, checked line by line (DumpError says file:line: what)."""
    try:
        lines = _lines(path)
        first = next(lines, None)
    except UnicodeDecodeError:
        raise DumpError(f"{path}:1:1: not UTF-8 text") from None
    except OSError as error:
        raise DumpError(f"{path}: cannot read: {error.strerror}") from None
    if first is None or not isinstance(first[1], dict) or first[1].get("format") != FORMAT:
        raise DumpError(f"{path}:1:1: not a persecution-graph dump (no header line)")
    if first[1].get("version") != VERSION:
        raise DumpError(f"{path}:1:1: dump version {first[1].get('version')!r}; this program reads {VERSION}")
    nodes: list[Node] = []
    edges: list[Edge] = []
    ids: dict[str, int] = {}  # node id: the line it is on
    try:
        for number, item in lines:
            if isinstance(item, dict) and isinstance(item.get("node"), dict):
                node = item["node"]
                if not isinstance(node.get("id"), str) or not isinstance(node.get("labels"), list):
                    raise DumpError(f"{path}:{number}:1: a node needs an id and labels")
                if not isinstance(node.get("properties"), dict) or node["properties"].get("id") != node["id"]:
                    raise DumpError(f"{path}:{number}:1: node {node['id']!r}: properties must hold its id")
                if not node["labels"] or not all(isinstance(label, str) for label in node["labels"]):
                    raise DumpError(f"{path}:{number}:1: node {node['id']!r}: labels must be names, its type first")
                if node["id"] in ids:
                    raise DumpError(
                        f"{path}:{number}:1: node {node['id']!r} is given twice (first on line {ids[node['id']]})"
                    )
                ids[node["id"]] = number
                nodes.append(Node.from_dict(node))
            elif isinstance(item, dict) and isinstance(item.get("edge"), dict):
                edge = item["edge"]
                for key in ("type", "source", "target"):
                    if not isinstance(edge.get(key), str):
                        raise DumpError(f"{path}:{number}:1: an edge needs {key!r}")
                for end in ("source", "target"):
                    if edge[end] not in ids:
                        raise DumpError(f"{path}:{number}:1: edge {end} {edge[end]!r} is not a node above")
                if not isinstance(edge.get("properties"), dict) or not isinstance(edge["properties"].get("id"), str):
                    raise DumpError(f"{path}:{number}:1: an edge needs properties with its id")
                edges.append(Edge.from_dict(edge))
            else:
                raise DumpError(f"{path}:{number}:1: neither a node nor an edge")
    except UnicodeDecodeError:
        raise DumpError(f"{path}: not UTF-8 text") from None
    return Dataset.of(nodes, edges)
