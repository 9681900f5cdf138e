"""Rows as JSON, an aligned text table, or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any


def cell(value: Any) -> str:
    """One value as text for a table or CSV cell (evidence as 'source:line')."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict) and "source" in value:
        locator = value.get("line") or value.get("page") or ""
        return f"{value['source']}:{locator}" if locator else str(value["source"])
    return str(value)


def render(rows: list[dict[str, Any]], columns: list[str], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows([[cell(row.get(c)) for c in columns] for row in rows])
        return buffer.getvalue()
    table = [columns] + [[cell(row.get(c)) for c in columns] for row in rows]
    widths = [min(max(len(r[i]) for r in table), 60) for i in range(len(columns))]
    lines = ["  ".join(v[:60].ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + f"\n({len(rows)} rows)\n"
