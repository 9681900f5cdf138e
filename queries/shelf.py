"""Every record as the API sends it, written once per load and scope to the answers folder: what
the API's ego networks are written from, without the engine.

An ego network of depth 2 read its records from the engine: at 100k entities, 1,000 of persons
drawn at random took 7.2 ms at the median and 56.6 ms at the 99th percentile (most of it the
engine and the driver's decoding); written from a shelf, 1.2 and 2.2 ms, the same text. The
warm-up (queries/catalogue.py) writes each entity's and each edge's JSON text (View.node_text,
View.edge_text), as one scope sees them, into the folder of the graph's version (one process
writes it, the others wait and read it, like kept answers: queries/cache.py). A process maps the
files into memory, so the system holds one copy for all of `serve`'s workers, and nothing of it
is scanned by Python's cycle collector.

A shelf holds one kind of record (nodes, edges): their ids, sorted, as UTF-8 (``ids.npy``),
where each one's text starts and ends in ``texts`` (``spans.npy``, in the same order), and the
texts, one after another in the order they were read. It is written in a folder of its own and
renamed into place whole: a reader finds a whole shelf or none. Its name carries the scope and a
digest of the code that writes records as text, so a shelf written by other code is not read.
"""

from __future__ import annotations

import mmap
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..graph.model import ENTITY_LABEL
from ..graph.scope import View
from .cache import computing_alone, drop_other_versions, files_digest
from .procedures.network import NODES_CYPHER, read_entities

# Entities whose records (themselves, or the edges from them) one statement reads while a shelf
# is written. Edges are read from their source, each once: read by id from an end (as pictures
# read the few they miss, EDGES_BY_ANCHOR) every edge of that end was expanded for each of its
# edges: at 100k entities 10.4 s for 100k of their 315k edges, from their sources 9.1 s for all.
BATCH = 2_000
EDGES_CYPHER = (
    f"UNWIND $ids AS entity_id MATCH (a:{ENTITY_LABEL} {{id: entity_id}})-[e]->(b:{ENTITY_LABEL}) WHERE VISIBLE(e) "
    "RETURN collect({source: a.id, type: type(e), target: b.id, properties: properties(e)}) AS rows"
)
_GRAPH = Path(__file__).parent.parent / "graph"


# A digest of the code that reads records and writes them as text: a shelf another one wrote is
# not read.
CODE = files_digest(
    [
        *(_GRAPH / name for name in ("scope.py", "encoding.py", "records.py")),
        Path(__file__).parent / "procedures" / "network.py",  # NODES_CYPHER
        Path(__file__),
    ]
)


@dataclass(frozen=True)
class Texts:
    """One kind of record as text, by id (see the module's text)."""

    ids: np.ndarray
    spans: np.ndarray
    texts: bytes | mmap.mmap

    def get(self, wanted: Iterable[str]) -> dict[str, bytes]:
        """The texts of the wanted ids that are here, by id."""
        width = self.ids.dtype.itemsize
        encoded = {key: key.encode() for key in wanted}
        keys = [key for key, text in encoded.items() if 0 < len(text) <= width]
        if not keys or not len(self.ids):
            return {}
        probe = np.array([encoded[key] for key in keys], dtype=self.ids.dtype)
        at = np.minimum(np.searchsorted(self.ids, probe), len(self.ids) - 1)
        here = (self.ids[at] == probe).tolist()
        spans = self.spans[at]
        begins, ends = spans[:, 0].tolist(), spans[:, 1].tolist()
        return {
            key: self.texts[begin:end] for key, found, begin, end in zip(keys, here, begins, ends, strict=True) if found
        }


@dataclass(frozen=True)
class Shelf:
    """Every entity and every edge one scope sees in one version of the graph, as text."""

    nodes: Texts
    edges: Texts


_OPEN: dict[tuple[str, str], Shelf] = {}
_OPENING = threading.Lock()


def _folder(answers: Path, version: str, view: View) -> Path:
    return Path(answers) / version / f"records-{view.scope.value}-{CODE}"


