"""The command line: ``persecution-graph COMMAND``. Errors are sentences, never tracebacks."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from ..graph.errors import GraphError, UserError
from ..graph.files import write_private
from ..graph.scope import scope_of
from ..graph.settings import default_corpus
from ..loaders.validate import ValidationResult, validate

DEFAULT_DATA = default_corpus()


def _print_problems(result: ValidationResult) -> None:
    for problem in result.problems:
        print(problem, file=sys.stderr)
    count = len(result.problems)
    print(f"{count} problem{'s' if count != 1 else ''} in {len(result.files)} files", file=sys.stderr)


def _validated(path: str) -> ValidationResult:
    folder = Path(path)
    if not folder.exists():
        raise UserError(f"{path}: no such file or folder")
    return validate(folder)


def cmd_validate(args: argparse.Namespace) -> int:
    result = _validated(args.path)
    if args.format == "json":
        print(json.dumps({"ok": result.ok, "problems": [p.as_dict() for p in result.problems]}, indent=2))
        return 0 if result.ok else 1
    if not result.ok:
        _print_problems(result)
        return 1
    data = result.dataset
    print(f"ok: {len(data.nodes)} nodes and {len(data.edges)} edges in {len(result.files)} files")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from ..graph.store import open_graph
    from ..loaders.load import load
    from ..loaders.validate import corpus_bytes
    from .progress import Progress

    folder = Path(args.path)
    if not folder.exists():
        raise UserError(f"{args.path}: no such file or folder")
    with open_graph() as graph, Progress(corpus_bytes(folder), "loading (bytes read)") as progress:
        result = load(graph, folder, read=progress.advance)
    if not result.ok:
        _print_problems(result)
        print("nothing was written", file=sys.stderr)
        return 1
    print(f"loaded {result.nodes} nodes and {result.edges} edges from {args.path}")
    return 0


def _write_output(body: str | bytes, output: str | None) -> None:
    """To standard output, or to a file only its owner may read (it may hold restricted records)."""
    if output in (None, "-"):
        sys.stdout.write(body if isinstance(body, str) else body.decode())
        return
    write_private(Path(str(output)), body)


def cmd_export(args: argparse.Namespace) -> int:
    from ..graph.formats import FORMATS
    from ..graph.store import open_graph

    fmt = FORMATS[args.format]
    if fmt.binary and args.output in (None, "-"):
        raise UserError(f"--format {fmt.name} writes {fmt.description}; give -o FILE.{fmt.extension}")
    suffix = "." + fmt.extension.rsplit(".", 1)[-1]
    if args.output not in (None, "-") and not str(args.output).endswith(suffix):
        raise UserError(f"--format {fmt.name} writes {fmt.description}: give a file name ending in {suffix}")
    with open_graph() as graph:
        view = graph.view(scope_of(args.public))
        data = view.dump() if fmt.stored else view.export()
    _write_output(fmt.write(data, view), args.output)
    if args.output not in (None, "-"):
        print(f"wrote {len(data.nodes)} nodes and {len(data.edges)} edges to {args.output}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..graph.formats.dump import read_dump
    from ..graph.store import open_graph
    from .progress import Progress

    dataset = read_dump(Path(args.file))
    with open_graph() as graph, Progress(len(dataset), "importing") as progress:
        graph.restore(dataset, progress=progress.advance)
    print(f"imported {len(dataset.nodes)} nodes and {len(dataset.edges)} edges from {args.file}")
    return 0


def cmd_import_ftm(args: argparse.Namespace) -> int:
    from ..graph.formats.ftm import FtmError, convert

    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"{args.file}: no such file")
    try:
        counts = convert(path, Path(args.output), args.source_id, args.title or path.name, args.publisher)
    except FtmError:
        raise
    for kind, count in sorted(counts.items()):
        print(f"  {kind:<32} {count}")
    print(f"wrote {args.output}/{args.source_id}.yaml; check it with `persecution-graph validate {args.output}`")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from ..graph.store import open_graph
    from ..queries.fulltext import search_reports
    from ..queries.search import search

    text = " ".join(args.text)
    with open_graph() as graph:
        view = graph.view(scope_of(args.public))
        if args.reports:
            found = search_reports(view, text, args.data, limit=args.limit)
        else:
            hits = search(view, text, limit=args.limit)
    if args.format == "json":
        print(json.dumps(found if args.reports else hits, ensure_ascii=False, indent=1))
    elif args.reports:
        _print_passages(found)
    else:
        _print_names(text, hits)
    return 0


def _print_names(text: str, hits: list[dict[str, Any]]) -> None:
    if not hits:
        print(f"No name or alias matches “{text}”. Try another spelling or part of the name.")
    for hit in hits:
        how = hit["match"] if hit["matched"] == hit["name"] else f"{hit['match']}: {hit['matched']}"
        print(f"{hit['id']:<32} {hit['name']}  [{', '.join(hit['labels'])}]  ({how})")
        for other in hit["possibly_same_as"]:
            print(f"{'':4}may be the same as {other['name']} ({other['id']}); kept apart until a curator decides")


def _print_passages(found: dict[str, Any]) -> None:
    if not found["total"]:
        print(f"No line of the report texts matches “{found['query']}”.")
        return
    for hit in found["hits"]:
        print(f"{hit['source']}:{hit['line']}  {hit['highlighted']}")
        if hit["cited_by"]:
            print(f"{'':4}cited by: {', '.join(entity['name'] for entity in hit['cited_by'])}")
    shown = len(found["hits"])
    more = f"; the first {shown} shown, --limit shows more" if shown < found["total"] else ""
    print(f"({found['total']} line{'s' if found['total'] != 1 else ''}{more})")


def cmd_query(args: argparse.Namespace) -> int:
    from ..graph.store import open_graph
    from ..queries.catalogue import load_catalogue, parameters_from
    from ..queries.output import TABLE_FORMATS, write
    from ..queries.tables import query_table

    catalogue = load_catalogue()
    if args.name is None:
        for query in catalogue.values():
            print(f"{query.name:<24} {query.title}")
        return 0
    query = catalogue.get(args.name)
    if query is None:
        raise UserError(f"unknown query {args.name!r}; `persecution-graph query` lists them")
    fmt = TABLE_FORMATS[args.format]
    _check_output_name(args.output, fmt.name, fmt.extension, fmt.binary)
    with open_graph() as graph:
        table = query_table(graph.view(scope_of(args.public)), query, parameters_from(args.param), args.data)
    _write_output(write(fmt.name, table), args.output)
    if args.output not in (None, "-"):
        print(f"wrote {len(table.rows)} rows to {args.output}", file=sys.stderr)
    return 0


def _check_output_name(output: str | None, name: str, extension: str, binary: bool) -> None:
    """A file format needs a file of its kind; bytes never go to a terminal."""
    if binary and output in (None, "-"):
        raise UserError(f"--format {name} writes a file: give -o FILE.{extension}")
    if output not in (None, "-") and not str(output).endswith("." + extension) and name != "table":
        raise UserError(f"--format {name} writes a .{extension} file: give a file name ending in .{extension}")


def cmd_stats(args: argparse.Namespace) -> int:
    from ..graph.store import open_graph

    with open_graph() as graph:
        stats = graph.view(scope_of(args.public)).stats()
    if args.format == "json":
        print(json.dumps(stats, indent=1))
        return 0
    for section in ("nodes", "edges", "sources"):
        print(f"{section}:")
        for name, count in stats[section].items():
            print(f"  {name:<32} {count}")
    print(f"records with a locator: {stats['located_share']:.1%}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from ..graph import embedded
    from ..graph.settings import Settings
    from .server import warn_if_loose

    settings = Settings.from_env()
    if args.action == "start":
        warn_if_loose(settings)
        info = embedded.start(settings.data_dir)
        print(
            f"embedded database running: bolt://127.0.0.1:{info.bolt_port} "
            f"(pid {info.pid}, data in {settings.data_dir})"
        )
    elif args.action == "stop":
        stopped = embedded.stop(settings.data_dir)
        print("embedded database stopped" if stopped else "embedded database was not running")
    else:
        info = embedded.running(settings.data_dir)
        if info is None:
            print(f"embedded database not running (data in {settings.data_dir})")
            return 3
        print(
            f"embedded database running: bolt://127.0.0.1:{info.bolt_port} (pid {info.pid}, "
            f"data in {settings.data_dir})"
        )
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    from ..graph.settings import Settings
    from .auth import KeyError_, add_key, keys_file, load_keys, remove_key

    data_dir = Settings.from_env().data_dir
    try:
        if args.action == "add":
            if not args.name:
                raise UserError("keys add needs a NAME")
            token = add_key(data_dir, args.name, args.role)
            print(f"key {args.name!r} ({args.role}) created; it is shown only this once:\n{token}")
        elif args.action == "remove":
            if not args.name:
                raise UserError("keys remove needs a NAME")
            print("removed" if remove_key(data_dir, args.name) else f"no key named {args.name!r}")
        else:
            for key in load_keys(data_dir):
                print(f"{key.name:<24} {key.role}")
            print(f"(stored in {keys_file(data_dir)})")
    except KeyError_ as error:
        raise UserError(str(error)) from None
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from ..bench.run import report_text, run, write_json
    from ..graph.settings import Settings

    server = Settings.from_env() if args.server else None
    if server is not None and not server.neo4j_uri:
        raise UserError("--server needs PERSECUTION_GRAPH_NEO4J_URI (and _USER, _PASSWORD)")
    where = f"the server at {server.neo4j_uri}, whose graph it replaces" if server else "a database of its own"
    print(f"benchmark at scale {args.scale} (synthetic data, {where}) ...", file=sys.stderr)
    json_path = Path(args.json) if args.json else None
    result = run(
        args.scale,
        repeats=args.repeats,
        keep=Path(args.keep) if args.keep else None,
        on_stage=(lambda so_far: write_json(so_far, json_path)) if json_path else None,
        queries=not args.no_queries,
        server=server,
        api=not args.no_api,
    )
    sys.stdout.write(report_text(result))
    if json_path:
        write_json(result, json_path)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import serve

    serve(host=args.host, port=args.port, data=args.data, workers=args.workers)
    return 0


MAX_WORKERS = 64


def workers(text: str) -> int:
    """A number of worker processes, 1 to MAX_WORKERS."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number of processes, not {text!r}") from None
    if not 1 <= number <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_WORKERS}, not {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    from ..graph.formats import FORMATS
    from ..queries.output import TABLE_FORMATS

    parser = argparse.ArgumentParser(
        prog="persecution-graph", description="A sourced knowledge graph of political persecution."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Callable[[argparse.Namespace], int], help: str) -> Any:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = command("validate", cmd_validate, "check curated YAML and print every problem")
    p.add_argument("path", nargs="?", default=DEFAULT_DATA)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p = command("load", cmd_load, "validate, then replace the graph with the curated data")
    p.add_argument("path", nargs="?", default=DEFAULT_DATA)
    p = command(
        "export",
        cmd_export,
        "write the whole graph: " + "; ".join(f"{f.name} ({f.description})" for f in FORMATS.values()),
    )
    p.add_argument("--format", choices=list(FORMATS), default="json")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.add_argument("--public", action="store_true", help="leave out restricted records")
    p = command("import", cmd_import, "replace the graph with a dump made by `export --format dump`")
    p.add_argument("file")
    p = command("import-ftm", cmd_import_ftm, "turn FollowTheMoney entities (JSON lines) into curated YAML")
    p.add_argument("file")
    p.add_argument("-o", "--output", required=True, help="folder to write (YAML and reports/)")
    p.add_argument("--source-id", default="ftm-import", help="id of the Source the file becomes")
    p.add_argument("--title", help="title of that Source (default: the file name)")
    p.add_argument("--publisher", help="who published the file")
    p = command(
        "search", cmd_search, "find people, institutions, events by any spelling; --reports: words in the report texts"
    )
    p.add_argument("text", nargs="+", help="a name, or words (with --reports)")
    p.add_argument("--reports", action="store_true", help="search the report texts instead of names")
    p.add_argument("--data", default=DEFAULT_DATA, help="data folder the graph was loaded from (its report texts)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--public", action="store_true", help="leave out restricted records")
    p = command("query", cmd_query, "run a named query (no name: list them)")
    p.add_argument("name", nargs="?")
    p.add_argument("--param", action="append", default=[], metavar="K=V")
    p.add_argument(
        "--format",
        choices=list(TABLE_FORMATS),
        default="table",
        help="; ".join(f"{f.name}: {f.description}" for f in TABLE_FORMATS.values()),
    )
    p.add_argument("-o", "--output", help="file to write (default: standard output; xlsx needs a file)")
    p.add_argument("--data", default=DEFAULT_DATA, help="data folder the graph was loaded from (report texts quoted)")
    p.add_argument("--public", action="store_true", help="leave out restricted records")
    p = command("stats", cmd_stats, "counts per node type, edge type and source")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--public", action="store_true", help="count only what a public reader may see")
    p = command("db", cmd_db, "start, stop or check the embedded database server")
    p.add_argument("action", choices=["start", "stop", "status"])
    p = command("keys", cmd_keys, "API keys: add NAME --role reader|editor|admin, list, remove NAME")
    p.add_argument("action", choices=["add", "list", "remove"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["reader", "editor", "admin"], default="reader")
    p = command("bench", cmd_bench, "measure load and query speed on synthetic data at a scale")
    p.add_argument("--scale", type=int, default=1000, help="number of entities (default 1000)")
    p.add_argument("--repeats", type=int, default=20, help="runs of each query (default 20)")
    p.add_argument("--json", help="also write the figures to this JSON file (after each stage, then in full)")
    p.add_argument("--keep", help="keep the corpus and database in this folder")
    p.add_argument("--no-queries", action="store_true", help="measure the load only (no queries, no API)")
    p.add_argument("--no-api", action="store_true", help="measure the load and the named queries (no API)")
    p.add_argument("--server", action="store_true", help="run on the Neo4j server configured (replaces its graph)")
    p = command("serve", cmd_serve, "run the HTTP API (loads the bundled data if the graph is empty)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--data", default=DEFAULT_DATA, help="data to load when the graph is empty")
    p.add_argument(
        "--workers",
        type=workers,
        default=1,
        help="processes answering requests, each with its own kept answers (2 on a 2-core machine: docs/BENCHMARKS.md)",
    )
    # Downstream parts (viz) add their commands by entry point; see pyproject.toml.
    for point in sorted(entry_points(group="persecution_graph.commands"), key=lambda p: p.name):
        point.load()(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status = int(args.func(args))
        sys.stdout.flush()
        return status
    except GraphError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    except Exception as error:
        # A statement the database refused that no layer named: a fault, said in one line. (The
        # driver is imported only by commands that use the database.)
        driver_errors = sys.modules.get("neo4j.exceptions")
        if driver_errors is None or not isinstance(error, driver_errors.Neo4jError):
            raise
        print(f"error: the database refused a statement: {error.message}", file=sys.stderr)
        return GraphError.exit_code


def _reader_went_away() -> int:
    """The output was piped into a command that stopped reading (`stats | head`): no traceback.
    Standard output is pointed at /dev/null so that Python's flush at exit does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141  # 128 + SIGPIPE, as a shell reports a command ended by a closed pipe


if __name__ == "__main__":
    sys.exit(main())
