"""FollowTheMoney in and out: our export, imported back as curated YAML, validates and keeps
the people, organisations and ties."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from persecution_graph.graph.formats.ftm import FtmError, convert, to_ftm_lines
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.loaders.validate import validate


def test_ftm_round_trip_validates(small_graph: Graph, tmp_path: Path) -> None:
    ftm = tmp_path / "peer.ftm.json"
    ftm.write_text(to_ftm_lines(small_graph.view(Scope.PUBLIC).export()), encoding="utf-8")
    counts = convert(ftm, tmp_path / "imported", "peer-dataset", "Dataset from a peer")
    assert (counts["Person"], counts["Family"], counts["Associate"], counts["Occupancy"]) == (15, 4, 3, 2)
    written = [tmp_path / "imported", *(tmp_path / "imported").rglob("*")]
    assert {path.name: path.stat().st_mode & 0o777 for path in written} == {
        "imported": 0o700, "reports": 0o700, "peer.ftm.json": 0o600, "peer-dataset.yaml": 0o600,
    }  # fmt: skip
    result = validate(tmp_path / "imported")
    assert [str(p) for p in result.problems] == []
    persons = [n for n in result.dataset.nodes.values() if n.type == "Person"]
    assert len(persons) == 15
    barlyk = next(n for n in persons if n.properties["name"] == "Barlyk Mendygazyev")
    assert barlyk.properties["aliases"] == ["Barlyk Mendygaziyev"]
    assert barlyk.labels == ["Person", "Businessperson", "Exile"]
    line = next(
        i
        for i, text in enumerate(ftm.read_text().splitlines(), 1)
        if '"Barlyk Mendygazyev"' in text and "Person" in text
    )
    assert barlyk.properties["sources"] == [{"source": "peer-dataset", "line": str(line)}]
    assert sorted(e.type for e in result.dataset.edges if e.type in ("RELATED_TO", "HOLDS_POSITION")) == [
        "HOLDS_POSITION", "HOLDS_POSITION", "RELATED_TO", "RELATED_TO", "RELATED_TO", "RELATED_TO",
    ]  # fmt: skip


def test_broken_ftm_says_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "x", "schema": "Person"}) + "\n{oops\n")
    with pytest.raises(FtmError, match=r"bad.json:2:2: not JSON"):
        convert(bad, tmp_path / "out", "s", "t")
