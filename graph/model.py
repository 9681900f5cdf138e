"""The data model, read once from ``model.yaml`` and checked for consistency at start-up.

Everything that needs to know the types (validation, database schema, API models, view
styling) asks the :class:`Model` instead of hard-coding them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .errors import GraphError

MODEL_FILE = Path(__file__).with_name("model.yaml")

SCALAR_TYPES = {"string", "text", "int", "bool", "date", "enum"}
LIST_TYPES = {"strings", "labels", "refs", "sources", "claims"}
PROPERTY_TYPES = SCALAR_TYPES | LIST_TYPES | {"ref"}

# libyaml when PyYAML has it (ten times faster: every command reads the model and the catalogue).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Every node in the database also carries this label, so one index finds any node by id.
ENTITY_LABEL = "Entity"


class ModelError(GraphError):
    """The model file itself is inconsistent (a developer's mistake, not a curator's)."""


@dataclass(frozen=True)
class Property:
    """One declared property of a node or edge type."""

    name: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    edge: str | None = None
    description: str = ""

    @property
    def is_list(self) -> bool:
        return self.type in LIST_TYPES

    @property
    def is_reference(self) -> bool:
        """It holds other records' ids (`ref`: one, `refs`: a list; see ids_of)."""
        return self.type in ("ref", "refs")


