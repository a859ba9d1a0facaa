"""What an hour of selling buys: the response curve of a store as the library, the command line
(German and English) and the API show it, on the small generated company."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from revintel.allocation import CurveReport, response_curve_report
from revintel.auth import add_user, create_token
from revintel.cli import app
from revintel.i18n import Translator
from revintel.server import Settings, create_app
from revintel.store import open_store
from tests.allocation.company import SmallCompany, small_company
from tests.web.conftest import SECRET
from tests.web.stores import PASSWORD

runner = CliRunner()
WIDE = {"COLUMNS": "250", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.fixture(scope="module")
def company() -> SmallCompany:
    return small_company()


@pytest.fixture(scope="module")
def report(company: SmallCompany) -> CurveReport:
    with open_store(company.db, read_only=True) as store:
        return response_curve_report(store, bootstrap=40)


def test_the_report_is_the_curve_the_plan_uses(company: SmallCompany, report: CurveReport) -> None:
    inputs = company.inputs
    for name in ("s0", "s_max", "h_half"):
        assert getattr(report.curve, name) == pytest.approx(getattr(inputs.curve, name))
    assert report.curve.method == inputs.curve.method == "within accounts"
    assert report.customer_years == len(inputs.history)
    first = inputs.history.groupby("account_id")["potential"].first()
    assert report.typical_potential == pytest.approx(first.median())
    points = report.points()
    yearly = points["hours_per_week"] * report.weeks_per_year
    assert np.allclose(points["hours_per_year"], yearly)
    share = inputs.curve.share(yearly.to_numpy())
    assert np.allclose(points["intake"], share * report.typical_potential)
    assert np.allclose(points["lift"], points["intake"] - points["intake"].iloc[0])
    # diminishing returns: each further hour adds less, and the next hour's worth is the slope
    assert (np.diff(points["next_hour"]) < 0).all() and (np.diff(points["lift"]) > 0).all()
    step = 1e-3
    at = points["hours_per_year"].iloc[3]
    slope = (inputs.curve.share(at + step) - inputs.curve.share(at)) / step
    assert points["next_hour"].iloc[3] == pytest.approx(slope * report.typical_potential, 1e-3)
    parameters = report.parameters().set_index("parameter")
    assert (parameters["low"] <= parameters["value"]).all()
    assert (parameters["value"] <= parameters["high"]).all()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args), env=WIDE)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_command_shows_it_in_german_and_as_json(
    company: SmallCompany, report: CurveReport
) -> None:
    document = json.loads(_run("allocate", "curve", "--db", str(company.db), "--format", "json"))
    assert document["method"] == "within accounts"
    assert document["customer_years"] == report.customer_years
    got = [p["intake"] for p in document["points"]]
    assert got == pytest.approx(report.points()["intake"].tolist())
    text = _run("allocate", "curve", "--db", str(company.db), "--lang", "de")
    t = Translator("de")
    assert "Reaktionskurve, gelesen innerhalb der Kunden" in text
    assert f"aus {report.customer_years} Kundenjahren bis {t.date(report.as_of)}" in text
    one_hour = report.points().set_index("hours_per_week").loc[1.0]
    assert t.money(one_hour["intake"]) in text and t.percent(one_hour["share_of_potential"]) in text
    assert "Auftragseingang im Jahr" in text and "order intake" not in text


@pytest.fixture(scope="module")
def client(
    company: SmallCompany, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    db: Path = tmp_path_factory.mktemp("curve_api") / "store.duckdb"
    shutil.copy(company.db, db)
    tokens = {}
    with open_store(db) as store:
        for user, role in (("chef", "manager"), ("rep", "sales_rep")):
            rep = "R001" if role == "sales_rep" else None
            add_user(store, user, PASSWORD, role, rep_id=rep)
            tokens[user] = create_token(store, user, "tests")[0]
    settings = Settings(db=str(db), secret_key=SecretStr(SECRET), warm_up=False)
    with TestClient(create_app(settings)) as served:
        yield served, tokens


def test_the_api_answers_managers_with_the_curve(
    client: tuple[TestClient, dict[str, str]], report: CurveReport
) -> None:
    served, tokens = client

    def get(user: str) -> dict:
        answer = served.get(
            "/api/v1/allocation/curve", headers={"Authorization": f"Bearer {tokens[user]}"}
        )
        return {"status": answer.status_code, "body": answer.json()}

    manager = get("chef")
    assert manager["status"] == 200
    body = manager["body"]
    assert body["method"] == "within accounts" and body["as_of"] == report.as_of.isoformat()
    values = {p["parameter"]: p["value"] for p in body["parameters"]}
    assert values["h_half"] == pytest.approx(report.curve.h_half)
    assert [p["lift"] for p in body["points"]] == pytest.approx(report.points()["lift"].tolist())
    assert get("rep")["status"] == 403
