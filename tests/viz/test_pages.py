"""The web pages and view routes, through the app as served."""

from __future__ import annotations

from fastapi.testclient import TestClient
from persecution_graph.api.main import create_app
from persecution_graph.graph.store import Graph

from tests.conftest import SMALL


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
    assert '<a href="/sources/odf-2021-political-prisoners#L416">odf-2021-political-prisoners:416</a>' in page
    assert '<iframe class="network" src="/views/network/bekizhan-mendygazyev"' in page
    source = client.get("/sources/odf-2021-political-prisoners").text
    assert '<span id="L416"><a class="ln" href="#L416">416</a>Since 3 June 2021' in source


def test_query_runner_builds_its_form_and_table(small_graph: Graph) -> None:
    client = TestClient(create_app(small_graph))
    page = client.get("/queries/co-defendants", params={"id": "rinat-batkayev"}).text
    assert '<input name="id" value="rinat-batkayev"' in page
    assert "2 rows" in page
    assert 'href="/api/queries/co-defendants?id=rinat-batkayev&amp;format=csv"' in page
    assert '<input name="limit" value="100"' in page  # long answers come a page at a time
    paged = client.get("/queries/co-defendants", params={"id": "rinat-batkayev", "limit": "1"}).text
    assert "1 rows (a page: " in paged
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
