"""A sales team lead sees the rows of every rep in their team, and nothing of other teams."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from revintel.auth import add_user, create_token, get_user, visible, visible_tables
from revintel.pricing._price_model import fit_price_model, store_price_model
from revintel.server import Settings
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import PASSWORD


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A small demo company with a team lead ``lead`` (rep R001's team) and rep R001's user."""
    db = tmp_path_factory.mktemp("team-lead") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, SynthConfig(seed=5, leads=2_000, accounts=200, reps=10))
        add_user(store, "lead", PASSWORD, "team_lead", rep_id="R001")
        add_user(store, "r001", PASSWORD, "sales_rep", rep_id="R001")
        store_price_model(store, fit_price_model(store, min_won=15, bootstrap=5))
        tokens = {u: create_token(store, u, "tests")[0] for u in ("lead", "r001")}
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)


def _team_of(reps: dict[str, str], rep: str) -> set[str]:
    return {r for r, team in reps.items() if team == reps[rep]}


def test_the_lead_sees_the_deals_accounts_and_orders_of_the_team(company: LiveServer) -> None:
    with open_store(company.db) as store:
        reps = store.table("reps").to_pandas().set_index("rep_id")["team"].to_dict()
        team = _team_of(reps, "R001")
        assert 1 < len(team) < len(reps)
        lead = get_user(store, "lead")
        assert lead is not None
        deals = store.table("opportunities").to_pandas()
        seen = visible(store, lead, "opportunities").to_pandas()
        assert set(seen["opportunity_id"]) == set(
            deals[deals["rep_id"].isin(team)]["opportunity_id"]
        )
        accounts = store.table("accounts").to_pandas()
        own_accounts = set(accounts[accounts["owner_rep_id"].isin(team)]["account_id"])
        tables = visible_tables(store, lead)
        orders = tables["orders"].to_pandas()
        assert len(orders) > 0 and set(orders["account_id"]) <= own_accounts
        items = tables["price_adjustments"].to_pandas()
        assert set(items["order_id"]) <= set(orders["order_id"])
        rep = get_user(store, "r001")
        assert rep is not None
        rep_deals = visible(store, rep, "opportunities").to_pandas()
        assert set(rep_deals["rep_id"]) == {"R001"} and len(rep_deals) < len(seen)


def test_the_api_answers_the_team_and_refuses_other_teams(company: LiveServer) -> None:
    with open_store(company.db) as store:
        reps = store.table("reps").to_pandas().set_index("rep_id")["team"].to_dict()
        deals = store.table("opportunities").to_pandas()
    team = _team_of(reps, "R001")
    mate = deals[deals["rep_id"].isin(team - {"R001"})]["opportunity_id"].iloc[0]
    other = deals[~deals["rep_id"].isin(team)]["opportunity_id"].iloc[0]
    lead, rep = company.client("lead"), company.client("r001")
    assert lead.get(f"/api/v1/opportunities/{mate}").status_code == 200
    assert rep.get(f"/api/v1/opportunities/{mate}").status_code == 403
    assert lead.get(f"/api/v1/opportunities/{other}").status_code == 403
    listed = lead.get("/api/v1/opportunities", params={"limit": 500}).json()
    assert {d["rep_id"] for d in listed["items"]} <= team
    assert listed["total"] == int(deals["rep_id"].isin(team).sum())


def test_guidance_follows_the_team(company: LiveServer) -> None:
    with open_store(company.db) as store:
        reps = store.table("reps").to_pandas().set_index("rep_id")["team"].to_dict()
        deals = store.table("opportunities").to_pandas()
    team = _team_of(reps, "R001")
    open_deals = deals[deals["status"] == "open"]
    mate = open_deals[open_deals["rep_id"].isin(team - {"R001"})]["opportunity_id"].iloc[0]
    other = open_deals[~open_deals["rep_id"].isin(team)]["opportunity_id"].iloc[0]
    lead, rep = company.client("lead"), company.client("r001")
    answer = lead.post("/api/v1/pricing/guidance", json={"opportunity_id": mate})
    assert answer.status_code == 200, answer.text
    assert answer.json()["opportunity_id"] == mate
    assert rep.post("/api/v1/pricing/guidance", json={"opportunity_id": mate}).status_code == 403
    refused = lead.post("/api/v1/pricing/guidance", json={"opportunity_id": other})
    assert refused.status_code == 403