def ids_of(value: Any) -> list[str]:
    """The ids a reference property holds: one id, or a list of them (anything else holds
    none: a dump is not validated)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


@dataclass(frozen=True)
class NodeType:
    """A node type: its YAML section, properties, extra-label property and view style."""

    name: str
    section: str
    description: str
    properties: dict[str, Property]
    style: dict[str, str] = field(default_factory=dict)
    role_property: str | None = None
    self_sourced: bool = False
    # Its FollowTheMoney schema (None: not exported to FtM), and schemata by extra label.
    ftm_schema: str | None = None
    ftm_by_label: dict[str, str] = field(default_factory=dict)

    def ftm_schema_for(self, labels: set[str]) -> str | None:
        """The FtM schema of a node of this type with these extra labels (the first by-label
        match in declaration order, else the type's own)."""
        return next((schema for label, schema in self.ftm_by_label.items() if label in labels), self.ftm_schema)

    @property
    def extra_labels(self) -> tuple[str, ...]:
        """Labels a node of this type may carry besides its type label."""
        if self.role_property is None:
            return ()
        return self.properties[self.role_property].values


@dataclass(frozen=True)
class EdgeType:
    """An edge type: allowed endpoint types, category (act, tie, structure) and properties."""

    name: str
    category: str
    label: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    properties: dict[str, Property]
    description: str = ""
    directed: bool = True
    # The end that names who did it: "to" for an act, "from" for SIGNED_EXPLANATION, "to" for a
    # release; None where no end does (CHARGED_UNDER points at an article; ties).
    agent: str | None = None


@dataclass(frozen=True)
class Model:
    """The whole model: node types, edge types and defaults."""

    nodes: dict[str, NodeType]
    edges: dict[str, EdgeType]
    defaults: dict[str, str]
    # Styles of role and kind labels that stand out in a view (Official), before the type's.
    label_styles: dict[str, dict[str, str]] = field(default_factory=dict)
    # Nodes the model provides (perpetrator-not-stated): (type name, properties with an id).
    builtin_nodes: tuple[tuple[str, dict[str, Any]], ...] = ()

    def node_type_for_section(self, section: str) -> NodeType | None:
        return next((t for t in self.nodes.values() if t.section == section), None)

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(t.section for t in self.nodes.values())

    def act_types(self) -> list[str]:
        """The edge types that are acts, sorted: what queries pass as ``$act_types``."""
        return sorted(name for name, edge in self.edges.items() if edge.category == "act")

    def all_labels(self) -> set[str]:
        """Every label a node can carry: type labels and role/kind labels."""
        labels = {ENTITY_LABEL, *self.nodes}
        for node_type in self.nodes.values():
            labels.update(node_type.extra_labels)
        return labels

    def style_for(self, labels: list[str] | tuple[str, ...]) -> dict[str, str]:
        """The view style of a node: a distinguished role or kind's, else its type's."""
        for label in labels:
            if label in self.label_styles:
                return self.label_styles[label]
        for label in labels:
            if label in self.nodes:
                return self.nodes[label].style
        return {"color": "#999999", "shape": "dot"}


def _property(name: str, spec: dict[str, Any]) -> Property:
    return Property(
        name=name,
        type=spec["type"],
        required=bool(spec.get("required", False)),
        values=tuple(spec.get("values", ())),
        to=tuple(spec.get("to", ())),
        edge=spec.get("edge"),
        description=str(spec.get("description", "")),
    )


def _properties(*specs: dict[str, Any]) -> dict[str, Property]:
    merged: dict[str, Property] = {}
    for spec in specs:
        for name, prop_spec in spec.items():
            merged[name] = _property(name, prop_spec)
    return merged


def _build(raw: dict[str, Any]) -> Model:
    common = raw["common"]
    nodes = {
        name: NodeType(
            name=name,
            section=spec["section"],
            description=spec.get("description", ""),
            properties=_properties(spec["properties"], common),
            style=dict(spec.get("style", {})),
            role_property=spec.get("role_property"),
            self_sourced=bool(spec.get("self_sourced", False)),
            **_ftm(name, spec),
        )
        for name, spec in raw["nodes"].items()
    }
    edges = {}
    for name, spec in raw["edges"].items():
        extra = raw["act_properties"] if spec["category"] == "act" else {}
        edges[name] = EdgeType(
            name=name,
            category=spec["category"],
            label=spec["label"],
            sources=tuple(spec["from"]),
            targets=tuple(spec["to"]),
            properties=_properties(extra, spec.get("properties", {}), common),
            description=spec.get("description", ""),
            directed=bool(spec.get("directed", True)),
            agent=_agent_end(name, spec),
        )
    model = Model(
        nodes=nodes,
        edges=edges,
        defaults=dict(raw["defaults"]),
        label_styles={k: dict(v) for k, v in (raw.get("label_styles") or {}).items()},
        builtin_nodes=_builtin_nodes(raw.get("builtin_nodes") or {}, nodes),
    )
    _check(model)
    return model


def _agent_end(name: str, spec: dict[str, Any]) -> str | None:
    """Which end of an edge names who did it: `agent:` in the model; for an act "to" unless
    said, for another edge (a release) only if said."""
    agent = spec.get("agent", "to" if spec["category"] == "act" else "none")
    if agent not in ("from", "to", "none"):
        raise ModelError(f"{name}.agent: {agent!r} is not one of from, to, none")
    return None if agent == "none" else str(agent)


def _ftm(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A node type's FtM schema: `ftm: Person`, `ftm: {schema: X, by_label: {...}}` or `ftm: none`."""
    if "ftm" not in spec:
        raise ModelError(f"node type {name}: no `ftm` (its FollowTheMoney schema, or `none` to leave it out)")
    declared = spec["ftm"]
    if isinstance(declared, dict):
        return {"ftm_schema": declared["schema"], "ftm_by_label": dict(declared.get("by_label") or {})}
    return {"ftm_schema": None if declared in (None, "none") else str(declared)}


def _builtin_nodes(raw: dict[str, list[dict[str, Any]]], nodes: dict[str, NodeType]) -> tuple[Any, ...]:
    by_section = {node_type.section: name for name, node_type in nodes.items()}
    found = []
    for section, records in raw.items():
        if section not in by_section:
            raise ModelError(f"builtin_nodes: unknown section {section!r}")
        found += [(by_section[section], dict(record)) for record in records]
    return tuple(found)


def _check(model: Model) -> None:
    """Cross-reference checks, so a broken model fails at start-up, not mid-load."""
    problems = []
    for owner, props in [(n, t.properties) for n, t in model.nodes.items()] + [
        (e, t.properties) for e, t in model.edges.items()
    ]:
        for prop in props.values():
            if prop.type not in PROPERTY_TYPES:
                problems.append(f"{owner}.{prop.name}: unknown type {prop.type!r}")
            problems += [f"{owner}.{prop.name}: unknown node type {t!r}" for t in prop.to if t not in model.nodes]
            if prop.edge and prop.edge not in model.edges:
                problems.append(f"{owner}.{prop.name}: unknown edge type {prop.edge!r}")
    for type_name, record in model.builtin_nodes:
        unknown = set(record) - {"id", *model.nodes[type_name].properties}
        problems += [f"builtin node {record.get('id')!r}: unknown property {key!r}" for key in sorted(unknown)]
    for node_type in model.nodes.values():
        if not node_type.style:
            problems.append(f"node type {node_type.name}: no `style` (how a view draws it)")
        problems += [
            f"node type {node_type.name}: ftm by_label {label!r} is not one of its labels"
            for label in node_type.ftm_by_label
            if label not in node_type.extra_labels
        ]
    for edge in model.edges.values():
        problems += [
            f"{edge.name}: unknown endpoint type {t!r}" for t in edge.sources + edge.targets if t not in model.nodes
        ]
    if problems:
        raise ModelError("; ".join(problems))


@cache
def load_model(path: Path = MODEL_FILE) -> Model:
    """Read and check the model file (cached: the model never changes while running)."""
    with path.open(encoding="utf-8") as handle:
        return _build(yaml.load(handle, Loader=SAFE_LOADER))
