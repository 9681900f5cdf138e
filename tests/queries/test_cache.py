"""Whole-graph answers are kept until the next load, and only until then."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from persecution_graph.graph.records import Dataset
from persecution_graph.graph.scope import Scope
from persecution_graph.graph.store import Graph
from persecution_graph.queries.cache import KeptAnswers, collection_paused
from persecution_graph.queries.catalogue import load_catalogue, warm_up
from persecution_graph.queries.procedures.analytics import betweenness_samples
from persecution_graph.queries.search import search
from persecution_graph.queries.shelf import shelved

from tests.conftest import statements_read, statements_sent


def _charges(graph: Graph) -> list:
    rows = load_catalogue()["charges-by-article"].run(graph.view(Scope.FULL), {})
    return [(row["article_id"], row["persons"]) for row in rows]


def test_a_kept_answer_is_dropped_by_the_next_load(small_graph: Graph, small_dataset: Dataset) -> None:
    assert _charges(small_graph) == [("kz-cc-262", 3)]
    # Rinat Batkayev's charge and his two sentences under the article go.
    acts = ("CHARGED_UNDER", "SENTENCED_BY")
    without_one = Dataset(
        nodes=small_dataset.nodes,
        edges=[e for e in small_dataset.edges if not (e.type in acts and e.source == "rinat-batkayev")],
    )
    assert len(without_one.edges) == len(small_dataset.edges) - 3
    small_graph.replace(without_one)
    assert _charges(small_graph) == [("kz-cc-262", 2)]
    small_graph.replace(small_dataset)
    assert _charges(small_graph) == [("kz-cc-262", 3)]


def test_callers_cannot_change_a_kept_answer(small_graph: Graph) -> None:
    query = load_catalogue()["charges-by-article"]
    first = query.run(small_graph.view(Scope.FULL), {})
    first[0]["persons"] = 99
    first.clear()
    assert [row["persons"] for row in query.run(small_graph.view(Scope.FULL), {})] == [3]


class _Versioned:
    def __init__(self, version: str | None) -> None:
        self.current = version

    def version(self) -> str | None:
        return self.current


def test_computed_once_under_concurrent_requests_and_per_version() -> None:
    cache, graph, calls = KeptAnswers(size=4), _Versioned("v1"), []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return len(calls)

    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get(graph, ("x",), slow))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [1] * 8
    graph.current = "v2"
    assert cache.get(graph, ("x",), slow) == 2
    graph.current = None  # before the first load nothing is kept
    assert [cache.get(graph, ("x",), slow) for _ in range(2)] == [3, 4]


def test_a_slow_answer_does_not_hold_up_another() -> None:
    cache, graph = KeptAnswers(), _Versioned("v1")
    started = threading.Event()

    def slow() -> str:
        started.set()
        time.sleep(1.0)
        return "slow"

    thread = threading.Thread(target=lambda: cache.get(graph, ("slow",), slow))
    thread.start()
    started.wait()
    began = time.perf_counter()
    assert cache.get(graph, ("fast",), lambda: "fast") == "fast"
    assert time.perf_counter() - began < 0.5
    thread.join()


def test_least_recently_used_answers_leave_first() -> None:
    cache, graph = KeptAnswers(size=2), _Versioned("v1")
    cache.get(graph, ("a",), lambda: 1)
    cache.get(graph, ("b",), lambda: 2)
    cache.get(graph, ("a",), lambda: 0)  # used again: stays
    cache.get(graph, ("c",), lambda: 3)  # b leaves
    assert cache.get(graph, ("a",), lambda: -1) == 1
    assert cache.get(graph, ("b",), lambda: -2) == -2


def test_betweenness_samples_shrink_with_the_graph() -> None:
    assert betweenness_samples(200, 400) is None  # small: exact
    assert betweenness_samples(563, 1035) is None  # the bundled data: exact
    assert betweenness_samples(3000, 4000) == 300  # 21M: over the work
    assert betweenness_samples(10_000, 30_000) == 300
    assert betweenness_samples(100_000, 300_000) == 50
    assert betweenness_samples(1_000_000, 3_000_000) == 30


def test_warm_up_computes_every_whole_graph_answer_before_anyone_asks(small_graph: Graph) -> None:
    spent = warm_up(small_graph.view(Scope.PUBLIC))
    whole = sorted(name for name, query in load_catalogue().items() if query.whole_graph)
    assert whole == [
        "brokers", "centrality", "charges-by-article", "communities", "discrepancies",
        "explanation-signers", "political-prisoners", "possible-duplicates", "relatives-as-hostages",
        "shared-officials",
    ]  # fmt: skip
    assert sorted(spent) == sorted(["search-index", "adjacency", "links", "footprints", "cases", *whole, "records"])
    # The analytics last of the answers, then every record as text (queries/shelf.py).
    assert list(spent)[-4:] == ["brokers", "centrality", "communities", "records"]
    assert shelved(small_graph.view(Scope.PUBLIC)) is not None
    public = small_graph.view(Scope.PUBLIC)

    def every_answer() -> None:
        for name in whole:
            load_catalogue()[name].run(public, {})
        search(public, "Jusupov")

    # nothing was asked of the database: the view knows its generation, the answers are kept
    assert statements_sent(small_graph, every_answer) == []
    # Co-defendants read no act again: whether the id exists and the evidence of the page.
    co_defendants = statements_read(
        small_graph, lambda: load_catalogue()["co-defendants"].run(public, {"id": "rinat-batkayev"})
    )
    assert len(co_defendants) == 2 and "UNWIND $steps AS step" in co_defendants[1]
    # An official's footprint reads its page's edges, not the acts' dates again.
    footprint = statements_sent(
        small_graph, lambda: load_catalogue()["official-footprint"].run(public, {"id": "atyrau-court-of-appeal"})
    )
    assert footprint and not any("a.involvement]) AS rows" in statement for statement in footprint)
    # Called again, whether its id exists and the page's edges: the names of places and
    # articles are kept too.
    again = statements_read(
        small_graph, lambda: load_catalogue()["official-footprint"].run(public, {"id": "atyrau-court-of-appeal"})
    )
    assert len(again) == 2 and "UNWIND $steps AS step" in again[1] and "n:Place" not in " ".join(again)
    # A path search asks whether the reader may open its two ends (one statement: an id nobody
    # may open is not found), for the ends and the evidence of its steps (all at once), never
    # for the steps themselves.
    steps: list = []
    sent = statements_sent(
        small_graph,
        lambda: steps.extend(load_catalogue()["path"].run(public, {"from": "bekizhan-mendygazyev", "to": "kss"})),
    )
    asked = [
        "seen"
        if "UNWIND $ids AS wanted" in s
        else "ends"
        if "n.id IN $ids" in s
        else "steps"
        if "e.id = step.edge" in s
        else s
        for s in sent
    ]
    # (and, if the view's look at the version is older than half the load's grace, a look after
    # each statement: tests/graph/test_generations.py)
    assert ([step for step in asked if step != "version"], len(steps)) == (["seen", "ends", "steps"], 3)


def test_a_whole_graph_answer_is_kept_on_disk_for_the_next_process(small_graph: Graph, small_dataset: Dataset) -> None:
    from persecution_graph.queries.cache import KEPT

    first = _charges(small_graph)
    folder = small_graph.answers_dir
    assert folder is not None
    (kept,) = (folder / str(small_graph.version())).glob("*.json")
    assert kept.stat().st_mode & 0o777 == 0o600  # answers for key holders name restricted records
    assert [p.stat().st_mode & 0o777 for p in (folder, kept.parent)] == [0o700, 0o700]
    KEPT.clear()  # as in a new command: nothing in memory
    again: list = []
    assert statements_read(small_graph, lambda: again.extend(_charges(small_graph))) == []  # from disk, not computed
    assert again == first
    small_graph.replace(small_dataset)  # a new version: earlier answers are let go when the next is kept
    _charges(small_graph)
    assert [p.name for p in folder.iterdir()] == [str(small_graph.version())]


class _Kept(_Versioned):
    def __init__(self, version: str, answers_dir: Path) -> None:
        super().__init__(version)
        self.answers_dir = answers_dir


# Another process computing a whole-graph answer slowly (as `serve --workers 2` warms up).
_OTHER_PROCESS = """
import sys, time
from pathlib import Path
from persecution_graph.queries.cache import KeptAnswers

