"""Check evidence references against the Source records and the texts they point into."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .fields import SourceRef, suggest
from .yamlfile import Problem

# A quote must stand within this many lines of the cited line (hard-wrapped PDFs split sentences).
QUOTE_WINDOW = 3
_FOLD = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "\u00a0": " ",
        "*": None,
        "\\": None,
    }
)


def fold_text(text: str) -> str:
    """Compare texts ignoring layout: quotes, dashes, emphasis marks, case and white space."""
    text = re.sub(r"</?[a-z]+>", "", text.translate(_FOLD))
    return re.sub(r"\s+", " ", text).strip().casefold()


class EvidenceChecker:
    """Checks that each reference names a known source, a real line and a quote that is there.

    References are checked as they are read; one that names a source not read yet waits for
    ``finish`` (a corpus whose Source records come first is checked in one pass)."""

    def __init__(self, root: Path, problems: list[Problem]) -> None:
        self.root = root
        self.sources: dict[str, Any] = {}
        self.problems = problems
        self.texts: dict[str, list[str] | None] = {}
        self.waiting: list[SourceRef] = []

    def add_source(self, record: Any) -> None:
        """A Source record (its ``file`` is read when a reference first points into it)."""
        self.sources.setdefault(record.id, record)

    def finish(self) -> None:
        """Check the references that named sources not read at the time."""
        waiting, self.waiting = self.waiting, []
        for ref in waiting:
            self.check(ref, final=True)

    def lines_of(self, source_id: str) -> list[str] | None:
        if source_id not in self.texts:
            record = self.sources[source_id]
            file = record.props.get("file")
            lines = None
            if file:
                path = self.root / file
                if path.is_file():
                    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
                else:
                    self.problems.append(
                        Problem(record.prop_where["file"], f"'file': {file!r} not found under {self.root}")
                    )
            self.texts[source_id] = lines
        return self.texts[source_id]

    def check(self, ref: SourceRef, final: bool = False) -> None:
        if ref.source not in self.sources:
            if not final:
                self.waiting.append(ref)
                return
            self.problems.append(
                Problem(ref.where, f"unknown source {ref.source!r}" f"{suggest(ref.source, tuple(self.sources))}")
            )
            return
        lines = self.lines_of(ref.source)
        if lines is None:
            return
        name = self.sources[ref.source].props.get("file")
        if ref.last_line is not None and ref.last_line > len(lines):
            self.problems.append(
                Problem(ref.where, f"line {ref.last_line} is past the end of " f"{name} ({len(lines)} lines)")
            )
            return
        if ref.quote:
            self.check_quote(ref, lines, name)

    def check_quote(self, ref: SourceRef, lines: list[str], name: str) -> None:
        if ref.first_line is None:
            window, near = lines, ""
        else:
            assert ref.last_line is not None
            start = max(ref.first_line - 1 - QUOTE_WINDOW, 0)
            window = lines[start : ref.last_line + QUOTE_WINDOW]
            near = f" near line {ref.first_line}"
        if fold_text(ref.quote or "") not in fold_text(" ".join(window)):
            self.problems.append(Problem(ref.where, f"quote not found{near} of {name}: " f"{ref.quote!r}"))
