"""The `viz` and `report` commands, added to the command line (api/cli.py) by the
`persecution_graph.commands` entry point; viz/ never imports api/."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..graph.settings import default_corpus


def _viz_state(args: argparse.Namespace, model: Any) -> Any:
    """The view state the command draws: a view's address or its query string (--state), with
    --depth, --limit and the filters given on the command line on top."""
    from urllib.parse import parse_qsl, urlsplit

    from .explore import ViewState

    text = args.state or ""
    query = urlsplit(text).query if "?" in text or "://" in text else text
    given = dict(parse_qsl(query, keep_blank_values=True))
    given.pop("format", None)
    given.pop("snapshot", None)
    for name, value in (("depth", args.depth), ("limit", args.limit), ("hide_links", args.hide_links),
                        ("hide_kinds", args.hide_kinds), ("from", args.since), ("to", args.until)):  # fmt: skip
        if value is not None:
            given[name] = str(value)
    return ViewState.parse(given, model)


def cmd_viz(args: argparse.Namespace) -> int:
    from ..graph.errors import UserError
    from ..graph.files import private_file, write_private
    from ..graph.scope import scope_of
    from ..graph.store import open_graph
    from ..queries.catalogue import load_catalogue, parameters_from
    from ..queries.sources import source_records
    from .network import to_html, to_png, to_svg
    from .views import ego_view, query_view

    output = Path(args.output)
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("html", "svg", "png"):
        raise UserError(f"{args.output}: the file name must end in .html, .svg or .png")
    with open_graph() as graph:
        view = graph.view(scope_of(args.public))
        if args.query:
            query = load_catalogue().get(args.query)
            if query is None:
                raise UserError(f"no query named {args.query!r}; `persecution-graph query` lists them")
            picture = query_view(view, query, {"id": args.id, **parameters_from(args.param)})
        else:
            found = ego_view(view, args.id, state=_viz_state(args, view.model))
            if found is None:
                raise UserError(f"no entity with id {args.id!r}; find it with `persecution-graph search`")
            picture = found
        if fmt == "html":
            write_private(output, to_html(picture, sources=source_records(view), frozen=True))
        elif fmt == "svg":
            write_private(output, to_svg(picture))
        else:
            to_png(picture, private_file(output))
    groups = sum(1 for node in picture.nodes if node.get("members"))
    grouped = f" ({groups} of them groups)" if groups else ""
    print(f"wrote {output}: {len(picture.nodes)} nodes{grouped}, {len(picture.edges)} edges, drawn {picture.drawn_on}")
    print(picture.note)
    if picture.cut:
        print(picture.cut, file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..graph.errors import UserError
    from ..graph.files import write_private
    from ..graph.scope import scope_of
    from ..graph.store import open_graph
    from ..queries.catalogue import parameters_from
    from . import reports

    output = Path(args.output)
    if output.suffix.lower() not in (".html", ".md"):
        raise UserError(f"{args.output}: the file name must end in .html or .md")
    with open_graph() as graph:
        view = graph.view(scope_of(args.public))
        if args.kind == "official":
            report = reports.official_report(view, args.id, args.data)
        elif args.kind == "person":
            report = reports.person_report(view, args.id, args.data)
        else:
            report = reports.query_report(view, args.id, parameters_from(args.param), args.data)
    text = reports.to_html(report) if output.suffix.lower() == ".html" else reports.to_markdown(report)
    write_private(output, text)
    print(f"wrote {output}: {sum(len(s.rows) for s in report.sections)} rows, {len(report.sources)} sources")
    return 0


def add_commands(command: Callable[..., Any]) -> None:
    p = command("viz", cmd_viz, "draw the network around an entity as a frozen HTML snapshot, SVG or PNG")
    p.add_argument("id", help="entity id (see `search`)")
    p.add_argument("-o", "--output", required=True, help="file.html, file.svg or file.png")
    p.add_argument("--depth", type=int, choices=(1, 2, 3), help="steps from the entity (default 1)")
    p.add_argument("--limit", type=int, help="most links drawn (default 2000); a cut is said, with the number")
    p.add_argument("--hide-links", metavar="TYPES", help="link types left out, comma-separated (LISTED_IN,LOCATED_IN)")
    p.add_argument("--hide-kinds", metavar="KINDS", help="entity kinds left out, comma-separated (Place,Source)")
    p.add_argument("--from", dest="since", metavar="DATE", help="links dated from (YYYY, YYYY-MM or YYYY-MM-DD)")
    p.add_argument("--to", dest="until", metavar="DATE", help="links dated up to")
    p.add_argument(
        "--state",
        metavar="URL",
        help="what a view composed: its address (/views/network/ID?depth=2&open=...) or just its query string",
    )
    p.add_argument("--query", help="draw a named query's results instead (its `id` parameter is ID)")
    p.add_argument("--param", action="append", default=[], metavar="K=V", help="more query parameters")
    p.add_argument("--public", action="store_true", help="leave out restricted records")
    p = command("report", cmd_report, "a dossier on an official, a person's case file, or a query, as HTML or Markdown")
    p.add_argument("kind", choices=["official", "person", "query"])
    p.add_argument("id", help="entity id, or the query's name")
    p.add_argument("-o", "--output", required=True, help="file.html or file.md")
    p.add_argument("--param", action="append", default=[], metavar="K=V", help="query parameters")
    p.add_argument("--data", default=default_corpus(), help="data folder the graph was loaded from (its texts)")
    p.add_argument("--public", action="store_true", help="leave out restricted records")