class Kept:
    answers_dir = Path(sys.argv[1])
    def version(self):
        return "v1"

def slow():
    Path(sys.argv[2]).touch()
    time.sleep(1.5)
    return ["computed by the other process"]

print(KeptAnswers().get(Kept(), ("brokers",), slow, on_disk=True))
"""


def test_a_process_waits_for_the_answer_another_is_computing(tmp_path: Path) -> None:
    started = tmp_path / "started"
    other = subprocess.Popen(
        [sys.executable, "-c", _OTHER_PROCESS, str(tmp_path / "answers"), str(started)], stdout=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert other.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        computed: list[int] = []
        here = KeptAnswers().get(
            _Kept("v1", tmp_path / "answers"), ("brokers",), lambda: computed.append(1) or ["here"], on_disk=True
        )
        assert (here, computed) == (["computed by the other process"], [])
    finally:
        assert other.wait(timeout=60) == 0
    # an answers folder that cannot be made (a file is in the way): each process computes its own
    (tmp_path / "a-file").touch()
    unwritable = _Kept("v1", tmp_path / "a-file" / "answers")
    assert KeptAnswers().get(unwritable, ("brokers",), lambda: ["here"], on_disk=True) == ["here"]


def test_an_answer_kept_on_disk_by_other_procedure_code_is_computed_again(
    small_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same release, same graph, but the procedures' code changed (an upgrade from a checkout):
    the analytics' answers kept on disk by the old code are not served."""
    from persecution_graph.queries import catalogue
    from persecution_graph.queries.cache import KEPT

    def brokers() -> list:
        return load_catalogue()["brokers"].run(small_graph.view(Scope.FULL), {})

    first = brokers()
    KEPT.clear()
    assert statements_read(small_graph, brokers) == []  # from disk
    KEPT.clear()
    monkeypatch.setattr(catalogue, "PROCEDURES_CODE", "other code")
    again: list = []
    assert statements_read(small_graph, lambda: again.extend(brokers())) != []  # computed
    assert again == first


