"""Search's index and scoring (queries/search.py), on names made for each rule; search on the
bundled data is tested in test_catalogue.py, test_trust.py and test_same_answers.py."""

from __future__ import annotations

import numpy as np
import pytest
from persecution_graph.graph.names import tokens
from persecution_graph.queries.search import _Index, _rounded

NAMES = {
    "erlan-abenov": ("Erlan Abenov", ["Yerlan Abenov"]),  # the alias folds to the same name
    "b": ("Abenov", []),
    "no-words": ("!!!", ["Abenova Dana"]),  # a name of no word: only its alias can match
    "b0": ("Abenov", []),  # a namesake of "b": ties are broken by name, then id
    "anuar-abenov": ("Anuar Abenov", []),
    "prefixed": ("Abenovskidarm", []),  # a word the query begins, however much longer
    "far": ("Tabenov", []),  # another initial: never compared
    "long": ("Abetnovskid", []),  # similar enough to "abenov" (0.671), but 5 letters longer
}


@pytest.fixture(scope="module")
def index() -> _Index:
    rows = [{"id": id_, "name": name, "names": [name, *aliases]} for id_, (name, aliases) in NAMES.items()]
    return _Index(rows)


def _ranked(index: _Index, text: str, limit: int = 10) -> list[tuple[str, float, str]]:
    return [
        (index.rows[position]["id"], score, index.rows[position]["names"][which])
        for position, score, which in index.ranked(tokens(text), limit)
    ]


def test_one_word_ranks_by_score_then_name_then_id(index: _Index) -> None:
    assert _ranked(index, "Abenov") == [
        ("b", 1.0, "Abenov"),
        ("b0", 1.0, "Abenov"),
        ("anuar-abenov", 0.99, "Anuar Abenov"),  # one other word: 0.01 less
        ("erlan-abenov", 0.99, "Erlan Abenov"),
        ("prefixed", 0.9, "Abenovskidarm"),
        ("no-words", 0.89, "Abenova Dana"),  # its alias matched
    ]
    assert _ranked(index, "Abenov", limit=2) == [("b", 1.0, "Abenov"), ("b0", 1.0, "Abenov")]


def test_every_query_word_must_match(index: _Index) -> None:
    # "Anuar Abenov" and "Abenov" match "abenov" only: half the words, and one under the minimum.
    assert _ranked(index, "Yerlan Abenov") == [("erlan-abenov", 1.0, "Erlan Abenov")]


def test_words_of_another_initial_or_far_longer_are_found_by_their_own_spelling(index: _Index) -> None:
    # Neither is found by "Abenov" (above); each by itself, and "long" finds a near spelling.
    assert _ranked(index, "Tabenov") == [("far", 1.0, "Tabenov")]
    assert _ranked(index, "Abetnovskid") == [
        ("long", 1.0, "Abetnovskid"),
        ("prefixed", 0.792, "Abenovskidarm"),  # 0.95 * 2 * 10 common letters / 24
        ("no-words", 0.623, "Abenova Dana"),  # 0.95 * 2 * 6 / 18, less 0.01 for "dana"
    ]
    assert _ranked(index, "qqq") == []


def test_rounded_is_pythons_round_to_three_decimals() -> None:
    halves = (np.arange(-1000, 2000) + 0.5) / 1000  # the values rint could tip the other way
    values = np.concatenate(
        [
            halves,
            np.nextafter(halves, 2.0),
            np.nextafter(halves, -2.0),
            np.random.default_rng(7).random(100_000) * 2 - 0.5,
            np.array([0.0, -0.0, -0.0004, 0.6, 0.5995, 0.6005, 0.9, 1.0]),
        ]
    )
    expected = [round(value, 3) for value in values.tolist()]
    found = _rounded(values).tolist()
    assert [(value, np.signbit(value)) for value in found] == [(value, np.signbit(value)) for value in expected]


def test_an_empty_graph_finds_nothing() -> None:
    assert _Index([]).ranked(tokens("Abenov"), 10) == []
