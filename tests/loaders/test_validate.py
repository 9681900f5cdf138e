"""The validator reports every problem at once, with file:line:col, in words a curator acts on."""

from __future__ import annotations

from pathlib import Path

from persecution_graph.loaders.validate import validate

FIXTURES = Path(__file__).parents[1] / "fixtures"
BAD = FIXTURES / "bad"
R000 = "reports/000_3266f68526fdf53d.txt"
STANDS_IN = (
    "'kazakhstan-police' stands in for an agent the text does not name: say 'attribution: stated' (with a quote "
    "naming it, e.g. 'the police') or 'attribution: inferred' (with attribution_note), or point the act at "
    "'perpetrator-not-stated'"
)

EXPECTED = [
    f"{BAD}/acts.yaml:4:9: DETAINED_BY 'to': no record with id 'almaty-polce' (did you mean 'almaty-police'?)",
    f"{BAD}/acts.yaml:5:11: 'date': '2018-13' is not a real date",
    f"{BAD}/acts.yaml:6:15: line 9999 is past the end of {R000} (602 lines)",
    f"{BAD}/acts.yaml:7:11: unknown edge type 'DETAINED_BYY' (did you mean 'DETAINED_BY'?)",
    f"{BAD}/acts.yaml:13:15: unknown source 'odf-2018' (did you mean 'odf-2018-dck-ban'?)",
    f"{BAD}/acts.yaml:19:24: 'name' must be text, not a list",
    f"{BAD}/acts.yaml:19:38: 'kind': unknown value 'Polise' (did you mean 'Police'?); expected one of: "
    "Court, ProsecutorOffice, Police, SecurityService, Ministry, DetentionFacility, Hospital, "
    "Movement, NGO, Company, Media, Akimat, Party, Government, InternationalBody, Investigator, NotStated",
    f"{BAD}/acts.yaml:19:56: source reference 'odf-2018-dck-ban' needs a locator: write "
    "'source-id:LINE' or a mapping with line, page or quote",
    f"{BAD}/attribution.yaml:12:54: kind 'NotStated' is kept for the model's 'perpetrator-not-stated': point acts "
    "whose text names no agent at it instead of defining another",
    f"{BAD}/attribution.yaml:13:5: 'perpetrator-not-stated' is provided by the model (graph/model.yaml, builtin_nodes): "
    "do not define it; point acts whose text names no agent at it",
    f"{BAD}/attribution.yaml:24:50: {STANDS_IN}",
    f"{BAD}/attribution.yaml:26:88: a stated act on the stand-in 'kazakhstan-police' needs a quote with the words of "
    "the text that name the agent ('policemen threatened ...', 'by the court')",
    f"{BAD}/attribution.yaml:31:18: no quote of this stated act names the agent: none has a word of the stand-in "
    "'kazakhstan-police' ('police'); quote the words of the text that name it (if the text names it otherwise, add "
    "them to its aliases), or say 'attribution: inferred', or point the act at 'perpetrator-not-stated'",
    f"{BAD}/attribution.yaml:43:18: the stand-in 'almaty-unnamed' has no word in its name or aliases that names a kind "
    "of agent (places and persons do not): add the text's wording as an alias, e.g. 'the police'",
    f"{BAD}/attribution.yaml:46:77: attribution 'inferred' needs an 'attribution_note' saying what it is inferred from",
    f"{BAD}/attribution.yaml:51:23: an 'attribution_note' without 'attribution': say 'attribution: inferred' if the "
    "agent is inferred (the act would otherwise count as stated), or leave out the note",
    f"{BAD}/attribution.yaml:54:68: attribution 'not_stated': point the act at 'perpetrator-not-stated' instead",
    f"{BAD}/attribution.yaml:56:87: an act on 'perpetrator-not-stated' has attribution 'not_stated' (the default "
    "there), not 'stated': point 'to' at the agent the text names or the note infers",
    f"{BAD}/attribution.yaml:58:49: 'perpetrator-not-stated' stands for the agent a text does not name: only an act's "
    "agent may point at it; a HOLDS_POSITION edge names no agent",
    f"{BAD}/attribution.yaml:59:53: 'perpetrator-not-stated' stands for the agent a text does not name: only an act's "
    "agent may point at it; the 'from' of a SIGNED_EXPLANATION edge, not its 'to'",
    f"{BAD}/attribution.yaml:61:78: a CHARGED_UNDER edge names no agent (its 'to' is not who did it): leave out "
    "'attribution' and 'attribution_note'",
    f"{BAD}/attribution.yaml:63:57: POSSIBLY_SAME_AS links the Person 'kayrat-ismailov' to the Organization 'nsc': "
    "only two records of one type may be one",
    f"{BAD}/attribution.yaml:64:57: POSSIBLY_SAME_AS links 'kayrat-ismailov' to itself",
    f"{BAD}/attribution.yaml:67:5: 'kayrat-ismailov' has a second status on the list 'explanations-list' ('released'; "
    "'prosecuted' before): one person, one status on one list; if the text gives two, record both in a "
    "discrepancies entry about 'kayrat-ismailov'",
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
    f"{BAD}/stand_ins.yaml:3:90: 'prosecutors-office' is marked 'unnamed' here but not at {BAD}/attribution.yaml:14:5, "
    "and acts read in between were checked as acts of a named agent: mark it 'unnamed: true' in every record of it",
]


