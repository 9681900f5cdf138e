"""Dates that keep their precision: a year, a month, a day, or a range of those.

>>> parse_date("2018-05")
DateValue(text='2018-05', start='2018-05-01', end='2018-05-31')
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

_PART = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class DateError(ValueError):
    """A date a curator wrote that cannot be a real date."""


@dataclass(frozen=True, slots=True)
class DateValue:
    """The date as written, and the first and last day it can mean (ISO strings)."""

    text: str
    start: str
    end: str

    def __reduce__(self) -> tuple[Any, ...]:
        # As its fields: read back twice as fast as the dataclass's state (loaders/reader.py).
        return DateValue, (self.text, self.start, self.end)

    @property
    def precision(self) -> str:
        first = self.text.split("/")[0]
        return {4: "year", 7: "month", 10: "day"}[len(first)]


def _bounds(part: str) -> tuple[dt.date, dt.date]:
    match = _PART.match(part)
    if not match:
        raise DateError(f"{part!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            return dt.date(year, month, 1), dt.date(year, month, last)
        first = dt.date(year, month, day)
        return first, first
    except ValueError:
        raise DateError(f"{part!r} is not a real date") from None


@functools.lru_cache(maxsize=65536)
def parse_date(text: str) -> DateValue:
    """Parse a date or a range ``A/B``; raise DateError saying what is wrong (cached: a large
    corpus repeats the same few thousand dates)."""
    text = text.strip()
    parts = text.split("/")
    if len(parts) > 2:
        raise DateError(f"{text!r}: a range has one '/' (start/end)")
    start, _ = _bounds(parts[0])
    _, end = _bounds(parts[-1])
    if end < start:
        raise DateError(f"{text!r}: the range ends before it starts")
    return DateValue(text, start.isoformat(), end.isoformat())
