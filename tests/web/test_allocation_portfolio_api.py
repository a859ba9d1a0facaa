"""``/api/v1/allocation/portfolio`` and ``/api/v1/allocation/coverage`` on the small generated
company: JSON equal to the library's portfolio, its under- and over-served lists and coverage
model, German CSV (semicolons, decimal commas, byte order mark) and Excel, and 403 for a sales
rep and for marketing."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from python_calamine import CalamineWorkbook

from revintel.allocation import coverage_models, over_served, portfolio, under_served
from revintel.auth import add_user, create_token
from revintel.server import Settings, create_app
from revintel.store import open_store
from tests.allocation.company import small_company
from tests.web.conftest import SECRET
from tests.web.stores import PASSWORD

BASE = "/api/v1/allocation"
ROLES = {"chef": "manager", "rep": "sales_rep", "mkt": "marketing"}


@dataclass(frozen=True)
class Served:
    """The app on a copy of the company, a token per user and the library's results."""

    client: TestClient
    tokens: dict[str, str]
    portfolio: pd.DataFrame
    coverage: pd.DataFrame

    def get(self, path: str, user: str, **params: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return self.client.get(path, params=params, headers=headers)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    company = small_company()
    db = tmp_path_factory.mktemp("allocation_portfolio_api") / "store.duckdb"
    shutil.copy(company.db, db)
    rep_id = str(company.plan.assignments["rep_id"].iloc[0])
    tokens = {}
    with open_store(db) as store:
        for user, role in ROLES.items():
            add_user(store, user, PASSWORD, role, rep_id=rep_id if role == "sales_rep" else None)
            tokens[user] = create_token(store, user, "tests")[0]
        accounts = portfolio(store)
        models = coverage_models(store)
    settings = Settings(db=str(db), secret_key=SecretStr(SECRET), warm_up=False)
    with TestClient(create_app(settings)) as client:
        yield Served(client, tokens, accounts, models)


def test_portfolio_json_is_the_library_s(served: Served) -> None:
    response = served.get(f"{BASE}/portfolio", "chef")
    assert response.status_code == 200, response.text[:400]
    rows = pd.DataFrame(response.json())
    expected = served.portfolio
    assert len(rows) == len(expected) == 200
    assert rows["account_id"].tolist() == expected["account_id"].tolist()
    assert rows["white_space"].tolist() == pytest.approx(expected["white_space"].tolist())
    assert rows["cell"].tolist() == expected["cell"].tolist()
    assert rows["recommended_hours"].tolist() == expected["recommended_hours"].tolist()
    # churn risk is 1 − P(alive) wherever the account ever ordered
    bought = rows.dropna(subset=["p_alive"])
    assert len(bought) > 50
    assert (bought["churn_risk"] + bought["p_alive"]).tolist() == pytest.approx([1.0] * len(bought))
    # terciles of the potential: every tier-A account has at least the potential of any C one
    tier = rows.groupby("potential_tier")["potential"]
    assert tier.min()["A"] >= tier.max()["B"] >= tier.max()["C"]


@pytest.mark.parametrize(("which", "pick"), [("under", under_served), ("over", over_served)])
def test_the_served_lists(
    served: Served, which: str, pick: Callable[[pd.DataFrame], pd.DataFrame]
) -> None:
    expected = pick(served.portfolio)
    rows = served.get(f"{BASE}/portfolio", "chef", list=which).json()
    assert [r["account_id"] for r in rows] == expected["account_id"].tolist()
    assert len(rows) > 0
    assert served.get(f"{BASE}/portfolio", "chef", list="middle").status_code == 422


def test_under_served_as_german_csv_and_excel(served: Served) -> None:
    expected = under_served(served.portfolio)
    response = served.get(f"{BASE}/portfolio", "chef", list="under", format="csv", lang="de")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "under-served.csv" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r["account_id"] for r in rows] == expected["account_id"].tolist()
    white = [float(r["white_space"].replace(",", ".")) for r in rows]
    assert white == pytest.approx(expected["white_space"].tolist())
    assert all("," in r["potential"] and "." not in r["potential"] for r in rows)
    assert {r["level_reason_text"] for r in rows} <= {
        "Potenzialklasse",
        "Kauft weniger als die Hälfte seines Potenzials",
        "Wertvoller Kunde mit Abwanderungsrisiko",
        "Regel zur Mindestbetreuung",
    }
    sheet = served.get(f"{BASE}/coverage", "chef", format="xlsx")
    assert sheet.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(sheet.content))
    values = book.get_sheet_by_index(0).to_python()
    header = list(values[0])
    margins = [v[header.index("expected_margin")] for v in values[1:]]
    assert margins == pytest.approx(served.coverage["expected_margin"].tolist())


def test_coverage_json_is_the_library_s(served: Served) -> None:
    rows = served.get(f"{BASE}/coverage", "chef", lang="de").json()
    expected = served.coverage
    assert [r["account_id"] for r in rows] == expected["account_id"].tolist()
    assert [r["model"] for r in rows] == expected["model"].tolist()
    assert [r["cost"] for r in rows] == pytest.approx(expected["cost"].tolist())
    assert [r["reason_kind"] for r in rows] == expected["reason"].tolist()
    german = {
        "digital": "Kauft überwiegend digital oder im Self-Service",
        "cost": "Bringt nach Kosten den höchsten Deckungsbeitrag",
    }
    for r in rows:
        best = max(("field", "inside", "digital"), key=lambda m: r[f"margin_{m}"])
        assert r["model"] == best
        assert r["expected_margin"] == pytest.approx(r[f"margin_{best}"])
        if r["reason_kind"] in german:
            assert r["reason"] == german[r["reason_kind"]]


@pytest.mark.parametrize("path", ["portfolio", "coverage"])
@pytest.mark.parametrize("user", ["rep", "mkt"])
def test_managers_and_admins_only(served: Served, path: str, user: str) -> None:
    response = served.get(f"{BASE}/{path}", user, format="csv")
    assert response.status_code == 403
    assert "account_id" not in response.text
