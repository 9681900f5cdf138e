"""Load curated YAML into the graph: validate and write at once, replace only if all is valid."""

from __future__ import annotations

from pathlib import Path

from ..graph.records import paused_gc
from ..graph.store import Graph
from ..graph.writer import OnWritten
from .validate import ValidationResult, Validator, corpus_bytes

# Curated YAML runs to 120-250 bytes a record: an estimate of a load's size before reading it.
BYTES_PER_RECORD = 120


class _Invalid(Exception):
    def __init__(self, result: ValidationResult) -> None:
        super().__init__(f"{len(result.problems)} problems")
        self.result = result


def load(graph: Graph, path: Path, read: OnWritten | None = None, written: OnWritten | None = None) -> ValidationResult:
    """Validate the curated YAML at ``path`` and replace the graph with it if all of it is valid.

    Records are written into the new graph as they are validated (the database works while
    Python reads the next file); the new graph replaces the old one only at the end, and only
    if there was no problem, so a failed load changes nothing (graph/writer.py). ``read`` gets
    the size of each file once read, ``written`` the number of records of each batch written.
    """
    try:
        expected = corpus_bytes(path) // BYTES_PER_RECORD
        with paused_gc(), graph.writer(written, expected_records=expected) as writer:
            result = Validator(path, graph.model, writer, keep_going=False).run(path, read)
            if not result.ok:
                raise _Invalid(result)
    except _Invalid as invalid:
        return invalid.result
    return result
