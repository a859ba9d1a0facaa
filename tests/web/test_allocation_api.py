"""``/api/v1/allocation`` on a small generated company: the plan as JSON equal to the library's,
German CSV (semicolons, decimal commas, byte order mark), a sales rep's own rows only and 403 on
everything else, managers only for potential, rep performance and suggested owners, and 409 with
the reason for a store without activities."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from revintel.auth import add_user, create_token
from revintel.server import Settings, create_app
from revintel.store import open_store
from tests.allocation.company import SmallCompany, small_company
from tests.web.conftest import SECRET
from tests.web.stores import PASSWORD

PLAN = "/api/v1/allocation"
ROLES = {"chef": "manager", "rep": "sales_rep", "mkt": "marketing"}


@dataclass(frozen=True)
class Served:
    """The app on a copy of the company, a token per user and the rep signed in as ``rep``."""

    company: SmallCompany
    client: TestClient
    tokens: dict[str, str]
    rep_id: str
    db: Path

    def get(self, path: str, user: str, **params: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return self.client.get(path, params=params, headers=headers)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    company = small_company()
    db = tmp_path_factory.mktemp("allocation_api") / "store.duckdb"
    shutil.copy(company.db, db)
    rep_id = str(company.plan.assignments["rep_id"].value_counts().idxmax())
    tokens = {}
    with open_store(db) as store:
        for user, role in ROLES.items():
            add_user(store, user, PASSWORD, role, rep_id=rep_id if role == "sales_rep" else None)
            tokens[user] = create_token(store, user, "tests")[0]
    settings = Settings(db=str(db), secret_key=SecretStr(SECRET), warm_up=False)
    with TestClient(create_app(settings)) as client:
        yield Served(company, client, tokens, rep_id, db)


def test_plan_json_is_the_library_s_plan(served: Served) -> None:
    response = served.get(PLAN, "chef")
    assert response.status_code == 200, response.text[:400]
    body = response.json()
    plan = served.company.plan
    assert body["scoped"] is False
    assert body["status"] == plan.status
    assert body["objective"] == pytest.approx(plan.objective, abs=0.01)
    rows = pd.DataFrame(body["assignments"])
    assert rows["rep_id"].tolist() == plan.assignments["rep_id"].tolist()
    assert rows["account_id"].tolist() == plan.assignments["account_id"].tolist()
    assert rows["hours_per_week"].tolist() == plan.assignments["hours_per_week"].tolist()
    used = rows.groupby("rep_id")["hours_per_week"].sum()
    assert all(used[r] <= served.company.capacity[r] + 1e-9 for r in used.index)


def test_german_csv_for_the_crm(served: Served) -> None:
    response = served.get(PLAN, "chef", format="csv", lang="de")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert list(rows[0]) == [
        "rep_id", "account_id", "opportunity_id", "hours_per_week", "expected_gain", "reason"
    ]  # fmt: skip
    assert len(rows) == len(served.company.plan.assignments)
    assert any(r["hours_per_week"] == "0,25" for r in rows)
    assert any(r["reason"].startswith("Offene Opportunity") for r in rows)


def test_a_rep_sees_only_own_rows(served: Served) -> None:
    body = served.get(PLAN, "rep").json()
    own = served.company.plan.assignments
    own = own[own["rep_id"] == served.rep_id]
    assert body["scoped"] is True
    assert len(body["assignments"]) == len(own) > 0
    assert {r["rep_id"] for r in body["assignments"]} == {served.rep_id}
    text = served.get(PLAN, "rep", format="csv").text
    assert len(text.strip().splitlines()) == len(own) + 1


@pytest.mark.parametrize("path", ["potential", "reps", "owners"])
def test_analyses_are_for_managers_and_admins(served: Served, path: str) -> None:
    assert served.get(f"{PLAN}/{path}", "rep").status_code == 403
    assert served.get(f"{PLAN}/{path}", "mkt").status_code == 403


def test_marketing_may_not_see_the_plan(served: Served) -> None:
    assert served.get(PLAN, "mkt").status_code == 403


def test_manager_sees_potential_and_owners(served: Served) -> None:
    potential = served.get(f"{PLAN}/potential", "chef")
    assert potential.status_code == 200
    rows = potential.json()
    assert len(rows) == 200
    spaces = [r["white_space"] for r in rows]
    assert spaces == sorted(spaces, reverse=True)
    assert all(r["potential"] >= r["current_revenue"] for r in rows)
    owners = served.get(f"{PLAN}/owners", "chef", lang="de").json()
    assert owners and all(r["reason"] for r in owners)


def test_a_store_without_activities_answers_409(served: Served, tmp_path: Path) -> None:
    copy = tmp_path / "without.duckdb"
    shutil.copy(served.company.db, copy)
    with open_store(copy) as store:
        store.truncate("activities")
        add_user(store, "chef", PASSWORD, "manager")
        token = create_token(store, "chef", "tests")[0]
    settings = Settings(db=str(copy), secret_key=SecretStr(SECRET), warm_up=False)
    with TestClient(create_app(settings)) as client:
        response = client.get(PLAN, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 409
    assert "no sales activities" in response.text
