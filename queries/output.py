"""Every format a table (a query's rows, as queries/tables.py shows them) can be written in,
declared once: the command line's ``query --format``, the API's ``format=`` and the pages' export
links all read :data:`TABLE_FORMATS`, as graph/formats does for the whole graph.

- ``table``: aligned text for a terminal; cut cells end in "…".
- ``csv``: the columns as a reader sees them (headings and values in plain language, evidence as
  citations with their quotes, each once), then each linked record's id in a column of its own.
- ``xlsx``: the same in a spreadsheet (names linked to their pages when the base address is
  known), with a sheet saying what was asked and a sheet of the sources cited.
- ``json``: the rows as the query gives them (ids, evidence as objects), for programs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..graph.records import cited
from .tables import Table

WIDEST = 60  # characters of a cell in the terminal table


@dataclass(frozen=True)
class TableFormat:
    name: str
    description: str
    media_type: str
    extension: str
    write: Callable[[Table, str | None], str | bytes]
    binary: bool = False
    # Offered for download by the API and the pages (the terminal table is not).
    download: bool = True


def cell(value: Any) -> str:
    """One value as text, evidence as 'source:line' (the dossiers' compact form)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict) and "source" in value:
        return cited(value)  # type: ignore[arg-type]
    return str(value)


def cut(text: str, width: int = WIDEST) -> str:
    """Text on one line, at most ``width`` characters; cut text ends in '…'."""
    text = " | ".join(line for line in text.splitlines() if line.strip()) if "\n" in text else text
    return text if len(text) <= width else text[: width - 1] + "…"


def _headings(table: Table) -> list[str]:
    return [c.label for c in table.columns] + [f"{c.label} (record id)" for c in table.id_columns]


def _records(table: Table) -> list[list[str]]:
    return [
        [table.text(row, c) for c in table.columns] + [table.link(row, c) or "" for c in table.id_columns]
        for row in table.rows
    ]


def to_text(table: Table, _: str | None = None) -> str:
    body = [[cut(c.label) for c in table.columns]] + [
        [cut(table.text(row, c)) for c in table.columns] for row in table.rows
    ]
    widths = [max(len(r[i]) for r in body) for i in range(len(table.columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    rows = f"{len(table.rows)} row{'s' if len(table.rows) != 1 else ''}"
    hidden = "; records marked restricted are left out" if table.hidden_records else ""
    return "\n".join(lines) + f"\n({rows}{hidden})\n"


def to_csv(table: Table, _: str | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headings(table))
    writer.writerows(_records(table))
    return buffer.getvalue()


def to_json(table: Table, _: str | None = None) -> str:
    return json.dumps(table.rows, ensure_ascii=False, indent=1) + "\n"


def to_xlsx(table: Table, base_url: str | None = None) -> bytes:
    """A workbook: the results (heading row frozen, filters on), what was asked, the sources."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Results"
    sheet.append(_headings(table))
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for row, values in zip(table.rows, _records(table), strict=True):
        sheet.append(values)
        for column, target in zip(table.columns, sheet[sheet.max_row], strict=False):
            target.alignment = wrapped
            record = table.link(row, column)
            if record and base_url:
                target.hyperlink = f"{base_url.rstrip('/')}/entity/{record}"
    for index, heading in enumerate(_headings(table), start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        longest = max([len(heading)] + [min(len(r[index - 1]), 80) for r in _records(table)[:200]])
        sheet.column_dimensions[letter].width = max(10, min(longest + 2, 60))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    about = book.create_sheet("About")
    for pair in _about(table):
        about.append(pair)
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100
    cited = book.create_sheet("Sources")
    cited.append(["Source", "Cited at"])
    cited["A1"].font = cited["B1"].font = Font(bold=True)
    for entry in table.citer.bibliography(ref for row in table.rows for ref in row.get("sources") or []):
        cited.append([entry["citation"], "\n".join(entry["cited"])])
    cited.column_dimensions["A"].width = 60
    cited.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _about(table: Table) -> list[list[str]]:
    asked = ", ".join(f"{k} = {v}" for k, v in table.asked.items() if v not in (None, ""))
    pairs = [
        ["Question", table.title],
        ["What it answers", table.description],
        ["Asked with", asked or "the defaults"],
        ["Rows", str(len(table.rows))],
        ["Drawn", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") + " from persecution-graph"],
    ]
    if table.hidden_records:
        pairs.append(["Note", "Records marked restricted are not shown to public readers and are left out here."])
    return pairs


TABLE_FORMATS: dict[str, TableFormat] = {
    f.name: f
    for f in (
        TableFormat(
            "table", "aligned text for a terminal", "text/plain; charset=utf-8", "txt", to_text, download=False
        ),
        TableFormat(
            "csv", "CSV: plain-language columns, sources as citations", "text/csv; charset=utf-8", "csv", to_csv
        ),
        TableFormat(
            "xlsx",
            "a spreadsheet (Excel, LibreOffice): results, what was asked, sources",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            to_xlsx,
            binary=True,
        ),
        TableFormat("json", "the rows as the query gives them (ids, evidence)", "application/json", "json", to_json),
    )
}
DOWNLOADS = tuple(name for name, f in TABLE_FORMATS.items() if f.download)


def write(fmt: str, table: Table, base_url: str | None = None) -> str | bytes:
    """The table in a registered format."""
    return TABLE_FORMATS[fmt].write(table, base_url)


def file_name(fmt: str, stem: str) -> str:
    return f"{stem}.{TABLE_FORMATS[fmt].extension}"
