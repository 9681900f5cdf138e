"""Turn one located YAML value into a typed property value, or say what is wrong with it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from ..graph.dates import DateError, parse_date
from ..graph.model import Property
from .yamlfile import Located, Map, Problem, Scalar, Seq, Where

SLUG = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
_SHORTHAND = re.compile(r"^(?P<source>[a-z0-9][a-z0-9.-]*?):(?P<first>\d+)(?:-(?P<last>\d+))?$")
SOURCE_KEYS = ("source", "line", "page", "quote")


class FieldError(Exception):
    """A value that does not fit its declared type; carries where and what."""

    def __init__(self, where: Where, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(where, message)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One piece of evidence: a source id and a locator (lines, page and/or quote). The same
    reference written in two places is one reference (its place is not compared)."""

    source: str
    where: Where = field(compare=False)
    first_line: int | None = None
    last_line: int | None = None
    page: str | None = None
    quote: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # As its fields: read back twice as fast as the dataclass's state (loaders/reader.py).
        return SourceRef, (self.source, self.where, self.first_line, self.last_line, self.page, self.quote)

    def as_dict(self) -> dict[str, Any]:
        ref: dict[str, Any] = {"source": self.source}
        if self.first_line is not None:
            ref["line"] = (
                str(self.first_line) if self.last_line == self.first_line else f"{self.first_line}-{self.last_line}"
            )
        if self.page is not None:
            ref["page"] = self.page
        if self.quote is not None:
            ref["quote"] = self.quote
        return ref


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean 'x'?)' when a close choice exists, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def kind_of(value: Located) -> str:
    if isinstance(value, Map):
        return "a mapping"
    if isinstance(value, Seq):
        return "a list"
    return "empty" if value.is_null else f"{value.text!r}"


def text(value: Located, name: str) -> str:
    if not isinstance(value, Scalar) or value.is_null:
        raise FieldError(value.where, f"{name!r} must be text, not {kind_of(value)}")
    return value.text


def slug(value: Located, name: str) -> str:
    found = text(value, name)
    if not SLUG.match(found):
        raise FieldError(
            value.where,
            f"{name!r}: {found!r} is not an id; use lowercase letters, " "digits and hyphens, e.g. 'dilnar-insenova'",
        )
    return found


def as_list(value: Located) -> list[Located]:
    """A list, or a single value standing for a one-item list."""
    if isinstance(value, Seq):
        return value.items
    return [] if isinstance(value, Scalar) and value.is_null else [value]


def _enum(value: Located, prop: Property) -> str:
    found = text(value, prop.name)
    if found not in prop.values:
        raise FieldError(
            value.where,
            f"{prop.name!r}: unknown value {found!r}"
            f"{suggest(found, prop.values)}; expected one of: {', '.join(prop.values)}",
        )
    return found


def _line(value: Located, where: Where) -> tuple[int, int]:
    found = text(value, "line")
    match = re.match(r"^(\d+)(?:-(\d+))?$", found.strip())
    if not match:
        raise FieldError(where, f"'line': {found!r} is not a line number or range like '12-14'")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first or first < 1:
        raise FieldError(where, f"'line': {found!r} is not a valid line range")
    return first, last


def source_ref(value: Located) -> SourceRef:
    """Parse `id:12`, `id:12-14` or a mapping {source, line, page, quote}."""
    if isinstance(value, Scalar) and not value.is_null:
        match = _SHORTHAND.match(value.text.strip())
        if not match:
            raise FieldError(
                value.where,
                f"source reference {value.text!r} needs a locator: write "
                "'source-id:LINE' or a mapping with line, page or quote",
            )
        first = int(match["first"])
        last = int(match["last"] or first)
        if last < first:
            raise FieldError(value.where, f"source reference {value.text!r}: range ends before it starts")
        return SourceRef(match["source"], value.where, first, last)
    if not isinstance(value, Map):
        raise FieldError(value.where, f"a source reference must be text or a mapping, not {kind_of(value)}")
    for key, key_where in value.keys.items():
        if key not in SOURCE_KEYS:
            hint = suggest(key, SOURCE_KEYS)
            raise FieldError(key_where, f"unknown key {key!r} in a source reference{hint}")
    if "source" not in value.values:
        raise FieldError(value.where, "a source reference needs 'source' (the id of a Source record)")
    lines: tuple[int | None, int | None] = (None, None)
    if "line" in value.values:
        lines = _line(value.values["line"], value.values["line"].where)
    page = text(value.values["page"], "page") if "page" in value.values else None
    quote = text(value.values["quote"], "quote") if "quote" in value.values else None
    if lines[0] is None and page is None and not quote:
        raise FieldError(value.where, "a source reference needs a locator: line, page or quote")
    return SourceRef(slug(value.values["source"], "source"), value.where, *lines, page, quote)


def _claims(value: Located, prop: Property, problems: list[Problem]) -> list[dict[str, Any]]:
    claims = []
    for item in as_list(value):
        if not isinstance(item, Map):
            raise FieldError(item.where, f"a claim must be a mapping with 'says' and 'sources', not {kind_of(item)}")
        for key, key_where in item.keys.items():
            if key not in ("says", "sources"):
                hint = suggest(key, ["says", "sources"])
                problems.append(Problem(key_where, f"unknown key {key!r} in a claim{hint}"))
        if "says" not in item.values or "sources" not in item.values:
            raise FieldError(item.where, "a claim needs 'says' and 'sources'")
        refs = collect(item.values["sources"], lambda v: source_ref(v), problems)
        claims.append({"says": text(item.values["says"], "says"), "sources": refs})
    if not claims:
        raise FieldError(value.where, f"{prop.name!r} needs at least one claim")
    return claims


def collect(value: Located, convert: Any, problems: list[Problem]) -> list[Any]:
    """Convert every item of a list, recording each bad item (one mistake never hides another)."""
    results = []
    for item in as_list(value):
        try:
            results.append(convert(item))
        except FieldError as error:
            problems.append(error.problem)
    return results


def convert(value: Located, prop: Property, problems: list[Problem]) -> Any:
    """The typed value of one property (raises FieldError; list items report individually)."""
    kind = prop.type
    if kind in ("string", "text"):
        return text(value, prop.name)
    if kind == "int":
        found = text(value, prop.name)
        if not re.match(r"^-?\d+$", found):
            raise FieldError(value.where, f"{prop.name!r} must be a whole number, not {found!r}")
        return int(found)
    if kind == "bool":
        found = text(value, prop.name).lower()
        if found not in ("true", "false"):
            raise FieldError(value.where, f"{prop.name!r} must be true or false, not {found!r}")
        return found == "true"
    if kind == "enum":
        return _enum(value, prop)
    if kind == "date":
        try:
            return parse_date(text(value, prop.name))
        except DateError as error:
            raise FieldError(value.where, f"{prop.name!r}: {error}") from None
    if kind == "ref":
        return slug(value, prop.name)
    if kind == "refs":
        return collect(value, lambda v: slug(v, prop.name), problems)
    if kind == "strings":
        return collect(value, lambda v: text(v, prop.name), problems)
    if kind == "labels":
        return collect(value, lambda v: _enum(v, prop), problems)
    if kind == "sources":
        return collect(value, source_ref, problems)
    if kind == "claims":
        return _claims(value, prop, problems)
    raise AssertionError(f"unhandled property type {kind}")
