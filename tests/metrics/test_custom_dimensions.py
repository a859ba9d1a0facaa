"""KPIs broken down and filtered by custom fields (``custom.<name>``): domain, CLI and API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.auth import add_user, create_token
from revintel.cli import app
from revintel.ingest import import_files
from revintel.metrics import (
    MetricQuery,
    MetricQueryError,
    MetricSources,
    evaluate_kpi,
    load_catalogue,
    parse_filter,
)
from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, serve_in_thread

runner = CliRunner()
MAPPING = """
system: edu
stages: {Open: mql}
objects:
  accounts:
    table: accounts
    detect: [Company, Tier]
    id: Company
    fields:
      name: Company
    custom:
      tier: {column: Tier, type: text}
  leads:
    table: leads
    detect: [Lead Number, Lead Origin]
    id: Lead Number
    fields:
      created_at: Created
      channel: Lead Origin
      account_id: {column: Company, ref: accounts}
    stage:
      column: Stage
      dated_by: {mql: Created}
    custom:
      last_activity: {column: Last Activity, type: text}
      do_not_email: {column: Do Not Email, type: flag}
      web_visits: {column: Total Visits, type: number}
"""


def _leads(n: int = 300, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    companies = pd.DataFrame(
        {"Company": [f"C{i}" for i in range(20)], "Tier": rng.choice(["A", "B", "C"], 20)}
    )
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 180, n), unit="D")
    leads = pd.DataFrame(
        {
            "Lead Number": [f"L{i}" for i in range(n)],
            "Lead Origin": rng.choice(["API", "Landing Page"], n),
            "Created": created.strftime("%Y-%m-%d"),
            "Stage": "Open",
            "Company": rng.choice(companies["Company"], n),
            "Last Activity": rng.choice(["Email Opened", "SMS Sent", ""], n),
            "Do Not Email": rng.choice(["Yes", "No"], n, p=[0.2, 0.8]),
            "Total Visits": rng.integers(0, 9, n),
        }
    )
    return leads, companies


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("custom")
    leads, companies = _leads()
    leads.to_csv(folder / "leads.csv", index=False)
    companies.to_csv(folder / "companies.csv", index=False)
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    path = folder / "store.duckdb"
    with open_store(path) as store:
        files = [folder / "companies.csv", folder / "leads.csv"]
        report = import_files(store, "generic", files, mapping=folder / "mapping.yaml")
        assert report.rows_rejected == 0
    return path


def _mqls(db: Path, by: tuple[str, ...], where: tuple[str, ...] = ()) -> pd.DataFrame:
    query = MetricQuery(grain="all", by=by, where=tuple(parse_filter(w) for w in where))
    with open_store(db, read_only=True) as store:
        sources = MetricSources.from_store(store)
        return evaluate_kpi(sources, load_catalogue().get("mqls"), query)


def test_breakdown_by_a_lead_field_and_an_account_field_equals_pandas(db: Path) -> None:
    leads, companies = _leads()
    frame = _mqls(db, ("custom.last_activity",))
    got = dict(zip(frame["custom.last_activity"].fillna(""), frame["value"], strict=True))
    assert got == leads["Last Activity"].fillna("").value_counts().astype(float).to_dict()
    frame = _mqls(db, ("custom.tier",), ("custom.do_not_email=false",))
    kept = leads.loc[leads["Do Not Email"] == "No"].merge(companies, on="Company")
    expected = kept["Tier"].value_counts().astype(float).to_dict()
    assert dict(zip(frame["custom.tier"], frame["value"], strict=True)) == expected


def test_unknown_and_numeric_fields_are_refused(db: Path) -> None:
    with pytest.raises(MetricQueryError, match=r"custom\.nope: no such custom field; known: "):
        _mqls(db, ("custom.nope",))
    with pytest.raises(MetricQueryError, match="a number field; breakdowns and filters take"):
        _mqls(db, ("custom.web_visits",))
    with pytest.raises(MetricQueryError, match="unknown dimension"):
        MetricQuery(by=("custom.Bad",))


def test_cli_breaks_down_and_filters_by_a_custom_field(db: Path) -> None:
    leads, _ = _leads()
    args = ["kpi", "mqls", "--db", str(db), "--grain", "all", "--format", "json"]
    result = runner.invoke(app, [*args, "--by", "custom.do_not_email"])
    assert result.exit_code == 0, result.output
    got = {r["custom.do_not_email"]: r["value"] for r in json.loads(result.output)}
    counts = leads["Do Not Email"].map({"Yes": "true", "No": "false"}).value_counts()
    assert got == counts.astype(float).to_dict()
    result = runner.invoke(app, [*args, "--where", "custom.last_activity=SMS Sent"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["value"] == float((leads["Last Activity"] == "SMS Sent").sum())
    result = runner.invoke(app, [*args, "--by", "custom.nope"])
    # the command line turns it into one line (revintel.cli.main); the runner keeps the error
    assert isinstance(result.exception, MetricQueryError)
    assert "custom.nope: no such custom field" in str(result.exception)


@pytest.fixture(scope="module")
def api(db: Path) -> Iterator[tuple[str, str]]:
    with open_store(db) as store:
        add_user(store, "chef", "a-long-password-123", "admin")
        token = create_token(store, "chef", "tests")[0]
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET)):
        yield url, token


def test_api_takes_custom_fields_and_names_the_parameter_of_an_unknown_one(
    api: tuple[str, str],
) -> None:
    url, token = api
    client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120)
    params = {"kpi": "mqls", "grain": "all", "by": "custom.tier", "where": "custom.tier!=A"}
    response = client.get("/api/v1/kpis/values", params=params)
    assert response.status_code == 200, response.text
    leads, companies = _leads()
    tiers = leads.merge(companies, on="Company")["Tier"]
    expected = tiers[tiers != "A"].value_counts().astype(float).to_dict()
    got = {r["custom.tier"]: r["value"] for r in response.json()}
    assert got == expected and len(got) == 2
    wrong = client.get("/api/v1/kpis/values", params={"by": "custom.nope"})
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "by"
    wrong = client.get("/api/v1/kpis/values", params={"where": "custom.web_visits=3"})
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "where"
    spelled = client.get("/api/v1/kpis/values", params={"by": "custom.Bad"})
    assert spelled.status_code == 422
