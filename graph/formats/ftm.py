"""FollowTheMoney (FtM), the entity format of OpenSanctions and Aleph, both ways.

Export: every node as the FtM schema its type declares in graph/model.yaml (`ftm:`), ties as
Family, Associate, Membership, Position and Occupancy, acts as UnknownLink, and Documentation
tying each record to its sources. Import: FtM entities (one JSON object per line) as curated
YAML in the seed format, so they go through the same validation.

The FtM file becomes a Source of its own (copied under reports/), and every record points at
the line of that file it came from: the locator rule holds for imported data too. Entities that
have no counterpart in the model (UnknownLink, Documentation, ...) are counted and skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

from ..errors import InvalidData
from ..files import write_private
from ..model import Model, load_model
from ..records import Dataset, Evidence, Node, where

# -- export ----------------------------------------------------------------------------------

FTM_PREFIX = "pg-"


def _ftm_id(*parts: str) -> str:
    return FTM_PREFIX + hashlib.sha1("/".join(parts).encode()).hexdigest()[:20]


def _evidence_note(props: dict[str, Any]) -> list[str]:
    notes = []
    ref: Evidence
    for ref in props.get("sources", []):
        text = f"source {ref['source']}" + (
            f", line {ref['line']}" if ref.get("line") else f", page {ref['page']}" if ref.get("page") else ""
        )
        if ref.get("quote"):
            text += f': "{ref["quote"]}"'
        notes.append(text)
    if props.get("note"):
        notes.append(str(props["note"]))
    return notes


def _dates(props: dict[str, Any], single: str = "date") -> dict[str, list[str]]:
    value = props.get("date")
    if not value:
        return {}
    start, sep, end = str(value).partition("/")
    return {"startDate": [start], "endDate": [end]} if sep else {single: [start]}


def to_ftm_lines(data: Dataset, model: Model | None = None) -> str:
    return "".join(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n" for entity in to_ftm(data, model))


def _name_parts(props: dict[str, Any], node_id: str) -> dict[str, list[Any]]:
    """What every FtM thing takes: its name and other names."""
    out: dict[str, list[Any]] = {"name": [props.get("name") or props.get("title") or node_id]}
    if props.get("aliases"):
        out["alias"] = list(props["aliases"])
    return out


def _person(props: dict[str, Any], extra: set[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    if props.get("gender"):
        out["gender"] = [props["gender"]]
    if props.get("birth_date"):
        out["birthDate"] = [str(props["birth_date"]).partition("/")[0]]
    if extra:
        out["position"] = sorted(extra)
    return out


def _classified(props: dict[str, Any], extra: set[str]) -> dict[str, list[Any]]:
    return {"classification": sorted(extra)}


def _event(props: dict[str, Any], extra: set[str]) -> dict[str, list[Any]]:
    out = _dates(props)
    if props.get("kind"):
        out["keywords"] = [props["kind"]]
    return out


def _address(props: dict[str, Any], extra: set[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"full": [props["name"]]}
    if props.get("aliases"):
        out["summary"] = ["also: " + ", ".join(props["aliases"])]
    return out


def _document(props: dict[str, Any], extra: set[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"title": [props["title"]]}
    for ours, theirs in (("publisher", "publisher"), ("date", "date"), ("url", "sourceUrl")):
        if props.get(ours):
            out[theirs] = [str(props[ours])]
    if props.get("file"):
        out["fileName"] = [props["file"].rsplit("/", 1)[-1]]
    return out


def _note(props: dict[str, Any], extra: set[str]) -> dict[str, list[Any]]:
    return {"description": [props["title"]]} if props.get("title") else {}


# What each FtM schema takes besides a name (every schema a node type declares in model.yaml
# gets at least its name, aliases, description and the notes of its evidence).
SCHEMA_PROPERTIES: dict[str, Any] = {
    "Person": _person,
    "Organization": _classified,
    "PublicBody": _classified,
    "Company": _classified,
    "Event": _event,
    "Address": _address,
    "Document": _document,
    "Note": _note,
}
# Schemata whose own name property is not `name`.
UNNAMED_SCHEMATA = {"Address", "Document"}


def _ftm_node(node: Node, model: Model) -> dict[str, Any] | None:
    """One node as an FtM entity, in the schema its type declares (None: declared not exported)."""
    node_type = model.nodes[node.type]
    extra = set(node.labels[1:])
    schema = node_type.ftm_schema_for(extra)
    if schema is None:
        return None
    props = node.properties
    out = {} if schema in UNNAMED_SCHEMATA else _name_parts(props, node.id)
    out.update(SCHEMA_PROPERTIES.get(schema, lambda *_: {})(props, extra))
    if props.get("description"):
        out.setdefault("description", []).append(props["description"])
    notes = _evidence_note(props)
    if notes:
        out["notes"] = notes
    return {"id": _ftm_id("node", node.id), "schema": schema, "properties": {k: v for k, v in out.items() if v}}


def to_ftm(data: Dataset, model: Model | None = None) -> list[dict[str, Any]]:
    """FollowTheMoney entities (one per line when written): each node in the schema its type
    declares in model.yaml (`ftm:`), Family, Associate, Membership, Position and Occupancy for
    the ties, UnknownLink for the acts, Documentation tying each record to its sources. Ids are
    ours, prefixed; evidence and notes go into `notes` ("source X, line N: quote")."""
    model = model or load_model()
    entities: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    schema_of: dict[str, str] = {}
    for node in data.nodes.values():
        entity = _ftm_node(node, model)
        if entity is None:
            continue
        ids[node.id] = entity["id"]
        schema_of[node.id] = entity["schema"]
        entities.append(entity)

    events: dict[str, dict[str, Any]] = {e["id"]: e for e in entities if e["schema"] == "Event"}
    for edge in data.edges:
        props = edge.properties
        source, target = ids.get(edge.source), ids.get(edge.target)
        if source is None or target is None:
            continue
        kind = edge.type
        out = {}
        if kind == "RELATED_TO":
            schema, out = "Family", {"person": [target], "relative": [source], "relationship": [props["relation"]]}
        elif kind == "ASSOCIATE_OF":
            schema, out = "Associate", {"person": [target], "associate": [source], "relationship": [props["relation"]]}
        elif kind == "MEMBER_OF" and schema_of[edge.target] in ("Organization", "PublicBody", "Company"):
            schema, out = "Membership", {"member": [source], "organization": [target]}
            if props.get("role"):
                out["role"] = [props["role"]]
        elif kind == "HOLDS_POSITION" and schema_of[edge.target] in ("Organization", "PublicBody", "Company"):
            position_id = _ftm_id("position", edge.target, props["role"])
            entities.append(
                {
                    "id": position_id,
                    "schema": "Position",
                    "properties": {"name": [props["role"]], "organization": [target]},
                }
            )
            schema, out = "Occupancy", {"holder": [source], "post": [position_id]}
            out.update(_dates(props, single="startDate"))
        elif kind in ("PARTICIPATED_IN", "VICTIM_OF") and edge.target in ids and ids[edge.target] in events:
            events[ids[edge.target]]["properties"].setdefault("involved", []).append(source)
            continue
        elif kind in ("LOCATED_IN", "PART_OF", "CONCERNS"):
            continue
        else:
            # An act or another tie: who did what to whom, as a link with its role.
            edge_type = model.edges.get(kind)
            label = edge_type.label if edge_type else kind.lower()
            detail = [str(props[k]) for k in ("kind", "sentence_type", "term", "category", "status") if props.get(k)]
            # Who did it and how far it went, where it is not simply a stated act carried out.
            detail += [
                f"{key} {props[key]}"
                for key, usual in (("attribution", "stated"), ("involvement", "carried_out"))
                if props.get(key, usual) != usual
            ]
            schema, out = (
                "UnknownLink",
                {
                    "subject": [target],
                    "object": [source],
                    "role": [label + (f" ({', '.join(detail)})" if detail else "")],
                },
            )
            out.update(_dates(props))
        if props.get("description"):
            out["summary"] = [props["description"]]
        notes = _evidence_note(props)
        if notes:
            out["description"] = notes
        entities.append({"id": _ftm_id("edge", props["id"]), "schema": schema, "properties": out})
    # Documentation: each record with a source document, the locators as its role.
    by_pair: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node in data.nodes.values():
        for ref in node.sources:
            if node.id in ids and ref["source"] in ids:
                by_pair[(node.id, ref["source"])].append(where(ref) or str(ref.get("quote")))
    for (record, source), places in sorted(by_pair.items()):
        entities.append(
            {
                "id": _ftm_id("doc", record, source),
                "schema": "Documentation",
                "properties": {
                    "entity": [ids[record]],
                    "document": [ids[source]],
                    "role": ["lines " + ", ".join(places)],
                },
            }
        )
    return entities


# -- import ----------------------------------------------------------------------------------

ORG_SCHEMATA = {"Organization", "PublicBody", "Company", "LegalEntity"}
DEFAULT_KIND = {"PublicBody": "Government", "Company": "Company"}
# The classification of an exported perpetrator-not-stated: a placeholder, not an organisation.
NOT_STATED = "NotStated"


class FtmError(InvalidData):
    """An FtM file that cannot be read; the message says file:line."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"


