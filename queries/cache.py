"""Results derived from the whole graph, kept until the next load.

The graph changes only through a load, a reload or an import, and each of those writes a new
version id on the graph's meta node (graph/store.py) in the same transaction as the data. A
result computed from the whole graph (the search index, the networkx network and its
measures, the answer of a query over every act) is therefore valid until that id changes:
it is kept under (version, what, public or not) and computed once, even when several
requests ask for it at the same time. Each key has its own lock, so a slow computation
(betweenness on a large graph) does not hold up the others. Public and full results are
kept apart: a public reader never gets a result computed with restricted records.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Versioned(Protocol):
    def version(self) -> str | None: ...


class DerivedCache:
    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._values: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._locks: dict[tuple[Hashable, ...], threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, graph: Versioned, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """The value for ``key`` on the graph's current version, computed if missing. Before
        the first load (no version) nothing is kept."""
        version = graph.version()
        if version is None:
            return compute()
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
            value = compute()
            with self._guard:
                self._values[full] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
                self._locks.pop(full, None)
            return value

    def clear(self) -> None:
        with self._guard:
            self._values.clear()


DERIVED = DerivedCache(64)
