"""The synthetic corpus: valid seed format, sourced, deterministic, heavy-tailed."""

from __future__ import annotations

import filecmp
from collections import Counter
from pathlib import Path

import pytest
from persecution_graph.loaders.synthetic import ACTS, write_corpus
from persecution_graph.loaders.validate import validate


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic") / "a"
    assert write_corpus(folder, 2000, seed=1) == 8001
    return folder


def test_the_corpus_is_valid_and_every_record_is_sourced(corpus: Path) -> None:
    result = validate(corpus)
    assert result.problems == []
    # 2,000 generated nodes, the model's perpetrator-not-stated (it states nothing: no source).
    assert (len(result.dataset.nodes), len(result.dataset.edges)) == (2002, 6283)
    assert [node.id for node in result.dataset.nodes.values() if not node.properties["sources"]] == [
        "perpetrator-not-stated"
    ]
    assert all(edge.properties["sources"] for edge in result.dataset.edges)


def test_the_shape_is_that_of_the_real_data(corpus: Path) -> None:
    dataset = validate(corpus).dataset
    labels = Counter(label for node in dataset.nodes.values() for label in node.labels)
    assert (labels["Person"], labels["Official"], labels["Relative"], labels["Organization"]) == (1635, 100, 511, 201)
    acts_by_agent = Counter(edge.target for edge in dataset.edges if edge.type in ACTS)
    # Heavy tail: the busiest official and the busiest institution each act in hundreds of
    # cases, most agents in a few.
    assert acts_by_agent.most_common(2) == [("person-0", 493), ("org-0", 491)]
    assert sorted(acts_by_agent.values())[len(acts_by_agent) // 2] < 10
    detainees = Counter(edge.target for edge in dataset.edges if edge.type == "PARTICIPATED_IN")
    assert detainees.most_common(1) == [("event-0", 71)]
    assert Counter(edge.type for edge in dataset.edges)["RELATED_TO"] == 600


def test_the_same_seed_writes_the_same_files(corpus: Path, tmp_path: Path) -> None:
    write_corpus(tmp_path / "b", 2000, seed=1)
    names = sorted(path.name for path in corpus.glob("*.yaml"))
    assert names == ["synth_00000.yaml", "synth_00001.yaml"]
    assert all(filecmp.cmp(corpus / name, tmp_path / "b" / name, shallow=False) for name in names)
    write_corpus(tmp_path / "c", 2000, seed=2)
    assert not filecmp.cmp(corpus / names[0], tmp_path / "c" / names[0], shallow=False)
