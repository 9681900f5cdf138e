"""Evidence as stored and as shown (graph/encoding.py)."""

from __future__ import annotations

from persecution_graph.graph.encoding import decode_evidence, encode


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
