"""Spelling variants fold to one key; dates keep their precision."""

from __future__ import annotations

import pytest
from persecution_graph.graph.dates import DateError, parse_date
from persecution_graph.graph.names import name_key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Barlyk Mendygazyev", "Barlyk Mendygaziyev"),
        ("Yerlan Kaliyev", "Erlan Kaliev"),
        ("Zhanbolat Mamay", "Janbolat Mamai"),
        ("Alibek Musauli", "Alibek Musauly"),
        ("Mukhtar Ablyazov", "Ablyazov Mukhtar"),
        ("Мухтар Аблязов", "Mukhtar Ablyazov"),
    ],
)
def test_variants_share_a_key(one: str, other: str) -> None:
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Aset Abishev", "Kenzhebek Abishev"),
        ("Almaty", "Astana"),
    ],
)
def test_different_names_differ(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2018", "2018-01-01", "2018-12-31", "year"),
        ("2020-02", "2020-02-01", "2020-02-29", "month"),
        ("2018-05-10", "2018-05-10", "2018-05-10", "day"),
        ("2018-03/2018-10", "2018-03-01", "2018-10-31", "month"),
    ],
)
def test_dates(text: str, start: str, end: str, precision: str) -> None:
    value = parse_date(text)
    assert (value.start, value.end, value.precision) == (start, end, precision)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2018-02-30", "'2018-02-30' is not a real date"),
        ("10 May 2018", "'10 May 2018' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2019/2018", "'2019/2018': the range ends before it starts"),
    ],
)
def test_impossible_dates(text: str, message: str) -> None:
    with pytest.raises(DateError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        parse_date(text)
