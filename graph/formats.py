"""The graph in the formats other tools read: GraphML and GEXF (Gephi, networkx), the CSV
layout of `neo4j-admin database import`, a Cypher script, and FollowTheMoney entities.

All take the export of `Graph.export(public_only=...)`, so `--public` holds for every format.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from typing import Any

import networkx as nx

from .model import Model, load_model

Export = dict[str, list[dict[str, Any]]]


def _scalar(value: Any) -> Any:
    """A property value as GraphML/GEXF can hold it: lists and objects as JSON text."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def to_networkx(data: Export) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for node in data["nodes"]:
        attrs = {k: _scalar(v) for k, v in node["properties"].items() if v is not None}
        graph.add_node(node["id"], labels=";".join(node["labels"]), **attrs)
    for edge in data["edges"]:
        attrs = {k: _scalar(v) for k, v in edge["properties"].items() if v is not None}
        graph.add_edge(edge["source"], edge["target"], key=edge["properties"]["id"], type=edge["type"], **attrs)
    return graph


def to_graphml(data: Export) -> str:
    buffer = io.BytesIO()
    nx.write_graphml(to_networkx(data), buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def to_gexf(data: Export) -> str:
    buffer = io.BytesIO()
    graph = to_networkx(data)
    for node_id, attrs in graph.nodes(data=True):
        attrs.setdefault("label", attrs.get("name") or node_id)
    nx.write_gexf(graph, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(
            json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, dict) else str(v) for v in value
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_neo4j_csv(data: Export) -> bytes:
    """A zip of nodes-<Type>.csv and relationships-<TYPE>.csv with the headers
    `neo4j-admin database import full` expects (id:ID, :LABEL, :START_ID, :END_ID, :TYPE,
    list properties as `name:string[]` separated by ';')."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for node in data["nodes"]:
            by_type[node["labels"][0]].append(node)
        for type_name, nodes in sorted(by_type.items()):
            archive.writestr(f"nodes-{type_name}.csv", _table(nodes, id_column="id:ID", label_column=":LABEL"))
        by_edge: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for edge in data["edges"]:
            by_edge[edge["type"]].append(edge)
        for type_name, edges in sorted(by_edge.items()):
            archive.writestr(f"relationships-{type_name}.csv", _table(edges))
        archive.writestr(
            "import.sh",
            "#!/bin/sh\n# neo4j-admin database import full --array-delimiter=';' --nodes=... --relationships=...\n"
            "neo4j-admin database import full --array-delimiter=';' "
            + " ".join(f"--nodes=nodes-{t}.csv" for t in sorted(by_type))
            + " "
            + " ".join(f"--relationships=relationships-{t}.csv" for t in sorted(by_edge))
            + " persecution\n",
        )
    return buffer.getvalue()


def _table(items: list[dict[str, Any]], id_column: str = "", label_column: str = "") -> str:
    keys = sorted({k for item in items for k in item["properties"]} - {"id"})
    is_list = {k: any(isinstance(item["properties"].get(k), list) for item in items) for k in keys}
    out = io.StringIO()
    writer = csv.writer(out)
    if id_column:
        header = [id_column, label_column] + [f"{k}:string[]" if is_list[k] else k for k in keys]
    else:
        header = [":START_ID", ":END_ID", ":TYPE", "id"] + [f"{k}:string[]" if is_list[k] else k for k in keys]
    writer.writerow(header)
    for item in items:
        values = [_csv_value(item["properties"].get(k)) for k in keys]
        if id_column:
            writer.writerow([item["id"], ";".join(["Entity", *item["labels"]]), *values])
        else:
            writer.writerow([item["source"], item["target"], item["type"], item["properties"]["id"], *values])
    return out.getvalue()


def _cypher_literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return f"'{text}'"


def to_cypher(data: Export, model: Model | None = None) -> str:
    """A script that recreates the graph (for cypher-shell); labels and types come from the
    model only, values are escaped literals, evidence kept as JSON text like the database."""
    model = model or load_model()
    allowed = model.all_labels()
    lines = [
        "// persecution-graph export: run with cypher-shell -f on an empty database",
        "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;",
    ]
    for node in data["nodes"]:
        labels = [label for label in node["labels"] if label in allowed]
        props = ", ".join(f"`{k}`: {_cypher_literal(v)}" for k, v in sorted(node["properties"].items()))
        lines.append(f"CREATE (:Entity:{':'.join(labels)} {{{props}}});")
    for edge in data["edges"]:
        if edge["type"] not in model.edges:
            continue
        props = ", ".join(f"`{k}`: {_cypher_literal(v)}" for k, v in sorted(edge["properties"].items()))
        source, target = _cypher_literal(edge["source"]), _cypher_literal(edge["target"])
        lines.append(
            f"MATCH (a:Entity {{id: {source}}}), (b:Entity {{id: {target}}}) "
            f"CREATE (a)-[:{edge['type']} {{{props}}}]->(b);"
        )
    return "\n".join(lines) + "\n"


# -- FollowTheMoney --------------------------------------------------------------------------

STATE_KINDS = {
    "Court", "ProsecutorOffice", "Police", "SecurityService", "Ministry", "DetentionFacility",
    "Hospital", "Akimat", "Government", "Investigator", "InternationalBody",
}  # fmt: skip
FTM_PREFIX = "pg-"


def _ftm_id(*parts: str) -> str:
    return FTM_PREFIX + hashlib.sha1("/".join(parts).encode()).hexdigest()[:20]


def _evidence_note(props: dict[str, Any]) -> list[str]:
    notes = []
    for ref in props.get("sources", []):
        where = ref.get("line") or ref.get("page") or ""
        text = f"source {ref['source']}" + (
            f", line {where}" if ref.get("line") else f", page {where}" if where else ""
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


def to_ftm_lines(data: Export) -> str:
    return "".join(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n" for entity in to_ftm(data))


def to_ftm(data: Export) -> list[dict[str, Any]]:
    """FollowTheMoney entities (one per line when written): Person, Organization, PublicBody,
    Company, Event, Address, Document (the sources), Family, Associate, Membership, Position
    and Occupancy, UnknownLink for the acts, Documentation tying each record to its sources.
    Ids are ours, prefixed; evidence and notes go into `notes` ("source X, line N: quote")."""
    entities: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    schema_of: dict[str, str] = {}
    names: dict[str, str] = {}
    for node in data["nodes"]:
        props = node["properties"]
        kind = node["labels"][0]
        extra = set(node["labels"][1:])
        out: dict[str, list[Any]] = {}
        if kind == "Person":
            schema = "Person"
            out["name"] = [props["name"]]
            if props.get("aliases"):
                out["alias"] = list(props["aliases"])
            if props.get("gender"):
                out["gender"] = [props["gender"]]
            if props.get("birth_date"):
                out["birthDate"] = [str(props["birth_date"]).partition("/")[0]]
            if extra:
                out["position"] = sorted(extra)
        elif kind == "Organization":
            schema = "Company" if "Company" in extra else "PublicBody" if extra & STATE_KINDS else "Organization"
            out["name"] = [props["name"]]
            if props.get("aliases"):
                out["alias"] = list(props["aliases"])
            out["classification"] = sorted(extra)
        elif kind == "Event":
            schema = "Event"
            out["name"] = [props.get("name") or node["id"]]
            out.update(_dates(props))
            if props.get("kind"):
                out["keywords"] = [props["kind"]]
        elif kind == "Place":
            schema = "Address"
            out["full"] = [props["name"]]
            if props.get("aliases"):
                out["summary"] = ["also: " + ", ".join(props["aliases"])]
        elif kind == "Source":
            schema = "Document"
            out["title"] = [props["title"]]
            if props.get("publisher"):
                out["publisher"] = [props["publisher"]]
            if props.get("date"):
                out["date"] = [str(props["date"])]
            if props.get("url"):
                out["sourceUrl"] = [props["url"]]
            if props.get("file"):
                out["fileName"] = [props["file"].rsplit("/", 1)[-1]]
        elif kind == "LegalArticle":
            schema = "Note"
            out["name"] = [props.get("name") or node["id"]]
            out["description"] = [props["title"]] if props.get("title") else []
        else:
            continue  # discrepancies stay in our own formats
        if props.get("description"):
            out.setdefault("description", []).append(props["description"])
        notes = _evidence_note(props)
        if notes:
            out["notes"] = notes
        ftm_id = _ftm_id("node", node["id"])
        ids[node["id"]] = ftm_id
        schema_of[node["id"]] = schema
        names[node["id"]] = (out.get("name") or out.get("full") or out.get("title") or [node["id"]])[0]
        entities.append({"id": ftm_id, "schema": schema, "properties": {k: v for k, v in out.items() if v}})

    events: dict[str, dict[str, Any]] = {e["id"]: e for e in entities if e["schema"] == "Event"}
    for edge in data["edges"]:
        props = edge["properties"]
        source, target = ids.get(edge["source"]), ids.get(edge["target"])
        if source is None or target is None:
            continue
        kind = edge["type"]
        out = {}
        if kind == "RELATED_TO":
            schema, out = "Family", {"person": [target], "relative": [source], "relationship": [props["relation"]]}
        elif kind == "ASSOCIATE_OF":
            schema, out = "Associate", {"person": [target], "associate": [source], "relationship": [props["relation"]]}
        elif kind == "MEMBER_OF" and schema_of[edge["target"]] in ("Organization", "PublicBody", "Company"):
            schema, out = "Membership", {"member": [source], "organization": [target]}
            if props.get("role"):
                out["role"] = [props["role"]]
        elif kind == "HOLDS_POSITION" and schema_of[edge["target"]] in ("Organization", "PublicBody", "Company"):
            position_id = _ftm_id("position", edge["target"], props["role"])
            entities.append(
                {
                    "id": position_id,
                    "schema": "Position",
                    "properties": {"name": [props["role"]], "organization": [target]},
                }
            )
            schema, out = "Occupancy", {"holder": [source], "post": [position_id]}
            out.update(_dates(props, single="startDate"))
        elif kind in ("PARTICIPATED_IN", "VICTIM_OF") and edge["target"] in ids and ids[edge["target"]] in events:
            events[ids[edge["target"]]]["properties"].setdefault("involved", []).append(source)
            continue
        elif kind in ("LOCATED_IN", "PART_OF", "CONCERNS"):
            continue
        else:
            # An act or another tie: who did what to whom, as a link with its role.
            edge_type = load_model().edges.get(kind)
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
    for node in data["nodes"]:
        for ref in node["properties"].get("sources", []):
            if node["id"] in ids and ref["source"] in ids:
                by_pair[(node["id"], ref["source"])].append(str(ref.get("line") or ref.get("page") or ref.get("quote")))
    for (record, source), where in sorted(by_pair.items()):
        entities.append(
            {
                "id": _ftm_id("doc", record, source),
                "schema": "Documentation",
                "properties": {
                    "entity": [ids[record]],
                    "document": [ids[source]],
                    "role": ["lines " + ", ".join(where)],
                },
            }
        )
    return entities


def to_json(data: Export) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


# Every export format by name: the command line and the API both use this table.
WRITERS: dict[str, Any] = {
    "json": to_json,
    "graphml": to_graphml,
    "gexf": to_gexf,
    "cypher": to_cypher,
    "ftm": to_ftm_lines,
    "csv": to_neo4j_csv,
}
