"""Citations a researcher can paste into a footnote: a reference (source, line or page, quote)
with its report's title, publisher and date.

>>> source = {"id": "r", "title": "Political prisoners", "publisher": "ODF", "date": "2021-09-02"}
>>> Citer({"r": source}).footnote({"source": "r", "line": "363", "quote": "five years"})
'ODF, “Political prisoners”, 2 September 2021, line 363: “five years”.'

Part of the read layer: api/ and viz/ format evidence through a :class:`Citer` built on the
caller's view (``citer(view, data_folder)``), so a restricted source is never named to the public.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from typing import Any

from ..graph.scope import View
from .sources import source_lines, source_records

QUOTE_MAX = 240  # characters of a cited line's text in a citation, when the reference quotes nothing


def readable_date(text: str | None) -> str:
    """'2021-09-02' -> '2 September 2021', '2018-05' -> 'May 2018', '2018' -> '2018'."""
    if not text:
        return ""
    parts = str(text).split("/")[0].split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {calendar.month_name[int(parts[1])]} {parts[0]}"
        if len(parts) == 2:
            return f"{calendar.month_name[int(parts[1])]} {parts[0]}"
    except (ValueError, IndexError):
        return str(text)
    return str(text)


def locator(ref: dict[str, Any]) -> str:
    """'line 363', 'lines 388-390', 'p. 4', or '' (a reference to the whole source)."""
    line = str(ref.get("line") or "")
    if line:
        return f"lines {line}" if "-" in line else f"line {line}"
    return f"p. {ref['page']}" if ref.get("page") else ""


def first_line(ref: dict[str, Any]) -> int | None:
    """The first line a reference points at (what a link to the report's text jumps to)."""
    line = str(ref.get("line") or "").split("-")[0]
    return int(line) if line.isdigit() else None


def _shortened(text: str, most: int = QUOTE_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


class Citer:
    """Formats references against the sources one view may see, and the texts of the reports
    (from the data folder they were loaded from, when it is known)."""

    def __init__(self, sources: dict[str, dict[str, Any]], data_folder: str | None = None) -> None:
        self.sources = sources
        self.data_folder = data_folder
        self._lines: dict[str, list[str]] = {}

    def lines(self, source_id: str) -> list[str]:
        """The text of a source line by line ([] when it is not available)."""
        if source_id not in self._lines:
            source = self.sources.get(source_id)
            self._lines[source_id] = source_lines(source, self.data_folder) if source else []
        return self._lines[source_id]

    def quote(self, ref: dict[str, Any]) -> str:
        """The reference's own quote, else the text of the lines it points at (shortened)."""
        if ref.get("quote"):
            return str(ref["quote"])
        line = str(ref.get("line") or "")
        text = self.lines(ref["source"])
        if not line or not text:
            return ""
        first, _, last = line.partition("-")
        try:
            start, end = int(first), int(last or first)
        except ValueError:
            return ""
        return _shortened(" ".join(text[start - 1 : end]))

    def title(self, source_id: str) -> str:
        """How a source is named in a citation: publisher, “title”, date."""
        source = self.sources.get(source_id)
        if source is None:
            return source_id
        title = str(source.get("title") or source.get("name") or source_id)
        title = title if title.startswith("[") else f"“{title}”"
        parts = [str(source["publisher"]) if source.get("publisher") else "", title, readable_date(source.get("date"))]
        return ", ".join(part for part in parts if part)

    def footnote(self, ref: dict[str, Any]) -> str:
        """One reference as a footnote: publisher, “title”, date, line: “quote”."""
        where = locator(ref)
        quote = self.quote(ref)
        text = self.title(ref["source"]) + (f", {where}" if where else "")
        return text + (f": “{quote}”." if quote else ".")

    def short(self, source_id: str) -> str:
        """A source's short name (for table cells)."""
        source = self.sources.get(source_id) or {}
        return str(source.get("name") or source.get("title") or source_id)

    def cell(self, refs: Iterable[dict[str, Any]]) -> str:
        """References as one table cell: per source its short name, then each distinct line once
        with its quote; sources one per line."""
        grouped: dict[str, list[str]] = {}
        for ref in refs:
            where = locator(ref)
            quote = str(ref.get("quote") or "")
            item = where + (f": “{quote}”" if quote else "") if where else (f"“{quote}”" if quote else "")
            found = grouped.setdefault(ref["source"], [])
            if item and item not in found:
                found.append(item)
        return "\n".join(
            self.short(source) + (", " + "; ".join(items) if items else "") for source, items in grouped.items()
        )

    def bibliography(self, refs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every source the references cite, once, with each cited place once in line order:
        [{id, citation, cited: [footnote, ...]}]."""
        by_source: dict[str, list[dict[str, Any]]] = {}
        for ref in refs:
            found = by_source.setdefault(ref["source"], [])
            if all(
                (r.get("line"), r.get("page"), r.get("quote")) != (ref.get("line"), ref.get("page"), ref.get("quote"))
                for r in found
            ):
                found.append(ref)
        entries = []
        for source_id in sorted(by_source, key=lambda s: self.title(s)):
            places = sorted(
                by_source[source_id], key=lambda r: (first_line(r) or 0, str(r.get("line")), str(r.get("quote")))
            )
            entries.append(
                {
                    "id": source_id,
                    "citation": self.title(source_id) + ".",
                    "cited": [self.footnote(r) for r in places if locator(r) or r.get("quote")],
                }
            )
        return entries


def citer(view: View, data_folder: str | None = None) -> Citer:
    """A Citer on the sources this view may see."""
    return Citer(source_records(view), data_folder)
