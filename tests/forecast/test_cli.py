"""``revintel forecast`` in its three formats, what-if and backtest."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from revintel.cli import app
from revintel.store import Store

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_forecast_formats(demo_store: Store) -> None:
    db = str(demo_store.location)
    base = ["forecast", "--db", db, "--horizon", "1Q", "--simulations", "200"]
    records = json.loads(_run(*base, "--by", "team", "--format", "json"))
    sources = {"open pipeline", "not yet created", "repeat and direct orders", "total"}
    assert {r["source"] for r in records} == sources
    assert all(r["p10"] <= r["p50"] <= r["p90"] for r in records)
    rows = list(csv.DictReader(io.StringIO(_run(*base, "--grain", "quarter", "--format", "csv"))))
    assert [r["source"] for r in rows] == [
        "open pipeline",
        "not yet created",
        "repeat and direct orders",
        "total",
    ]
    assert "Expected order intake" in _run(*base, "--format", "table")


def test_forecast_what_if_shows_the_change(demo_store: Store) -> None:
    db = str(demo_store.location)
    args = ["forecast", "--db", db, "--horizon", "1Q", "--simulations", "200", "--grain"]
    out = _run(*args, "quarter", "-f", "json", "--what-if", "win_rate[segment=Mittelstand]*1.3")
    total = next(r for r in json.loads(out) if r["source"] == "total")
    assert total["change_p50"] > 0


def test_bad_what_if_is_one_clear_error(demo_store: Store) -> None:
    result = runner.invoke(
        app, ["forecast", "--db", str(demo_store.location), "--what-if", "win_rate+2"]
    )
    assert result.exit_code != 0
    assert "what-if 'win_rate+2' not understood" in str(result.exception)


def test_backtest_command(demo_store: Store) -> None:
    db = str(demo_store.location)
    args = ["forecast", "backtest", "--db", db, "--origins", "2", "--simulations", "200"]
    out = _run(*args, "--timing", "survival", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["method"] for r in rows} >= {
        "forecast P50",
        "weighted pipeline (default)",
        "run-rate",
    }
    assert len(rows) == 8


def test_weighted_pipeline_command(demo_store: Store) -> None:
    out = _run("forecast", "pipeline", "--db", str(demo_store.location), "-f", "json")
    records = json.loads(out)
    assert records[0]["period"] == "past due"
    assert all(r["weighted_measured"] > 0 for r in records)


def test_probabilities_command(demo_store: Store) -> None:
    out = _run("forecast", "probabilities", "--db", str(demo_store.location), "-f", "json")
    rows = {(r["milestone"], r["segment"]): r for r in json.loads(out)}
    pooled = rows[("contract_negotiation", "(all)")]
    assert pooled["measured_low"] < pooled["measured"] < pooled["measured_high"]
    assert pooled["default"] == 0.75
    assert rows[("offer_sent", "(all)")]["measured"] < pooled["measured"]


def test_pace_can_be_switched_off(demo_store: Store) -> None:
    db = str(demo_store.location)
    base = ["forecast", "--db", db, "--horizon", "1Q", "--simulations", "300", "--as-of"]
    args = [*base, "2023-06-30", "--grain", "quarter", "-f", "json"]
    paced = next(r for r in json.loads(_run(*args)) if r["source"] == "open pipeline")
    plain = next(r for r in json.loads(_run(*args, "--no-pace")) if r["source"] == "open pipeline")
    assert paced["p50"] != plain["p50"]
    assert abs(paced["p50"] / plain["p50"] - 1) < 0.5
