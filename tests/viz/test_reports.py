"""Reports and the notebook API on the fixture graph, with exact expected content."""

from __future__ import annotations

import pytest
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.viz import reports
from persecution_graph.viz.notebook import Notebook

from tests.conftest import SMALL


def test_official_dossier_lists_acts_and_ends_with_a_bibliography(small_graph: Graph) -> None:
    report = reports.official_report(small_graph.view(Scope.PUBLIC), "atyrau-court-of-appeal", str(SMALL))
    markdown = reports.to_markdown(report)
    assert "| Date | Act | To whom | By | Place | Articles | Detail | Sources |" in markdown
    assert (
        "| 2021-07-26 | sentenced by | Natalia Dauletayarova | Atyrau Court of Appeal |  | Art. 262 (Criminal Code of Kazakhstan) | imprisonment seven years | odf-2021-political-prisoners:363 |"
        in markdown
    )
    assert markdown.endswith(
        "## Bibliography\n\n"
        "1. Open Dialogue Foundation and others, “Political prisoners and victims of political persecution in "
        "Kazakhstan”, 2 September 2021. (odf-2021-political-prisoners)\n"
        "   - Open Dialogue Foundation and others, “Political prisoners and victims of political persecution in "
        "Kazakhstan”, 2 September 2021, line 363: “On 17 May 2021, Atyrau Court No. 2 sentenced Natalia Dauletayarova "
        "and Baurzhan Jusupov to five years of restriction of liberty, and Dauletayarova's assistant Rinat Batkayev to "
        "3.5 years of restriction of liberty. They were found guilty of…”.\n"
    )
    page = reports.to_html(report)
    assert "<svg" in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")


def test_an_official_dossier_is_refused_for_a_person_who_is_no_official(small_graph: Graph) -> None:
    with pytest.raises(reports.WrongKind) as refused:
        reports.official_report(small_graph.view(Scope.PUBLIC), "bekizhan-mendygazyev")
    assert str(refused.value) == (
        "Bekizhan Mendygazyev (bekizhan-mendygazyev) is not an official (Person, Relative; no post recorded): "
        "`report person bekizhan-mendygazyev` writes a case file"
    )


def test_official_dossier_of_a_prosecutor_shows_posts_and_explanations(small_graph: Graph) -> None:
    report = reports.official_report(small_graph.view(Scope.PUBLIC), "zh-smatov")
    sections = {s.title: s for s in report.sections}
    assert [r["other"] for r in sections["Positions held"].rows] == ["Prosecutor's Office of Astana"]
    assert [(r["act"], r["subject"]) for r in sections["Acts, in date order"].rows] == [
        ("signed explanation", "'Explanations' of the consequences of the DCK ban")
    ]


def test_person_case_file_shows_relatives_and_their_treatment(small_graph: Graph) -> None:
    report = reports.person_report(small_graph.view(Scope.PUBLIC), "barlyk-mendygazyev")
    treatment = next(s for s in report.sections if s.title == "What was done to them")
    assert [(r["relative"], r["type"], r["date"]) for r in treatment.rows] == [
        ("Baurzhan Jusupov", "CHARGED_UNDER", None),
        ("Baurzhan Jusupov", "SENTENCED_BY", "2021-05-17"),
        ("Baurzhan Jusupov", "SENTENCED_BY", "2021-07-26"),
        ("Natalia Dauletayarova", "CHARGED_UNDER", None),
        ("Natalia Dauletayarova", "SENTENCED_BY", "2021-05-17"),
        ("Natalia Dauletayarova", "SENTENCED_BY", "2021-07-26"),
        ("Bekizhan Mendygazyev", "DETAINED_BY", "2021-06-03"),
        ("Bekizhan Mendygazyev", "INVESTIGATED_BY", "2020-11/2020-12"),
        ("Bekizhan Mendygazyev", "INVESTIGATED_BY", "2020-11/2020-12"),
    ]
    bekizhan = [
        (r["other"], r["attribution"], r["involvement"])
        for r in treatment.rows
        if r["relative"] == "Bekizhan Mendygazyev"
    ]
    assert bekizhan == [
        ("Perpetrator not stated", "not_stated", "carried_out"),
        ("Police of Kazakhstan (agent not named)", "stated", "attempted"),
        ("National Security Committee", "stated", "attempted"),
    ]


def test_a_dossier_counts_what_the_texts_state_and_shows_inferences_apart(small_graph: Graph) -> None:
    report = reports.official_report(small_graph.view(Scope.PUBLIC), "kazakhstan-special-services")
    sections = {s.title: s.rows for s in report.sections}
    assert sections["Acts, in date order"] == []
    assert [
        (r["act"], r["subject"], r["attribution"]) for r in sections["Acts attributed by inference (not counted above)"]
    ] == [
        (
            "ill treated by",
            "Iskander Yerimbetov",
            "inferred: the same sentence says the special services demanded that he force his sister to return",
        )
    ]
    court = reports.official_report(small_graph.view(Scope.PUBLIC), "almaty-court-unnamed")
    assert [r["act"] for r in court.sections[1].rows] == ["searched by (authorised only)"]
    case_file = {
        s.title: s.rows for s in reports.person_report(small_graph.view(Scope.PUBLIC), "iskander-yerimbetov").sections
    }
    assert case_file["Officials and institutions involved"] == []
    assert [(r["other"], r["attribution"]) for r in case_file["Agents attributed by inference"]] == [
        (
            "Special services of Kazakhstan",
            "inferred: the same sentence says the special services demanded that he force his sister to return",
        )
    ]


def test_query_report(small_graph: Graph) -> None:
    report = reports.query_report(small_graph.view(Scope.PUBLIC), "shared-officials", {})
    assert [r["actor_id"] for r in report.sections[0].rows] == ["atyrau-court-no-2", "atyrau-court-of-appeal", "nsc"]
    assert report.picture_svg.startswith("<svg")


def test_notebook_api(small_graph: Graph) -> None:
    pg = Notebook(graph=small_graph)
    assert pg.search("Mendygaziev")[0]["id"] == "barlyk-mendygazyev"
    assert [r["step"] for r in pg.query("path", from_="zh-smatov", to="almaty-police")] == [1, 2, 3, 4, 5]
    network = pg.network("bekizhan-mendygazyev")
    assert sorted(network.nodes) == [
        "barlyk-mendygazyev", "bekizhan-mendygazyev", "kazakhstan-police", "nsc", "perpetrator-not-stated",
    ]  # fmt: skip
    assert network.nodes["nsc"]["labels"] == ["Organization", "SecurityService"]
