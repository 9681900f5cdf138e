"""Named queries, kept as data (one YAML file each in ``catalogue/``), run the same way from
the command line, the HTTP API and the web pages.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import threading
import time
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

from ..graph.encoding import decode_evidence
from ..graph.errors import NotFound, QueryError, UserError
from ..graph.model import ENTITY_LABEL, SAFE_LOADER
from ..graph.scope import Scope, View
from ..graph.store import Graph
from .cache import KEPT, files_digest
from .procedures import load_all

try:
    RELEASE = version("persecution-graph")
except PackageNotFoundError:  # running from a checkout that is not installed
    RELEASE = "unknown"


def code_digest(folder: Path = Path(__file__).parent) -> str:
    """A digest of the code that computes procedures' answers (queries/procedures/ and
    queries/graphalgo.py): an answer kept on disk by other code is not served, even under the
    same release (the analytics moved from networkx to igraph within one)."""
    return files_digest(sorted([*(folder / "procedures").glob("*.py"), folder / "graphalgo.py"]))


PROCEDURES_CODE = code_digest()

CATALOGUE_DIR = Path(__file__).with_name("catalogue")
# Paged queries (``paged: true``): rows come a page at a time when a page size is given. The
# HTTP API and the web pages give PAGE_SIZE unless asked otherwise; the command line, reports
# and views take every row.
PAGE_SIZE = 100
ALL_ROWS = 1_000_000_000  # what LIMIT gets for "every row" (Cypher's LIMIT needs a number)
PARAMETER_TYPES = ("string", "int", "date", "bool")
# The bound of an integer parameter that declares none (beyond it, a database's 64-bit integers
# overflow; no page, count or depth of this graph comes near it).
INT_MAXIMUM = 1_000_000_000
ENTITIES_SEEN = f"UNWIND $ids AS wanted MATCH (n:{ENTITY_LABEL} {{id: wanted}}) WHERE VISIBLE(n) RETURN n.id AS id"
TYPE_WORDS = {"string": "text", "int": "a whole number", "date": "a date (YYYY-MM-DD)", "bool": "true or false"}


@dataclass(frozen=True)
class Parameter:
    """A typed query parameter; without a default it is required."""

    name: str
    type: str = "string"
    default: Any = None
    description: str = ""
    minimum: int | None = None
    maximum: int | None = None
    # Names an entity (an id): an id nobody may open is "not found", as the entity page says.
    entity: bool = False

    @property
    def required(self) -> bool:
        return self.default is None

    def parse(self, text: Any) -> Any:
        """The value of a parameter given as text (CLI, query string); QueryError if wrong."""
        value = str(text).strip()
        try:
            if self.type == "int":
                return self._bounded(int(value))
            if self.type == "date":
                return dt.date.fromisoformat(value).isoformat()
            if self.type == "bool":
                if value.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(value)
                return value.lower() in ("true", "1")
        except ValueError:
            raise QueryError(f"parameter {self.name!r} must be {TYPE_WORDS[self.type]}, not {value!r}") from None
        return value

    @property
    def upper(self) -> int:
        """The largest value an integer parameter takes (declared, or INT_MAXIMUM)."""
        return INT_MAXIMUM if self.maximum is None else self.maximum

    def _bounded(self, number: int) -> int:
        if self.minimum is not None and number < self.minimum:
            raise QueryError(f"parameter {self.name!r} must be at least {self.minimum}, not {number}")
        if number > self.upper:
            raise QueryError(f"parameter {self.name!r} must be at most {self.upper}, not {number}")
        return number


@dataclass(frozen=True)
class Query:
    """A named Cypher query with its title, description, parameters and columns."""

    name: str
    title: str
    description: str
    columns: tuple[dict[str, Any], ...]
    parameters: tuple[Parameter, ...] = ()
    cypher: str = ""
    # Per-engine Cypher where the engines truly differ ({"neo4j": ...}); see catalogue/README.md.
    variants: tuple[tuple[str, str], ...] = ()
    # A Python procedure (queries/procedures.py) instead of, or after, the Cypher.
    procedure: str = ""
    reading: str = ""
    # Answered from the whole graph (no entity to start from): the answer is kept until the
    # next load (queries/cache.py), so only the first call after a load pays for the scan.
    whole_graph: bool = False
    # Takes ``limit`` and ``offset`` (PAGE_PARAMETERS): its rows can run into thousands (the
    # acts of a court or an official), so the HTTP API and the pages serve them a page at a time.
    paged: bool = False

    @property
    def entity_columns(self) -> list[str]:
        """Columns holding entity ids: what a network view of the rows draws."""
        return [column["name"] for column in self.columns if column.get("entity")]

    def cypher_for(self, engine: str) -> str:
        return dict(self.variants).get(engine, self.cypher)

    @property
    def column_names(self) -> list[str]:
        return [column["name"] for column in self.columns]

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Parameters checked and typed, defaults filled in."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(given) - set(known))
        if unknown:
            listed = ", ".join(known) or "none"
            raise QueryError(f"unknown parameter {unknown[0]!r} for query {self.name!r} " f"(parameters: {listed})")
        bound = {}
        for name, parameter in known.items():
            if name in given and given[name] not in (None, ""):
                bound[name] = parameter.parse(given[name])
            elif parameter.required:
                raise QueryError(f"query {self.name!r} needs parameter {name!r}: " f"{parameter.description}")
            else:
                bound[name] = parameter.default
        if self.paged and not bound["limit"]:
            bound["limit"] = ALL_ROWS
        return bound

    def next_page(self, given: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The parameters of the page after ``rows``, if these filled their page."""
        if not self.paged:
            return None
        bound = self.bind(given)
        if len(rows) < bound["limit"]:
            return None
        return {**given, "offset": str(bound["offset"] + bound["limit"]), "limit": str(bound["limit"])}

    def run(self, view: View, given: dict[str, Any], entities_seen: bool = False) -> list[dict[str, Any]]:
        """Rows as dicts, in column order, with their evidence decoded, as ``view`` sees the
        graph. An entity parameter naming no entity the view may open is NotFound, unless the
        caller has just read it through the same view (``entities_seen``)."""
        params = self.bind(given)
        if not entities_seen:
            self._check_entities(view, params)
        if not self.whole_graph:
            return self._rows(view, params)
        # The whole answer is kept, and a page cut from it. The definition (with its columns and,
        # for a procedure, a digest of the procedures' code) and the release are part of the key:
        # answers kept on disk by an earlier release, or before the query or its code was
        # changed, are not served.
        code = PROCEDURES_CODE if self.procedure else None
        definition = (self.cypher, self.procedure, code, tuple(self.column_names), RELEASE)
        asked = tuple(sorted((k, repr(v)) for k, v in params.items() if k not in PAGE_NAMES))
        key = ("query", self.name, asked, view.scope.value, definition)
        rows = KEPT.get(view, key, lambda: self._rows(view, params), on_disk=True)
        if self.paged:
            rows = rows[params["offset"] : params["offset"] + params["limit"]]
        return [dict(row) for row in rows]

    def _check_entities(self, view: View, params: dict[str, Any]) -> None:
        """NotFound for an id parameter naming no entity this view may open."""
        wanted = [params[p.name] for p in self.parameters if p.entity]
        if not wanted:
            return
        seen = {row["id"] for row in view.read(ENTITIES_SEEN, ids=wanted)}
        for entity_id in wanted:
            if entity_id not in seen:
                raise NotFound(f"no entity with id {entity_id!r}; find it with search")

    def _rows(self, view: View, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.procedure:  # several statements: all of one generation
            rows = view.in_one_generation(lambda: load_all()[self.procedure](view, params))
        else:
            rows = self.read(view, params)
        return self.shaped(rows)

    def shaped(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows as this query gives them: its columns, in order, evidence decoded."""
        return [{name: decode_value(name, row.get(name)) for name in self.column_names} for row in rows]

    def read(self, view: View, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The rows of this query's Cypher; the model's type lists come as parameters too."""
        return view.read(self.cypher_for(view.engine), **params, **model_parameters(view))


def paged_parameters(query: Query, given: dict[str, str]) -> dict[str, str]:
    """What a page asked for, with a page of PAGE_SIZE rows unless it asked for a size (the HTTP
    API and the web pages; the command line takes every row)."""
    if query.paged and "limit" not in given:
        return {**given, "limit": str(PAGE_SIZE)}
    return given


def parameters_from(pairs: list[str]) -> dict[str, str]:
    """`NAME=VALUE` pairs (the command line's --param) as a dict; UserError if one is not."""
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UserError(f"--param {pair!r}: write NAME=VALUE")
        params[key] = value
    return params


def model_parameters(graph: Graph | View) -> dict[str, Any]:
    """Lists from the model that queries use, passed as parameters: ``$act_types``, and
    ``$labels`` (every label, sorted: ``[l IN $labels WHERE l IN labels(n)]`` lists a node's
    labels in the same order on every engine, where ``labels(n)`` has the engine's order)."""
    return {"act_types": graph.model.act_types(), "labels": sorted(graph.model.all_labels())}


def decode_value(name: str, value: Any) -> Any:
    """A column's value as shown: evidence decoded (graph/encoding.py), other values as they are."""
    return decode_evidence(value) if name == "sources" and isinstance(value, list) else value


PAGE_NAMES = ("limit", "offset")
PAGE_PARAMETERS = (
    Parameter("limit", "int", 0, "rows per page (0: every row)", minimum=0, maximum=10_000),
    Parameter("offset", "int", 0, "rows to skip: the next page starts at offset + limit", minimum=0),
)


def _query(data: dict[str, Any]) -> Query:
    parameters = tuple(Parameter(name=name, **spec) for name, spec in (data.get("parameters") or {}).items())
    paged = bool(data.get("paged", False))
    if paged:
        # A query from an entity pages in Cypher (a procedure with `limit` and `offset`); a
        # whole-graph answer is kept whole and cut.
        pages_in_cypher = "SKIP $offset LIMIT $limit" in data.get("cypher", "")
        if data.get("whole_graph") and pages_in_cypher:
            raise ValueError(f"query {data['name']}: a page is cut from the kept answer; leave out SKIP/LIMIT")
        if not data.get("whole_graph") and not data.get("procedure") and not pages_in_cypher:
            raise ValueError(f"query {data['name']}: a paged query ends in 'SKIP $offset LIMIT $limit'")
        parameters += PAGE_PARAMETERS
    for parameter in parameters:
        if parameter.type not in PARAMETER_TYPES:
            raise ValueError(f"query {data['name']}: parameter type {parameter.type!r}")
    if not data.get("cypher") and not data.get("procedure"):
        raise ValueError(f"query {data['name']}: needs cypher or a procedure")
    return Query(
        name=data["name"],
        title=data["title"],
        description=data["description"].strip(),
        columns=tuple(data["columns"]),
        parameters=parameters,
        cypher=data.get("cypher", ""),
        variants=tuple(sorted((data.get("variants") or {}).items())),
        procedure=data.get("procedure", ""),
        reading=(data.get("reading") or "").strip(),
        whole_graph=bool(data.get("whole_graph", False)),
        paged=paged,
    )


@cache
def load_catalogue(folder: Path = CATALOGUE_DIR) -> dict[str, Query]:
    """Every named query, by name."""
    queries = {}
    for path in sorted(folder.glob("*.yaml")):
        query = _query(yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER))
        queries[query.name] = query
    return queries


def warm_up(view: View) -> dict[str, float]:
    """Compute what is kept until the next load (queries/cache.py) before anyone asks: the
    search index, then every whole-graph query with its defaults, cheapest first, the
    analytics, then every record as text for the API's ego networks (queries/shelf.py).
    Seconds per item. The server runs this in the background after starting
    and after a reload, so the first researcher does not pay for the scans."""
    from .procedures.cases import read_cases
    from .procedures.footprint import read_footprints
    from .procedures.network import read_links
    from .procedures.paths import read_adjacency
    from .search import search
    from .shelf import shelve

    spent: dict[str, float] = {}
    kept = {
        "search-index": lambda: search(view, "warm"),
        "adjacency": lambda: read_adjacency(view),
        "links": lambda: read_links(view),
        "footprints": lambda: read_footprints(view),
        "cases": lambda: read_cases(view),
    }
    for name, compute in kept.items():
        began = time.perf_counter()
        compute()
        spent[name] = round(time.perf_counter() - began, 2)
    queries = [q for q in load_catalogue().values() if q.whole_graph]
    queries.sort(key=lambda q: (q.procedure in ("centrality", "communities", "brokers"), q.name))
    for query in queries:
        began = time.perf_counter()
        query.run(view, {})
        spent[query.name] = round(time.perf_counter() - began, 2)
    # Last: until it is written, ego networks read their records from the engine, as before.
    began = time.perf_counter()
    shelve(view)
    spent["records"] = round(time.perf_counter() - began, 2)
    return spent


# Collections of the younger generations before a full one, once a server's answers are kept
# (Python's default: 10).
FULL_COLLECTION_AFTER = 100


def settle_collector() -> None:
    """Once a server's answers are kept: what is kept until the next load (indexes, adjacencies,
    answers: millions of small objects) is left out of the collector's scans from now on (each
    full scan of them paused requests: 18 ms on a heavy entity page at 100k entities), and full
    collections, which still scan what pictures keep (queries/procedures/network.py, records
    kept: 20,000 of each kind) and stall every request the process holds (11 of up to 185 ms in
    1,500 ego networks at 100k entities), wait for ten times as many younger ones: 1 in 1,500."""
    gc.freeze()
    gc.set_threshold(*gc.get_threshold()[:2], FULL_COLLECTION_AFTER)


def warm_in_background(graph: Graph) -> threading.Thread:
    """Build the search index and the whole-graph answers for public readers in a thread of
    their own (warm_up); a failure (the database gone) is one line on stderr, and the answers
    are then computed by the first request that needs them."""

    def work() -> None:
        try:
            warm_up(graph.view(Scope.PUBLIC))
            settle_collector()
        except Exception as error:
            print(f"persecution-graph: warm-up stopped: {type(error).__name__}: {error}", file=sys.stderr)

    thread = threading.Thread(target=work, name="warm-up", daemon=True)
    thread.start()
    return thread
