"""``revintel attribution`` (and ``compare``, ``paths``) on a small demo company and on the
ChannelAttribution reference path file: the analysts' CSV columns, conversions counted
independently from the milestones, German tables and one-sentence errors."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from revintel.attribution._models import MODELS
from revintel.cli import app
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.shared_data import shared_dataset

runner = CliRunner()
CONTRACT = ["channel", "conversions", "revenue"]
WIDE = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("attribution-cli") / "demo.duckdb"
    with open_store(path) as store:
        write_demo_company(store, SynthConfig(seed=3, leads=1_000, accounts=120, reps=3))
    return str(path)


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args), env=WIDE)
    assert result.exit_code == 0, result.output
    return result.stdout


def _csv(*args: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_run(*args, "--format", "csv"))))


def _sal_to_sql(db: str) -> tuple[int, int]:
    """Leads that reached SAL and then SQL, and how many of them had no touch before their
    SQL: read with plain SQL, without revintel."""
    with duckdb.connect(db, read_only=True) as con:
        converted, touchless = con.sql("""
            WITH sal AS (SELECT DISTINCT lead_id FROM milestones
                         WHERE entity_type = 'lead' AND milestone = 'sal'),
                 sql_at AS (SELECT lead_id, min(occurred_at) AS at FROM milestones
                            WHERE entity_type = 'lead' AND milestone = 'sql' GROUP BY lead_id),
                 won AS (SELECT s.lead_id, s.at FROM sql_at s JOIN sal USING (lead_id)),
                 touched AS (
                     SELECT DISTINCT w.lead_id FROM won w
                     JOIN touchpoints t ON t.occurred_at < w.at AND (t.lead_id = w.lead_id
                         OR t.opportunity_id IN (SELECT opportunity_id FROM opportunities o
                                                 WHERE o.lead_id = w.lead_id)))
            SELECT (SELECT count(*) FROM won),
                   (SELECT count(*) FROM won WHERE lead_id NOT IN (SELECT lead_id FROM touched))
        """).fetchone()
    return int(converted), int(touchless)


def test_csv_has_the_contract_columns_and_counts_every_conversion(db: str) -> None:
    rows = _csv("attribution", "--db", db, "--model", "linear", "--to", "sql")
    assert list(rows[0])[:3] == CONTRACT
    assert list(rows[0]) == [*CONTRACT, "margin", "share"]
    conversions = [float(r["conversions"]) for r in rows]
    assert conversions == sorted(conversions, reverse=True)
    assert len({r["channel"] for r in rows}) == len(rows) >= 4
    converted, touchless = _sal_to_sql(db)
    assert converted > 100
    assert sum(conversions) == pytest.approx(converted - touchless, abs=1e-6)
    document = json.loads(
        _run("attribution", "--db", db, "-m", "linear", "--to", "sql", "-f", "json")
    )
    assert document["conversions"] == converted
    assert document["from"] == "sal" and document["to"] == "sql"
    unattributed = document["notes"].get("unattributed_conversions", 0.0)
    assert unattributed == pytest.approx(touchless)
    assert sum(float(r["share"]) for r in rows) == pytest.approx(1.0)


@pytest.mark.parametrize("model", MODELS)
def test_every_model_credits_the_same_conversions_to_won(db: str, model: str) -> None:
    document = json.loads(_run("attribution", "--db", db, "-m", model, "-f", "json"))
    credited = sum(c["conversions"] for c in document["channels"])
    unattributed = document["notes"].get("unattributed_conversions", 0.0)
    assert document["to"] == "won" and document["conversions"] > 10
    assert credited + unattributed == pytest.approx(document["conversions"], abs=1e-6)
    revenue = sum(c["revenue"] for c in document["channels"])
    lost_revenue = document["notes"].get("unattributed_revenue", 0.0)
    assert revenue + lost_revenue == pytest.approx(document["revenue"], rel=1e-9)
    assert document["revenue"] > 0


def test_german_table_writes_money_the_german_way(db: str) -> None:
    out = _run("attribution", "--db", db, "-m", "u_shaped", "--to", "won", "--lang", "de")
    assert "Kanal" in out and "Konversionen" in out and "Umsatz" in out
    assert re.search(r"\d{1,3}(\.\d{3})+,\d{2}\s€", out), out
    assert "Journeys, davon" in out
    english = _run("attribution", "--db", db, "-m", "u_shaped", "--to", "won")
    assert re.search(r"€\d{1,3}(,\d{3})+\.\d{2}", english), english


def test_compare_lists_every_model_per_channel(db: str) -> None:
    rows = _csv("attribution", "compare", "--db", db, "--to", "sql")
    assert list(rows[0]) == ["channel", *MODELS]
    totals = {m: sum(float(r[m] or 0) for r in rows) for m in MODELS}
    heuristic = [m for m in MODELS if m not in ("markov", "shapley")]
    for model in heuristic:
        assert totals[model] == pytest.approx(totals["linear"], abs=1e-6)
    revenue = _csv("attribution", "compare", "--db", db, "--to", "won", "--value", "revenue")
    assert sum(float(r["linear"] or 0) for r in revenue) > 0


def test_paths_reproduces_the_reference_package_on_its_example_file() -> None:
    data = shared_dataset("channelattribution_paths") / "Data.csv"
    linear = {r["channel"]: r for r in _csv("attribution", "paths", str(data), "-m", "linear")}
    assert float(linear["alpha"]["conversions"]) == pytest.approx(7574.719, abs=1e-3)
    assert float(linear["alpha"]["revenue"]) == pytest.approx(24524.710, abs=1e-3)
    assert sum(float(r["conversions"]) for r in linear.values()) == pytest.approx(19785)
    markov = _csv("attribution", "paths", str(data), "--model", "markov")
    assert [r["channel"] for r in markov[:3]] == ["alpha", "iota", "eta"]
    assert float(markov[0]["conversions"]) == pytest.approx(5344.9, abs=1.0)


def test_xlsx_is_written_to_the_output_file(db: str, tmp_path: Path) -> None:
    target = tmp_path / "won.xlsx"
    _run("attribution", "--db", db, "-m", "last", "-f", "xlsx", "-o", str(target))
    with zipfile.ZipFile(target) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "channel" in strings and "conversions" in strings
    refused = runner.invoke(app, ["attribution", "--db", db, "-f", "xlsx"], env=WIDE)
    assert refused.exit_code == 2 and "--output" in refused.output


def test_help_lists_the_subcommands() -> None:
    out = _run("attribution", "--help")
    assert "compare" in out and "paths" in out and "--model" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--model", "magic"], "unknown model 'magic'"),
        (["--to", "nirvana"], "unknown milestone 'nirvana'"),
        (["--to", "sql", "--level", "opportunity"], "level opportunity"),
    ],
)
def test_bad_requests_fail_with_one_sentence(db: str, args: list[str], words: str) -> None:
    result = runner.invoke(app, ["attribution", "--db", db, *args], env=WIDE)
    assert result.exit_code == 2
    assert words in " ".join(result.output.split())


def test_an_unreadable_path_file_is_named_with_its_row(tmp_path: Path) -> None:
    bad = tmp_path / "paths.csv"
    bad.write_text("path;total_conversions\na > b;3\nb > c;many\n", encoding="utf-8")
    result = runner.invoke(app, ["attribution", "paths", str(bad)], env=WIDE)
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "paths.csv" in message and "row 3" in message and "total_conversions" in message
    missing = runner.invoke(app, ["attribution", "paths", str(tmp_path / "none.csv")], env=WIDE)
    assert missing.exit_code == 2 and "none.csv" in missing.output


def test_a_path_file_without_dates_refuses_time_decay(tmp_path: Path) -> None:
    good = tmp_path / "paths.csv"
    good.write_text("path;total_conversions;total_null\na > b;3;1\nb;1;4\n", encoding="utf-8")
    rows = _csv("attribution", "paths", str(good), "-m", "last")
    credited = {r["channel"]: float(r["conversions"]) for r in rows}
    assert {k: v for k, v in credited.items() if v} == {"b": 4.0}
    decay = runner.invoke(app, ["attribution", "paths", str(good), "-m", "time_decay"], env=WIDE)
    assert decay.exit_code == 2
    assert "time_decay" in " ".join(decay.output.split())
