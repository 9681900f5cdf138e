"""Random and mutated YAML: the validator always answers with file:line:col problems (or a
valid dataset), never an exception."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from persecution_graph.loaders.validate import validate

from tests.conftest import SMALL

PROBLEM = re.compile(r"^.+\.ya?ml:\d+:\d+: \S.*$")
ORIGINAL = (SMALL / "hostages.yaml").read_text(encoding="utf-8")
YAMLISH = st.sampled_from(list(":-[]{},'\"#&*!|>%@` \n\t") + ["id:", "sources:", "- ", "  ", "2018-13-45", "\x00", "é"])


def _check(folder: Path, text: str) -> None:
    (folder / "mutated.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    result = validate(folder)
    for problem in result.problems:
        assert PROBLEM.match(str(problem)), str(problem)


@st.composite
def mutations(draw: st.DrawFn) -> str:
    text = ORIGINAL
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif kind == "insert":
            text = text[:at] + "".join(draw(st.lists(YAMLISH, min_size=1, max_size=6))) + text[at:]
        else:
            end = min(len(text), at + draw(st.integers(1, 200)))
            text = text[:end] + text[at:end] + text[end:]
    return text


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    if not folder.exists():
        folder.mkdir()
        shutil.copy(SMALL / "sources.yaml", folder)
        shutil.copytree(SMALL / "reports", folder / "reports")
    return folder


@given(text=mutations())
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_mutated_yaml_gives_located_problems(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    _check(_folder(tmp_path_factory.getbasetemp()), text)


@given(text=st.lists(st.one_of(YAMLISH, st.characters()), max_size=120).map("".join))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_random_text_gives_located_problems(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    _check(_folder(tmp_path_factory.getbasetemp()), text)
