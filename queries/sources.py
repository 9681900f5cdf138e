"""The sources the evidence cites: their records, and the text of a report line by line.
Part of the read layer: api/ and viz/ read sources through these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..graph.scope import View


def source_records(view: View) -> dict[str, dict[str, Any]]:
    """Every Source this view may see, by id (the public: none marked restricted)."""
    rows = view.read(
        "MATCH (s:Source) WHERE VISIBLE(s) "
        "RETURN s.id AS id, s.title AS title, s.publisher AS publisher, "
        "s.date AS date, s.url AS url, s.name AS name, s.file AS file, s.note AS note"
    )
    return {row["id"]: row for row in rows}


def source_lines(source: dict[str, Any], data_folder: str | None) -> list[str]:
    """The text of a source, line by line, from the data folder it was loaded from (lines are
    what locators point at); nothing outside that folder is read."""
    if not data_folder or not source.get("file"):
        return []
    folder = Path(data_folder).resolve()
    path = (folder / source["file"]).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        return []
    return path.read_text(encoding="utf-8").splitlines()
