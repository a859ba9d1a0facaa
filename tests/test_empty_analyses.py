"""Undated exports load with ``--as-of``; every analysis that has nothing to show says why.

Each analysis command of the CLI runs on an empty store and on a store holding one undated lead
file; the output must carry the one-sentence reason and no table header without rows. A store
whose leads span two weeks of January checks the funnel's and the alerts' reasons with their
dates; a larger undated store checks that scoring falls back to grouped cross-validation.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from revintel.auth import add_user, create_token
from revintel.cli import app
from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, LiveServer, browser_login, serve_in_thread
from tests.web.stores import PASSWORD

runner = CliRunner()
AS_OF = "2024-03-31"
RULE = re.compile(r"^\s*─{5,}\s*$")


def _raw(*args: str, code: int = 0) -> str:
    """What the command printed, standard output then errors."""
    result = runner.invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
    printed = result.output + (result.stderr if result.stderr_bytes is not None else "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # `revintel` prints an error's message as one line; the test runner hands it over
        printed += f"error: {result.exception}"
    assert result.exit_code == code, printed
    return printed


def _run(*args: str, code: int = 0) -> str:
    """:func:`_raw` on one line: sentences do not break at the margin."""
    return " ".join(_raw(*args, code=code).split())


def html_text(page: str) -> str:
    """A page's text with entities decoded, on one line."""
    return " ".join(html.unescape(page).split())


def _headers_without_rows(output: str) -> list[int]:
    """Lines of a table rule (under a header) that no data row follows."""
    lines = output.splitlines()
    return [
        i
        for i, line in enumerate(lines)
        if RULE.match(line) and (i + 1 == len(lines) or not lines[i + 1].strip())
    ]


def _undated_leads(path: Path, n: int = 4) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "email": [f"l{i}@example.de" for i in range(n)],
            "channel": ["web", "fair"] * (n // 2),
        }
    )
    frame.to_csv(path, index=False)
    return frame


@pytest.fixture
def empty_db(tmp_path: Path) -> str:
    db = str(tmp_path / "empty.duckdb")
    _run("init", "--db", db)
    return db


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """An empty store and one holding an undated lead file imported with ``--as-of``; the
    analyses only read them."""
    folder = tmp_path_factory.mktemp("stores")
    empty, undated = str(folder / "empty.duckdb"), str(folder / "undated.duckdb")
    _run("init", "--db", empty)
    _run("init", "--db", undated)
    _undated_leads(folder / "leads.csv")
    _run("import", "generic", str(folder / "leads.csv"), "--as-of", AS_OF, "--db", undated)
    yield empty, undated


# --- --as-of ------------------------------------------------------------------------------


def test_without_as_of_a_missing_date_column_names_the_option(
    tmp_path: Path, empty_db: str
) -> None:
    _undated_leads(tmp_path / "leads.csv")
    out = _run("import", "generic", str(tmp_path / "leads.csv"), "--db", empty_db, code=1)
    assert "no column for required field 'created_at'" in out
    assert "--as-of YYYY-MM-DD" in out
    with open_store(empty_db, read_only=True) as store:
        assert store.table("leads").count().execute() == 0


def test_as_of_dates_every_undated_record_and_is_recorded(tmp_path: Path, empty_db: str) -> None:
    leads = _undated_leads(tmp_path / "leads.csv", n=6)
    out = _run("import", "generic", str(tmp_path / "leads.csv"), "--as-of", AS_OF, "--db", empty_db)
    assert f"created_at of {len(leads)} leads set to 31.03.2024 (--as-of)" in out
    with open_store(empty_db, read_only=True) as store:
        created = store.table("leads").created_at.to_pandas()
        batches = store.table("import_batches").to_pandas()
    assert len(created) == len(leads)
    assert (created == pd.Timestamp(AS_OF)).all()
    assert batches["as_of"].tolist() == [pd.Timestamp(AS_OF)]


