"""Large loads on the embedded engine through ArcadeDB's own importer (``IMPORT DATABASE``),
when ``PERSECUTION_GRAPH_BULK=native`` asks for it.

The writer thread writes the rows it is handed into a file in the data folder instead of
sending them over Bolt: one JSON line per node and per edge, in the format of Neo4j's APOC
JSON export, which ArcadeDB's Neo4j importer reads (the one importer format that carries a
node's several labels and list properties; CSV carries neither). When the last batch is in,
the new database imports the file in one command and the rest goes on as for any new
database (graph/writer.py): edges told again, the graph's version, then readers pointed at it
in one step. So validation, evidence, the atomic swap and kill-safety are those of
``NewDatabase``; what changes is how the rows reach the engine.

Why it is not the default (measured on 2026-12-07, 100k entities, 415k records, on the 2-core
machine of docs/BENCHMARKS.md, in turns on one server): a load by batches over Bolt took 59.7
and 75.3 s, through the importer 103.3 and 102.0 s; with the loader and the engine pinned to
one core, 112.7 s against 141.1 s. The importer cannot start before the last record is
validated (it reads the whole file three times, and keeps its own map of ids, so the rows
cannot go in parts); Bolt batches are written by the engine on one core while the loader
validates on the other, and the writer's batches now go as fast as the importer on the same
rows (the bench's raw and native ceilings: 41.6 s and 51.1 s). The importer also holds what it
imports in the engine's heap: 4.15M records (1M entities) ran out of it at 4 GB and at 10 GB.

What the importer does, read in its source (ArcadeDB's ``Neo4jImporter``) and checked on
this engine's version by tests/graph/test_bulk.py:

- it is run as ``IMPORT DATABASE WITH url = :url`` (the file's URL a parameter; the form with
  a URL before ``WITH`` and other settings imports that URL as documents besides), by root on
  loopback, in the new database. The engine lets that command read files only under the data
  folder's ``import/`` (``arcadedb.server.security.importAllowedLocalPaths``, set at start by
  graph/embedded.py), and only a user allowed to change the database's security may run it:
  the console's user may not;
- a node's labels become the type ArcadeDB's own Cypher gives the same labels (sorted, joined,
  each label a super type), its ``id`` is unique across every type (the importer's index on
  the root of its types), so a second node with an id already there is refused as with the
  constraints a Bolt load creates (Cypher's ``CREATE CONSTRAINT`` cannot be added after: the
  importer has declared ``id`` on that root);
- it writes without the write-ahead log, so the new database is closed (written out to disk)
  and opened again before anything else is written or it is made current;
- it turns a string that reads as an ISO date-time into a timestamp, and a decimal number into
  a decimal: such values (none in curated data) are left out of the file and set afterwards
  over Bolt, so that every property is stored as the Bolt path stores it;
- a record it cannot write is logged and skipped: the counts it returns are checked against
  the rows written, and a load that lost any is refused (nothing changes).

A node told again after its first form went into the file is written over Bolt after the
import, as the Bolt path writes it (labels set anew).

The file is private (0600, in the 0700 data folder) and removed when the load ends, whether it
succeeds or not; a file left by a load that was killed is removed by the next load and when
the server starts.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import embedded
from .errors import GraphError, QueryError
from .model import ENTITY_LABEL
from .records import Edge
from .writer import SCHEMA_IMPORTER, NewDatabase, NodeRow, _pause_for_tests

if TYPE_CHECKING:
    from .store import Graph
    from .writer import GraphWriter

# How a large load on the embedded engine fills its new database: "auto" or "bolt" (batches
# over Bolt) or "native" (the importer; see the module's text).
BULK_ENV = "PERSECUTION_GRAPH_BULK"
FILE_SUFFIX = ".json"  # not .jsonl: the importer would then read it as plain JSON lines
# The importer reads such a string as a date-time (its pattern starts so); left to Bolt.
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
LOOKUP_BATCH = 10_000


def _kept_by_importer(value: Any) -> bool:
    """Whether the importer stores ``value`` as Bolt does (else it is set over Bolt after)."""
    if isinstance(value, bool | int):
        return True
    if isinstance(value, str):
        return _DATE_TIME.match(value) is None
    if isinstance(value, list):
        return all(isinstance(item, bool | int | str) for item in value)
    return False


def _split(properties: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Properties for the file, and those to set over Bolt after the import."""
    if all(_kept_by_importer(value) for value in properties.values()):
        return properties, {}
    kept = {k: v for k, v in properties.items() if _kept_by_importer(v)}
    return kept, {k: v for k, v in properties.items() if k not in kept}


