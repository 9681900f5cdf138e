"""A query's rows as a table a researcher reads: plain-language column names and values, names
linked to their records instead of id columns, evidence as citations; and what a table page
does with them (sort by any column, filter by words, facet by type, place and year).

The column names come from the catalogue (``label``; a name column says which id column it
links to with ``link``; ``hidden`` keeps a technical column out of tables); values are made
readable here, once, for the pages, the command line and every export (queries/output.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..graph.model import ENTITY_LABEL, Model
from ..graph.scope import View
from .catalogue import PAGE_NAMES, Query
from .citations import Citer, citer

EDGE_NAME = re.compile(r"\b[A-Z]+(?:_[A-Z]+)+\b")
SNAKE_WORD = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
CAMEL_PART = re.compile(r"[A-Z][a-z]*")
ISO_DATE = re.compile(r"\b((?:19|20)\d\d)(?:-\d\d){0,2}\b")
DATE_COLUMNS = ("date", "since")
PLACE_COLUMN = "place"
# Words that read better with a hyphen or an apostrophe than with the space an underscore becomes.
SPELLED = {"pre trial": "pre-trial", "ill treated": "ill-treated", "Human rights": "Human-rights"}


@dataclass(frozen=True)
class Column:
    """One column of a table as shown: its key in the rows, its heading, and the id column its
    names link to (an entity's name links to its page; the id is no column of its own)."""

    key: str
    label: str
    description: str = ""
    link: str | None = None
    values: dict[str, str] = field(default_factory=dict)

    @property
    def sources(self) -> bool:
        return self.key == "sources"


def label_words(label: str) -> str:
    """A type or role label in words: 'HumanRightsDefender' -> 'Human-rights defender'."""
    words = CAMEL_PART.findall(label) or [label]
    text = " ".join([words[0], *(w.lower() for w in words[1:])])
    return _spelled(text)


def _spelled(text: str) -> str:
    for plain, spelled in SPELLED.items():
        text = text.replace(plain, spelled)
    return text


class Plain:
    """Values in the words of the model: 'DETAINED_BY' -> 'detained by', 'carried_out' ->
    'carried out', 'SecurityService' -> 'Security service'."""

    def __init__(self, model: Model) -> None:
        self.edges = {name: edge.label for name, edge in model.edges.items()}
        self.labels = model.all_labels() - {ENTITY_LABEL}

    def __call__(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"
        if isinstance(value, list):
            return "; ".join(text for text in (self(v) for v in value) if text)
        if isinstance(value, dict):
            return "; ".join(f"{k}: {self(v)}" for k, v in value.items())
        text = str(value)
        if text in self.labels:
            return label_words(text)
        text = EDGE_NAME.sub(lambda found: self.edges.get(found.group(0), found.group(0)), text)
        return _spelled(SNAKE_WORD.sub(lambda found: found.group(0).replace("_", " "), text))


def columns_of(query: Query) -> list[Column]:
    """The columns a table shows, in order: id columns that a name column links to, and
    columns marked hidden, are left out."""
    linked = {c["link"] for c in query.columns if c.get("link")}
    return [
        Column(
            key=c["name"],
            label=c.get("label") or c["name"].replace("_", " ").capitalize(),
            description=c.get("description", ""),
            link=c.get("link") or (c["name"] if c.get("entity") else None),
            values=dict(c.get("values") or {}),
        )
        for c in query.columns
        if c["name"] not in linked and not c.get("hidden")
    ]


@dataclass
class Table:
    """Rows of one query with their columns as shown, and how to write a cell."""

    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    citer: Citer
    plain: Plain
    description: str = ""
    asked: dict[str, Any] = field(default_factory=dict)
    hidden_records: bool = False

    def text(self, row: dict[str, Any], column: Column) -> str:
        """A cell as text: evidence as citations, mapped and plain values."""
        value = row.get(column.key)
        if column.sources:
            return self.citer.cell(value or [])
        if isinstance(value, str) and value in column.values:
            return column.values[value]
        return self.plain(value)

    def link(self, row: dict[str, Any], column: Column) -> str | None:
        """The id of the record a cell names, if it links to one."""
        value = row.get(column.link) if column.link else None
        return str(value) if value else None

    @property
    def id_columns(self) -> list[Column]:
        """The linked columns, for exports that keep each record's id in a column of its own."""
        return [column for column in self.columns if column.link]


def table_of(view: View, query: Query, rows: list[dict[str, Any]], citer: Citer, asked: dict[str, Any]) -> Table:
    """A query's rows as a table, as this view sees them."""
    return Table(
        title=query.title,
        columns=columns_of(query),
        rows=rows,
        citer=citer,
        plain=Plain(view.model),
        description=query.description,
        asked=asked,
    )


def query_table(view: View, query: Query, given: dict[str, Any], data_folder: str | None = None) -> Table:
    """Run a named query as this view sees the graph, as a table (what the command line, the
    API's exports and the pages show)."""
    rows = query.run(view, given)
    asked = {k: v for k, v in query.bind(given).items() if k not in PAGE_NAMES}
    table = table_of(view, query, rows, citer(view, data_folder), asked)
    table.hidden_records = view.hides_records()
    return table


# -- sort, filter and facets ------------------------------------------------------------------

FACETS = ("type", "place", "year")
FACETS_CYPHER = f"""
UNWIND $ids AS wanted
MATCH (n:{ENTITY_LABEL} {{id: wanted}})
WHERE VISIBLE(n)
OPTIONAL MATCH (n)-[located:LOCATED_IN]->(place:Place)
WHERE VISIBLE(located)
RETURN n.id AS id, [l IN $labels WHERE l IN labels(n)] AS labels, collect(place.name) AS places
"""


@dataclass(frozen=True)
class Selection:
    """What a reader asked of a table: a sort, words to find, one value per facet."""

    sort: str | None = None
    descending: bool = False
    words: str = ""
    facets: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_params(cls, params: dict[str, str]) -> Selection:
        """From a page's query string: sort, order=desc, filter, type, place, year."""
        return cls(
            sort=params.get("sort") or None,
            descending=params.get("order") == "desc",
            words=(params.get("filter") or "").strip(),
            facets=tuple((name, params[name]) for name in FACETS if params.get(name)),
        )

    @property
    def params(self) -> dict[str, str]:
        found = dict(self.facets)
        if self.sort:
            found["sort"] = self.sort
        if self.descending:
            found["order"] = "desc"
        if self.words:
            found["filter"] = self.words
        return found

    @property
    def active(self) -> bool:
        return bool(self.params)


NAMES = ("sort", "order", "filter", *FACETS)


def row_facets(view: View, table: Table, query: Query) -> list[dict[str, set[str]]]:
    """Each row's values for the facets: the types of the record the row is about (its first
    entity column), its place (the row's own, else where that record is), the years of its dates."""
    main = query.entity_columns[0] if query.entity_columns else None
    ids = sorted({str(row[main]) for row in table.rows if main and row.get(main)})
    about = {row["id"]: row for row in view.read(FACETS_CYPHER, ids=ids, labels=sorted(view.model.all_labels()))}
    dated = [c for c in DATE_COLUMNS if c in query.column_names]
    found = []
    for row in table.rows:
        record = about.get(str(row.get(main))) if main else None
        types = {label_words(label) for label in (record or {}).get("labels", []) if label != ENTITY_LABEL}
        places = {str(row[PLACE_COLUMN])} if row.get(PLACE_COLUMN) else set((record or {}).get("places") or [])
        texts = [str(row.get(c) or "") for c in dated] or [table.text(row, c) for c in table.columns if not c.sources]
        years = {year for text in texts for year in ISO_DATE.findall(text)}
        found.append({"type": types, "place": places, "year": years})
    return found


def facet_counts(facets: list[dict[str, set[str]]]) -> dict[str, list[tuple[str, int]]]:
    """How many rows have each value of each facet (most first, then by value)."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for row in facets:
        for name in FACETS:
            counts[name].update(row[name])
    return {name: sorted(counter.items(), key=lambda item: (-item[1], item[0])) for name, counter in counts.items()}


def select(
    table: Table, facets: list[dict[str, set[str]]], selection: Selection
) -> tuple[list[dict[str, Any]], list[dict[str, set[str]]]]:
    """The rows (and their facet values) that a selection keeps, in its order."""
    kept = []
    words = selection.words.lower().split()
    for row, values in zip(table.rows, facets, strict=True):
        if any(value not in values[name] for name, value in selection.facets):
            continue
        if words:
            text = " ".join(table.text(row, column) for column in table.columns).lower()
            if not all(word in text for word in words):
                continue
        kept.append((row, values))
    column = next((c for c in table.columns if c.key == selection.sort), None)
    if column is not None:
        kept.sort(key=lambda pair: _sort_key(table, pair[0], column), reverse=selection.descending)
    return [row for row, _ in kept], [values for _, values in kept]


def _sort_key(table: Table, row: dict[str, Any], column: Column) -> tuple[int, float, str]:
    """Numbers as numbers, text without case; empty cells last (first when descending)."""
    value = row.get(column.key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (1, float(value), "")
    text = table.text(row, column)
    return (1, 0.0, text.lower()) if text else (2, 0.0, "")
