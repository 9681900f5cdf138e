"""Read curated YAML files into raw records: everything about a record that one file can tell.

Reading (composing the YAML, converting every value to its declared type) is half of a
validation's time (20.7 of 39 s at 100k entities) and needs nothing from another file, so a
large corpus is read by worker processes, a file each, a few files ahead, while the validator
checks and hands on the records of the files before, in the files' order (loaders/validate.py):
what it finds does not depend on how the files were read.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import pickle
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any

from ..graph.dates import DateValue
from ..graph.model import Model, NodeType, Property
from ..graph.records import paused_gc
from .fields import FieldError, as_list, convert, slug, suggest, text
from .yamlfile import Map, Problem, Seq, Where, read_yaml

EDGE_SECTION = "edges"
ASSERTIONS = "assertions"
EDGE_KEYS = ("type", "from", "to")
# Properties that describe a fact rather than identify it: the same edge told by two reports
# with different wording or evidence is still one edge.
NON_IDENTIFYING = {
    "sources", "note", "confidence", "description", "sensitivity", "attribution", "attribution_note",
    "reason",  # why two records may be one: told by two files in their words, still one doubt
}  # fmt: skip
CARRIED_OUT = "carried_out"  # the default involvement: an act with it is the act without it
_quoted = encode_basestring_ascii  # a JSON string, as json.dumps writes it
# A corpus of this many bytes of YAML or more (about 16k records) is read by worker processes:
# below it, starting them (0.4 s, each imports the package) costs more than they save.
READ_APART_FROM_BYTES = 2_000_000
FILES_AHEAD = 2  # files read ahead per worker: enough to keep each busy, few held in memory
# The validator takes the workers' records one file after another, so past a few workers it is
# the slower side, and each worker is a Python process of its own.
MAX_READERS = 4
STOP_WAIT_S = 5.0  # how long a worker stopped early may take to end before it is killed


@dataclass(slots=True)
class RawRecord:
    """A record as read from one file, before records with the same id are merged. An edge
    has both ends (``source``, ``target``); a node has neither."""

    type: str
    where: Where
    props: dict[str, Any]
    prop_where: dict[str, Where]
    id: str = ""
    source: str = ""
    target: str = ""

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its fields (records cross from the reading processes): read back in half
        # the time of the dataclass's own state.
        return RawRecord, (self.type, self.where, self.props, self.prop_where, self.id, self.source, self.target)


@dataclass
class FileRead:
    """What one file holds: its records in the order written, and what is wrong within it."""

    records: list[RawRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # `assertions: {min: {Type: count}}`: (type name, minimum, where), checked on the whole.
    assertions: list[tuple[str, int, Where]] = field(default_factory=list)


class FileReader:
    """Reads one file record by record; each problem is kept with its place, and reading goes on."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.read = FileRead()
        self.problems = self.read.problems

    def problem(self, where: Where, message: str) -> None:
        self.problems.append(Problem(where, message))

    def read_file(self, path: Path, display: str) -> FileRead:
        top, problems = read_yaml(path, display)
        self.problems += problems
        if top is None:
            return self.read
        if not isinstance(top, Map):
            self.problem(top.where, "a data file must be a mapping of sections (persons:, edges:, ...)")
            return self.read
        known = (*self.model.sections, EDGE_SECTION, ASSERTIONS)
        for section, value in top.values.items():
            where = top.keys[section]
            if section == ASSERTIONS:
                self.read_assertions(value)
            elif section not in known:
                self.problem(
                    where,
                    f"unknown section {section!r}{suggest(section, known)}; " f"expected one of: {', '.join(known)}",
                )
            elif not isinstance(value, Seq):
                if not (hasattr(value, "is_null") and value.is_null):
                    self.problem(value.where, f"section {section!r} must be a list of records")
            else:
                for item in value.items:
                    self.read_record(section, item)
        return self.read

    def read_assertions(self, value: Any) -> None:
        if not isinstance(value, Map) or set(value.values) - {"min"}:
            self.problem(value.where, "assertions: write 'min: {Person: 200, DETAINED_BY: 50}'")
            return
        counts = value.values.get("min")
        if not isinstance(counts, Map):
            self.problem(value.where, "assertions: 'min' must map type names to counts")
            return
        for name, count in counts.values.items():
            try:
                found = text(count, name)
                self.read.assertions.append((name, int(found), counts.keys[name]))
            except (FieldError, ValueError):
                self.problem(count.where, f"assertions: the minimum for {name!r} must be a number")

    def read_record(self, section: str, item: Any) -> None:
        if not isinstance(item, Map):
            self.problem(item.where, f"a record in {section!r} must be a mapping of keys")
            return
        if section == EDGE_SECTION:
            self.read_edge(item)
        else:
            node_type = self.model.node_type_for_section(section)
            assert node_type is not None
            self.read_node(node_type, item)

    def read_properties(
        self,
        item: Map,
        props: dict[str, Property],
        record: RawRecord,
        reserved: tuple[str, ...],
        owner: str,
        self_sourced: bool = False,
    ) -> None:
        allowed = (*reserved, *props)
        for key, key_where in item.keys.items():
            if key in reserved:
                continue
            if key not in props:
                self.problem(key_where, f"unknown key {key!r} for {owner}{suggest(key, allowed)}")
                continue
            value = item.values[key]
            record.prop_where[key] = value.where
            try:
                record.props[key] = convert(value, props[key], self.problems)
            except FieldError as error:
                self.problems.append(error.problem)
        for prop in props.values():
            if prop.required and prop.name not in item.values:
                if prop.name == "sources" and self_sourced:
                    continue
                if prop.name == "sources":
                    self.problem(
                        item.where,
                        f"missing 'sources': {owner} needs at least one " "source reference with a locator",
                    )
                else:
                    self.problem(item.where, f"missing required key {prop.name!r} for {owner}")
        if "sources" in item.values and not as_list(item.values["sources"]):
            self.problem(item.values["sources"].where, "'sources' is empty: give at least one reference")

    def read_node(self, node_type: NodeType, item: Map) -> None:
        record = RawRecord(node_type.name, item.where, {}, {})
        if "id" not in item.values:
            self.problem(item.where, f"missing required key 'id' for a {node_type.name}")
        else:
            try:
                record.id = slug(item.values["id"], "id")
            except FieldError as error:
                self.problems.append(error.problem)
        self.read_properties(item, node_type.properties, record, ("id",), f"a {node_type.name}", node_type.self_sourced)
        if record.id:
            self.read.records.append(record)

    def read_edge(self, item: Map) -> None:
        missing = [k for k in EDGE_KEYS if k not in item.values]
        if missing:
            self.problem(item.where, f"an edge needs {', '.join(repr(k) for k in missing)}")
            return
        try:
            edge_type_name = text(item.values["type"], "type")
        except FieldError as error:
            self.problems.append(error.problem)
            return
        edge_type = self.model.edges.get(edge_type_name)
        if edge_type is None:
            self.problem(
                item.values["type"].where,
                f"unknown edge type {edge_type_name!r}" f"{suggest(edge_type_name, tuple(self.model.edges))}",
            )
            return
        record = RawRecord(edge_type_name, item.where, {}, {})
        for end in ("from", "to"):
            try:
                setattr(record, "source" if end == "from" else "target", slug(item.values[end], end))
                record.prop_where[end] = item.values[end].where
            except FieldError as error:
                self.problems.append(error.problem)
        self.read_properties(item, edge_type.properties, record, (*EDGE_KEYS, "id"), f"a {edge_type_name} edge")
        if record.source and record.target:
            if not edge_type.directed and record.target < record.source:
                record.source, record.target = record.target, record.source  # a->b and b->a: one fact
                record.prop_where["from"], record.prop_where["to"] = (
                    record.prop_where.get("to", record.where),
                    record.prop_where.get("from", record.where),
                )
            record.id = edge_id(record)
            self.read.records.append(record)