def test_every_mistake_in_five_files_is_reported_with_its_place() -> None:
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
    assert (len(result.dataset.nodes), len(result.dataset.edges)) == (39, 42)


# -- who did it: attribution, involvement, possible duplicates ------------------------------

FACTS = (
    "sources:\n  - {id: s1, title: One}\n  - {id: s2, title: Two}\n"
    "persons:\n  - {id: p, name: Aset Abishev, sources: ['s1:1']}\n  - {id: q, name: Asset Abishev, "
    "distinct_from: [p], sources: ['s2:1']}\n"
    "organizations:\n  - {id: police, name: Police of Almaty, kind: Police, unnamed: true, sources: ['s1:1']}\n"
    "  - {id: nsc, name: National Security Committee, kind: SecurityService, sources: ['s1:1']}\n"
    "articles:\n  - {id: art, code: Criminal Code, article: '405', sources: ['s1:1']}\n"
)


def _edges(tmp_path: Path, *files: str) -> list[tuple[tuple[str, str, str], dict]]:
    (tmp_path / "0.yaml").write_text(FACTS)
    for number, text in enumerate(files, 1):
        (tmp_path / f"{number}.yaml").write_text(text)
    result = validate(tmp_path)
    assert [str(p) for p in result.problems] == []
    return [((e.type, e.source, e.target), e.properties) for e in result.dataset.edges]


def test_every_act_says_who_did_it_and_how_far_it_went(tmp_path: Path) -> None:
    edges = _edges(
        tmp_path,
        "edges:\n"
        "  - {type: DETAINED_BY, from: p, to: perpetrator-not-stated, sources: ['s1:1']}\n"
        "  - {type: SEARCHED_BY, from: p, to: nsc, involvement: authorised, sources: ['s1:1']}\n"
        "  - {type: CHARGED_UNDER, from: p, to: art, sources: ['s1:1']}\n"
        "  - {type: RELATED_TO, from: p, to: q, relation: brother, sources: ['s1:1']}\n"
        "  - {type: RELEASED_BY, from: p, to: perpetrator-not-stated, sources: ['s1:1']}\n",
    )
    assert [(key, props.get("attribution"), props.get("involvement")) for key, props in edges] == [
        (("DETAINED_BY", "p", "perpetrator-not-stated"), "not_stated", "carried_out"),
        (("SEARCHED_BY", "p", "nsc"), "stated", "authorised"),
        (("CHARGED_UNDER", "p", "art"), None, "carried_out"),
        (("RELATED_TO", "p", "q"), None, None),
        (("RELEASED_BY", "p", "perpetrator-not-stated"), None, None),  # "was released": by no one named
    ]


def test_one_act_told_stated_and_inferred_is_stated_and_keeps_what_each_says(tmp_path: Path) -> None:
    stated = "edges:\n  - {type: DETAINED_BY, from: p, to: nsc, date: '2020-01-02', sources: ['s1:1']}\n"
    inferred = (
        "edges:\n  - {type: DETAINED_BY, from: p, to: nsc, date: '2020-01-02', attribution: inferred,\n"
        "     attribution_note: the NSC is named in the sentence before, sources: ['s2:1']}\n"
    )
    for order in ((inferred, stated), (stated, inferred)):
        [(_, act)] = _edges(tmp_path, *order)
        assert act["attribution"] == "stated"
        assert act["attribution_note"] == "Inferred where told by s2:1: the NSC is named in the sentence before"
        assert sorted(ref["source"] for ref in act["sources"]) == ["s1", "s2"]


def test_carried_out_said_or_not_is_one_act_and_authorised_is_another(tmp_path: Path) -> None:
    edges = _edges(
        tmp_path,
        "edges:\n  - {type: SEARCHED_BY, from: p, to: nsc, sources: ['s1:1']}\n"
        "  - {type: SEARCHED_BY, from: p, to: nsc, involvement: carried_out, sources: ['s2:1']}\n",
        "edges:\n  - {type: SEARCHED_BY, from: p, to: nsc, involvement: authorised, sources: ['s2:1']}\n",
    )
    assert [(props["involvement"], props["sources"]) for _, props in edges] == [
        ("carried_out", [{"source": "s1", "line": "1"}, {"source": "s2", "line": "1"}]),
        ("authorised", [{"source": "s2", "line": "1"}]),
    ]