def _first(props: dict[str, list[Any]], key: str) -> Any:
    values = props.get(key) or []
    return values[0] if values else None


def convert(path: Path, out: Path, source_id: str, title: str, publisher: str | None = None) -> Counter[str]:
    """Write `out/<source_id>.yaml` and `out/reports/<file>` from the FtM file at `path`."""
    model = load_model()
    person_roles = set(model.nodes["Person"].properties["roles"].values or ())
    org_kinds = set(model.nodes["Organization"].properties["kind"].values or ())
    entities: list[tuple[int, dict[str, Any]]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                entity = json.loads(line)
            except json.JSONDecodeError as error:
                raise FtmError(f"{path}:{number}:{error.colno}: not JSON: {error.msg}") from None
            if not isinstance(entity, dict) or "id" not in entity or "schema" not in entity:
                raise FtmError(f"{path}:{number}:1: not an FtM entity (needs id and schema)")
            entities.append((number, entity))
    ids = {e["id"]: f"ftm-{_slug(e['id'])}" for _, e in entities}
    by_id = {e["id"]: e for _, e in entities}
    counts: Counter[str] = Counter()
    data: dict[str, list[dict[str, Any]]] = {
        "persons": [],
        "organizations": [],
        "events": [],
        "places": [],
        "edges": [],
    }

    def sourced(number: int) -> list[str]:
        return [f"{source_id}:{number}"]

    for number, entity in entities:
        schema, props = entity["schema"], entity.get("properties") or {}
        our_id = ids[entity["id"]]
        note = "; ".join(props.get("notes") or []) or None
        if schema == "Person":
            record: dict[str, Any] = {"id": our_id, "name": _first(props, "name") or entity["id"]}
            aliases = [a for a in (props.get("alias") or []) + (props.get("name") or [])[1:] if a != record["name"]]
            if aliases:
                record["aliases"] = aliases
            roles = [p for p in props.get("position") or [] if p in person_roles]
            if roles:
                record["roles"] = roles
            if _first(props, "gender") in ("female", "male"):
                record["gender"] = _first(props, "gender")
            if _first(props, "birthDate"):
                record["birth_date"] = str(_first(props, "birthDate"))
            section = "persons"
        elif schema in ORG_SCHEMATA and NOT_STATED in (props.get("classification") or []):
            counts[f"skipped {schema} (perpetrator not stated: the model has its own)"] += 1
            continue
        elif schema in ORG_SCHEMATA:
            kinds = [k for k in props.get("classification") or [] if k in org_kinds]
            record = {"id": our_id, "name": _first(props, "name") or entity["id"]}
            if kinds:
                record["kind"] = kinds
            else:
                record["kind"] = DEFAULT_KIND.get(schema, "NGO")
                note = (
                    note + "; " if note else ""
                ) + f"kind not given by the source; {schema} imported as {record['kind']}"
            if props.get("alias"):
                record["aliases"] = props["alias"]
            section = "organizations"
        elif schema == "Event":
            record = {"id": our_id, "name": _first(props, "name") or entity["id"], "kind": "other"}
            start, end = _first(props, "startDate"), _first(props, "endDate")
            date = _first(props, "date") or (f"{start}/{end}" if start and end else start)
            if date:
                record["date"] = str(date)
            section = "events"
        elif schema == "Address":
            record = {"id": our_id, "name": _first(props, "full") or entity["id"]}
            section = "places"
        elif schema in ("Family", "Associate", "Membership", "Occupancy"):
            edge = _edge(schema, props, ids, by_id)
            if edge is None:
                counts[f"skipped {schema} (missing end)"] += 1
                continue
            edge["sources"] = sourced(number)
            data["edges"].append(edge)
            counts[schema] += 1
            continue
        else:
            counts[f"skipped {schema}"] += 1
            continue
        if _first(props, "description"):
            record["description"] = _first(props, "description")
        if note:
            record["note"] = note
        record["sources"] = sourced(number)
        data[section].append(record)
        counts[schema] += 1
    # Curated data about people: private to its owner, like every file this project writes.
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    (out / "reports").mkdir(mode=0o700, exist_ok=True)
    write_private(out / "reports" / path.name, path.read_bytes())
    source = {"id": source_id, "title": title, "file": f"reports/{path.name}"}
    if publisher:
        source["publisher"] = publisher
    document = {"sources": [source], **{k: v for k, v in data.items() if v}}
    header = f"# Imported from {path.name} (FollowTheMoney) by persecution-graph import-ftm.\n"
    write_private(
        out / f"{source_id}.yaml", header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    )
    return counts


def _edge(
    schema: str, props: dict[str, list[Any]], ids: dict[str, str], by_id: dict[str, Any]
) -> dict[str, Any] | None:
    if schema in ("Family", "Associate"):
        person, other = _first(props, "person"), _first(props, "relative" if schema == "Family" else "associate")
        if person not in ids or other not in ids:
            return None
        relation = _first(props, "relationship") or ("relative" if schema == "Family" else "associate")
        kind = "RELATED_TO" if schema == "Family" else "ASSOCIATE_OF"
        return {"type": kind, "from": ids[other], "to": ids[person], "relation": relation}
    if schema == "Membership":
        member, organization = _first(props, "member"), _first(props, "organization")
        if member not in ids or organization not in ids:
            return None
        edge = {"type": "MEMBER_OF", "from": ids[member], "to": ids[organization]}
        if _first(props, "role"):
            edge["role"] = _first(props, "role")
        return edge
    holder, post = _first(props, "holder"), _first(props, "post")
    position = by_id.get(post) if post else None
    organization = _first(position.get("properties") or {}, "organization") if position else None
    if holder not in ids or organization not in ids or position is None:
        return None
    role = _first(position.get("properties") or {}, "name") or "post"
    edge = {"type": "HOLDS_POSITION", "from": ids[holder], "to": ids[organization], "role": role}
    if _first(props, "startDate"):
        edge["date"] = str(_first(props, "startDate"))
    return edge
