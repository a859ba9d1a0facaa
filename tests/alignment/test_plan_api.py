"""``GET /api/v1/plan`` and ``/api/v1/plan/scenarios`` on the small demo company: the library's
numbers, the targets table as the default target, a rep's own rows, and bounded inputs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from revintel.alignment._plan import PlanRequest, Scenario, compare_scenarios, reverse_plan
from revintel.auth import add_user, create_token, get_user, scoped_store
from revintel.metrics._targets import import_targets
from revintel.server import Settings, create_app
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

COMPANY = SynthConfig(seed=11, leads=3_000, accounts=300, reps=6)
SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD = "plan-password-0123"
PLAN = "/api/v1/plan"
#: The quarter after the demo company's last day; a target is stored for the one after.
Q1, Q2 = (date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 6, 30))
STORED_TARGET = 750_000.0
#: Few draws keep each plan fast; the answers are still exact for a given seed.
FAST = {"draws": 400, "seed": 7}


@dataclass(frozen=True)
class Served:
    """The served store, its client and an API token per user."""

    db: Path
    client: TestClient
    tokens: dict[str, str]

    def get(self, path: str, user: str = "admin", **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return self.client.get(path, params=params, headers=headers)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("plan_api")
    db = folder / "store.duckdb"
    targets = folder / "targets.csv"
    targets.write_text(f"period_start,period_end,amount\n2025-04-01,2025-06-30,{STORED_TARGET}\n")
    with open_store(db) as store:
        write_demo_company(store, COMPANY)
        rep = sorted(store.table("reps").rep_id.to_pyarrow().to_pylist())[0]
        add_user(store, "admin", PASSWORD, "admin")
        add_user(store, "rep", PASSWORD, "sales_rep", rep_id=rep)
        import_targets(store, targets)
        tokens = {u: create_token(store, u, "plan tests")[0] for u in ("admin", "rep")}
    settings = Settings(db=str(db), secret_key=SecretStr(SECRET), warm_up=False)
    with TestClient(create_app(settings)) as client:
        yield Served(db, client, tokens)


def _totals(answer: dict[str, Any]) -> dict[tuple[str, str], tuple[float, ...]]:
    return {
        (r["group"], r["stage"]): (r["required_p50"], r["required_low"], r["required_high"])
        for r in answer["totals"]
    }


def test_the_plan_is_the_librarys_plan(served: Served) -> None:
    response = served.get(PLAN, target=1_000_000, period="2025-Q1", **FAST)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["target"] == 1_000_000 and answer["target_source"] == "argument"
    assert (answer["period_start"], answer["period_end"]) == ("2025-01-01", "2025-03-31")
    with open_store(served.db) as store:
        plan = reverse_plan(store, PlanRequest(1_000_000, *Q1, draws=400, seed=7))
    expected = {
        (r.group, r.stage): (r.required_p50, r.low, r.high) for r in plan.totals.itertuples()
    }
    assert _totals(answer) == expected
    company = {r["stage"]: r for r in answer["totals"] if r["group"] == "total"}
    assert list(company) == ["mql", "sal", "sql", "opportunity", "won"]
    # The funnel narrows: each stage needs fewer entries than the one before.
    needs = [company[s]["required_p50"] for s in company]
    assert needs == sorted(needs, reverse=True) and needs[-1] >= 1
    for row in answer["months"]:
        assert row["required_low"] <= row["required_p50"] <= row["required_high"]
        assert row["gap"] == pytest.approx(row["required_p50"] - row["run_rate"], abs=0.011)
    assert {r["step"] for r in answer["rates"]} == {
        "mql->sal", "sal->sql", "sql->opportunity", "opportunity->won"
    }  # fmt: skip
    assert all(0 < r["rate"] <= 1 for r in answer["rates"])


def test_without_a_target_the_targets_table_is_planned(served: Served) -> None:
    answer = served.get(PLAN, period="2025-Q2", by="none", **FAST).json()
    assert answer["target"] == STORED_TARGET and answer["target_source"] == "targets table"
    assert {r["group"] for r in answer["totals"]} == {"total"}
    missing = served.get(PLAN, period="2025-Q1", **FAST)
    assert missing.status_code == 409
    assert "no target is stored for 2025-Q1" in missing.json()["error"]["message"]


def test_a_rep_plans_with_their_own_rows(served: Served) -> None:
    mine = served.get(PLAN, "rep", target=200_000, period="2025-Q1", by="none", **FAST).json()
    whole = served.get(PLAN, target=200_000, period="2025-Q1", by="none", **FAST).json()
    with open_store(served.db) as store:
        rep = get_user(store, "rep")
        assert rep is not None
        own = reverse_plan(
            scoped_store(store, rep), PlanRequest(200_000, *Q1, by="", draws=400, seed=7)
        )
    run_rates = {r.stage: r.run_rate for r in own.totals.itertuples()}
    assert {r["stage"]: r["run_rate"] for r in mine["totals"]} == run_rates
    # A rep's own leads are a small part of the company's: so is their run-rate.
    assert run_rates["mql"] < 0.5 * next(
        r["run_rate"] for r in whole["totals"] if r["stage"] == "mql"
    )


def test_scenarios_are_compared_with_the_base(served: Served) -> None:
    params = {"target": 1_000_000, "period": "2025-Q1", "by": "none", **FAST}
    response = served.get(
        f"{PLAN}/scenarios", scenario=["better=mql_to_sal:1.5", "bigger=deal_size:2"], **params
    )
    assert response.status_code == 200, response.text
    rows = {(r["scenario"], r["stage"]): r["required_p50"] for r in response.json()["rows"]}
    with open_store(served.db) as store:
        request = PlanRequest(1_000_000, *Q1, by="", draws=400, seed=7)
        frame = compare_scenarios(store, request, [Scenario("better", 1.5)])
    library = {(r.scenario, r.stage): r.required_p50 for r in frame.itertuples()}
    assert rows[("base", "mql")] == library[("base", "mql")]
    assert rows[("better", "mql")] == library[("better", "mql")]
    # A better MQL→SAL rate needs fewer MQLs for the same SALs; twice the deal size about
    # half the won deals.
    assert rows[("better", "mql")] < rows[("base", "mql")]
    assert rows[("better", "sal")] == pytest.approx(rows[("base", "sal")], rel=0.15)
    assert rows[("bigger", "won")] < 0.7 * rows[("base", "won")]
    base = served.get(PLAN, **params).json()
    assert {r["stage"]: r["required_p50"] for r in base["totals"]} == {
        s: v for (name, s), v in rows.items() if name == "base"
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2025-Q5"}, "period"),
        ({"period": "2025-13"}, "period"),
        ({"target": "-1"}, "target"),
        ({"target": "0"}, "target"),
        ({"target": "nan"}, "target"),
        ({"target": "inf"}, "target"),
        ({"draws": "10"}, "draws"),
        ({"draws": "1000000"}, "draws"),
        ({"mql_to_sal": "0"}, "mql_to_sal"),
        ({"by": "rep"}, "by"),
    ],
)
def test_inputs_outside_the_document_get_422_naming_them(
    served: Served, params: dict[str, str], field: str
) -> None:
    response = served.get(PLAN, **{"target": "1000", "period": "2025-Q1", **params})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field and error["code"]


def test_bad_scenarios_are_refused_naming_the_parameter(served: Served) -> None:
    params = {"target": 1000, "period": "2025-Q1"}
    wrong = served.get(f"{PLAN}/scenarios", scenario="better mql", **params)
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "scenario"
    zero = served.get(f"{PLAN}/scenarios", scenario="none=mql_to_sal:0", **params)
    assert zero.status_code == 400 and "above 0" in zero.json()["error"]["message"]