def test_as_of_fills_empty_cells_only_and_still_rejects_wrong_dates(
    tmp_path: Path, empty_db: str
) -> None:
    frame = pd.DataFrame(
        {
            "lead_id": ["A", "B", "C", "D", "E"],
            "created_at": ["2024-02-01", "", "2024-02-03", "yesterday", ""],
        }
    )
    frame.to_csv(tmp_path / "leads.csv", index=False)
    blank = int((frame["created_at"] == "").sum())
    out = _run("import", "generic", str(tmp_path / "leads.csv"), "--as-of", AS_OF, "--db", empty_db)
    assert f"created_at of {blank} leads set to 31.03.2024 (--as-of)" in out
    with open_store(empty_db, read_only=True) as store:
        leads = store.table("leads").to_pandas().set_index("source_id")["created_at"]
        rejected = store.table("rejected_rows").to_pandas()
    assert leads.to_dict() == {
        "A": pd.Timestamp("2024-02-01"),
        "B": pd.Timestamp(AS_OF),
        "C": pd.Timestamp("2024-02-03"),
        "E": pd.Timestamp(AS_OF),
    }
    assert rejected[["row_number", "column", "value"]].values.tolist() == [
        [5, "created_at", "yesterday"]
    ]


def test_as_of_must_be_a_date(tmp_path: Path, empty_db: str) -> None:
    _undated_leads(tmp_path / "leads.csv")
    out = _run(
        "import", "generic", str(tmp_path / "leads.csv"), "--as-of", "31.03.2024", "--db",
        empty_db, code=2,
    )  # fmt: skip
    assert "--as-of" in out


# --- every analysis says why it is empty ----------------------------------------------------

EMPTY = "no data: the store holds no leads yet — import exports or run `revintel synth`"
NO_HISTORY = (
    "no stage history: the data (31.03.2024) holds no milestones, so no lead reaches a stage of "
    "the funnel"
)
UNDATED_FORECAST = (
    "no dated history: every record was created on 31.03.2024, so neither arrivals per month "
    "nor times to close can be measured"
)
#: (command, (exit code, sentence) on the empty store, (exit code, sentence) on the undated one).
ANALYSES = [
    (("funnel",), (0, EMPTY), (0, NO_HISTORY)),
    (("funnel", "--by", "channel"), (0, EMPTY), (0, NO_HISTORY)),
    (("kpi",), (0, EMPTY), (0, NO_HISTORY)),
    (("alerts",), (0, EMPTY), (0, NO_HISTORY)),
    (
        ("forecast",),
        (0, "nothing to forecast: the store holds no leads and no opportunities"),
        (0, UNDATED_FORECAST),
    ),
    (
        ("forecast", "pipeline"),
        (0, "nothing to forecast: the store holds no leads and no opportunities"),
        (0, "no opportunities in the data (31.03.2024): nothing to weigh"),
    ),
    (
        ("score", "train", "leads"),
        (1, "the store holds no milestones; import data or run `revintel synth`"),
        (
            1,
            "no dated history: scoring uses cross-validation, not out-of-time, which needs at "
            "least 5 records that reached the target and 5 that did not; found 0 and 4",
        ),
    ),
    (
        ("report", "--out", "{tmp}/report.html"),
        (0, f"funnel: {EMPTY}"),
        (0, f"funnel: {NO_HISTORY}"),
    ),
]


@pytest.mark.parametrize(("args", "on_empty", "on_undated"), ANALYSES, ids=lambda v: str(v))
def test_each_analysis_says_why_it_is_empty(
    args: tuple[str, ...],
    on_empty: tuple[int, str],
    on_undated: tuple[int, str],
    stores: tuple[str, str],
    tmp_path: Path,
) -> None:
    empty_db, undated_db = stores
    for db, (code, sentence) in ((empty_db, on_empty), (undated_db, on_undated)):
        command = [a.replace("{tmp}", str(tmp_path)) for a in args]
        raw = _raw(*command, "--db", db, code=code)
        assert sentence in " ".join(raw.split()), raw
        assert _headers_without_rows(raw) == [], raw


def test_report_shows_the_reasons_in_place_of_its_tables(
    stores: tuple[str, str], tmp_path: Path
) -> None:
    undated_db = stores[1]
    out = _run("report", "--out", str(tmp_path / "r.html"), "--lang", "de", "--db", undated_db)
    assert f"forecast: {UNDATED_FORECAST}" in out
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Keine Stufenhistorie: Die Daten (31.03.2024) enthalten keine Meilensteine" in html
    assert '<table id="funnel">' not in html and '<table id="forecast">' not in html


