"""Full-text search of the report texts (the files the sources name, in the data folder the
graph was loaded from), in any spelling: Cyrillic and Latin, and the transliteration variants
names take (graph/names.py), find each other.

SQLite's FTS5 (in Python's standard library: nothing to install, an index in memory built in
milliseconds for the bundled corpus, ranking by bm25) indexes each line of each report with its
next line (a phrase the report wraps over two lines is still found), as folded words: the
same folding as name search, so "Көше партиясы" finds "Koshe Partiyasy" and "Mendygaziyev"
finds "Mendygazyev". The original line is what a hit shows, its matching words marked.

Part of the read layer: a search reads only the sources the caller's view may see, and names
only the entities that view may open.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..graph.encoding import decode_evidence
from ..graph.model import ENTITY_LABEL
from ..graph.names import tokens
from ..graph.scope import View
from .cache import KEPT
from .citations import Citer, citer
from .sources import source_lines

WORD = re.compile(r"\w+", re.UNICODE)
PREFIX_FROM = 4  # query words of at least this many letters also match longer words ("detain" -> "detained")
CITED_BY_MOST = 12


@dataclass(frozen=True)
class Words:
    """A reader's words, folded as the index folds the texts."""

    text: str
    folded: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Words:
        return cls(text, tuple(dict.fromkeys(tokens(text))))

    def matches(self, word: str) -> bool:
        """Whether one word of a text is one of these (or begins with a long one)."""
        return any(
            folded == wanted or (len(wanted) >= PREFIX_FROM and folded.startswith(wanted))
            for folded in tokens(word)
            for wanted in self.folded
        )

    @property
    def fts(self) -> str:
        """The FTS5 query: every word, a long one as a prefix too."""
        return " AND ".join(f'"{word}"' + ("*" if len(word) >= PREFIX_FROM else "") for word in self.folded)


def marks(text: str, words: Words) -> list[tuple[int, int]]:
    """Where the words are in a text: (start, end) of each matching word."""
    return [(found.start(), found.end()) for found in WORD.finditer(text) if words.matches(found.group(0))]


def highlighted(text: str, spans: list[tuple[int, int]], before: str = "«", after: str = "»") -> str:
    """The text with each span between two markers."""
    out, at = [], 0
    for start, end in spans:
        out += [text[at:start], before, text[start:end], after]
        at = end
    return "".join(out + [text[at:]])


class ReportIndex:
    """Every line of some reports, folded, in an in-memory FTS5 table."""

    def __init__(self, texts: dict[str, list[str]]) -> None:
        self.texts = texts
        self.lock = threading.Lock()
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute("CREATE VIRTUAL TABLE lines USING fts5(words, source UNINDEXED, line UNINDEXED)")
        self.db.executemany(
            "INSERT INTO lines (words, source, line) VALUES (?, ?, ?)",
            (
                (" ".join(tokens(text + " " + (lines[number] if number < len(lines) else ""))), source, number)
                for source, lines in texts.items()
                for number, text in enumerate(lines, start=1)
            ),
        )

    def find(self, words: Words) -> list[tuple[str, int]]:
        """(source, line) of every line (with its next) holding all the words, best first."""
        if not words.folded:
            return []
        with self.lock:
            rows = self.db.execute(
                "SELECT source, line FROM lines WHERE lines MATCH ? ORDER BY bm25(lines), source, line", (words.fts,)
            ).fetchall()
        return [(str(source), int(line)) for source, line in rows]


_INDEXES: dict[tuple[Any, ...], ReportIndex] = {}
_GUARD = threading.Lock()


def report_index(view: View, data_folder: str | None) -> ReportIndex:
    """The index of the reports this view may read, built once per set of files (kept while
    the files are unchanged)."""
    sources = {k: v for k, v in citer(view, data_folder).sources.items() if v.get("file")}
    texts = {source_id: source_lines(source, data_folder) for source_id, source in sorted(sources.items())}
    key = (data_folder, *((source_id, _stamp(data_folder, sources[source_id]["file"])) for source_id in texts))
    with _GUARD:
        if key not in _INDEXES:
            _INDEXES.clear()  # the files changed, or another view's set: one index at a time is enough here
            _INDEXES[key] = ReportIndex({k: v for k, v in texts.items() if v})
        return _INDEXES[key]


