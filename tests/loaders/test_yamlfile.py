"""Positions in curated files: what a reading process sends back keeps them as they were read."""

from __future__ import annotations

import pickle
from pathlib import Path

from persecution_graph.loaders.yamlfile import Map, Scalar, Where, read_yaml


def test_a_position_crosses_a_pickle_as_a_position(tmp_path: Path) -> None:
    data = tmp_path / "people.yaml"
    data.write_text("persons:\n  - id: a\n    name:  'Ainur'\n", encoding="utf-8")
    top, problems = read_yaml(data, "people.yaml")
    assert problems == [] and isinstance(top, Map)
    record = top.values["persons"].items[0]  # type: ignore[union-attr]
    name = record.values["name"]
    assert name == Scalar("Ainur", Where("people.yaml", 3, 12), is_null=False, quoted=True)

    back = pickle.loads(pickle.dumps([name.where, record.keys], protocol=pickle.HIGHEST_PROTOCOL))

    assert back == [Where("people.yaml", 3, 12), {"id": Where("people.yaml", 2, 5), "name": Where("people.yaml", 3, 5)}]
    assert type(back[0]) is Where and str(back[0]) == "people.yaml:3:12"
    assert back[0].line == 3 and back[1]["name"].col == 5