def test_possibly_the_same_either_way_and_for_two_reasons_is_one_fact(tmp_path: Path) -> None:
    edges = _edges(
        tmp_path,
        "edges:\n  - {type: POSSIBLY_SAME_AS, from: q, to: p, reason: one letter apart, sources: ['s1:1']}\n",
        "edges:\n  - {type: POSSIBLY_SAME_AS, from: p, to: q, reason: the same town, sources: ['s2:1']}\n",
    )
    assert [(key, props["reason"], [ref["source"] for ref in props["sources"]]) for key, props in edges] == [
        (("POSSIBLY_SAME_AS", "p", "q"), "one letter apart\n\nthe same town", ["s1", "s2"])
    ]


def test_a_stated_stand_in_needs_the_words_naming_it_not_its_place(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "r.txt").write_text("In Almaty, policemen detained P.\nP was detained in Almaty.\n")
    (tmp_path / "0.yaml").write_text(
        "sources:\n  - {id: r, title: R, file: reports/r.txt}\n"
        "places:\n  - {id: almaty, name: Almaty, sources: ['r:1']}\n"
        "persons:\n  - {id: p, name: P, sources: ['r:1']}\n"
        "organizations:\n  - {id: police, name: Police of Almaty, kind: Police, place: almaty, unnamed: true,\n"
        "     sources: ['r:1']}\n"
        "edges:\n"
        "  - {type: DETAINED_BY, from: p, to: police, attribution: stated, sources: [{source: r, line: 1, quote: "
        "'policemen detained P'}]}\n"
        "  - {type: HARASSED_BY, from: p, to: police, attribution: stated, sources: [{source: r, line: 2, quote: "
        "'detained in Almaty'}]}\n"
    )
    assert [str(p) for p in validate(tmp_path).problems] == [
        f"{tmp_path}/0.yaml:12:59: no quote of this stated act names the agent: none has a word of the stand-in "
        "'police' ('police'); quote the words of the text that name it (if the text names it otherwise, add them "
        "to its aliases), or say 'attribution: inferred', or point the act at 'perpetrator-not-stated'"
    ]


def test_two_statuses_on_one_list_stand_with_a_discrepancy_about_the_person(tmp_path: Path) -> None:
    lists = (
        "events:\n  - {id: list, name: A list, kind: status_list, sources: ['s1:1']}\n"
        "edges:\n  - {type: LISTED_IN, from: p, to: list, category: a, status: prison, sources: ['s1:1']}\n"
        "  - {type: LISTED_IN, from: p, to: list, category: b, status: released, sources: ['s2:1']}\n"
        "  - {type: LISTED_IN, from: q, to: list, category: a, sources: ['s1:1']}\n"
        "  - {type: LISTED_IN, from: q, to: list, category: b, sources: ['s2:1']}\n"
    )
    discrepancy = (
        "discrepancies:\n  - {id: d, name: Two statuses, about: [p], sources: ['s1:1'], claims: [{says: prison, "
        "sources: ['s1:1']}, {says: released, sources: ['s2:1']}]}\n"
    )
    assert [(key, props.get("status")) for key, props in _edges(tmp_path, lists, discrepancy)] == [
        (("LISTED_IN", "p", "list"), "prison"),
        (("LISTED_IN", "p", "list"), "released"),
        (("LISTED_IN", "q", "list"), None),
        (("LISTED_IN", "q", "list"), None),
        (("CONCERNS", "d", "p"), None),
    ]


def test_a_record_public_readers_see_names_no_restricted_record(tmp_path: Path) -> None:
    # The property would keep the restricted record's id (a slug of its name) in every answer.
    (tmp_path / "s.yaml").write_text("sources:\n  - {id: s1, title: One}\n")
    (tmp_path / "a.yaml").write_text(
        "persons:\n"
        "  - {id: p, name: Aset Abishev, sources: ['s1:1']}\n"
        "  - {id: q, name: Kenzhebek Abishev, sensitivity: restricted, sources: ['s1:1']}\n"
        "organizations:\n"
        "  - {id: nsc, name: National Security Committee, kind: SecurityService, place: town, sources: ['s1:1']}\n"
        "  - {id: camp, name: Camp, kind: DetentionFacility, place: town, sensitivity: restricted, sources: ['s1:1']}\n"
        "places:\n"
        "  - {id: town, name: Town, kind: city, sensitivity: restricted, sources: ['s1:1']}\n"
        "edges:\n"
        "  - {type: DETAINED_BY, from: p, to: nsc, pressure_on: q, sources: ['s1:1']}\n"
        "  - {type: DETAINED_BY, from: p, to: nsc, pressure_on: q, sensitivity: restricted, date: '2020',"
        " sources: ['s1:1']}\n"
        "  - {type: THREATENED_BY, from: q, to: nsc, place: town, sources: ['s1:1']}\n"
    )
    # A restricted record, or an act with a restricted end (hidden with it), may name them.
    assert [str(p) for p in validate(tmp_path).problems] == [
        f"{tmp_path}/a.yaml:5:80: 'place': 'town' is restricted and this record is not: public readers would see "
        "its id; mark this record 'sensitivity: restricted' too",
        f"{tmp_path}/a.yaml:10:56: 'pressure_on': 'q' is restricted and this record is not: public readers would "
        "see its id; mark this record 'sensitivity: restricted' too",
    ]
