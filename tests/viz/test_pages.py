"""The web pages and view routes, through the app as served."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from persecution_graph.api.auth import StoredKey, token_hash
from persecution_graph.api.main import create_app
from persecution_graph.graph.store import Graph

from tests.conftest import SMALL

KEYS = [StoredKey("ana", "reader", token_hash("reader-token"))]
HIDDEN = "Some records are hidden from public readers"


def test_search_page_lists_every_spelling(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    page = client.get("/", params={"q": "Mendygaziyev"}).text
    assert '<a href="/entity/barlyk-mendygazyev">Barlyk Mendygazyev</a>' in page
    assert '<a href="/entity/bekizhan-mendygazyev">Bekizhan Mendygazyev</a>' in page


def test_search_and_entity_pages_say_who_a_record_may_be(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    page = client.get("/", params={"q": "Lepesova"}).text
    assert (
        '<a href="/entity/nazira-lepesova">Nazira Lepesova</a><br><span class="muted">may be the same person as '
        '<a href="/entity/nazira-lesova">Nazira Lesova</a></span>'
    ) in page
    entity = client.get("/entity/nazira-lesova").text
    assert (
        '<p class="same">May be the same person as <a href="/entity/nazira-lepesova">Nazira Lepesova</a>: listed'
        in entity
    )
    assert "Kept apart until a curator decides.</p>" in entity


def test_entity_page_marks_inferred_agents_and_acts_not_carried_out(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    iskander = client.get("/entity/iskander-yerimbetov").text
    assert (
        '<a href="/entity/kazakhstan-special-services">Special services of Kazakhstan</a> <em class="muted">(agent '
        "inferred: the same sentence says the special services demanded that he force his sister to return)</em>"
    ) in iskander
    barlyk = client.get("/entity/barlyk-mendygazyev").text
    assert "<td>searched by <em>(authorised only)</em></td>" in barlyk


def test_entity_page_links_every_source_to_its_line(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph, data_folder=str(SMALL)))
    page = client.get("/entity/bekizhan-mendygazyev").text
    assert (
        '<a href="/sources/odf-2021-political-prisoners#L416">Political prisoners and victims of political '
        "persecution in Kazakhstan, line 416</a> <q>Since 3 June 2021, Barlyk&#39;s brother Bekizhan Mendygaziyev has "
        "been kept in a pre-trial detention facility</q>"
    ) in page
    # Every fact carries its citation, ready for a footnote.
    assert (
        '<details class="cite"><summary>Cite</summary><ol><li>Open Dialogue Foundation and others, “Political '
        "prisoners and victims of political persecution in Kazakhstan”, 2 September 2021, line 416: “Since 3 June "
        "2021, Barlyk&#39;s brother Bekizhan Mendygaziyev has been kept in a pre-trial detention facility”.</li>"
    ) in page
    assert '<iframe class="network" src="/views/network/bekizhan-mendygazyev"' in page
    source = client.get("/sources/odf-2021-political-prisoners", params={"q": "Bekizhan"}).text
    assert (
        '<span id="L416"><a class="ln" href="#L416">416</a>Since 3 June 2021, Barlyk&#39;s brother <mark>Bekizhan</mark>'
        in source
    )
    # Each line's citation (shown when the line is opened) and the records that cite it.
    assert (
        '<span class="cite">Open Dialogue Foundation and others, “Political prisoners and victims of political '
        "persecution in Kazakhstan”, 2 September 2021, line 416: “Since 3 June 2021, Barlyk&#39;s brother Bekizhan"
    ) in source
    assert 'Cited by: <a href="/entity/bekizhan-mendygazyev">Bekizhan Mendygazyev</a></span></span>' in source


def test_query_runner_builds_its_form_and_table(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    page = client.get("/queries/co-defendants", params={"id": "rinat-batkayev"}).text
    assert '<input name="id" value="rinat-batkayev"' in page
    assert "<b>2 rows</b>" in page
    assert '<a href="/queries/co-defendants/export/csv?id=rinat-batkayev" download>CSV</a>' in page
    assert '<a href="/queries/co-defendants/export/xlsx?id=rinat-batkayev" download>Spreadsheet (.xlsx)</a>' in page
    assert '<input name="limit"' not in page  # the table pages itself
    assert "co_defendant_id" not in page and "<th" in page
    paged = client.get("/queries/co-defendants", params={"id": "rinat-batkayev", "limit": "1"}).text
    assert "<b>2 rows</b>, 1 on this page" in paged
    assert '<a href="/queries/co-defendants?id=rinat-batkayev&amp;limit=1&amp;offset=1" rel="next">' in paged
    bad = client.get("/queries/ego-network", params={"id": "nsc", "depth": "9"})
    assert bad.status_code == 400
    assert "parameter &#39;depth&#39; must be at most 3, not 9" in bad.text


def test_views_as_snapshot_svg_and_png(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    snapshot = client.get("/views/network/nsc", params={"snapshot": "true"})
    assert snapshot.headers["content-disposition"].startswith('attachment; filename="nsc-20')
    assert client.get("/views/network/nsc", params={"format": "svg"}).headers["content-type"] == "image/svg+xml"
    assert client.get("/views/network/nsc", params={"format": "png"}).content[:4] == b"\x89PNG"
    assert client.get("/views/query/shared-officials").status_code == 200
    assert client.get("/views/network/daughter-of-dilnar-insenova").status_code == 404


def test_home_page_title_counts_and_the_hidden_records_line(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph, keys=KEYS))
    page = client.get("/").text
    assert "<title>persecution-graph</title>" in page
    assert "38 records you can open" in page  # 39 nodes, one restricted
    assert HIDDEN in page
    assert "39 records you can open" in client.get("/", headers={"X-API-Key": "reader-token"}).text
    assert HIDDEN not in client.get("/", headers={"X-API-Key": "reader-token"}).text
    assert (
        "<title>Officials who signed &#34;explanations&#34; - persecution-graph</title>"
        in client.get("/queries/explanation-signers").text
    )


def test_a_table_sorts_filters_and_facets_and_exports_what_it_shows(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph, data_folder=str(SMALL)))
    url = "/queries/relatives-as-hostages"
    page = client.get(url).text
    assert HIDDEN in page
    assert "pressured_id" not in page and "target_id" not in page
    assert '<th title="their name"><a href="?sort=pressured">Relative or associate</a></th>' in page
    assert '<a href="?type=Relative">Relative</a> (3)' in page
    assert '<a href="?year=2021">2021</a> (4) &middot; <a href="?year=2020">2020</a> (1)' in page
    names = lambda html: re.findall(r'<tr><td><a href="/entity/([a-z-]+)">', html)  # noqa: E731
    every = names(page)
    assert len(every) == 7
    by_name = names(client.get(url, params={"sort": "pressured", "order": "desc"}).text)
    assert by_name == sorted(every, reverse=True)
    relatives = client.get(url, params={"type": "Relative"}).text
    assert names(relatives) == ["bekizhan-mendygazyev", "gaini-yerimbetova", "myrzahan-yerimbetov"]
    assert "<b>3 rows</b> of 7 (filtered)" in relatives
    yerimbetovs = ["iskander-yerimbetov", "gaini-yerimbetova", "myrzahan-yerimbetov"]
    assert names(client.get(url, params={"filter": "Yerimbetov"}).text) == yerimbetovs
    none = client.get(url, params={"filter": "Qqqxyzw"}).text
    assert "No row matches this filter." in none
    csv = client.get(url + "/export/csv", params={"type": "Relative"})
    assert csv.headers["content-disposition"] == 'attachment; filename="relatives-as-hostages.csv"'
    lines = csv.text.splitlines()
    assert lines[0] == (
        "Relative or associate,Pressured through them,Tie,Acts against them,Their other acts,Basis,Sources,"
        "Relative or associate (record id),Pressured through them (record id)"
    )
    assert lines[1].startswith("Bekizhan Mendygazyev,Barlyk Mendygazyev,Bekizhan Mendygazyev is the brother of")
    assert "stated: the text says so" in lines[1]
    assert client.get(url + "/export/pdf").status_code == 404


def test_search_page_facets_names_says_how_they_match_and_searches_the_reports(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph, data_folder=str(SMALL)))
    page = client.get("/", params={"q": "Mendygaziev"}).text
    assert "<title>persecution-graph: search “Mendygaziev”</title>" in page
    assert '<a href="/?q=Mendygaziev&amp;type=Relative">Relative</a> (1)' in page
    assert "<td>spelling variant</td>" in page and "Score" not in page
    only = client.get("/", params={"q": "Mendygaziev", "type": "Relative"}).text
    named = only[only.index("<h2>Names</h2>") : only.index("<h2>In the report texts</h2>")]
    assert "Barlyk Mendygazyev</a>" not in named and "Bekizhan Mendygazyev</a>" in named
    nothing = client.get("/", params={"q": "Qqqxyzw"}).text
    assert "No match: no name or alias matches <b>Qqqxyzw</b>." in nothing
    assert "No match: no line of the report texts holds every one of these words." in nothing
    cyrillic = client.get("/search/reports", params={"q": "Көше партиясы"}).text
    assert "39 lines of the reports hold every word" in cyrillic
    assert (
        '<a href="/sources/odf-2021-political-prisoners?q=%D0%9A%D3%A9%D1%88%D0%B5%20%D0%BF%D0%B0%D1%80%D1%82%D0%B8'
        '%D1%8F%D1%81%D1%8B#L198">Political prisoners and victims of political persecution in Kazakhstan, line 198</a>'
    ) in cyrillic
    assert "<mark>Koshe</mark> <mark>Partiyasy</mark>" in cyrillic
    assert "No match: no line of the report texts" in client.get("/search/reports", params={"q": "Qqqxyzw"}).text