def test_the_code_digest_follows_the_procedures_files(tmp_path: Path) -> None:
    from persecution_graph.queries.catalogue import code_digest

    (tmp_path / "procedures").mkdir()
    (tmp_path / "procedures" / "a.py").write_text("x = 1\n")
    (tmp_path / "graphalgo.py").write_text("y = 2\n")
    before = code_digest(tmp_path)
    assert code_digest(tmp_path) == before
    (tmp_path / "procedures" / "a.py").write_text("x = 2\n")
    assert code_digest(tmp_path) != before


def test_the_cycle_collector_is_paused_while_a_kept_result_is_computed_and_only_then() -> None:
    class Version:
        def version(self) -> str:
            return "v-gc"

    seen = []
    kept = KeptAnswers()
    assert gc.isenabled()
    with collection_paused():
        # Nested (a kept answer computed from a kept network): resumed only when the last ends.
        assert kept.get(Version(), ("inner",), lambda: seen.append(gc.isenabled()) or 1) == 1
        seen.append(gc.isenabled())
    assert seen == [False, False]
    assert gc.isenabled()
    # Results computed under load (pictures) leave it running: many at once would keep it paused.
    assert KeptAnswers(whole_graph=False).get(Version(), ("picture",), lambda: seen.append(gc.isenabled()) or 2) == 2
    assert seen[-1] is True
    gc.disable()  # paused by someone else: left as it was
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_a_kept_result_made_is_left_out_of_later_collections() -> None:
    """A whole-graph result is millions of objects kept until the next load: once it is made,
    they go to the collector's permanent generation, not scanned again by each collection."""
    before = gc.get_freeze_count()
    with collection_paused():
        kept = [[number] for number in range(10_000)]
    assert gc.get_freeze_count() >= before + len(kept)
    with collection_paused(), collection_paused():
        inner = [[number] for number in range(10_000)]
        assert gc.get_freeze_count() < before + len(kept) + len(inner)  # not before the last ends
    assert gc.get_freeze_count() >= before + len(kept) + len(inner)


def test_a_warm_server_keeps_full_collections_rare(small_graph: Graph) -> None:
    """Once `serve` has its answers, what it keeps is frozen, and a full collection (which
    scans what pictures keep, stalling every request) waits for ten times as many younger ones."""
    from persecution_graph.queries.catalogue import FULL_COLLECTION_AFTER, warm_in_background

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        warm_in_background(small_graph).join(timeout=120)
        assert gc.get_threshold() == (700, 10, FULL_COLLECTION_AFTER) == (700, 10, 100)
    finally:
        gc.set_threshold(*before)
