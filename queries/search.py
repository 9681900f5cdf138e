"""Find entities by any spelling of their name: aliases and transliteration variants match.

A query's words are folded like stored names (see graph/names.py), then each entity scores
by its best-matching name: every query word found as a name word or its beginning scores
high, a near spelling scores by similarity.
"""

from __future__ import annotations

import difflib
from typing import Any

from persecution_graph.graph.model import ENTITY_LABEL
from persecution_graph.graph.names import tokens
from persecution_graph.graph.store import Graph

from .cache import DERIVED

MIN_SCORE = 0.6


def _word_score(word: str, name_words: list[str]) -> float:
    best = 0.0
    for candidate in name_words:
        if candidate == word:
            return 1.0
        if candidate.startswith(word) and len(word) >= 3:
            best = max(best, 0.9)
        matcher = difflib.SequenceMatcher(None, word, candidate)
        # The cheap upper bounds first: most names are nowhere near the query.
        if matcher.real_quick_ratio() * 0.95 > best and matcher.quick_ratio() * 0.95 > best:
            best = max(best, matcher.ratio() * 0.95)
    return best


def score(query: str, name: str) -> float:
    """How well a name answers a query, from 0 to 1 (words in any order)."""
    query_words, name_words = tokens(query), tokens(name)
    if not query_words or not name_words:
        return 0.0
    per_word = [_word_score(word, name_words) for word in query_words]
    coverage = sum(per_word) / len(per_word)
    if min(per_word) < MIN_SCORE:
        coverage *= 0.5
    # Between equal matches, the name with fewer other words is the better answer.
    extra_words = max(len(name_words) - len(query_words), 0)
    return round(coverage - 0.01 * extra_words, 3)


class _Index:
    """Every entity's names, and their folded words pointing back at the entities, so a search
    scores only the entities that share a near word with the query (not every name)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.by_word: dict[str, set[int]] = {}
        for index, row in enumerate(rows):
            for name in row["names"]:
                for word in tokens(name):
                    self.by_word.setdefault(word, set()).add(index)
        self.by_initial: dict[str, list[str]] = {}
        for word in self.by_word:
            self.by_initial.setdefault(word[0], []).append(word)

    def candidates(self, query_words: list[str]) -> set[int]:
        found: set[int] = set()
        for query_word in query_words:
            # Folding makes spelling variants share their first letter (Yerlan/Erlan -> erlan).
            for word in self.by_initial.get(query_word[0], ()):
                near = abs(len(word) - len(query_word)) <= 4 or word.startswith(query_word)
                if near and _word_score(query_word, [word]) >= MIN_SCORE:
                    found |= self.by_word[word]
        return found


def _index(graph: Graph, public_only: bool) -> _Index:
    """The search index, built once per load of the graph (queries/cache.py)."""
    return DERIVED.get(graph, ("search-index", public_only), lambda: _build(graph, public_only))


def _build(graph: Graph, public_only: bool) -> _Index:
    rows = graph.read(
        f"MATCH (n:{ENTITY_LABEL}) WHERE NOT $public OR n.sensitivity <> 'restricted' "
        "RETURN n.id AS id, n.name AS name, n.aliases AS aliases, labels(n) AS labels",
        public=public_only,
    )
    for row in rows:
        row["names"] = [row["name"] or row["id"], *(row["aliases"] or [])]
    return _Index(rows)


def search(graph: Graph, text: str, limit: int = 10, public_only: bool = False) -> list[dict[str, Any]]:
    """Entities whose name or alias matches ``text``, best first: {id, name, labels, score}."""
    hits = []
    index = _index(graph, public_only)
    query_words = tokens(text)
    if not query_words:
        return []
    for position in index.candidates(query_words):
        row = index.rows[position]
        best = max(score(text, name) for name in row["names"])
        if best >= MIN_SCORE:
            hits.append(
                {
                    "id": row["id"],
                    "name": row["name"],
                    "labels": graph.sorted_labels(row["labels"]),
                    "score": best,
                }
            )
    hits.sort(key=lambda hit: (-hit["score"], hit["name"] or "", hit["id"]))
    return hits[:limit]
