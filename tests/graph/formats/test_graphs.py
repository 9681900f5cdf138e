"""Every export format checked with the library that reads it (networkx, followthemoney),
and the Cypher script by running it on an empty database."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
from followthemoney import model as ftm_model
from persecution_graph.graph.formats.ftm import to_ftm
from persecution_graph.graph.formats.graphs import to_cypher, to_gexf, to_graphml, to_neo4j_csv
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph


def test_graphml_and_gexf_keep_nodes_edges_and_attributes(small_graph: Graph) -> None:
    data = small_graph.view(Scope.PUBLIC).export()
    graphml = nx.read_graphml(io.StringIO(to_graphml(data)))
    gexf = nx.read_gexf(io.StringIO(to_gexf(data)))
    for graph in (graphml, gexf):
        assert (graph.number_of_nodes(), graph.number_of_edges()) == (38, 41)
    smatov = graphml.nodes["zh-smatov"]
    assert smatov["labels"] == "Person;Official"
    assert json.loads(smatov["sources"]) == [{"line": "129", "source": "odf-2018-dck-ban"}]
    assert "daughter-of-dilnar-insenova" not in graphml


def test_neo4j_admin_csv_layout(small_graph: Graph) -> None:
    archive = zipfile.ZipFile(io.BytesIO(to_neo4j_csv(small_graph.view(Scope.PUBLIC).export())))
    names = sorted(archive.namelist())
    assert "nodes-Person.csv" in names and "relationships-SENTENCED_BY.csv" in names
    persons = list(csv.reader(io.StringIO(archive.read("nodes-Person.csv").decode())))
    assert persons[0][:2] == ["id:ID", ":LABEL"] and "aliases:string[]" in persons[0]
    assert len(persons) == 1 + 15
    sentenced = list(csv.reader(io.StringIO(archive.read("relationships-SENTENCED_BY.csv").decode())))
    assert sentenced[0][:4] == [":START_ID", ":END_ID", ":TYPE", "id"]
    assert len(sentenced) == 1 + 9


def test_cypher_script_recreates_the_graph(small_graph: Graph) -> None:
    data = small_graph.view(Scope.FULL).export()
    script = to_cypher(data)
    small_graph.write("MATCH (n:Entity) DETACH DELETE n")
    for statement in script.split(";\n"):
        statement = statement.strip()
        if statement and not statement.startswith("//") and not statement.startswith("CREATE CONSTRAINT"):
            small_graph.write(statement)
    # The script is for another database: our store also keeps each record's generation.
    small_graph.write("MATCH (n:Entity) SET n.gen = $gen", gen=small_graph.version())
    small_graph.write("MATCH (:Entity)-[e]->(:Entity) SET e.gen = $gen", gen=small_graph.version())
    assert small_graph.view(Scope.FULL).export() == data


def test_followthemoney_entities_are_valid_complete_and_closed(small_graph: Graph) -> None:
    entities = to_ftm(small_graph.view(Scope.PUBLIC).export())
    ids = {entity["id"] for entity in entities}
    schemata: dict[str, int] = {}
    for entity in entities:
        proxy = ftm_model.get_proxy(entity, cleaned=False)
        schemata[proxy.schema.name] = schemata.get(proxy.schema.name, 0) + 1
        kept = proxy.to_dict()["properties"]
        for prop, values in entity["properties"].items():
            assert sorted(kept.get(prop, [])) == sorted(values), (entity["schema"], prop)
        for prop in proxy.schema.properties.values():
            if prop.type.name == "entity":
                assert set(proxy.get(prop)) <= ids, (entity["schema"], prop.name)
    assert schemata == {
        "Address": 3,
        "Associate": 3,
        "Company": 1,
        "Document": 3,
        "Documentation": 37,
        "Event": 1,
        "Family": 4,
        "Membership": 2,
        "Note": 2,
        "Occupancy": 2,
        "Organization": 2,
        "Person": 15,
        "Position": 2,
        "PublicBody": 11,
        "UnknownLink": 23,
    }
    family = next(e for e in entities if e["schema"] == "Family" and e["properties"]["relationship"] == ["brother"]
                  and "Bekizhan" in json.dumps(e))  # fmt: skip
    assert family["properties"]["description"] == [
        'source odf-2021-political-prisoners, line 365: "Barlyk Mendygazyev\'s brother, Bekizhan Mendygazyev"'
    ]
