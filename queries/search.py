"""Find entities by any spelling of their name: aliases and transliteration variants match.

A query's words are folded like stored names (see graph/names.py), then each entity scores
by its best-matching name: every query word found as a name word or its beginning scores
high, a near spelling scores by similarity.
"""

from __future__ import annotations

import bisect
import re
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


def _ranges(starts: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """The positions of the chosen rows of a table kept as one flat array and where each row
    starts (``starts`` has one entry more: the end), all at once and in the chosen order."""
    begin = starts[chosen]
    lengths = starts[chosen + 1] - begin
    # A position is its row's start plus how far into the row it is.
    return np.repeat(begin - _firsts(lengths), lengths) + np.arange(int(lengths.sum()))


def _similarity(query_word: str, words: list[str]) -> np.ndarray:
    """0.95 of how much of the query word and each word is common letters in order (2 * LCS /
    both lengths), computed in C."""
    return cdist([query_word], words, scorer=Indel.normalized_similarity, dtype=np.float64)[0] * 0.95


def _rounded(values: np.ndarray) -> np.ndarray:
    """Each value as Python's round(value, 3) gives it (the double nearest its 3-decimal
    rounding), all at once: rint(value * 1000) / 1000 is that double unless value * 1000 lies
    within a hair of a half, where the product's own rounding could tip it. Those few are
    rounded by Python."""
    scaled = values * 1000
    found = np.rint(scaled) / 1000
    doubtful = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    found[doubtful] = [round(value, 3) for value in values[doubtful].tolist()]
    return found


def _firsts(lengths: np.ndarray) -> np.ndarray:
    """Where each of consecutive runs of these lengths starts (in a flat array of the runs)."""
    return np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)