# --- dated but young data: maturity, complete periods, ranges -------------------------------


def _january(tmp_path: Path, db: str) -> pd.DataFrame:
    days = pd.date_range("2024-01-12", "2024-01-28")
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(40)],
            "channel": ["web", "fair"] * 20,
            "created_at": [f"{days[i % len(days)]:%Y-%m-%d}" for i in range(40)],
        }
    )
    opps = pd.DataFrame(
        {
            "opportunity_id": [f"O{i}" for i in range(20)],
            "lead_id": leads["lead_id"][:20],
            "created_at": leads["created_at"][:20],
            "closed_at": "2024-01-28",
            "stage": ["won", "lost"] * 10,
            "amount": 1000,
        }
    )
    leads.to_csv(tmp_path / "leads.csv", index=False)
    opps.to_csv(tmp_path / "opps.csv", index=False)
    _run("init", "--db", db)
    _run("import", "generic", str(tmp_path / "leads.csv"), str(tmp_path / "opps.csv"), "--db", db)
    return opps


def test_young_dated_data_names_maturity_complete_periods_and_range(tmp_path: Path) -> None:
    db = str(tmp_path / "jan.duckdb")
    opps = _january(tmp_path, db)
    mature = (
        "no lead is mature yet (created ≥ 365 days before the as-of date) — try --maturity-days 0"
    )
    assert mature in _run("funnel", "--by", "channel", "--db", db)
    assert mature in _run("kpi", "win_probability", "--db", db)
    assert "no complete period: the data covers 12.01.–28.01.2024" in _run("alerts", "--db", db)
    out = _run("kpi", "--from", "2025-01-01", "--db", db)
    assert "no rows in the range asked for (≥ 01.01.2025): the data covers 12.01.–28.01.2024" in out
    # With every lead counted the funnel has rows again: reached per channel as pandas counts.
    # (Maturity 0 counts leads created before the as-of day, the last milestone's: 28.01.)
    printed = _raw("funnel", "--by", "channel", "--maturity-days", "0", "-f", "json", "--db", db)
    frame = pd.DataFrame(json.loads(printed))
    reached = frame[frame["milestone"] == "mql"].set_index("channel")["reached"].to_dict()
    counted = opps.assign(channel=["web", "fair"] * 10)
    counted = counted[pd.to_datetime(counted["created_at"]) < pd.Timestamp("2024-01-28")]
    assert reached == counted.groupby("channel").size().to_dict()


# --- scoring without dated history ------------------------------------------------------------


def test_undated_scoring_is_cross_validated_and_says_so(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n = 600
    channel = rng.choice(["web", "fair", "partner", "email"], n)
    rate = pd.Series(channel).map({"web": 0.5, "fair": 0.15, "partner": 0.35, "email": 0.05})
    has_opp = rng.random(n) < 0.6
    won = rng.random(n) < rate.to_numpy() / 0.6
    leads = pd.DataFrame({"lead_id": [f"L{i}" for i in range(n)], "channel": channel})
    opps = pd.DataFrame(
        {
            "opportunity_id": [f"O{i}" for i in range(n)],
            "lead_id": leads["lead_id"],
            "amount": 1000,
            "stage": np.where(won, "won", "lost"),
        }
    )[has_opp]
    leads.to_csv(tmp_path / "leads.csv", index=False)
    opps.to_csv(tmp_path / "opps.csv", index=False)
    db = str(tmp_path / "cv.duckdb")
    _run("init", "--db", db)
    files = [str(tmp_path / "leads.csv"), str(tmp_path / "opps.csv")]
    out = _run("import", "generic", *files, "--as-of", AS_OF, "--db", db)
    assert f"created_at of {len(opps)} opportunities set to 31.03.2024 (--as-of)" in out

    out = _run("score", "train", "leads", "--db", db)
    assert "no dated history: scoring uses cross-validation, not out-of-time" in out
    assert "5-fold cross-validated AUC" in out
    assert "Cross-validated: no dated history, no out-of-time test" in out

    from revintel.predict import list_models

    with open_store(db, read_only=True) as store:
        record = next(r for r in list_models(store) if r.kind == "lead_to_won")
    assert record.metrics["evaluation"] == "cross-validation"
    assert record.metrics["folds"] == 5
    german = record.metrics["message_de"]
    assert german.startswith("keine datierte Historie: die Bewertung nutzt Kreuzvalidierung")
    assert "AUC in 5-facher Kreuzvalidierung 0," in german
    # The simulated truth: won leads are those with an opportunity won, at a rate by channel.
    truth = has_opp & won
    oracle = roc_auc_score(truth, rate.to_numpy())
    cv_auc = record.metrics["validation"][record.algorithm]["auc"]
    assert record.metrics["validation"][record.algorithm]["positives"] == int(truth.sum())
    assert abs(cv_auc - oracle) < 0.05, (cv_auc, oracle)
    report = _run("score", "report", "--db", db)
    assert "cross-validation" in report


# --- the API and the dashboard (German) -------------------------------------------------------


@pytest.fixture
def undated_server(stores: tuple[str, str], tmp_path: Path) -> Iterator[LiveServer]:
    db = tmp_path / "served.duckdb"
    shutil.copy(stores[1], db)
    with open_store(db) as store:
        add_user(store, "chef", PASSWORD, "manager")
        tokens = {"chef": create_token(store, "chef", "tests")[0]}
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="de")):
        yield LiveServer(url, db, tokens)


