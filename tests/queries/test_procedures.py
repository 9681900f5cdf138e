"""What a picture or table writes on an edge (queries/procedures ``edge_detail``)."""

from __future__ import annotations

from typing import Any

import pytest
from persecution_graph.queries.procedures import edge_detail


@pytest.mark.parametrize(
    ("properties", "detail"),
    [
        ({"relation": "daughter", "role": "x"}, "daughter"),
        ({"role": "head of department"}, "head of department"),
        ({"sentence_type": "restricted_freedom", "term": "5 years"}, "restricted freedom 5 years"),
        ({"term": "3 years", "category": "c"}, "3 years"),
        ({"category": "political prisoner"}, "political prisoner"),
        ({"reason": "same patronymic and city"}, "same patronymic and city"),
        ({"kind": "search", "involvement": "authorised"}, "search; authorised only"),
        ({"attribution": "inferred", "involvement": "attempted"}, "attempted only; agent inferred"),
        ({"attribution": "stated", "involvement": "carried_out"}, None),
        ({}, None),
    ],
)
def test_edge_detail(properties: dict[str, Any], detail: str | None) -> None:
    assert edge_detail(properties) == detail