class _Index:
    """Every entity's names and their folded words, as flat arrays. A search finds the words near
    its own, then scores every entity that has one of them at once: a common surname has a
    thousand at 100k entities, and scoring them one by one in Python was most of a search."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        # A name is its folded words; each different name is scored once a search (namesakes).
        names: dict[tuple[str, ...], int] = {}
        entity_names: list[int] = []  # each entity's names in its order: name, then aliases
        entity_starts = [0]
        for row in rows:
            for name in row["names"]:
                entity_names.append(names.setdefault(tuple(tokens(name)), len(names)))
            entity_starts.append(len(entity_names))
        self.words = sorted({word for name in names for word in name})
        self.word_array = np.array(self.words, dtype=object)
        self.lengths = np.array([len(word) for word in self.words], dtype=np.int64)
        number = {word: position for position, word in enumerate(self.words)}
        self.entity_names = np.array(entity_names, dtype=np.int64)
        self.entity_starts = np.array(entity_starts, dtype=np.int64)
        self.name_words = np.array([number[word] for name in names for word in name], dtype=np.int64)
        self.name_sizes = np.array([len(name) for name in names], dtype=np.int64)
        self.name_starts = np.concatenate(([0], np.cumsum(self.name_sizes))).astype(np.int64)
        # The entities with each word in a name: (word, entity) pairs, each once, by word.
        entities = max(len(rows), 1)
        owner = np.repeat(np.arange(len(rows), dtype=np.int64), np.diff(self.entity_starts))
        words = self.name_words[_ranges(self.name_starts, self.entity_names)]
        pairs = np.unique(words * entities + np.repeat(owner, self.name_sizes[self.entity_names]))
        self.word_entities = pairs % entities
        self.word_starts = np.searchsorted(pairs // entities, np.arange(len(self.words) + 1))
        # The words of one initial are one run of the sorted words.
        self.initials: dict[str, tuple[int, int]] = {}
        for position, word in enumerate(self.words):
            self.initials[word[0]] = (self.initials.get(word[0], (position, 0))[0], position + 1)
        # Hits of one score come by name, then id: each entity's place in that order.
        by_name = sorted(range(len(rows)), key=lambda position: (rows[position]["name"] or "", rows[position]["id"]))
        self.rank = np.empty(len(rows), dtype=np.int64)
        self.rank[by_name] = np.arange(len(rows))

    def beginning_with(self, query_word: str) -> tuple[int, int]:
        """The run of words the query word begins, if it has 3 letters or more."""
        if len(query_word) < 3:
            return (0, 0)
        first = bisect.bisect_left(self.words, query_word)
        return (first, bisect.bisect_left(self.words, query_word + "~", first))

    def scores(self, query_word: str, words: np.ndarray) -> np.ndarray:
        """How well each word (a position) answers the query word, from 0 to 1: 1 the word
        itself; a word it begins at least 0.9; else their _similarity."""
        similar = _similarity(query_word, self.word_array[words].tolist())
        first, end = self.beginning_with(query_word)
        found = np.where((words >= first) & (words < end), np.maximum(similar, 0.9), similar)
        return np.where(self.word_array[words] == query_word, 1.0, found)

    def near(self, query_word: str) -> np.ndarray:
        """The words (positions) within the minimum similarity of the query word and at most 4
        letters longer or shorter, and the words it begins. Folding gives spelling variants one
        first letter (Yerlan/Erlan -> erlan), so only the words of its initial are compared."""
        first, end = self.initials.get(query_word[0], (0, 0))
        similar = _similarity(query_word, self.words[first:end])
        close = (similar >= MIN_SCORE) & (np.abs(self.lengths[first:end] - len(query_word)) <= 4)
        return np.union1d(np.flatnonzero(close) + first, np.arange(*self.beginning_with(query_word)))

    def best(self, query_words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The entities with a name word near a query word (positions), the score of each one's
        best name, and which of its names that is (0 its name, then its aliases)."""
        near = np.unique(np.concatenate([self.near(word) for word in query_words]))
        entities = np.unique(self.word_entities[_ranges(self.word_starts, near)])
        if not len(entities):
            return entities, np.zeros(0), entities
        names, slot_name = np.unique(self.entity_names[_ranges(self.entity_starts, entities)], return_inverse=True)
        sizes = self.name_sizes[names]
        worded = sizes > 0  # a name of no word (only punctuation) scores 0
        words, at = np.unique(self.name_words[_ranges(self.name_starts, names[worded])], return_inverse=True)
        # Each query word scores by its best word of the name, words in any order.
        per_word = [np.maximum.reduceat(self.scores(word, words)[at], _firsts(sizes[worded])) for word in query_words]
        coverage = per_word[0]
        for score in per_word[1:]:  # added in order, as Python's sum() adds them
            coverage = coverage + score
        coverage = coverage / len(per_word)
        coverage = np.where(np.minimum.reduce(per_word) < MIN_SCORE, coverage * 0.5, coverage)
        # Between equal matches, the name with fewer other words is the better answer.
        score = coverage - 0.01 * np.maximum(sizes[worded] - len(per_word), 0)
        name_scores = np.zeros(len(names))
        name_scores[worded] = _rounded(score)
        slot_scores = name_scores[slot_name]
        counts = np.diff(self.entity_starts)[entities]
        starts = _firsts(counts)
        best = np.maximum.reduceat(slot_scores, starts)
        # Which name scored best (the first, if several did): each entity's first such slot.
        at_best = np.flatnonzero(slot_scores == np.repeat(best, counts))
        return entities, best, at_best[np.searchsorted(at_best, starts)] - starts

    def ranked(self, query_words: list[str], limit: int) -> list[tuple[int, float, int]]:
        """The best ``limit`` entities scoring at least MIN_SCORE, as (position, score, which
        name), by score, then name, then id."""
        entities, best, which = self.best(query_words)
        kept = best >= MIN_SCORE
        entities, best, which = entities[kept], best[kept], which[kept]
        chosen = np.lexsort((self.rank[entities], -best))[:limit]
        return list(zip(entities[chosen].tolist(), best[chosen].tolist(), which[chosen].tolist(), strict=True))


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
    rows = [dict(row) for row in read_entities(view)]  # copies: read_entities' rows are shared
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
    hits = []
    for position, score, name in index.ranked(query_words, limit):
        row = index.rows[position]
        matched = row["names"][name]
        hits.append(
            {
                "id": row["id"],
                "name": row["name"],
                "labels": view.sorted_labels(row["labels"]),
                "score": score,
                "matched": matched,
                "match": how_matched(text, matched),
                "possibly_same_as": [dict(other) for other in row["possibly_same_as"]],
            }
        )
    return hits
