"""Named queries and search on the small fixture graph, answers written out exactly."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from persecution_graph.graph.errors import NotFound, QueryError
from persecution_graph.graph.records import Dataset, Edge
from persecution_graph.graph.scope import Scope, scope_of
from persecution_graph.graph.store import Graph
from persecution_graph.queries.catalogue import load_catalogue
from persecution_graph.queries.search import search


def test_explanation_signers(small_graph: Graph) -> None:
    rows = load_catalogue()["explanation-signers"].run(small_graph.view(Scope.FULL), {})
    assert [(r["official"], r["position"], r["institution"], r["place"], r["warned"]) for r in rows] == [
        (
            "D. Shuykebayev",
            "prosecutor of Almaty",
            "Prosecutor's Office of Almaty",
            "Almaty",
            ["'Explanations' of the consequences of the DCK ban"],
        ),
        (
            "Zh. Smatov",
            "prosecutor of the city of Astana",
            "Prosecutor's Office of Astana",
            "Astana",
            ["'Explanations' of the consequences of the DCK ban"],
        ),
    ]
    assert rows[1]["sources"] == [
        {
            "line": "129",
            "quote": "the prosecutor of the city of Astana, Zh. Smatov",
            "source": "odf-2018-dck-ban",
        },
        {"line": "128-129", "source": "odf-2018-dck-ban"},
    ]


def test_relations_hide_restricted_records_from_the_public(small_graph: Graph) -> None:
    query = load_catalogue()["relations"]
    full = query.run(small_graph.view(Scope.FULL), {"id": "dilnar-insenova"})
    public = query.run(small_graph.view(Scope.PUBLIC), {"id": "dilnar-insenova"})
    assert [(r["direction"], r["type"], r["other_id"], r["detail"]) for r in full] == [
        ("in", "RELATED_TO", "daughter-of-dilnar-insenova", "daughter"),
        ("out", "THREATENED_BY", "almaty-police", None),
    ]
    assert [r["other_id"] for r in public] == ["almaty-police"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "query 'relations' needs parameter 'id': id of the entity (find it with the search)"),
        ({"id": "x", "depth": "2"}, "unknown parameter 'depth' for query 'relations' (parameters: id, limit, offset)"),
    ],
)
def test_bad_parameters_are_refused_with_a_sentence(small_graph: Graph, params: dict, message: str) -> None:
    with pytest.raises(QueryError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        load_catalogue()["relations"].run(small_graph.view(Scope.FULL), params)


@pytest.mark.parametrize(
    ("text", "first_id"),
    [
        ("Shuikebaev", "d-shuykebayev"),
        ("insenova", "dilnar-insenova"),
        ("Democratic Choice", "dck"),
        ("Nur-Sultan", "astana"),
    ],
)
def test_search_finds_any_spelling(small_graph: Graph, text: str, first_id: str) -> None:
    assert search(small_graph.view(Scope.FULL), text)[0]["id"] == first_id


def test_public_search_never_returns_restricted_people(small_graph: Graph) -> None:
    assert [h["id"] for h in search(small_graph.view(Scope.PUBLIC), "daughter")] == []
    assert [h["id"] for h in search(small_graph.view(Scope.FULL), "daughter")] == ["daughter-of-dilnar-insenova"]


def _run(graph: Graph, name: str, columns: tuple[str, ...], public: bool = False, **params: str) -> list:
    rows = load_catalogue()[name].run(graph.view(scope_of(public)), params)
    for row in rows:
        assert row["sources"], f"{name}: a row without sources: {row}"
    return [tuple(row[c] for c in columns) for row in rows]


def test_every_query_is_declared_completely() -> None:
    catalogue = load_catalogue()
    assert sorted(catalogue) == [
        "brokers", "centrality", "charges-by-article", "co-defendants", "communities",
        "discrepancies", "ego-network", "explanation-signers", "official-footprint", "path",
        "political-prisoners", "possible-duplicates", "relations", "relatives-as-hostages", "shared-officials",
        "timeline",
    ]  # fmt: skip
    programmer_words = re.compile(r"`|\b[a-z]+_[a-z_]+\b|\b[A-Z]+_[A-Z_]+\b")
    for query in catalogue.values():
        assert "sources" in query.column_names, query.name
        assert not programmer_words.search(query.description + query.reading), query.name
        for column in query.columns:
            assert set(column) <= {"name", "description", "entity", "label", "link", "hidden", "values"}, column
            # A table shows every column under a label in words, or leaves it out; an id column
            # is a link from the name column that names it.
            shown = not column.get("hidden") and not any(c.get("link") == column["name"] for c in query.columns)
            assert not shown or (column.get("label") and not programmer_words.search(column["label"])), column
            if column.get("link"):
                assert column["link"] in query.entity_columns, column


def test_relatives_as_hostages_explicit_first(small_graph: Graph) -> None:
    columns = ("pressured_id", "target_id", "tie", "acts", "other_acts", "basis")
    kss_case = (
        ["sentenced by Atyrau Court No. 2 (2021-05-17)"],
        ["sentenced by Atyrau Court of Appeal (2021-07-26)", "charged under Art. 262 (Criminal Code of Kazakhstan)"],
    )
    assert _run(small_graph, "relatives-as-hostages", columns) == [
        (
            "baurzhan-jusupov",
            "barlyk-mendygazyev",
            "Baurzhan Jusupov, associate of Barlyk Mendygazyev: director of KSS, the company he founded",
            *kss_case,
            "explicit",
        ),
        (
            "bekizhan-mendygazyev",
            "barlyk-mendygazyev",
            "Bekizhan Mendygazyev is the brother of Barlyk Mendygazyev",
            [
                "investigated by Police of Kazakhstan (agent not named) (attempted only) (2020-11/2020-12)",
                "investigated by National Security Committee (attempted only) (2020-11/2020-12)",
                "detained, perpetrator not stated (2021-06-03)",
            ],
            [],
            "explicit",
        ),
        (
            "natalia-dauletayarova",
            "barlyk-mendygazyev",
            "Natalia Dauletayarova, associate of Barlyk Mendygazyev: manager of a contractor company of KSS",
            *kss_case,
            "explicit",
        ),
        ("rinat-batkayev", "barlyk-mendygazyev", None, *kss_case, "explicit"),
        (
            "iskander-yerimbetov",
            "bota-jardemalie",
            "Iskander Yerimbetov is the brother of Bota Jardemalie",
            ["ill treated by Special services of Kazakhstan (agent inferred)"],
            [],
            "explicit",
        ),
        (
            "gaini-yerimbetova",
            "iskander-yerimbetov",
            "Gaini Yerimbetova is the parent of Iskander Yerimbetov",
            ["sentenced by A court (not named in the source)"],
            [],
            "inferred",
        ),
        (
            "myrzahan-yerimbetov",
            "iskander-yerimbetov",
            "Myrzahan Yerimbetov is the parent of Iskander Yerimbetov",
            ["sentenced by A court (not named in the source)"],
            [],
            "inferred",
        ),
    ]


def test_hostage_rows_carry_the_sentence_that_states_the_pressure(small_graph: Graph) -> None:
    rows = load_catalogue()["relatives-as-hostages"].run(small_graph.view(Scope.FULL), {})
    bekizhan = next(r for r in rows if r["pressured_id"] == "bekizhan-mendygazyev")
    assert {
        "line": "361",
        "quote": "They have been taken hostage",
        "source": "odf-2021-political-prisoners",
    } in (bekizhan["sources"])


def test_official_footprint_of_a_court_and_of_an_official(small_graph: Graph) -> None:
    columns = ("act", "actor_id", "subject_id", "date", "detail")
    assert _run(small_graph, "official-footprint", columns, id="atyrau-court-of-appeal") == [
        (
            "sentenced by",
            "atyrau-court-of-appeal",
            "baurzhan-jusupov",
            "2021-07-26",
            "imprisonment 5.5 years",
        ),
        (
            "sentenced by",
            "atyrau-court-of-appeal",
            "natalia-dauletayarova",
            "2021-07-26",
            "imprisonment seven years",
        ),
        ("sentenced by", "atyrau-court-of-appeal", "rinat-batkayev", "2021-07-26", "imprisonment five years"),
    ]
    assert _run(small_graph, "official-footprint", columns, id="astana-prosecutors-office") == [
        (
            "holds position",
            "zh-smatov",
            "astana-prosecutors-office",
            None,
            "prosecutor of the city of Astana",
        ),
        ("signed explanation", "zh-smatov", "explanations-2018", None, None),
    ]
    rows = load_catalogue()["official-footprint"].run(small_graph.view(Scope.FULL), {"id": "atyrau-court-of-appeal"})
    assert rows[0]["articles"] == ["Art. 262 (Criminal Code of Kazakhstan)"]


def test_official_footprint_lists_only_what_the_entity_is_named_as_doing(small_graph: Graph) -> None:
    columns = ("act", "actor_id", "subject_id")
    # An explanation is the act of the official who signed it, not of the campaign it was part
    # of (the campaign is where the act points: no agent of anything).
    assert _run(small_graph, "official-footprint", columns, id="explanations-2018") == []
    assert _run(small_graph, "official-footprint", columns, id="zh-smatov") == [
        ("holds position", "zh-smatov", "astana-prosecutors-office"),
        ("signed explanation", "zh-smatov", "explanations-2018"),
    ]
    # Charges point at an article, which charged no one.
    assert _run(small_graph, "official-footprint", columns, id="kz-cc-262") == []


def test_official_footprint_names_a_place_only_to_who_may_see_it(graph: Graph, small_dataset: Dataset) -> None:
    dataset = copy.deepcopy(small_dataset)
    dataset.nodes["almaty"].properties["sensitivity"] = "restricted"
    graph.replace(dataset)  # written without validation, which refuses what follows
    columns = ("act", "subject_id", "place")
    assert _run(graph, "official-footprint", columns, id="almaty-police") == [
        ("threatened by", "dilnar-insenova", dataset.nodes["almaty"].properties["name"])
    ]
    # The police (`place: almaty`) and the threat (made at almaty) name the restricted place:
    # the writer hides both from public readers, or they would show its id.
    with pytest.raises(NotFound):
        _run(graph, "official-footprint", columns, public=True, id="almaty-police")
    assert _run(graph, "relations", ("type", "other_id"), public=True, id="dilnar-insenova") == []
    assert _run(graph, "relations", ("type", "other_id"), id="dilnar-insenova") == [
        ("RELATED_TO", "daughter-of-dilnar-insenova"),
        ("THREATENED_BY", "almaty-police"),
    ]


@pytest.mark.parametrize(
    ("page", "subjects"),
    [
        ({}, ["baurzhan-jusupov", "natalia-dauletayarova", "rinat-batkayev"]),
        ({"limit": "0"}, ["baurzhan-jusupov", "natalia-dauletayarova", "rinat-batkayev"]),
        ({"limit": "2"}, ["baurzhan-jusupov", "natalia-dauletayarova"]),
        ({"limit": "2", "offset": "2"}, ["rinat-batkayev"]),
        ({"offset": "1"}, ["natalia-dauletayarova", "rinat-batkayev"]),
        ({"limit": "2", "offset": "3"}, []),
    ],
)
def test_official_footprint_comes_a_page_at_a_time(small_graph: Graph, page: dict, subjects: list[str]) -> None:
    query = load_catalogue()["official-footprint"]
    rows = query.run(small_graph.view(Scope.FULL), {"id": "atyrau-court-of-appeal", **page})
    assert [row["subject_id"] for row in rows] == subjects
    assert rows == [] or rows[0]["articles"] == ["Art. 262 (Criminal Code of Kazakhstan)"]


@pytest.mark.parametrize(
    ("given", "following"),
    [
        ({"id": "x", "limit": "2"}, {"id": "x", "limit": "2", "offset": "2"}),
        ({"id": "x", "limit": "2", "offset": "4"}, {"id": "x", "limit": "2", "offset": "6"}),
        ({"id": "x", "limit": "3"}, None),  # two rows: the page was not full
        ({"id": "x"}, None),  # every row
    ],
)
def test_the_next_page_follows_a_full_one(given: dict, following: dict | None) -> None:
    assert load_catalogue()["timeline"].next_page(given, [{}, {}]) == following


def test_a_page_of_a_whole_graph_answer_is_cut_from_the_answer_kept(small_graph: Graph) -> None:
    query = load_catalogue()["shared-officials"]
    everything = query.run(small_graph.view(Scope.FULL), {})
    assert len(everything) == 3
    assert query.run(small_graph.view(Scope.FULL), {"limit": "2", "offset": "1"}) == everything[1:3]
    assert query.run(small_graph.view(Scope.FULL), {"limit": "2", "offset": "3"}) == []
    assert query.next_page({"limit": "2"}, everything[:2]) == {"limit": "2", "offset": "2"}


def test_a_page_is_at_most_ten_thousand_rows(small_graph: Graph) -> None:
    with pytest.raises(QueryError, match="^parameter 'limit' must be at most 10000, not 10001$"):
        load_catalogue()["relations"].run(small_graph.view(Scope.FULL), {"id": "dck", "limit": "10001"})


def test_shared_officials_leave_out_unnamed_agents_and_count_stated_acts(small_graph: Graph) -> None:
    stated = [
        ("atyrau-court-no-2", ["Court"], 3, 3, "stated"),
        ("atyrau-court-of-appeal", ["Court"], 3, 3, "stated"),
        ("nsc", ["SecurityService"], 2, 2, "stated"),
    ]
    columns = ("actor_id", "kind", "victims", "acts", "attribution")
    assert _run(small_graph, "shared-officials", columns) == stated
    # The police stand-in (almaty-police) and the inferred torturer are left out...
    assert _run(small_graph, "shared-officials", columns, min_victims="1") == stated
    # ...and the inferred act comes on a row of its own, after the stated ones, when asked for.
    assert _run(small_graph, "shared-officials", columns, min_victims="1", include_inferred="true") == [
        *stated,
        ("kazakhstan-special-services", ["SecurityService"], 1, 1, "inferred"),
    ]


def test_shared_officials_count_who_signed_an_explanation_not_who_received_it(
    graph: Graph, small_dataset: Dataset
) -> None:
    # Two officials each sign an explanation handed to one activist: the agent of
    # SIGNED_EXPLANATION is its source (graph/model.yaml), so the officials count, once each,
    # and the activist, who received both, is no one's agent.
    dataset = copy.deepcopy(small_dataset)
    signed = next(edge for edge in dataset.edges if edge.type == "SIGNED_EXPLANATION")
    for number, official in enumerate(("zh-smatov", "d-shuykebayev")):
        properties = {**copy.deepcopy(signed.properties), "id": f"explanation-to-insenova-{number}"}
        dataset.edges.append(Edge("SIGNED_EXPLANATION", official, "dilnar-insenova", properties))
    graph.replace(dataset)
    columns = ("actor_id", "kind", "victims", "acts", "names")
    stated = [
        ("atyrau-court-no-2", ["Court"], 3, 3, ["Baurzhan Jusupov", "Natalia Dauletayarova", "Rinat Batkayev"]),
        ("atyrau-court-of-appeal", ["Court"], 3, 3, ["Baurzhan Jusupov", "Natalia Dauletayarova", "Rinat Batkayev"]),
        ("nsc", ["SecurityService"], 2, 2, ["Barlyk Mendygazyev", "Bekizhan Mendygazyev"]),
    ]
    assert _run(graph, "shared-officials", columns) == stated
    assert _run(graph, "shared-officials", columns, min_victims="1") == [
        *stated,
        ("d-shuykebayev", ["Official"], 1, 1, ["Dilnar Insenova"]),
        ("zh-smatov", ["Official"], 1, 1, ["Dilnar Insenova"]),
    ]


def test_co_defendants_share_the_case(small_graph: Graph) -> None:
    assert _run(small_graph, "co-defendants", ("co_defendant_id", "cases", "shared"), id="rinat-batkayev") == [
        (
            "baurzhan-jusupov",
            ["kss-case"],
            [
                "sentenced by Atyrau Court No. 2 (2021-05-17)",
                "sentenced by Atyrau Court of Appeal (2021-07-26)",
                "charged under Art. 262 (Criminal Code of Kazakhstan)",
            ],
        ),
        (
            "natalia-dauletayarova",
            ["kss-case"],
            [
                "sentenced by Atyrau Court No. 2 (2021-05-17)",
                "sentenced by Atyrau Court of Appeal (2021-07-26)",
                "charged under Art. 262 (Criminal Code of Kazakhstan)",
            ],
        ),
    ]
    assert _run(small_graph, "co-defendants", ("co_defendant_id",), id="dilnar-insenova") == []


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2021-06-01", []),
        ("2021-07-01", [("bekizhan-mendygazyev", "pre-trial detention", "2021-06-03", None, None)]),
        (
            "2021-09-01",
            [
                ("baurzhan-jusupov", "imprisonment", "2021-07-26", "Atyrau Court of Appeal", "5.5 years"),
                ("bekizhan-mendygazyev", "pre-trial detention", "2021-06-03", None, None),
                (
                    "natalia-dauletayarova",
                    "imprisonment",
                    "2021-07-26",
                    "Atyrau Court of Appeal",
                    "seven years",
                ),
                ("rinat-batkayev", "imprisonment", "2021-07-26", "Atyrau Court of Appeal", "five years"),
            ],
        ),
        # Five years from 26 July 2021: Batkayev's term has run out, the others' have not.
        (
            "2026-08-01",
            [
                ("baurzhan-jusupov", "imprisonment", "2021-07-26", "Atyrau Court of Appeal", "5.5 years"),
                ("bekizhan-mendygazyev", "pre-trial detention", "2021-06-03", None, None),
                (
                    "natalia-dauletayarova",
                    "imprisonment",
                    "2021-07-26",
                    "Atyrau Court of Appeal",
                    "seven years",
                ),
            ],
        ),
    ],
)
def test_political_prisoners_on_a_date(small_graph: Graph, as_of: str, expected: list) -> None:
    columns = ("person_id", "status", "since", "court", "term")
    assert _run(small_graph, "political-prisoners", columns, as_of=as_of) == expected


def test_charges_by_article_counts_people_once(small_graph: Graph) -> None:
    assert _run(small_graph, "charges-by-article", ("article_id", "persons", "names")) == [
        ("kz-cc-262", 3, ["Baurzhan Jusupov", "Natalia Dauletayarova", "Rinat Batkayev"]),
    ]


def test_charges_by_article_leave_out_an_article_the_reader_may_not_see(graph: Graph, small_dataset: Dataset) -> None:
    # The sentences name the article too: a public reader sees them, not the restricted article.
    dataset = copy.deepcopy(small_dataset)
    dataset.nodes["kz-cc-262"].properties["sensitivity"] = "restricted"
    graph.replace(dataset)
    assert _run(graph, "charges-by-article", ("article_id", "persons"), public=True) == []
    assert _run(graph, "charges-by-article", ("article_id", "persons")) == [("kz-cc-262", 3)]


def test_timeline_of_a_person_and_of_a_movement(small_graph: Graph) -> None:
    columns = ("date", "fact", "object_id", "detail")
    assert _run(small_graph, "timeline", columns, id="natalia-dauletayarova") == [
        ("2021-05-17", "sentenced by", "atyrau-court-no-2", "restriction of liberty five years"),
        ("2021-07-26", "sentenced by", "atyrau-court-of-appeal", "imprisonment seven years"),
    ]
    assert _run(small_graph, "timeline", columns, id="dck") == [
        ("2018-03-13", "banned by", "yesil-district-court-astana", None),
    ]


def test_path_gives_each_step_with_its_evidence(small_graph: Graph) -> None:
    columns = ("step", "from_id", "edge", "direction", "to_id")
    assert _run(small_graph, "path", columns, **{"from": "zh-smatov", "to": "almaty-police"}) == [
        (1, "zh-smatov", "SIGNED_EXPLANATION", "forward", "explanations-2018"),
        (2, "explanations-2018", "SIGNED_EXPLANATION", "backward", "d-shuykebayev"),
        (3, "d-shuykebayev", "HOLDS_POSITION", "forward", "almaty-prosecutors-office"),
        (4, "almaty-prosecutors-office", "LOCATED_IN", "forward", "almaty"),
        (5, "almaty", "LOCATED_IN", "backward", "almaty-police"),
    ]
    assert _run(small_graph, "path", columns, **{"from": "rinat-batkayev", "to": "dck"}) == []


def test_public_path_never_runs_through_a_restricted_person(small_graph: Graph) -> None:
    params = {"from": "daughter-of-dilnar-insenova", "to": "almaty-police"}
    assert len(_run(small_graph, "path", ("step",), **params)) == 2
    # A public reader may not open the restricted person: not found, as her page says.
    with pytest.raises(NotFound, match="^no entity with id 'daughter-of-dilnar-insenova'; find it with search$"):
        _run(small_graph, "path", ("step",), public=True, **params)
    assert _run(small_graph, "path", ("step",), public=True, **{"from": "dilnar-insenova", "to": "almaty-police"})


def test_an_id_nobody_may_open_is_not_found_in_every_query_with_an_id(small_graph: Graph) -> None:
    catalogue = load_catalogue()
    with_ids = sorted(q.name for q in catalogue.values() if any(p.entity for p in q.parameters))
    assert with_ids == ["co-defendants", "ego-network", "official-footprint", "path", "relations", "timeline"]
    for name in with_ids:
        given = {p.name: "no-such-entity" for p in catalogue[name].parameters if p.entity}
        with pytest.raises(NotFound, match="^no entity with id 'no-such-entity'; find it with search$"):
            catalogue[name].run(small_graph.view(Scope.FULL), given)


def test_ego_network_by_depth_and_limit(small_graph: Graph) -> None:
    columns = ("hop", "source_id", "type", "target_id")
    assert _run(small_graph, "ego-network", (*columns, "detail"), id="bekizhan-mendygazyev") == [
        (1, "bekizhan-mendygazyev", "DETAINED_BY", "perpetrator-not-stated", "pre_trial_detention"),
        (1, "bekizhan-mendygazyev", "INVESTIGATED_BY", "kazakhstan-police", "attempted only"),
        (1, "bekizhan-mendygazyev", "INVESTIGATED_BY", "nsc", "attempted only"),
        (1, "bekizhan-mendygazyev", "RELATED_TO", "barlyk-mendygazyev", "brother"),
    ]
    # Never on through perpetrator-not-stated: it is no one, and links no one.
    two = _run(small_graph, "ego-network", columns, id="bekizhan-mendygazyev", depth="2")
    assert two[4:] == [
        (2, "barlyk-mendygazyev", "EXTRADITION_SOUGHT_BY", "nsc"),
        (2, "barlyk-mendygazyev", "SEARCHED_BY", "almaty-court-unnamed"),
        (2, "baurzhan-jusupov", "ASSOCIATE_OF", "barlyk-mendygazyev"),
        (2, "natalia-dauletayarova", "ASSOCIATE_OF", "barlyk-mendygazyev"),
    ]
    assert len(_run(small_graph, "ego-network", columns, id="bekizhan-mendygazyev", depth="2", limit="4")) == 4
    with pytest.raises(QueryError, match="^parameter 'depth' must be at most 3, not 4$"):
        load_catalogue()["ego-network"].run(small_graph.view(Scope.FULL), {"id": "nsc", "depth": "4"})


def test_centrality_ranks_state_actors_only(small_graph: Graph) -> None:
    rows = _run(small_graph, "centrality", ("rank", "id", "degree"), limit="5")
    assert rows == [
        (1, "d-shuykebayev", 2),
        (2, "zh-smatov", 2),
        (3, "atyrau-court-no-2", 3),
        (4, "atyrau-court-of-appeal", 3),
        (5, "nsc", 2),
    ]


def test_communities_and_brokers(small_graph: Graph) -> None:
    rows = load_catalogue()["communities"].run(small_graph.view(Scope.FULL), {"min_size": "4"})
    assert [sorted(r["member_ids"]) for r in rows] == [
        [
            "atyrau-court-no-2", "atyrau-court-of-appeal", "baurzhan-jusupov", "kss", "kz-cc-262",
            "natalia-dauletayarova", "rinat-batkayev",
        ],
        ["almaty-court-unnamed", "barlyk-mendygazyev", "bekizhan-mendygazyev", "kazakhstan-police", "nsc"],
        ["almaty-prosecutors-office", "astana-prosecutors-office", "d-shuykebayev", "explanations-2018", "zh-smatov"],
        # The torture is attributed by inference: the special services are not in the network.
        ["bota-jardemalie", "court-not-named", "gaini-yerimbetova", "iskander-yerimbetov", "myrzahan-yerimbetov"],
    ]  # fmt: skip
    assert _run(small_graph, "brokers", ("id", "communities")) == [
        ("barlyk-mendygazyev", [1, 2]),
        ("baurzhan-jusupov", [1, 2]),
        ("natalia-dauletayarova", [1, 2]),
    ]


def test_brokers_the_same_with_betweenness_computed_apart(small_graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a large network brokers has betweenness and Leiden computed by processes of their own
    (analytics.APART_EDGES): here on the bundled data, every broker."""
    from persecution_graph.queries import apart
    from persecution_graph.queries.cache import KEPT
    from persecution_graph.queries.procedures import analytics

    view = small_graph.view(Scope.FULL)
    params = load_catalogue()["brokers"].bind({"limit": "1000"})
    here = analytics.brokers(view, params)
    answers: list[list[Any] | None] = []
    result = apart.Pending.result

    def noted(pending: apart.Pending) -> list[Any] | None:
        answers.append(result(pending))
        return answers[-1]

    monkeypatch.setattr(apart.Pending, "result", noted)
    monkeypatch.setattr(analytics, "APART_EDGES", 0)
    KEPT.clear()
    assert analytics.brokers(view, params) == here
    assert len(answers) == 2 and None not in answers  # both computed apart
    assert analytics.brokers(view, params) == here
    assert len(answers) == 2  # kept until the next load, not computed again


