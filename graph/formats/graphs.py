"""The whole graph in the formats graph tools read: JSON, GraphML and GEXF (Gephi, networkx),
the CSV layout of `neo4j-admin database import` and a Cypher script. Each takes the export of
a caller's view (`View.export()`), so `--public` holds for every format; the registry is in
graph/formats/__init__.py."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from typing import Any

import networkx as nx

from ..model import Model, load_model
from ..records import Dataset, Edge, Node


def _scalar(value: Any) -> Any:
    """A property value as GraphML/GEXF can hold it: lists and objects as JSON text."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def to_networkx(data: Dataset) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for node in data.nodes.values():
        attrs = {k: _scalar(v) for k, v in node.properties.items() if v is not None}
        graph.add_node(node.id, labels=";".join(node.labels), **attrs)
    for edge in data.edges:
        attrs = {k: _scalar(v) for k, v in edge.properties.items() if v is not None}
        graph.add_edge(edge.source, edge.target, key=edge.id, type=edge.type, **attrs)
    return graph


def to_graphml(data: Dataset) -> str:
    buffer = io.BytesIO()
    nx.write_graphml(to_networkx(data), buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def to_gexf(data: Dataset) -> str:
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


def to_neo4j_csv(data: Dataset) -> bytes:
    """A zip of nodes-<Type>.csv and relationships-<TYPE>.csv with the headers
    `neo4j-admin database import full` expects (id:ID, :LABEL, :START_ID, :END_ID, :TYPE,
    list properties as `name:string[]` separated by ';')."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        by_type: dict[str, list[Node]] = defaultdict(list)
        for node in data.nodes.values():
            by_type[node.type].append(node)
        for type_name, nodes in sorted(by_type.items()):
            archive.writestr(f"nodes-{type_name}.csv", _table(nodes, id_column="id:ID", label_column=":LABEL"))
        by_edge: dict[str, list[Edge]] = defaultdict(list)
        for edge in data.edges:
            by_edge[edge.type].append(edge)
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


def _table(items: list[Node] | list[Edge], id_column: str = "", label_column: str = "") -> str:
    keys = sorted({k for item in items for k in item.properties} - {"id"})
    is_list = {k: any(isinstance(item.properties.get(k), list) for item in items) for k in keys}
    out = io.StringIO()
    writer = csv.writer(out)
    if id_column:
        header = [id_column, label_column] + [f"{k}:string[]" if is_list[k] else k for k in keys]
    else:
        header = [":START_ID", ":END_ID", ":TYPE", "id"] + [f"{k}:string[]" if is_list[k] else k for k in keys]
    writer.writerow(header)
    for item in items:
        values = [_csv_value(item.properties.get(k)) for k in keys]
        if isinstance(item, Node):
            writer.writerow([item.id, ";".join(["Entity", *item.labels]), *values])
        else:
            writer.writerow([item.source, item.target, item.type, item.id, *values])
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


def to_cypher(data: Dataset, model: Model | None = None) -> str:
    """A script that recreates the graph (for cypher-shell); labels and types come from the
    model only, values are escaped literals, evidence kept as JSON text like the database."""
    model = model or load_model()
    allowed = model.all_labels()
    lines = [
        "// persecution-graph export: run with cypher-shell -f on an empty database",
        "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;",
    ]
    for node in data.nodes.values():
        labels = [label for label in node.labels if label in allowed]
        props = ", ".join(f"`{k}`: {_cypher_literal(v)}" for k, v in sorted(node.properties.items()))
        lines.append(f"CREATE (:Entity:{':'.join(labels)} {{{props}}});")
    for edge in data.edges:
        if edge.type not in model.edges:
            continue
        props = ", ".join(f"`{k}`: {_cypher_literal(v)}" for k, v in sorted(edge.properties.items()))
        source, target = _cypher_literal(edge.source), _cypher_literal(edge.target)
        lines.append(
            f"MATCH (a:Entity {{id: {source}}}), (b:Entity {{id: {target}}}) "
            f"CREATE (a)-[:{edge.type} {{{props}}}]->(b);"
        )
    return "\n".join(lines) + "\n"


def to_json(data: Dataset) -> str:
    return json.dumps(data.as_dict(), ensure_ascii=False, indent=1) + "\n"