def shelved(view: View) -> Shelf | None:
    """This view's shelf, if one was written for its version and scope (shelve), else None."""
    version, answers = view.version(), view.answers_dir
    if version is None or answers is None:
        return None
    key = (version, view.scope.value)
    found = _OPEN.get(key)
    if found is not None:
        return found
    folder = _folder(answers, version, view)
    if not folder.is_dir():
        return None
    with _OPENING:
        if key not in _OPEN:
            for other in [kept for kept in _OPEN if kept[0] != version]:  # earlier versions' go
                del _OPEN[other]
            _OPEN[key] = Shelf(_open(folder / "nodes"), _open(folder / "edges"))
        return _OPEN[key]


def _open(folder: Path) -> Texts:
    ids, spans = np.load(folder / "ids.npy", mmap_mode="r"), np.load(folder / "spans.npy", mmap_mode="r")
    with open(folder / "texts", "rb") as handle:
        # An empty file cannot be mapped (a scope that sees no edge).
        mapped = os.fstat(handle.fileno()).st_size > 0
        texts = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if mapped else b""
    return Texts(ids, spans, texts)


def shelve(view: View) -> bool:
    """Write this view's shelf for its version, unless written already (by any process). False
    where it cannot be written (no answers folder, or one that cannot be written)."""
    answers = view.answers_dir
    if view.version() is None or answers is None:
        return False
    return view.in_one_generation(lambda: _shelve(view, Path(answers)))


def _shelve(view: View, answers: Path) -> bool:
    version = view.version()
    assert version is not None
    folder = _folder(answers, version, view)
    with computing_alone(answers, folder) as can_write:
        if folder.is_dir():
            return True
        if not can_write:
            return False
        drop_other_versions(answers, version)
        for stale in folder.parent.glob(f"{folder.name}.*.tmp"):  # a writer that died (the lock is ours)
            shutil.rmtree(stale, ignore_errors=True)
        building = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
        try:
            building.mkdir(mode=0o700)
            entities = sorted(row["id"] for row in read_entities(view))
            _write(building / "nodes", _read(view, entities, NODES_CYPHER, view.node_text))
            _write(building / "edges", _read(view, entities, EDGES_CYPHER, view.edge_text))
            if view.version() != version:  # a load ended meanwhile: what was read may be of both
                shutil.rmtree(building, ignore_errors=True)
                return False
            building.replace(folder)
        except OSError:
            shutil.rmtree(building, ignore_errors=True)
            return False
        return True


def _read(
    view: View, ids: list[str], statement: str, make: Callable[[dict[str, Any]], bytes]
) -> Iterator[tuple[str, bytes]]:
    """The records a statement reads for these entities, a batch of them at a time, as (id, text).
    The next batch is asked for while this one is made into text: the engine reads it meanwhile
    (on 2 cores, the shelf of 1M entities took 328 s one batch after the other, 223 s so)."""
    batches = [ids[first : first + BATCH] for first in range(0, len(ids), BATCH)]
    if not batches:
        return
    with ThreadPoolExecutor(1, thread_name_prefix="shelf") as reader:
        asked = reader.submit(view.read_plain_table, statement, ids=batches[0])
        for following in [*batches[1:], None]:
            rows = asked.result()
            if following is not None:
                asked = reader.submit(view.read_plain_table, statement, ids=following)
            for row in rows:
                yield row["properties"]["id"], make(row)


def _write(folder: Path, records: Iterable[tuple[str, bytes]]) -> None:
    """A shelf's files (see the module's text), private to their owner."""
    folder.mkdir(mode=0o700)
    ids: list[bytes] = []
    offsets = [0]
    with _private(folder / "texts") as texts:
        for key, text in records:
            ids.append(key.encode())
            offsets.append(offsets[-1] + len(text))
            texts.write(text)
    # Ids are unique; sorted as UTF-8, they are in the order searchsorted compares them.
    keys = np.array(ids) if ids else np.zeros(0, dtype="S1")
    order = np.argsort(keys, kind="stable")
    bounds = np.array(offsets, dtype=np.int64)
    spans = np.stack([bounds[:-1], bounds[1:]], axis=1)[order]
    for name, array in (("ids.npy", keys[order]), ("spans.npy", spans)):
        with _private(folder / name) as handle:
            np.save(handle, array)


def _private(path: Path) -> Any:
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


__all__ = ["Shelf", "Texts", "shelve", "shelved"]
