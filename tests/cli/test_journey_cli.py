"""``revintel journey`` on a small generated company: the CSV numbers are the library's, German
tables write ``1.234`` and ``28,6 %``, JSON and Excel carry the same rows, and a bad option is
refused naming it."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from revintel.attribution._before_sales import share_before_sales_contact
from revintel.attribution._content import content_by_phase
from revintel.attribution._digital import before_after, channel_mix, touch_shares
from revintel.attribution._sequences import top_sequences
from revintel.cli import app
from revintel.i18n import Translator
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

runner = CliRunner()
WIDE = {"COLUMNS": "250", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("journey-cli") / "demo.duckdb"
    with open_store(path) as store:
        write_demo_company(store, SynthConfig(seed=3, leads=1_000, accounts=120, reps=3))
    return str(path)


def _run(*args: str) -> str:
    result = runner.invoke(app, ["journey", *args], env=WIDE)
    assert result.exit_code == 0, result.output
    return result.stdout


def _csv(*args: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(_run(*args, "--format", "csv")), keep_default_na=False)


def _refused(*args: str) -> str:
    result = runner.invoke(app, ["journey", *args], env=WIDE)
    assert result.exit_code == 2, result.output
    return " ".join(result.output.split())


def _numbers(frame: pd.DataFrame, columns: list[str]) -> list[list[float]]:
    values = frame[columns].replace("", float("nan")).astype(float)
    return values.round(9).fillna(-1.0).to_numpy().tolist()


def test_mix_and_shares_are_the_library_numbers(db: str) -> None:
    with open_store(db, read_only=True) as store:
        mix = channel_mix(store, grain="year", by=("segment",))
        shares = touch_shares(store, grain="quarter", by="channel")
    found = _csv("mix", "--db", db, "--grain", "year", "--by", "segment")
    assert list(found.columns) == ["period", "segment", "channel", "touchpoints", "share"]
    assert len(found) == len(mix) > 30
    assert list(found["channel"]) == list(mix["channel"])
    assert list(found["period"]) == [str(p)[:10] for p in mix["period"]]
    assert _numbers(found, ["touchpoints", "share"]) == _numbers(mix, ["touchpoints", "share"])
    # The shares of a period and segment add up to one.
    assert found.groupby(["period", "segment"])["share"].sum().round(9).eq(1.0).all()
    found = _csv("shares", "--db", db, "--by", "channel")
    columns = ["touchpoints", "digital", "digital_share", "mobile_known", "mobile_share"]
    assert len(found) == len(shares) and list(found["channel"]) == list(shares["channel"])
    assert _numbers(found, columns) == _numbers(shares, columns)
    assert found["touchpoints"].sum() == shares["touchpoints"].sum() > 10_000


def test_event_before_sales_content_and_sequences_are_the_library_numbers(db: str) -> None:
    with open_store(db, read_only=True) as store:
        event = before_after(store, "2020-03-01", "2022-01-01", measure="mobile")
        before = share_before_sales_contact(store, by="channel", sales_kinds=("meeting", "visit"))
        content = content_by_phase(store, as_of=date(2023, 12, 31))
        sequences = top_sequences(store, to="sql", length=2, top=5)
    found = _csv(
        "event", "--db", db, "--start", "2020-03-01", "--end", "2022-01-01", "--measure", "mobile"
    )
    assert list(found["window"]) == ["before", "during", "after"]
    columns = ["touchpoints", "flagged", "share", "difference", "difference_low"]
    assert _numbers(found, columns) == _numbers(event, columns)
    found = _csv("before-sales", "--db", db, "--by", "channel", "--sales-kinds", "meeting,visit")
    columns = ["journeys", "with_sales_contact", "touch_share_median", "time_share_mean"]
    assert _numbers(found, columns) == _numbers(before, columns)
    assert found["channel"].iloc[-1] == "" and found["journeys"].iloc[-1] == 1_000
    found = _csv("content", "--db", db, "--as-of", "2023-12-31")
    columns = ["touches", "share", "decided_with", "rate_with", "lift", "lift_high"]
    assert list(found["content"]) == list(content["content"])
    assert _numbers(found, columns) == _numbers(content, columns)
    found = _csv("sequences", "--db", db, "--to", "sql", "--length", "2", "--top", "5")
    assert list(found["sequence"]) == list(sequences["sequence"])
    columns = ["converting", "stalled", "conversion_rate", "lift"]
    assert _numbers(found, columns) == _numbers(sequences, columns)
    document = json.loads(
        _run(
            "sequences",
            "--db",
            db,
            "--to",
            "sql",
            "--length",
            "2",
            "--top",
            "5",
            "--format",
            "json",
        )
    )
    assert document["median_days"] == pytest.approx(sequences.attrs["median_days"])
    assert [r["sequence"] for r in document["rows"]] == list(sequences["sequence"])


def test_german_tables_write_numbers_percentages_and_days_the_german_way(db: str) -> None:
    with open_store(db, read_only=True) as store:
        overall = share_before_sales_contact(store, by=("segment", "year")).iloc[-1]
        shares = touch_shares(store, grain="year")
    t = Translator("de")
    text = _run("before-sales", "--db", db, "--lang", "de")
    assert "Anteil der Customer Journey vor dem ersten Vertriebskontakt" in text
    last = next(line for line in text.splitlines() if line.startswith("alle "))
    assert last.split()[1:3] == ["1.000", t.number(overall["with_sales_contact"])]
    assert t.percent(overall["touch_share_median"]) in last
    written = f"{overall['touch_share_median'] * 100:.1f}".replace(".", ",") + "\u00a0%"
    assert written in last  # 28,6 %, not 28.6%
    text = _run("shares", "--db", db, "--grain", "year", "--lang", "de")
    first = next(line for line in text.splitlines() if line.startswith("01.01.2020"))
    assert first.split()[1] == t.number(shares["touchpoints"].iloc[0])
    assert "." in first.split()[1]  # thousands separated by a point: 1.706
    assert t.percent(shares["digital_share"].iloc[0]) in first
    english = _run("shares", "--db", db, "--grain", "year")
    assert "Jan 1, 2020" in english and "Digital share" in english


def test_excel_holds_the_csv_rows(db: str, tmp_path: Path) -> None:
    target = tmp_path / "mix.xlsx"
    _run("mix", "--db", db, "--grain", "all", "--format", "xlsx", "-o", str(target))
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    found = _csv("mix", "--db", db, "--grain", "all")
    assert rows[0] == list(found.columns) == ["channel", "touchpoints", "share"]
    assert [r[0] for r in rows[1:]] == list(found["channel"])
    assert sum(float(str(r[1])) for r in rows[1:]) == found["touchpoints"].sum()


def test_bad_options_are_refused_naming_them(db: str) -> None:
    assert "--by" in (text := _refused("mix", "--db", db, "--by", "planet"))
    assert "unknown breakdown planet" in text
    assert "--grain" in _refused("shares", "--db", db, "--grain", "decade")
    text = _refused("event", "--db", db, "--start", "2022-01-01", "--end", "2021-01-01")
    assert "--end" in text and "must lie after start 2022-01-01" in text
    assert "'01.03.2020' is not an ISO date" in _refused(
        "event", "--db", db, "--start", "01.03.2020"
    )
    assert "--measure" in _refused("event", "--db", db, "--start", "2020-03-01", "--measure", "x")
    assert "--to" in _refused("sequences", "--db", db, "--to", "paid")
    assert "--output" in _refused("content", "--db", db, "--format", "xlsx")
    assert "--lang" in _refused("content", "--db", db, "--lang", "fr")


def test_an_empty_store_says_there_is_nothing_to_measure(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    open_store(path).close()
    assert "no touchpoints" in _run("before-sales", "--db", str(path))
    rows = list(csv.reader(io.StringIO(_run("mix", "--db", str(path), "--format", "csv"))))
    assert rows == [["period", "channel", "touchpoints", "share"]]