def _stamp(data_folder: str | None, file: str) -> tuple[int, int]:
    try:
        stat = os.stat(os.path.join(data_folder or "", file))
    except OSError:
        return (0, 0)
    return (int(stat.st_mtime_ns), stat.st_size)


# -- who cites a line ---------------------------------------------------------------------------

CITING_NODES = f"""
MATCH (n:{ENTITY_LABEL})
WHERE VISIBLE(n) AND n.sources IS NOT NULL
RETURN n.id AS id, n.name AS name, n.sources AS sources
"""
CITING_EDGES = f"""
MATCH (a:{ENTITY_LABEL})-[e]->(b:{ENTITY_LABEL})
WHERE VISIBLE(e) AND e.sources IS NOT NULL
RETURN a.id AS a_id, a.name AS a_name, b.id AS b_id, b.name AS b_name, e.sources AS sources
"""


def _line_range(ref: dict[str, Any]) -> tuple[int, int] | None:
    first, _, last = str(ref.get("line") or "").partition("-")
    if not first.isdigit():
        return None
    return int(first), int(last) if last.isdigit() else int(first)


def citations_by_line(view: View) -> dict[str, list[tuple[int, int, str, str]]]:
    """For each source, the line ranges its references point at and the entity each cites for
    (an entity's own record, or either end of a fact), as this view sees them; kept until the
    next load."""

    def compute() -> dict[str, list[tuple[int, int, str, str]]]:
        builtin = {props["id"] for _, props in view.model.builtin_nodes}
        found: dict[str, list[tuple[int, int, str, str]]] = {}

        def add(refs: Any, named: Iterable[tuple[str, str]]) -> None:
            for ref in decode_evidence(refs):
                lines = _line_range(ref)
                if lines is None:
                    continue
                for entity_id, name in named:
                    if entity_id not in builtin:
                        found.setdefault(ref["source"], []).append((*lines, entity_id, name or entity_id))

        for row in view.read(CITING_NODES):
            add(row["sources"], [(row["id"], row["name"])])
        for row in view.read(CITING_EDGES):
            add(row["sources"], [(row["a_id"], row["a_name"]), (row["b_id"], row["b_name"])])
        return found

    return KEPT.get(view, ("citations-by-line", view.scope.value), compute)  # type: ignore[no-any-return]


def cited_by(citations: dict[str, list[tuple[int, int, str, str]]], source: str, line: int) -> list[dict[str, str]]:
    """The entities whose records or facts cite a line of a source, by name."""
    named = {entity_id: name for first, last, entity_id, name in citations.get(source, []) if first <= line <= last}
    return [{"id": i, "name": n} for i, n in sorted(named.items(), key=lambda pair: (pair[1].lower(), pair[0]))]


# -- the search -------------------------------------------------------------------------------


def _passage(lines: list[str], number: int, words: Words) -> tuple[str, bool]:
    """The line, or the line and the next when the words run over to it; and whether the line
    itself holds one of the words (else the next line's own hit says it)."""
    text = lines[number - 1]
    own = [text[s:e] for s, e in marks(text, words)]
    found = {folded for word in own for folded in tokens(word)}
    complete = all(any(f == w or f.startswith(w) for f in found) for w in words.folded)
    if not complete and number < len(lines):
        text = text.rstrip() + " " + lines[number].strip()
    return text, bool(own)


def search_reports(view: View, text: str, data_folder: str | None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Lines of the report texts holding all of ``text``'s words, in any spelling, best first:
    {query, total, hits: [{source, title, line, passage, marks, highlighted, citation,
    cited_by}]}; a hit's ``cited_by`` lists the entities (this view may open) whose records or
    facts cite that line."""
    words = Words.of(text)
    index = report_index(view, data_folder)
    found = []
    for source, number in index.find(words):
        passage, own = _passage(index.texts[source], number, words)
        if own:
            found.append((source, number, passage))
    chosen = found[offset : offset + limit]
    sources: Citer = citer(view, data_folder)
    citations = citations_by_line(view) if chosen else {}
    hits = []
    for source, number, passage in chosen:
        spans = marks(passage, words)
        hits.append(
            {
                "source": source,
                "title": sources.short(source),
                "line": number,
                "passage": passage,
                "marks": [list(span) for span in spans],
                "highlighted": highlighted(passage, spans),
                "citation": sources.footnote({"source": source, "line": str(number), "quote": passage.strip()}),
                "cited_by": cited_by(citations, source, number),
            }
        )
    return {"query": text, "total": len(found), "hits": hits}
