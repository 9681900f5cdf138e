"""Import FollowTheMoney entities (one JSON object per line, as OpenSanctions and Aleph give
them) as curated YAML in the seed format, so they go through the same validation.

The FtM file becomes a Source of its own (copied under reports/), and every record points at
the line of that file it came from: the locator rule holds for imported data too. Entities that
have no counterpart in the model (UnknownLink, Documentation, ...) are counted and skipped.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from persecution_graph.graph.model import load_model

ORG_SCHEMATA = {"Organization", "PublicBody", "Company", "LegalEntity"}
DEFAULT_KIND = {"PublicBody": "Government", "Company": "Company"}
# The classification of an exported perpetrator-not-stated: a placeholder, not an organisation.
NOT_STATED = "NotStated"


class FtmError(ValueError):
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
    out.mkdir(parents=True, exist_ok=True)
    (out / "reports").mkdir(exist_ok=True)
    shutil.copy(path, out / "reports" / path.name)
    source = {"id": source_id, "title": title, "file": f"reports/{path.name}"}
    if publisher:
        source["publisher"] = publisher
    document = {"sources": [source], **{k: v for k, v in data.items() if v}}
    header = f"# Imported from {path.name} (FollowTheMoney) by persecution-graph import-ftm.\n"
    (out / f"{source_id}.yaml").write_text(
        header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
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