def test_every_query_hides_restricted_records_from_the_public(small_graph: Graph) -> None:
    params = {
        "relations": {"id": "dilnar-insenova"},
        "official-footprint": {"id": "almaty-police"},
        "co-defendants": {"id": "dilnar-insenova"},
        "timeline": {"id": "dilnar-insenova"},
        "path": {"from": "dilnar-insenova", "to": "almaty-police"},
        "ego-network": {"id": "dilnar-insenova", "depth": "3"},
    }
    for name, query in load_catalogue().items():
        rows = query.run(small_graph.view(Scope.PUBLIC), params.get(name, {}))
        text = str(rows).lower()
        assert "daughter" not in text, name


def test_term_lengths_as_quoted() -> None:
    from persecution_graph.queries.procedures.custody import term_days

    assert term_days("five years") == 5 * 365.25
    assert term_days("1.5 years") == 1.5 * 365.25
    assert term_days("2 years and 6 months") == 2 * 365.25 + 6 * 30.44
    assert term_days("15 days") == 15
    assert term_days("a real prison term") is None


def _act(type_: str, **props: str) -> dict:
    return {"type": type_, "sentence_type": None, "kind": None, "category": None, "status": None, "other": "x", **props}


@pytest.mark.parametrize(
    ("act", "state"),
    [
        (_act("LISTED_IN", category="political prisoners", status="released"), "free"),
        (_act("LISTED_IN", category="convicted to prison terms", status="prison"), "custody:prison"),
        (_act("LISTED_IN", category="in pre-trial detention"), "custody:in pre-trial detention"),
        (_act("LISTED_IN", category="political prisoners", status="prosecuted"), None),
        (_act("LISTED_IN", category="persecuted refugees"), None),
        (_act("RELEASED_BY", kind="term_reduced"), "free"),
        (_act("SENTENCED_BY", sentence_type="restriction_of_liberty"), "free"),
        (_act("DETAINED_BY", kind="pre_trial_detention"), "custody:pre-trial detention"),
        (_act("DETAINED_BY", kind="administrative_arrest"), None),
    ],
)
def test_which_acts_put_a_person_in_or_out_of_custody(act: dict, state: str | None) -> None:
    from persecution_graph.queries.procedures.custody import _custody_state

    assert _custody_state(act) == state