def edge_id(record: RawRecord) -> str:
    """A stable id for the fact an edge states: its type, ends and identifying properties.

    The hash of ``json.dumps([type, source, target, {key: show(value)}], sort_keys=True)``,
    written out by hand (the same text, three times faster: a load computes millions)."""
    identity = ", ".join(
        f"{_quoted(key)}: {_quoted(show(value))}"
        for key, value in sorted(record.props.items())
        if key not in NON_IDENTIFYING and not (key == "involvement" and value == CARRIED_OUT)
    )
    key = f"[{_quoted(record.type)}, {_quoted(record.source)}, {_quoted(record.target)}, {{{identity}}}]"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def show(value: Any) -> str:
    """A value as messages and edge ids show it."""
    if isinstance(value, DateValue):
        return repr(value.text)
    if isinstance(value, list):
        return json.dumps([show(v) for v in value])
    return repr(value)


def read_file(model: Model, path: Path) -> FileRead:
    """One file's records and problems (named in messages as ``path`` is written)."""
    return FileReader(model).read_file(path, str(path))


def read_files(model: Model, files: list[Path], readers: int) -> Iterator[FileRead]:
    """Each file read, in the order of ``files``: here, or by ``readers`` worker processes
    (0: here), file ``i`` by worker ``i % readers``, each reading the next while its last waits.
    If a worker cannot start or dies, the files not yet taken are read here."""
    done = 0
    if readers >= 1 and len(files) >= 2:
        try:
            for read in _read_apart(model, files, readers):
                done += 1
                yield read
            return
        except ReaderFailed as failure:
            print(f"persecution-graph: {failure.args[0]}; reading the other files here", file=sys.stderr)
    yield from (read_file(model, file) for file in files[done:])


