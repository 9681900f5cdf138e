"""Results derived from the whole graph, kept until the next load.

The graph changes only through a load, a reload or an import, and each of those writes a new
version id on the graph's meta node with the data (graph/writer.py): readers see the new id
when they see the new graph. A
result computed from the whole graph (the search index, the networkx network and its
measures, the answer of a query over every act) is therefore valid until that id changes:
it is kept under (version, what, public or not) and computed once, even when several
requests ask for it at the same time. Each key has its own lock, so a slow computation
(betweenness on a large graph) does not hold up the others. Public and full results are
kept apart: a public reader never gets a result computed with restricted records.

Answers of whole-graph queries (plain rows) are also written to the graph's `answers_dir`
(the data folder), one folder per version, so that each command of the command line, a
process of its own, does not compute them again: they are read back until the next load.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Versioned(Protocol):
    def version(self) -> str | None: ...


_paused = 0
_paused_guard = threading.Lock()
_resume = False


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cycle collector paused while a kept result is computed (in any thread; it
    resumes when the last one ends). Such a computation makes millions of small objects that
    live until the next load, and each full collection scanned every one of them again: 1.1 of
    the 2.8 s the analytics' network took at 100k entities. Reference counting still frees
    what is dropped; only cycles wait."""
    global _paused, _resume
    with _paused_guard:
        if _paused == 0:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_guard:
            _paused -= 1
            if _paused == 0 and _resume:
                # What was made meanwhile is kept until the next load: out of the collector's
                # generations (gc.freeze, as `serve` does after its warm-up), or the next
                # collections scan it all again (0.5 s after brokers' first call at 100k). A
                # cycle left over from the computation is then freed only with the process.
                gc.freeze()
                gc.enable()


class KeptAnswers:
    def __init__(self, size: int = 32, whole_graph: bool = True) -> None:
        """``whole_graph``: results computed once per load (the collector is paused while one
        is computed, collection_paused); False for small ones computed under load (pictures),
        which would keep it paused."""
        self.size = size
        self.whole_graph = whole_graph
        self._values: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._locks: dict[tuple[Hashable, ...], threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, graph: Versioned, key: tuple[Hashable, ...], compute: Callable[[], T], on_disk: bool = False) -> T:
        """The value for ``key`` on the graph's current version, computed if missing. Before
        the first load (no version) nothing is kept. ``on_disk``: a JSON value also kept in
        the graph's answers folder, for the next process."""
        version = graph.version()
        if version is None:
            return compute()
        folder = getattr(graph, "answers_dir", None)
        if on_disk and folder is not None:
            compute = _kept_on_disk(Path(folder), version, key, compute)
        full = (version, *key)
        with self._guard:
            if full in self._values:
                self._values.move_to_end(full)
                return self._values[full]  # type: ignore[no-any-return]
            lock = self._locks.setdefault(full, threading.Lock())
        with lock:
            with self._guard:
                if full in self._values:
                    return self._values[full]  # type: ignore[no-any-return]
            with collection_paused() if self.whole_graph else contextlib.nullcontext():
                value = compute()
            with self._guard:
                self._values[full] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
                self._locks.pop(full, None)
            return value

    def holds(self, graph: Versioned, key: tuple[Hashable, ...]) -> bool:
        """Whether the value for ``key`` on the graph's current version is kept (in memory)."""
        with self._guard:
            return (graph.version(), *key) in self._values

    def clear(self) -> None:
        with self._guard:
            self._values.clear()


def _kept_on_disk(folder: Path, version: str, key: tuple[Hashable, ...], compute: Callable[[], T]) -> Callable[[], T]:
    """``compute``, but read from (or written to) the answers folder of this version."""
    path = folder / version / (hashlib.sha256(repr(key).encode()).hexdigest()[:32] + ".json")

    def read() -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return _MISSING

    def read_or_compute() -> T:
        if (kept := read()) is not _MISSING:
            return kept  # type: ignore[no-any-return]
        with computing_alone(folder, path):
            if (kept := read()) is not _MISSING:  # another process computed it meanwhile
                return kept  # type: ignore[no-any-return]
            return compute_and_keep()

    def compute_and_keep() -> T:
        text = json.dumps(compute(), ensure_ascii=False)
        try:
            drop_other_versions(folder, version)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
                handle.write(text)
            temporary.replace(path)
        except OSError:
            pass  # a read-only data folder: the answer is only kept in memory
        return json.loads(text)  # type: ignore[no-any-return]  # the same value whether read or computed

    return read_or_compute


_MISSING = object()


def files_digest(paths: list[Path]) -> str:
    """A digest of these files' names and contents, in the order given: what is kept on disk
    names the code that made it (queries/catalogue.py, queries/shelf.py), so that what other
    code made is not served."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def drop_other_versions(folder: Path, version: str) -> None:
    """Remove what the answers folder keeps for other versions: they are never asked again."""
    for old in folder.glob("*"):
        if old.name != version:
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def computing_alone(folder: Path, path: Path) -> Iterator[bool]:
    """One process at a time computes the answer kept at ``path`` (its folders made first,
    private); the others wait for it and read it. `serve --workers 2` warms both workers up at
    once: each computed every whole-graph answer (brokers: minutes at 1M entities) on the same
    two cores. The lock is the system's (flock): it goes with the process that holds it,
    however that process ends. Where the answers folder cannot be written, each process
    computes its own: False is given then, True when the lock is held."""
    try:
        # Answers for key holders name restricted records: private, like the database.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # (parents get the umask's mode)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        handle = os.open(path.with_suffix(".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    except OSError:
        yield False
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield True
    finally:
        os.close(handle)  # and with it the lock


KEPT = KeptAnswers(64)
