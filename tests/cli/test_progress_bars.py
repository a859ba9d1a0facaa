"""Progress bars: on standard error when it is a terminal, never in piped, JSON or CSV output."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from revintel.cli import app
from revintel.cli._common import OutputFormat
from revintel.cli._progress import progress_bar

runner = CliRunner()
#: Rich treats the output as a terminal (TTY_COMPATIBLE=1) or as a pipe (0).
TERMINAL = {"TTY_COMPATIBLE": "1", "COLUMNS": "120"}
PIPE = {"TTY_COMPATIBLE": "0", "FORCE_COLOR": None, "COLUMNS": "120"}


@pytest.fixture(scope="module")
def synthesised(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    """A small demo company written by ``revintel synth`` in a terminal: store, stdout, stderr."""
    db = str(tmp_path_factory.mktemp("progress") / "klein.duckdb")
    args = ["synth", "--db", db, "--leads", "400", "--accounts", "40", "--reps", "2"]
    result = runner.invoke(app, [*args, "--years", "2"], env=TERMINAL)
    assert result.exit_code == 0, result.output
    return db, result.stdout, result.stderr


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=100), out


def test_a_bar_is_drawn_on_a_terminal_with_each_step() -> None:
    console, out = _console(terminal=True)
    with progress_bar("reading", console=console, total=2) as bar:
        bar("leads.csv: 1,200 rows read", 1, 2)
        bar("writing the store")  # a message without counts (imports report so)
    assert bar.shown and bar.steps == ["leads.csv: 1,200 rows read", "writing the store"]
    assert "writing the store" in out.getvalue() and "\x1b[" in out.getvalue()


@pytest.mark.parametrize(
    ("terminal", "fmt"),
    [(False, OutputFormat.table), (True, OutputFormat.json), (True, OutputFormat.csv)],
)
def test_no_bar_when_piped_or_printing_json_or_csv(terminal: bool, fmt: OutputFormat) -> None:
    console, out = _console(terminal)
    with progress_bar("reading", fmt, console=console) as bar:
        bar("leads.csv: 1,200 rows read")
    assert not bar.shown and bar.steps == ["leads.csv: 1,200 rows read"]
    assert out.getvalue() == ""


def test_synth_draws_its_bar_on_stderr_and_keeps_stdout_clean(
    synthesised: tuple[str, str, str],
) -> None:
    _, stdout, stderr = synthesised
    assert "writing the store" in stderr and "master data" in stderr
    assert "writing the store" not in stdout and "demo company written to" in stdout


def test_backtest_shows_each_origin_in_a_terminal_but_not_with_json(
    synthesised: tuple[str, str, str],
) -> None:
    db = synthesised[0]
    args = ["forecast", "backtest", "--db", db, "--origins", "2", "--simulations", "100"]
    table = runner.invoke(app, args, env=TERMINAL)
    assert table.exit_code == 0, table.output
    assert "forecast as of" in table.stderr and "forecast as of" not in table.stdout
    as_json = runner.invoke(app, [*args, "--format", "json"], env=TERMINAL)
    assert as_json.exit_code == 0 and as_json.stderr == ""
    rows = json.loads(as_json.stdout)
    assert {r["origins"] for r in rows} == {2}
    piped = runner.invoke(app, args, env=PIPE)
    assert piped.exit_code == 0 and piped.stderr == "" and "\x1b[" not in piped.stdout


LEADS = """Id,FirstName,LastName,Company,Status,LeadSource,CreatedDate,ConvertedDate,IsConverted
00Q5g01,Anna,Weber,Weber Logistik,Open - Not Contacted,Web,2024-09-01T10:00:00.000Z,,false
00Q5g02,Jonas,Klein,Klein Pumpen,Closed - Converted,Web,2024-02-01T10:00:00Z,2024-02-20,true
00Q5g03,Lea,Wolf,Wolf Bau,Closed - Not Converted,Web,2024-03-01T10:00:00.000Z,,false
"""


def test_import_reports_each_file_and_its_rows(tmp_path: Path) -> None:
    leads = tmp_path / "Lead.csv"
    leads.write_text(LEADS, encoding="utf-8")
    args = ["import", "salesforce", str(leads), "--db", str(tmp_path / "crm.duckdb")]
    shown = runner.invoke(app, args, env={**TERMINAL, "COLUMNS": "400"})  # room for the path
    assert shown.exit_code == 0, shown.output
    assert f"reading {leads}" in shown.stderr and f"{leads}: 3 rows read" in shown.stderr
    assert f"{leads}: 3 rows read" not in shown.stdout
    again = runner.invoke(app, [*args, "--format", "json"], env=TERMINAL)
    assert again.exit_code == 0 and again.stderr == ""
    assert json.loads(again.stdout)["files"][0]["read"] == 3
