"""Find entities by any spelling of their name: aliases and transliteration variants match.

A query's words are folded like stored names (see graph/names.py), then each entity scores
by its best-matching name: every query word found as a name word or its beginning scores
high, a near spelling scores by similarity.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

from ..graph.model import ENTITY_LABEL
from ..graph.names import tokens
from ..graph.scope import View
from .cache import KEPT
from .procedures.network import read_entities

MIN_SCORE = 0.6


def _word_score(word: str, name_words: Sequence[str]) -> float:
    best = 0.0
    for candidate in name_words:
        if candidate == word:
            return 1.0
        if candidate.startswith(word) and len(word) >= 3:
            best = max(best, 0.9)
        # How much of the two words is common letters in order (2 * LCS / both lengths), in C.
        best = max(best, Indel.normalized_similarity(word, candidate) * 0.95)
    return best


class _WordScores:
    """How well names answer a query's words, each (query word, name word) pair computed once
    per search: thousands of candidates share a few hundred words (a common surname)."""

    def __init__(self, query_words: list[str]) -> None:
        self.query_words = query_words
        self.known: dict[tuple[str, str], float] = {}

    def name_score(self, name_words: Sequence[str]) -> float:
        """How well a name (its folded words) answers the query, from 0 to 1, words in any
        order: each query word scores by its best name word. One loop of look-ups: ~1,000
        names a search at 100k entities, and calls of calls were a third of a search."""
        if not self.query_words or not name_words:
            return 0.0
        known = self.known
        per_word = []
        for word in self.query_words:
            best = 0.0
            for candidate in name_words:
                found = known.get((word, candidate))
                if found is None:
                    found = known[(word, candidate)] = _word_score(word, [candidate])
                if found > best:
                    best = found
            per_word.append(best)
        coverage = sum(per_word) / len(per_word)
        if min(per_word) < MIN_SCORE:
            coverage *= 0.5
        # Between equal matches, the name with fewer other words is the better answer.
        extra_words = max(len(name_words) - len(per_word), 0)
        return round(coverage - 0.01 * extra_words, 3)


SYMBOLS = "abcdefghijklmnopqrstuvwxyz0123456789"  # what folded name words are made of


def _letter_counts(words: list[str]) -> np.ndarray:
    """How often each symbol occurs in each word (one row per word)."""
    counts = np.zeros((len(words), len(SYMBOLS)), dtype=np.int16)
    for row, word in enumerate(words):
        for symbol in word:
            counts[row, SYMBOLS.index(symbol)] += 1
    return counts


class _Words:
    """The name words that share an initial, with their letter counts: a word whose letters
    alone cannot reach the minimum similarity (their shared letters bound it, computed for all of them
    at once) is never compared letter by letter."""

    def __init__(self, words: list[str]) -> None:
        self.words = sorted(words)
        self.counts = _letter_counts(self.words)
        self.lengths = np.array([len(word) for word in self.words])

    def near(self, query_word: str) -> dict[str, float]:
        """The words within the minimum similarity of the query word (or starting with it),
        with their score (_word_score's, computed for all of them at once, in C)."""
        shared = np.minimum(self.counts, _letter_counts([query_word])[0]).sum(axis=1)
        quick_ratio = 2.0 * shared / (self.lengths + len(query_word))
        close = (quick_ratio * 0.95 >= MIN_SCORE - 1e-9) & (np.abs(self.lengths - len(query_word)) <= 4)
        positions = set(np.flatnonzero(close).tolist())
        prefixed = range(0)
        if len(query_word) >= 3:  # words it begins score 0.9, whatever their length
            first = bisect.bisect_left(self.words, query_word)
            prefixed = range(first, bisect.bisect_left(self.words, query_word + "~", first))
            positions.update(prefixed)
        chosen = sorted(positions)
        if not chosen:
            return {}
        words = [self.words[position] for position in chosen]
        scores = cdist([query_word], words, scorer=Indel.normalized_similarity, dtype=np.float64)[0] * 0.95
        is_prefixed = np.isin(chosen, np.fromiter(prefixed, dtype=np.int64))
        scores = np.where(is_prefixed, np.maximum(scores, 0.9), scores)
        scores = np.where(np.array(words) == query_word, 1.0, scores)
        return {word: score for word, score in zip(words, scores.tolist(), strict=True) if score >= MIN_SCORE}


class _Index:
    """Every entity's names, and their folded words pointing back at the entities, so a search
    scores only the entities that share a near word with the query (not every name)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.by_word: dict[str, set[int]] = {}
        for index, row in enumerate(rows):
            # Tuples, so a search scores each different name once (names repeat: namesakes).
            row["name_words"] = [tuple(tokens(name)) for name in row["names"]]
            for words in row["name_words"]:
                for word in words:
                    self.by_word.setdefault(word, set()).add(index)
        by_initial: dict[str, list[str]] = {}
        for word in self.by_word:
            by_initial.setdefault(word[0], []).append(word)
        self.by_initial = {initial: _Words(words) for initial, words in by_initial.items()}

    def candidates(self, query_words: list[str], scores: _WordScores) -> set[int]:
        """The entities with a name word near a query word; ``scores`` learns those words'."""
        found: set[int] = set()
        for query_word in query_words:
            # Folding makes spelling variants share their first letter (Yerlan/Erlan -> erlan).
            words = self.by_initial.get(query_word[0])
            for word, score in (words.near(query_word) if words else {}).items():
                scores.known[(query_word, word)] = score
                found |= self.by_word[word]
        return found


def _index(view: View) -> _Index:
    """The search index of what this view sees, built once per load of the graph (queries/cache.py)."""
    return KEPT.get(view, ("search-index", view.scope.value), lambda: _build(view))


# Records that may be one (POSSIBLY_SAME_AS, either way): a hit says who it may be.
POSSIBLY_SAME_CYPHER = f"""
MATCH (a:{ENTITY_LABEL})-[d:POSSIBLY_SAME_AS]-(b:{ENTITY_LABEL})
WHERE VISIBLE(d)
RETURN a.id AS id, b.id AS other_id, b.name AS other ORDER BY other, other_id
"""


def _build(view: View) -> _Index:
    return view.in_one_generation(lambda: _read_index(view))


def _read_index(view: View) -> _Index:
    rows = [dict(row) for row in read_entities(view)]  # the index adds to its rows
    same: dict[str, list[dict[str, Any]]] = {}
    for pair in view.read(POSSIBLY_SAME_CYPHER):
        same.setdefault(pair["id"], []).append({"id": pair["other_id"], "name": pair["other"]})
    for row in rows:
        row["names"] = [row["name"] or row["id"], *(row["aliases"] or [])]
        row["possibly_same_as"] = same.get(row["id"], [])
    return _Index(rows)


def how_matched(text: str, name: str) -> str:
    """How a name answers a query, in words: 'exact' (every word as written), 'spelling variant'
    (the same words once transliteration variants are folded), 'beginning of a word', or
    'similar spelling'."""
    written = {word.lower() for word in re.findall(r"\w+", name)}
    if all(word.lower() in written for word in re.findall(r"\w+", text)):
        return "exact"
    query_words, name_words = tokens(text), tokens(name)
    if all(word in name_words for word in query_words):
        return "spelling variant"
    if all(any(candidate.startswith(word) for candidate in name_words) for word in query_words):
        return "beginning of a word"
    return "similar spelling"


def search(view: View, text: str, limit: int = 10) -> list[dict[str, Any]]:
    """Entities whose name or alias matches ``text``, best first: {id, name, labels, score,
    matched (the name or alias that matched), match (how: exact, spelling variant, beginning of
    a word, similar spelling), possibly_same_as} (the records it may be one with, [{id, name}]:
    see POSSIBLY_SAME_AS)."""
    index = _index(view)
    query_words = tokens(text)
    if not query_words:
        return []
    word_scores = _WordScores(query_words)
    scored: dict[tuple[str, ...], float] = {}

    def name_score(words: tuple[str, ...]) -> float:
        found = scored.get(words)
        if found is None:
            found = scored[words] = word_scores.name_score(words)
        return found

    # Every candidate is scored; only the best `limit` are described (how they match, their
    # labels): a common surname has a thousand candidates at 100k entities.
    found: list[tuple[float, str, str, int, int]] = []
    for position in index.candidates(query_words, word_scores):
        row = index.rows[position]
        scores = [name_score(words) for words in row["name_words"]]
        best = max(scores)
        if best >= MIN_SCORE:
            found.append((-best, row["name"] or "", row["id"], position, scores.index(best)))
    hits = []
    # The best `limit` in order, as sorting them all would give (a thousand candidates).
    for negative, _, _, position, which in heapq.nsmallest(limit, found):
        row = index.rows[position]
        matched = row["names"][which]
        hits.append(
            {
                "id": row["id"],
                "name": row["name"],
                "labels": view.sorted_labels(row["labels"]),
                "score": -negative,
                "matched": matched,
                "match": how_matched(text, matched),
                "possibly_same_as": [dict(other) for other in row["possibly_same_as"]],
            }
        )
    return hits