def test_api_upload_takes_as_of(undated_server: LiveServer, tmp_path: Path) -> None:
    chef = undated_server.client("chef")
    more = pd.DataFrame({"lead_id": ["N1", "N2", "N3"], "channel": ["web", "web", "fair"]})
    files = {"files": ("more.csv", more.to_csv(index=False).encode(), "text/csv")}
    upload = chef.post("/api/v1/imports", files=files, data={"as_of": "2024-04-30"})
    assert upload.status_code == 201, upload.text
    assert upload.json()["files"][0]["rows_accepted"] == len(more)
    leads = chef.get("/api/v1/leads", params={"limit": 100}).json()["items"]
    created = {r["source_id"]: r["created_at"][:10] for r in leads}
    assert {k: created[k] for k in more["lead_id"]} == dict.fromkeys(more["lead_id"], "2024-04-30")
    refused = chef.post("/api/v1/imports", files=files, data={"as_of": "30.04.2024"})
    assert refused.status_code == 422


def test_api_answers_why_an_analysis_is_empty(undated_server: LiveServer) -> None:
    chef = undated_server.client("chef")
    funnel = chef.get("/api/v1/funnel")
    assert funnel.status_code == 200
    assert all(row["reached"] == 0 for row in funnel.json())
    gap = chef.get("/api/v1/kpis/gap", params={"analysis": "funnel"})
    assert gap.status_code == 200
    body = gap.json()
    assert body["empty"] is True
    assert body["note"]["code"] == "no_stage_history"
    assert body["note"]["note_en"] == NO_HISTORY
    assert body["note"]["first"] == body["note"]["last"] == AS_OF
    forecast = chef.get("/api/v1/forecast").json()
    assert forecast["note"]["code"] == "undated_history"
    assert forecast["note"]["note_en"] == UNDATED_FORECAST
    assert {r["p90"] for r in forecast["rows"]} == {0}
    alerts = chef.get("/api/v1/kpis/gap", params={"analysis": "alerts"}).json()
    assert alerts["note"]["code"] == "no_stage_history"
    refused = chef.get(
        "/api/v1/kpis/gap",
        params={"analysis": "kpis", "created_from": "2024-02-01", "created_to": "2024-01-01"},
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "created_from"


def test_german_pages_say_why_instead_of_empty_tables(undated_server: LiveServer) -> None:
    browser = browser_login(undated_server, "chef")
    funnel = browser.get("/funnel")
    assert funnel.status_code == 200
    assert (
        "Keine Stufenhistorie: Die Daten (31.03.2024) enthalten keine Meilensteine, daher "
        "erreicht kein Lead eine Stufe des Funnels." in html_text(funnel.text)
    )
    assert '<table id="funnel">' not in funnel.text
    forecast = browser.get("/forecast")
    assert forecast.status_code == 200
    assert "Keine datierte Historie: Alle Datensätze wurden am 31.03.2024 angelegt" in html_text(
        forecast.text
    )
    assert '<table id="forecast">' not in forecast.text
