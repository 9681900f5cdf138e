"""Validate a folder of curated YAML and turn it into a :class:`Dataset`.

Everything is checked before anything is written, and every problem is reported with its
``file:line:col``; one mistake never hides another.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from persecution_graph.graph.dates import DateValue
from persecution_graph.graph.model import Model, NodeType, Property, load_model
from persecution_graph.graph.names import name_key
from persecution_graph.graph.records import Dataset, Edge, Node, paused_gc

from .evidence import EvidenceChecker
from .fields import FieldError, SourceRef, as_list, collect, convert, slug, suggest, text
from .yamlfile import Map, Problem, Seq, Where, read_yaml

EDGE_SECTION = "edges"
ASSERTIONS = "assertions"
EDGE_KEYS = ("type", "from", "to")
# Properties that describe a fact rather than identify it: the same edge told by two reports
# with different wording or evidence is still one edge.
_NON_IDENTIFYING = {"sources", "note", "confidence", "description", "sensitivity"}


@dataclass
class RawRecord:
    """A record as read from one file, before records with the same id are merged."""

    type: str
    where: Where
    props: dict[str, Any]
    prop_where: dict[str, Where]
    id: str = ""
    source: str = ""
    target: str = ""


@dataclass
class ValidationResult:
    """What a validation found: the dataset (if valid) and every problem."""

    dataset: Dataset
    problems: list[Problem]
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _yaml_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


class Validator:
    """Reads files into raw records, then checks and merges them as a whole."""

    def __init__(self, root: Path, model: Model) -> None:
        self.root = root if root.is_dir() else root.parent
        self.model = model
        self.problems: list[Problem] = []
        self.nodes: list[RawRecord] = []
        self.edges: list[RawRecord] = []
        self.assertions: list[tuple[str, int, Where]] = []

    def problem(self, where: Where, message: str) -> None:
        self.problems.append(Problem(where, message))

    # -- reading -----------------------------------------------------------------------------

    def read_file(self, path: Path, display: str) -> None:
        top, problems = read_yaml(path, display)
        self.problems += problems
        if top is None:
            return
        if not isinstance(top, Map):
            self.problem(top.where, "a data file must be a mapping of sections (persons:, edges:, ...)")
            return
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
                self.assertions.append((name, int(found), counts.keys[name]))
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
            self.nodes.append(record)

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
            self.edges.append(record)

    # -- checking the whole ------------------------------------------------------------------

    def run(self, path: Path) -> ValidationResult:
        files = _yaml_files(path)
        if not files:
            self.problem(Where(str(path), 1, 1), "no .yaml files found")
        for file in files:
            self.read_file(file, str(file))
        nodes = self.merge_nodes()
        self.add_ref_edges(nodes)
        self.check_edges(nodes)
        self.check_evidence(nodes)
        self.check_name_collisions(nodes)
        edges = self.merge_edges()
        # Raw records are let go as they are turned into the dataset's: a large corpus is
        # never held twice over (peak memory 2.5 -> 1.5 KB a record).
        self.nodes, self.edges = [], []
        dataset = Dataset()
        for node_id in list(nodes):  # (popping the first key again and again is quadratic)
            dataset.nodes[node_id] = self.to_node(nodes.pop(node_id))
        edges.reverse()
        while edges:
            dataset.edges.append(self.to_edge(edges.pop()))
        self.check_assertions(dataset)
        # A node's evidence also stands on the edges its references draw: report it once.
        self.problems = sorted(set(self.problems), key=lambda p: (p.where.file, p.where.line, p.where.col, p.message))
        return ValidationResult(dataset, self.problems, [str(f) for f in files])

    def names_of(self, record: RawRecord) -> set[str]:
        names = [record.props.get("name", "")] + list(record.props.get("aliases", []))
        return {name_key(n) for n in names if n}

    def merge_nodes(self) -> dict[str, RawRecord]:
        merged: dict[str, RawRecord] = {}
        for record in self.nodes:
            first = merged.get(record.id)
            if first is None:
                merged[record.id] = record
            elif (
                first.type != record.type
                or first.where.file == record.where.file
                or (self.names_of(first) and self.names_of(record) and not self.names_of(first) & self.names_of(record))
            ):
                self.problem(
                    record.where,
                    f"duplicate id {record.id!r}: already a {first.type} "
                    f"at {first.where}"
                    + (
                        ""
                        if first.type != record.type or first.where.file == record.where.file
                        else " with no name or alias in common"
                    ),
                )
            else:
                self.merge_into(first, record)
        return merged

    def merge_into(self, first: RawRecord, other: RawRecord) -> None:
        """Unite a record told again by another file: lists and texts joined, scalars must agree."""
        props = self.model.nodes[first.type].properties
        for key, value in other.props.items():
            prop = props[key]
            if key not in first.props:
                first.props[key] = value
                first.prop_where[key] = other.prop_where[key]
            elif prop.is_list:
                first.props[key] = _unite(first.props[key], value)
            elif key == "name" and value != first.props[key]:
                first.props["aliases"] = _unite(first.props.get("aliases", []), [value])
            elif prop.type == "text" and value != first.props[key]:
                first.props[key] = f"{first.props[key]}\n\n{value}"
            elif value != first.props[key]:
                self.problem(
                    other.prop_where[key],
                    f"conflicting {key!r}: {_show(value)} here, "
                    f"{_show(first.props[key])} at {first.prop_where[key]}; record both "
                    "in a discrepancy and keep one",
                )

    def add_ref_edges(self, nodes: dict[str, RawRecord]) -> None:
        """Reference properties that declare an edge (place -> LOCATED_IN) draw that edge."""
        for record in nodes.values():
            for key, prop in self.model.nodes[record.type].properties.items():
                if not prop.edge or key not in record.props:
                    continue
                targets = record.props[key] if prop.is_list else [record.props[key]]
                for target in targets:
                    edge_props: dict[str, Any] = {
                        k: record.props[k] for k in ("sources", "sensitivity") if k in record.props
                    }
                    self.edges.append(
                        RawRecord(
                            prop.edge,
                            record.prop_where[key],
                            edge_props,
                            {"to": record.prop_where[key]},
                            "",
                            record.id,
                            target,
                        )
                    )

    def check_ref(
        self, nodes: dict[str, RawRecord], ref: str, allowed: tuple[str, ...], where: Where, what: str
    ) -> None:
        target = nodes.get(ref)
        if target is None:
            self.problem(where, f"{what}: no record with id {ref!r}{suggest(ref, tuple(nodes))}")
        elif target.type not in allowed:
            self.problem(where, f"{what}: {ref!r} is a {target.type}; expected {' or '.join(allowed)}")

    def check_edges(self, nodes: dict[str, RawRecord]) -> None:
        for record in self.edges:
            edge_type = self.model.edges[record.type]
            where_from = record.prop_where.get("from", record.where)
            self.check_ref(nodes, record.source, edge_type.sources, where_from, f"{record.type} 'from'")
            self.check_ref(
                nodes,
                record.target,
                edge_type.targets,
                record.prop_where.get("to", record.where),
                f"{record.type} 'to'",
            )
            self.check_ref_props(nodes, record, edge_type.properties)
        for record in nodes.values():
            self.check_ref_props(nodes, record, self.model.nodes[record.type].properties)

    def check_ref_props(self, nodes: dict[str, RawRecord], record: RawRecord, props: dict[str, Property]) -> None:
        for key, prop in props.items():
            if prop.type not in ("ref", "refs") or key not in record.props or prop.edge:
                continue
            refs = record.props[key] if prop.type == "refs" else [record.props[key]]
            for ref in refs:
                self.check_ref(nodes, ref, prop.to, record.prop_where[key], repr(key))

    def check_evidence(self, nodes: dict[str, RawRecord]) -> None:
        sources = {i: r for i, r in nodes.items() if r.type == "Source"}
        checker = EvidenceChecker(self.root, sources, self.problems)
        for record in [*self.nodes, *self.edges]:
            for ref in record.props.get("sources", []):
                checker.check(ref)
            for claim in record.props.get("claims", []):
                for ref in claim["sources"]:
                    checker.check(ref)

    def check_name_collisions(self, nodes: dict[str, RawRecord]) -> None:
        seen: dict[str, RawRecord] = {}
        persons = [r for r in nodes.values() if r.type == "Person"]
        for record in persons:
            for key in sorted(self.names_of(record)):
                other = seen.setdefault(key, record)
                if (
                    other is record
                    or other.id in record.props.get("distinct_from", [])
                    or record.id in other.props.get("distinct_from", [])
                ):
                    continue
                self.problem(
                    record.where,
                    f"persons {other.id!r} and {record.id!r} have colliding "
                    f"names ({key!r}); if they are one person, use one id; if not, add "
                    f"distinct_from: [{other.id}]",
                )
                break

    def merge_edges(self) -> list[RawRecord]:
        merged: dict[str, RawRecord] = {}
        for record in self.edges:
            identity = {k: _show(v) for k, v in record.props.items() if k not in _NON_IDENTIFYING}
            key = json.dumps([record.type, record.source, record.target, identity], sort_keys=True)
            record.id = hashlib.sha1(key.encode()).hexdigest()[:16]
            first = merged.setdefault(record.id, record)
            if first is not record:
                first.props["sources"] = _unite(first.props.get("sources", []), record.props.get("sources", []))
                if record.props.get("description") not in (None, first.props.get("description")):
                    first.props["description"] = (
                        f"{first.props.get('description', '')}\n\n{record.props['description']}".strip()
                    )
        return list(merged.values())

    def check_assertions(self, dataset: Dataset) -> None:
        counts: dict[str, int] = defaultdict(int)
        for node in dataset.nodes.values():
            for label in node.labels:
                counts[label] += 1
        for edge in dataset.edges:
            counts[edge.type] += 1
        known = self.model.all_labels() | set(self.model.edges)
        for name, minimum, where in self.assertions:
            if name not in known:
                self.problem(where, f"assertions: unknown type {name!r}{suggest(name, tuple(known))}")
            elif counts[name] < minimum:
                self.problem(where, f"assertion failed: at least {minimum} {name} expected, " f"found {counts[name]}")

    # -- output ------------------------------------------------------------------------------

    def common_props(self, record: RawRecord) -> dict[str, Any]:
        props = {k: _plain(v) for k, v in record.props.items()}
        for key, default in self.model.defaults.items():
            props.setdefault(key, default)
        props["sources"] = [ref.as_dict() for ref in record.props.get("sources", [])]
        return props

    def to_node(self, record: RawRecord) -> Node:
        node_type = self.model.nodes[record.type]
        props = self.common_props(record)
        props["id"] = record.id
        if node_type.self_sourced and not props["sources"]:
            props["sources"] = [{"source": record.id, "page": "whole document"}]
        if "name" not in props:
            props["name"] = _derived_name(record)
        labels = [record.type]
        if node_type.role_property:
            labels += [r for r in props.get(node_type.role_property, []) if r not in labels]
        return Node(record.id, record.type, labels, props)

    def to_edge(self, record: RawRecord) -> Edge:
        props = self.common_props(record)
        props["id"] = record.id
        return Edge(record.type, record.source, record.target, props)


def _derived_name(record: RawRecord) -> str:
    props = record.props
    if record.type == "LegalArticle":
        part = f" part {props['part']}" if props.get("part") else ""
        return f"Art. {props.get('article', '?')}{part} ({props.get('code', '?')})"
    return str(props.get("title", record.id))


def _unite(first: list[Any], second: list[Any]) -> list[Any]:
    return first + [item for item in second if item not in first]


def _plain(value: Any) -> Any:
    """Property values as plain data (dates stay DateValue for the store to expand)."""
    if isinstance(value, SourceRef):
        return value.as_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _show(value: Any) -> str:
    if isinstance(value, DateValue):
        return repr(value.text)
    if isinstance(value, list):
        return json.dumps([_show(v) for v in value])
    return repr(value)


def validate(path: Path, model: Model | None = None) -> ValidationResult:
    """Validate a folder (or one file) of curated YAML."""
    with paused_gc():
        return Validator(path, model or load_model()).run(path)


__all__ = ["ValidationResult", "collect", "validate"]
