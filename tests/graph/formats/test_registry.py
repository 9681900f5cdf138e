"""Every registered format, through both front doors: the API's download and the command line's
`export`, with the media type, file name and body the registry declares."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from persecution_graph.api.main import create_app
from persecution_graph.graph.formats import FORMATS, render
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_api_serves_every_registered_format(name: str, small_graph: Graph) -> None:
    fmt = FORMATS[name]
    response = TestClient(create_app(small_graph, keys=[])).get(f"/api/export/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(fmt.media_type.split(";")[0])
    assert response.headers["content-disposition"] == f'attachment; filename="persecution-graph.{fmt.extension}"'
    expected = render(fmt, small_graph.view(Scope.PUBLIC))
    if name == "dump":  # the header line says when it was made
        assert response.text.split("\n", 1)[1] == str(expected).split("\n", 1)[1]
    elif name == "neo4j-import":  # a zip: the same files
        import io
        import zipfile

        assert (
            zipfile.ZipFile(io.BytesIO(response.content)).namelist()
            == zipfile.ZipFile(io.BytesIO(expected if isinstance(expected, bytes) else b"")).namelist()
        )
    else:
        assert response.text == expected


def test_the_command_line_offers_exactly_the_registered_formats(cli_env: dict[str, str], tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "persecution_graph.api.cli", "export", "--format", "rdf"],
        env=cli_env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "(choose from " + ", ".join(repr(n) for n in FORMATS) + ")" in run.stderr
    run = subprocess.run(
        [sys.executable, "-m", "persecution_graph.api.cli", "export", "--format", "neo4j-import", "-o", "g.csv"],
        env=cli_env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert (run.returncode, run.stderr) == (
        2,
        "error: --format neo4j-import writes a zip of CSV files for `neo4j-admin database import`: "
        "give a file name ending in .zip\n",
    )


def test_every_node_type_declares_its_ftm_schema_or_none() -> None:
    """A node type without `ftm:` is refused when the model loads (graph/model.py)."""
    import yaml
    from persecution_graph.graph.model import MODEL_FILE, ModelError, _build

    raw = yaml.safe_load(MODEL_FILE.read_text(encoding="utf-8"))
    del raw["nodes"]["Event"]["ftm"]
    with pytest.raises(ModelError, match=r"^node type Event: no `ftm` \(its FollowTheMoney schema, or `none`"):
        _build(raw)