class NativeImport(NewDatabase):
    """A new database filled by ArcadeDB's importer from a file the writer thread writes."""

    schema = SCHEMA_IMPORTER  # ids unique alone: the next load goes into a new database too

    def __init__(self, graph: Graph, data_dir: Path) -> None:
        self.graph = graph
        self.path: Path | None = None
        self.file: IO[str] | None = None
        self.nodes = 0
        self.edges = 0
        self.written: set[str] = set()  # node ids in the file
        self.retold: dict[str, NodeRow] = {}
        self.node_patches: dict[str, dict[str, Any]] = {}
        self.edge_patches: list[tuple[Edge, dict[str, Any]]] = []
        self.paused = False
        self.import_s = 0.0  # the import command alone (benchmarks)
        super().__init__(graph, data_dir)

    def _prepare(self, graph: Graph) -> None:
        """The file, and no schema yet: the importer makes its own (see the module's text)."""
        folder = embedded.private_folder(embedded.import_folder(self.data_dir))
        self.path = folder / f"{self.name}{FILE_SUFFIX}"
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, embedded.PRIVATE_FILE)
        self.file = os.fdopen(descriptor, "w", encoding="utf-8", buffering=1 << 20)

    # -- the writer thread -------------------------------------------------------------------

    def write(self, writer: GraphWriter, kind: str, rows: Any) -> None:
        if kind == "nodes":
            self._write_nodes(rows)
        elif kind == "retold":
            self.retold.update(rows)
        else:
            self._write_edges(rows)
        writer.progress(len(rows))
        if kind == "nodes" and not self.paused:
            self.paused = True
            _pause_for_tests()

    def _write_nodes(self, rows: dict[str, NodeRow]) -> None:
        assert self.file is not None
        lines = []
        for node_id, (labels, properties) in rows.items():
            kept, later = _split(properties)
            if later:
                self.node_patches[node_id] = later
            node = {"type": "node", "id": node_id, "labels": [ENTITY_LABEL, *labels], "properties": kept}
            lines.append(_to_json(node))
        self.file.write("\n".join(lines) + "\n")
        self.written.update(rows)
        self.nodes += len(rows)

    def _write_edges(self, edges: list[Edge]) -> None:
        assert self.file is not None
        lines = []
        for edge in edges:
            for end in (edge.source, edge.target):
                if end not in self.written:
                    raise QueryError(f"a {edge.type} edge refers to node {end!r}, not written")
            kept, later = _split(edge.properties)
            if later:
                self.edge_patches.append((edge, later))
            row = {
                "type": "relationship",
                "id": edge.id,
                "label": edge.type,
                "start": {"id": edge.source},
                "end": {"id": edge.target},
                "properties": kept,
            }
            lines.append(_to_json(row))
        self.file.write("\n".join(lines) + "\n")
        self.edges += len(edges)

    # -- after the last batch ----------------------------------------------------------------

    def finish(self, writer: GraphWriter) -> None:
        """Import the file, write it out to disk, then what the file could not carry."""
        assert self.file is not None and self.path is not None
        self.file.close()
        if self.nodes == 0:  # the importer cannot tell the format of an empty file
            super()._prepare(self.graph)
        else:
            self._import()
        self._remove_file()
        embedded.server_command(self.data_dir, f"close database {self.name}")
        embedded.server_command(self.data_dir, f"open database {self.name}")
        self.written = set()
        self._keep_element_ids(writer)
        self._patch(writer)
        if self.retold:
            writer._write_retold(self.retold)

    def _import(self) -> None:
        assert self.path is not None
        began = time.perf_counter()
        answer = embedded.sql_command(
            self.data_dir, self.name, "IMPORT DATABASE WITH url = :url", url=self.path.as_uri()
        )
        self.import_s = time.perf_counter() - began
        found = answer[0] if isinstance(answer, list) and answer else {}
        created = (found.get("createdVertices") or 0, found.get("createdEdges") or 0)
        if created != (self.nodes, self.edges):
            raise GraphError(
                f"the engine's importer wrote {created[0]} nodes and {created[1]} edges of the "
                f"{self.nodes} and {self.edges} given (see {self.data_dir / embedded.LOG_FILE}); nothing was changed"
            )

    def _keep_element_ids(self, writer: GraphWriter) -> None:
        """Element ids of the nodes written over Bolt after the import, or at an end of an
        edge that is (told again, or a property set afterwards)."""
        needed = set(self.retold) | set(self.node_patches)
        for others in writer.told_again.values():
            needed.update((others[0].source, others[0].target))
        for edge, _ in self.edge_patches:
            needed.update((edge.source, edge.target))
        ids = sorted(needed)
        for start in range(0, len(ids), LOOKUP_BATCH):
            found = self.run(
                f"MATCH (n:{ENTITY_LABEL}) WHERE n.id IN $ids "
                "RETURN collect(n.id) AS ids, collect(elementId(n)) AS element_ids",
                ids=ids[start : start + LOOKUP_BATCH],
            )
            writer.element_ids.update(zip(found[0]["ids"], found[0]["element_ids"], strict=True))

    def _patch(self, writer: GraphWriter) -> None:
        """Set the values the importer would have stored otherwise, as Bolt stores them."""
        if self.node_patches:
            rows = [{"e": writer.element_ids[i], "props": p} for i, p in self.node_patches.items()]
            self.run("UNWIND $rows AS r MATCH (n) WHERE elementId(n) = r.e SET n += r.props", rows=rows)
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for edge, later in self.edge_patches:
            ends = {"a": writer.element_ids[edge.source], "b": writer.element_ids[edge.target]}
            by_type[edge.type].append({**ends, "id": edge.id, "props": later})
        for edge_type, rows in by_type.items():
            self.run(
                f"UNWIND $rows AS r MATCH (a)-[e:{edge_type}]->(b) WHERE elementId(a) = r.a "
                "AND elementId(b) = r.b AND e.id = r.id SET e += r.props",
                rows=rows,
            )

    def _remove_file(self) -> None:
        if self.file is not None and not self.file.closed:
            self.file.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def abort(self) -> None:
        try:
            self._remove_file()
        finally:
            super().abort()


__all__ = ["BULK_ENV", "NativeImport"]
