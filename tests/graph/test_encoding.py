"""Evidence as stored and as shown (graph/encoding.py)."""

from __future__ import annotations

import json

import pytest
from persecution_graph.graph.encoding import decode, decode_evidence, decoded_json, encode


def test_evidence_collected_over_many_acts_is_each_reference_once_in_order() -> None:
    first = {"source": "odf-2018-dck-ban", "line": "129"}
    second = {"source": "odf-2018-dck-ban", "line": "128-129", "quote": "only the names"}
    stored = encode({"sources": [first, second]})["sources"]
    # As a query collects them: a list per act, None for an act without any, texts repeated.
    collected = [[stored[1]], None, [stored[0], stored[1]], [[stored[0]]], []]
    assert decode_evidence(collected) == [second, first]
    # A reference already decoded counts as the same reference as its text.
    assert decode_evidence([stored[0], first, second]) == [first, second]
    assert decode_evidence(None) == []


def test_evidence_is_decoded_together_and_a_text_that_is_not_one_value_is_refused() -> None:
    tricky = {"source": "r", "quote": 'he said: "no", then ], {} and [1, 2]'}
    plain = {"source": "r", "line": "3"}
    stored = encode({"sources": [tricky, plain]})["sources"]
    assert decode_evidence([[stored[0]], [stored[1], stored[0]]]) == [tricky, plain]
    # Texts the encoder never writes: two values in one text, none, a broken one.
    for broken in ('{"source": "a"}, {"source": "b"}', "", '{"source": '):
        with pytest.raises(json.JSONDecodeError):
            decode_evidence([stored[1], broken])


def test_decoded_properties_are_sorted_without_derived_values_nor_a_dates_day_bounds() -> None:
    claim = {"claim": "detained", "source": "odf-2018-dck-ban", "line": "12"}
    properties = {
        "name": "Dilnar Insenova",
        "date": "2018-05",
        "sources": [{"source": "odf-2018-dck-ban", "line": "99-100"}],
        "claims": [claim],
        "released_to": "house arrest",  # a value ending in _to with no _from beside it
    }
    stored = {**encode(properties), "date_from": "2018-05-01", "date_to": "2018-05-31", "gen": "g1", "public": True}
    assert set(stored) > {"source_ids", "name_keys", "date_from", "date_to"}
    shown = decode(stored)
    assert list(shown) == ["claims", "date", "name", "released_to", "sources"]
    assert shown == {**properties, "sources": [{"source": "odf-2018-dck-ban", "line": "99-100"}]}


def test_properties_written_as_json_text_are_the_decoded_properties() -> None:
    first = {"source": "odf-2018-dck-ban", "line": "129", "quote": '«Демократический выбор» "banned"'}
    second = {"source": "odf-2018-dck-ban", "page": "3"}
    claim = {"claim": "detained", "source": "odf-2018-dck-ban", "line": "12"}
    properties = {
        "name": "Dilnar Insenova",
        "aliases": ["Динар Инсенова"],
        "date": "2018-05",
        "sources": [first, second],
        "claims": [claim],
        "released_to": "house arrest",
        "count": 2,
        "unnamed": False,
    }
    stored = {**encode(properties), "date_from": "2018-05-01", "date_to": "2018-05-31", "gen": "g1", "public": True}
    stored["sources"] = [*stored["sources"], stored["sources"][0]]  # a reference told twice is shown once
    text = decoded_json(stored)
    assert json.loads(text) == decode(stored) == properties
    assert list(json.loads(text)) == list(decode(stored))  # in name order
    assert "Динар Инсенова" in text  # as written, not escaped
    assert decoded_json({}) == "{}"