def _read_apart(model: Model, files: list[Path], readers: int) -> Iterator[FileRead]:
    # Processes of their own (`python -m`), not multiprocessing's: those run the caller's main
    # script again, or are forked copies of a process with threads (the graph writer's, the
    # driver's), which may inherit a lock one of them held, and hang.
    workers: list[_Reader] = []
    try:
        for _ in range(min(readers, MAX_READERS, len(files))):
            workers.append(_Reader(model))
        ahead = len(workers) * FILES_AHEAD
        for index, file in enumerate(files[:ahead]):
            workers[index % len(workers)].send(file)
        for index in range(len(files)):
            if index + ahead < len(files):
                workers[(index + ahead) % len(workers)].send(files[index + ahead])
            yield workers[index % len(workers)].receive()
    finally:  # also when the caller stops early: the files not read yet are not read
        for worker in workers:
            worker.stop()


class ReaderFailed(RuntimeError):
    """A worker process could not start, or ended or failed while reading."""


class _Reader:
    """A worker process reading the files it is sent, and sending back what each holds."""

    COMMAND = [sys.executable, "-m", __name__]

    def __init__(self, model: Model) -> None:
        try:
            self.process = subprocess.Popen(self.COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError as error:
            raise ReaderFailed(f"a reading process could not start ({error.strerror})") from None
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests, self.answers = self.process.stdin, self.process.stdout
        self.send(model)

    def send(self, what: Model | Path) -> None:
        try:
            pickle.dump(what, self.requests, protocol=pickle.HIGHEST_PROTOCOL)
            self.requests.flush()
        except OSError:  # it has ended: its exit code is the news
            raise ReaderFailed(f"a reading process ended unexpectedly (exit code {self.process.wait()})") from None

    def receive(self) -> FileRead:
        try:
            answer = pickle.load(self.answers)
        except EOFError:
            raise ReaderFailed(f"a reading process ended unexpectedly (exit code {self.process.wait()})") from None
        if isinstance(answer, str):  # the worker's own failure, as its traceback
            raise ReaderFailed(f"a reading process failed: {answer.strip().splitlines()[-1]}", answer)
        return answer  # type: ignore[no-any-return]

    def stop(self) -> None:
        """End the worker: its next read finds no request, its next answer no reader."""
        for pipe in (self.requests, self.answers):
            with contextlib.suppress(OSError):
                pipe.close()
        try:
            self.process.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:  # still reading a file nobody will take
            self.process.kill()
            self.process.wait()


def files_bytes(files: list[Path]) -> int:
    """The size of these files (a load's progress and size estimate, and whether to read apart)."""
    return sum(file.stat().st_size for file in files)


def readers_for(files: list[Path]) -> int:
    """How many worker processes should read ``files``: one per core (at most MAX_READERS) for
    a large corpus, none for a small one."""
    if files_bytes(files) < READ_APART_FROM_BYTES:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cores, MAX_READERS)


def _serve() -> None:
    """A worker's loop: the model, then paths, each answered with its FileRead (or, if reading
    failed, the traceback), until the requests end."""
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    # Ctrl-C in a terminal reaches the whole process group: the validator stops, and its
    # workers with it (their requests end), with no traceback of theirs.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        model = pickle.load(requests)
        with paused_gc():  # nothing read is cyclic garbage (graph/records.py)
            while True:
                path = pickle.load(requests)
                try:
                    answer: FileRead | str = read_file(model, path)
                except Exception:  # handed to the validator, which raises it
                    answer = traceback.format_exc()
                pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
                answers.flush()
    except (EOFError, BrokenPipeError):  # the validator is done, or stopped early
        os._exit(0)  # (exiting otherwise would flush an answer nobody reads, and fail)


if __name__ == "__main__":
    # As the module itself, not as __main__: what it sends back is pickled by its classes' names.
    importlib.import_module(__spec__.name)._serve()
