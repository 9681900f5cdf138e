"""Read a YAML file into plain values that remember where they stood (file, line, column).

Scalars stay as the text the curator wrote: YAML's implicit typing (``2018-05-10`` becoming a
date, ``no`` becoming false) never applies; the model says what each value means.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from ..graph.model import SAFE_LOADER

_new_where = tuple.__new__  # Where(...) without the generated __new__'s extra call


class Where(NamedTuple):
    """A position in a curated file, printed the way editors and compilers do."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as a plain tuple remade by tuple.__new__: the reading processes send millions
        # (loaders/reader.py), and the namedtuple's own way calls its Python __new__ for each.
        return _new_where, (Where, (self.file, self.line, self.col))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the curated data, with where it is."""

    where: Where
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        w = self.where
        return {"file": w.file, "line": w.line, "col": w.col, "message": self.message}


@dataclass(slots=True)
class Scalar:
    """A scalar as written, and whether it was the YAML null."""

    text: str
    where: Where
    is_null: bool = False
    quoted: bool = False


@dataclass(slots=True)
class Seq:
    items: list[Located]
    where: Where


@dataclass(slots=True)
class Map:
    """A mapping; ``keys`` keeps each key's own position for unknown-key messages."""

    values: dict[str, Located]
    keys: dict[str, Where]
    where: Where


Located = Scalar | Seq | Map

_NULLS = {"", "~", "null", "Null", "NULL"}


def _where(name: str, node: yaml.Node) -> Where:
    mark = node.start_mark
    return _new_where(Where, (name, mark.line + 1, mark.column + 1))


def _convert(name: str, node: yaml.Node, problems: list[Problem]) -> Located:
    mark = node.start_mark
    where = _new_where(Where, (name, mark.line + 1, mark.column + 1))
    kind = type(node)
    if kind is yaml.ScalarNode:
        plain = node.style is None  # type: ignore[attr-defined]
        return Scalar(node.value, where, plain and node.value in _NULLS, not plain)
    if kind is yaml.SequenceNode:
        return Seq([_convert(name, item, problems) for item in node.value], where)
    assert isinstance(node, yaml.MappingNode)
    values: dict[str, Located] = {}
    keys: dict[str, Where] = {}
    for key_node, value_node in node.value:
        key_where = _where(name, key_node)
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(key_where, "a key must be a plain word"))
            continue
        key = key_node.value
        if key in values:
            problems.append(Problem(key_where, f"duplicate key {key!r} (first at line {keys[key].line})"))
            continue
        keys[key] = key_where
        values[key] = _convert(name, value_node, problems)
    return Map(values, keys, where)


# SAFE_LOADER is libyaml (C) where PyYAML has it: it composes ten times faster and keeps line
# and column marks; the pure-Python loader is used for files it rejects, to report the problem
# in its words.


_CParser: type = getattr(getattr(yaml, "cyaml", None), "CParser", object)


class _Untagged(_CParser):
    """libyaml's composer without tag resolution: scalars stay the text written, so resolving
    each one's implicit type (a regular expression per scalar, in Python) is wasted work."""

    def descend_resolver(self, parent: Any, index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: Any, value: Any, implicit: Any) -> None:
        return None


COMPOSER = _Untagged if _CParser is not object else SAFE_LOADER


def read_yaml(path: Path, display_name: str) -> tuple[Located | None, list[Problem]]:
    """Parse one file; a syntax error becomes a Problem at its position, never an exception."""
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(Where(display_name, 1, 1), f"not UTF-8 text ({error.reason})")]
    except OSError as error:
        return None, [Problem(Where(display_name, 1, 1), f"cannot read file: {error.strerror}")]
    try:
        node = yaml.compose(text, Loader=COMPOSER)
    except yaml.YAMLError:
        node = None  # parse again below with the pure-Python loader: its messages are clearer
    else:
        return (None, []) if node is None else (_convert(display_name, node, problems), problems)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Where(display_name, mark.line + 1, mark.column + 1) if mark else Where(display_name, 1, 1)
        message = f"YAML syntax: {error.problem or error.context}"
        return None, [Problem(where, message)]
    except yaml.reader.ReaderError as error:
        before = text[: error.position]
        where = Where(display_name, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
        return None, [Problem(where, f"YAML: character {error.character!r} is not allowed in YAML text")]
    except yaml.YAMLError as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, [Problem(Where(display_name, 1, 1), f"YAML: {first_line}")]
    if node is None:
        return None, []
    return _convert(display_name, node, problems), problems


def plain(value: Located) -> Any:
    """The value without positions (for messages and tests)."""
    if isinstance(value, Scalar):
        return None if value.is_null else value.text
    if isinstance(value, Seq):
        return [plain(item) for item in value.items]
    return {key: plain(item) for key, item in value.values.items()}
