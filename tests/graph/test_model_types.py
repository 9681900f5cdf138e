"""A node type declared once in model.yaml appears everywhere: validation, the database, counts,
view styles, every export format (FtM in its declared schema) and search. The model refuses a
type that does not say how to draw or export it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml
from persecution_graph.graph.formats import FORMATS, render
from persecution_graph.graph.formats.ftm import to_ftm
from persecution_graph.graph.model import MODEL_FILE, ModelError, _build
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.loaders.validate import validate
from persecution_graph.queries.search import search

VEHICLE = {
    "section": "vehicles",
    "description": "A vehicle used in an act (a police bus).",
    "style": {"color": "#123456", "shape": "triangleDown"},
    "ftm": "Vehicle",
    "properties": {"name": {"type": "string", "required": True}},
}


def _model_with(extra: dict) -> dict:
    raw = yaml.safe_load(MODEL_FILE.read_text(encoding="utf-8"))
    raw["nodes"]["Vehicle"] = extra
    return raw


def test_a_new_node_type_is_validated_stored_counted_drawn_exported_and_found(graph: Graph, tmp_path: Path) -> None:
    model = _build(_model_with(VEHICLE))
    folder = tmp_path / "data"
    (folder / "reports").mkdir(parents=True)
    (folder / "reports" / "note.txt").write_text("The activists were taken away in a white police bus.\n")
    (folder / "data.yaml").write_text(
        "sources:\n  - {id: note, title: A note, file: reports/note.txt}\n"
        "vehicles:\n  - id: white-bus\n    name: White police bus\n"
        "    sources: [{source: note, line: 1, quote: a white police bus}]\n"
    )
    result = validate(folder, model)
    assert result.problems == []
    typed = Graph(graph.driver, graph._database, graph.engine, model=model, embedded_dir=graph.embedded_dir)
    typed.replace(result.dataset)
    view = typed.view(Scope.PUBLIC)
    assert view.count_by_type()["Vehicle"] == 1
    assert model.style_for(["Vehicle"]) == {"color": "#123456", "shape": "triangleDown"}
    assert [
        (e["schema"], e["properties"]["name"]) for e in to_ftm(view.export(), model) if e["schema"] == "Vehicle"
    ] == [("Vehicle", ["White police bus"])]
    for fmt in FORMATS.values():
        written = render(fmt, view)
        if isinstance(written, bytes):  # a zip of CSV files, one per type
            archive = zipfile.ZipFile(io.BytesIO(written))
            written = archive.read("nodes-Vehicle.csv").decode()
        assert ("White police bus" if fmt.name == "ftm" else "white-bus") in written, fmt.name  # FtM ids are hashed
    assert [hit["id"] for hit in search(view, "white bus")] == ["white-bus"]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("ftm", "node type Vehicle: no `ftm` (its FollowTheMoney schema, or `none` to leave it out)"),
        ("style", "node type Vehicle: no `style` (how a view draws it)"),
    ],
)
def test_a_node_type_that_does_not_say_how_to_draw_or_export_it_is_refused(missing: str, message: str) -> None:
    declared = {key: value for key, value in VEHICLE.items() if key != missing}
    with pytest.raises(ModelError) as refused:
        _build(_model_with(declared))
    assert str(refused.value) == message
