"""The command line's tables, exports and report-text search, as a user runs them."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from persecution_graph.graph.store import Graph

from tests.api.test_cli import FIXTURES, cli

SMALL = str(FIXTURES / "small")
DCK_BAN = "[Report on the persecution of DCK supporters after the March 2018 ban]"


def test_query_as_a_spreadsheet_file_only_its_owner_reads(
    cli_env: dict[str, str], tmp_path: Path, graph: Graph
) -> None:
    assert cli("load", SMALL, env=cli_env).returncode == 0
    out = tmp_path / "signers.xlsx"
    run = cli("query", "explanation-signers", "--format", "xlsx", "-o", str(out), "--data", SMALL, env=cli_env)
    assert (run.returncode, run.stderr) == (0, f"wrote 2 rows to {out}\n")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    book = load_workbook(out)
    assert book.sheetnames == ["Results", "About", "Sources"]
    rows = [[cell.value for cell in row] for row in book["Results"].iter_rows()]
    assert rows[0] == [
        "Official", "Post", "Institution", "Place", "Whom it warned", "Who signed, as the text says", "Sources",
        "Official (record id)",
    ]  # fmt: skip
    assert rows[2] == [
        "Zh. Smatov",
        "prosecutor of the city of Astana",
        "Prosecutor's Office of Astana",
        "Astana",
        "'Explanations' of the consequences of the DCK ban",
        "stated",
        f"{DCK_BAN}, line 129: “the prosecutor of the city of Astana, Zh. Smatov”; lines 128-129",
        "zh-smatov",
    ]
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Question"] == 'Officials who signed "explanations"'
    assert about["Asked with"] == "include_inferred = False"
    sources = [[cell.value for cell in row] for row in book["Sources"].iter_rows()]
    assert sources[1][0] == f"Open Dialogue Foundation, {DCK_BAN}, 2018."
    assert sources[1][1].splitlines() == [
        f"Open Dialogue Foundation, {DCK_BAN}, 2018, lines 128-129: “liability’. At the moment, only the names of "
        "some officials who have signed ‘explanations’, are known: the prosecutor of the city of Astana, Zh. Smatov; "
        "the prosecutor of Almaty D. Shuykebayev; prosecutor”.",
        f"Open Dialogue Foundation, {DCK_BAN}, 2018, line 129: “the prosecutor of Almaty D. Shuykebayev”.",
        f"Open Dialogue Foundation, {DCK_BAN}, 2018, line 129: “the prosecutor of the city of Astana, Zh. Smatov”.",
    ]


def test_query_formats_need_their_file_names(cli_env: dict[str, str], graph: Graph) -> None:
    run = cli("query", "explanation-signers", "--format", "xlsx", env=cli_env)
    assert (run.returncode, run.stderr) == (2, "error: --format xlsx writes a file: give -o FILE.xlsx\n")
    run = cli("query", "explanation-signers", "--format", "csv", "-o", "signers.zip", env=cli_env)
    assert (run.returncode, run.stderr) == (
        2,
        "error: --format csv writes a .csv file: give a file name ending in .csv\n",
    )


def test_terminal_tables_mark_cut_text(cli_env: dict[str, str], graph: Graph) -> None:
    assert cli("load", SMALL, env=cli_env).returncode == 0
    run = cli("query", "explanation-signers", "--public", env=cli_env)
    lines = run.stdout.splitlines()
    assert lines[0].split("  ")[0] == "Official"
    assert lines[2].startswith("D. Shuykebayev  prosecutor of Almaty  ")
    # The sources column is cut at 60 characters, and says so.
    assert lines[2].endswith("  [Report on the persecution of DCK supporters after the Marc…")
    assert lines[-1] == "(2 rows; records marked restricted are left out)"


def test_search_the_report_texts_in_cyrillic_and_latin(cli_env: dict[str, str], graph: Graph) -> None:
    assert cli("load", SMALL, env=cli_env).returncode == 0
    cyrillic = cli("search", "--reports", "Көше", "партиясы", "--data", SMALL, "--limit", "2", env=cli_env)
    latin = cli("search", "--reports", "Koshe Partiyasy", "--data", SMALL, "--limit", "2", env=cli_env)
    assert cyrillic.stdout == latin.stdout
    assert cyrillic.stdout.splitlines()[1:] == [
        "odf-2021-political-prisoners:229  of Kazakhstan (DCK) and the “«Koshe» «Partiyasy»”, and urges the "
        "authorities to permit political pluralism and competition”.",
        "(39 lines; the first 2 shown, --limit shows more)",
    ]
    assert cyrillic.stdout.startswith(
        "odf-2021-political-prisoners:198  On 19 May 2020, the court granted the request of the General Prosecutor’s"
    )
    none = cli("search", "--reports", "Qqqxyzw", "--data", SMALL, env=cli_env)
    assert (none.returncode, none.stdout) == (0, "No line of the report texts matches “Qqqxyzw”.\n")


def test_a_reader_that_stops_reading_gets_no_traceback(cli_env: dict[str, str], graph: Graph) -> None:
    """`stats | head`: the pipe closes before the command has written everything."""
    assert cli("load", SMALL, env=cli_env).returncode == 0
    for command in (["stats"], ["query", "relations", "--param", "id=dck"], ["search", "Mendygaziev"]):
        read_end, write_end = os.pipe()
        os.close(read_end)
        run = subprocess.run(
            [sys.executable, "-m", "persecution_graph.api.cli", *command],
            env=cli_env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(write_end)
        assert (run.returncode, run.stderr) == (141, ""), command


def test_an_official_dossier_of_someone_who_is_not_an_official_is_refused(
    cli_env: dict[str, str], tmp_path: Path, graph: Graph
) -> None:
    assert cli("load", SMALL, env=cli_env).returncode == 0
    out = tmp_path / "dossier.md"
    run = cli("report", "official", "bekizhan-mendygazyev", "-o", str(out), env=cli_env)
    assert (run.returncode, run.stderr) == (
        2,
        "error: Bekizhan Mendygazyev (bekizhan-mendygazyev) is not an official (Person, Relative; no post recorded): "
        "`report person bekizhan-mendygazyev` writes a case file\n",
    )
    assert not out.exists()
