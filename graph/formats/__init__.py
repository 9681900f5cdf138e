"""Every format the whole graph can be written in, declared once.

A format says its name, what it is, its media type, its file extension, whether it is text or
bytes, whether it reads the decoded export (``Graph.export``) or the properties as stored
(``Graph.dump``), and its writer. The command line's ``export --format`` choices, the API's
``/api/export/{format}`` (media type and file name) and the README's list all read
:data:`FORMATS`; adding a format is one entry here and its test.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from ..records import Dataset
from ..scope import View
from . import dump, ftm, graphs

Write = Callable[[Dataset, View], str | bytes]


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    media_type: str
    extension: str
    write: Write
    binary: bool = False
    # Reads the properties as stored (a backup), not the decoded export.
    stored: bool = False


def _dump(data: Dataset, view: View) -> str:
    buffer = io.StringIO()
    dump.write_dump(buffer, data, view.public)
    return buffer.getvalue()


def render(fmt: Format, view: View) -> str | bytes:
    """The whole graph as ``view`` sees it, in ``fmt`` (its export, or its dump for a backup)."""
    return fmt.write(view.dump() if fmt.stored else view.export(), view)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "json", "nodes and edges with their evidence", "application/json", "json", lambda d, _: graphs.to_json(d)
        ),
        Format(
            "graphml", "GraphML (Gephi, yEd, networkx)", "application/xml", "graphml", lambda d, _: graphs.to_graphml(d)
        ),
        Format("gexf", "GEXF (Gephi)", "application/xml", "gexf", lambda d, _: graphs.to_gexf(d)),
        Format(
            "neo4j-import",
            "a zip of CSV files for `neo4j-admin database import`",
            "application/zip",
            "zip",
            lambda d, _: graphs.to_neo4j_csv(d),
            binary=True,
        ),
        Format(
            "cypher",
            "a Cypher script that recreates the graph",
            "text/plain; charset=utf-8",
            "cypher",
            lambda d, v: graphs.to_cypher(d, v.model),
        ),
        Format(
            "ftm",
            "FollowTheMoney entities, one per line (OpenSanctions, Aleph)",
            "application/x-ndjson",
            "ftm.json",
            lambda d, v: ftm.to_ftm_lines(d, v.model),
        ),
        Format(
            "dump",
            "a backup for `persecution-graph import` (properties as stored)",
            "application/x-ndjson",
            "dump.jsonl",
            _dump,
            stored=True,
        ),
    )
}


def file_name(fmt: Format, stem: str = "persecution-graph") -> str:
    return f"{stem}.{fmt.extension}"


__all__ = ["FORMATS", "Format", "file_name", "render"]
