"""The validator reports every problem at once, with file:line:col, in words a curator acts on."""

from __future__ import annotations

from pathlib import Path

from persecution_graph.loaders.validate import validate

FIXTURES = Path(__file__).parents[1] / "fixtures"
BAD = FIXTURES / "bad"
R000 = "reports/000_3266f68526fdf53d.txt"

EXPECTED = [
    f"{BAD}/acts.yaml:4:9: DETAINED_BY 'to': no record with id 'almaty-polce' (did you mean 'almaty-police'?)",
    f"{BAD}/acts.yaml:5:11: 'date': '2018-13' is not a real date",
    f"{BAD}/acts.yaml:6:15: line 9999 is past the end of {R000} (602 lines)",
    f"{BAD}/acts.yaml:7:11: unknown edge type 'DETAINED_BYY' (did you mean 'DETAINED_BY'?)",
    f"{BAD}/acts.yaml:13:15: unknown source 'odf-2018' (did you mean 'odf-2018-dck-ban'?)",
    f"{BAD}/acts.yaml:19:24: 'name' must be text, not a list",
    f"{BAD}/acts.yaml:19:38: 'kind': unknown value 'Polise' (did you mean 'Police'?); expected one of: "
    "Court, ProsecutorOffice, Police, SecurityService, Ministry, DetentionFacility, Hospital, "
    "Movement, NGO, Company, Media, Akimat, Party, Government, InternationalBody, Investigator",
    f"{BAD}/acts.yaml:19:56: source reference 'odf-2018-dck-ban' needs a locator: write "
    "'source-id:LINE' or a mapping with line, page or quote",
    f"{BAD}/people.yaml:2:5: missing required key 'name' for a Person",
    f"{BAD}/people.yaml:3:5: unknown key 'nmae' for a Person (did you mean 'name'?)",
    f"{BAD}/people.yaml:4:23: 'roles': unknown value 'Hero'; expected one of: Activist, Official, "
    "Journalist, Blogger, HumanRightsDefender, Relative, Lawyer, Politician, Businessperson, "
    "Exile, Doctor, Witness",
    f"{BAD}/people.yaml:6:5: duplicate id 'dilnar-insenova': already a Person at {BAD}/people.yaml:2:5",
    f"{BAD}/people.yaml:8:17: 'birth_date': '2018-02-30' is not a real date",
    f"{BAD}/people.yaml:10:9: quote not found near line 114 of {R000}: 'policemen hugged Dilnar Insenova'",
    f"{BAD}/people.yaml:13:5: missing 'sources': a Person needs at least one source reference with a locator",
    f"{BAD}/people.yaml:15:5: persons 'askar-shaygumarov' and 'askar-shaigumarov' have colliding names "
    "('askar shaigumarov'); if they are one person, use one id; if not, add distinct_from: [askar-shaygumarov]",
]


def test_every_mistake_in_two_files_is_reported_with_its_place() -> None:
    result = validate(BAD)
    assert [str(p) for p in result.problems] == EXPECTED
    assert not result.ok


def test_yaml_syntax_error_is_a_located_problem(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("persons:\n  - id: a\n    name: [unclosed\n")
    problems = [str(p) for p in validate(tmp_path).problems]
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path}/broken.yaml:4:1: YAML syntax:")


def test_unknown_section_suggests_the_right_one(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("person:\n  - id: a\n")
    assert [str(p) for p in validate(tmp_path).problems] == [
        f"{tmp_path}/a.yaml:1:1: unknown section 'person' (did you mean 'persons'?); expected one of: "
        "persons, organizations, events, articles, places, sources, discrepancies, edges, assertions"
    ]


def test_same_person_in_two_files_merges_names_and_sources(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("sources:\n  - {id: s1, title: One}\n  - {id: s2, title: Two}\n")
    (tmp_path / "a.yaml").write_text(
        "persons:\n  - {id: p, name: Barlyk Mendygazyev, " "sources: [{source: s1, page: '3'}]}\n"
    )
    (tmp_path / "b.yaml").write_text(
        "persons:\n  - {id: p, name: Barlyk Mendygaziyev, " "roles: [Exile], sources: [{source: s2, page: '9'}]}\n"
    )
    result = validate(tmp_path)
    assert result.problems == []
    person = result.dataset.nodes["p"]
    assert person.labels == ["Person", "Exile"]
    assert person.properties["name"] == "Barlyk Mendygazyev"
    assert person.properties["aliases"] == ["Barlyk Mendygaziyev"]
    assert person.properties["sources"] == [{"source": "s1", "page": "3"}, {"source": "s2", "page": "9"}]


def test_same_id_with_no_name_in_common_is_a_duplicate(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("sources:\n  - {id: s1, title: One}\n")
    (tmp_path / "a.yaml").write_text("persons:\n  - {id: p, name: Aset Abishev, sources: [{source: s1, page: '1'}]}\n")
    (tmp_path / "b.yaml").write_text(
        "persons:\n  - {id: p, name: Kenzhebek Abishev, sources: [{source: s1, page: '1'}]}\n"
    )
    assert [str(p) for p in validate(tmp_path).problems] == [
        f"{tmp_path}/b.yaml:2:5: duplicate id 'p': already a Person at {tmp_path}/a.yaml:2:5 "
        "with no name or alias in common"
    ]


def test_assertions_fail_loudly_when_curation_is_lost(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "assertions:\n  min: {Person: 1, Source: 1}\n" "sources:\n  - {id: s1, title: One}\n"
    )
    assert [str(p) for p in validate(tmp_path).problems] == [
        f"{tmp_path}/s.yaml:2:9: assertion failed: at least 1 Person expected, found 0"
    ]


def test_small_fixture_is_valid_and_complete() -> None:
    result = validate(FIXTURES / "small")
    assert result.problems == []
    assert (len(result.dataset.nodes), len(result.dataset.edges)) == (35, 37)
