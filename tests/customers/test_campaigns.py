"""Cross-selling micro-campaigns: selection, recording, and uplift with planted effects."""

from __future__ import annotations

import doctest
import shutil
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from revintel.customers import _uplift
from revintel.customers._campaign_export import campaign_targets
from revintel.customers._campaign_records import (
    CampaignNotFoundError,
    list_campaigns,
    read_campaign,
    record_campaign,
)
from revintel.customers._campaign_uplift import measure_campaign
from revintel.customers._campaigns import control_size_for, plan_campaign
from revintel.customers._uplift import newcombe_difference, welch_difference
from revintel.store import Store, open_store
from tests.customers.campaign_company import AS_OF, FAMILY, pick, plant_orders, write_company


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_company(tmp_path_factory.mktemp("campaigns") / "company.duckdb")


@pytest.fixture()
def store(company: Path, tmp_path: Path) -> Store:
    """A copy of the company for a test that writes."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(company, copy)
    return open_store(copy)


def _family_buyers(store: Store, day: str) -> set[str]:
    # a product returned in full counts as not bought (returns carry negative quantities)
    rows = store.execute_sql(
        "SELECT DISTINCT account_id FROM (SELECT o.account_id, l.product_id, "
        "SUM(l.quantity) AS q FROM orders o JOIN order_lines l USING (order_id) "
        "JOIN products p USING (product_id) WHERE p.family = ? AND o.ordered_at < ? "
        "GROUP BY o.account_id, l.product_id) WHERE q > 0",
        [FAMILY, f"{day} 23:59:59.999999"],
    )
    return set(rows.column(0).to_pylist())


def test_selection_leaves_out_buyers_and_keeps_size_and_control_share(company: Path) -> None:
    with open_store(company, read_only=True) as store:
        plan = plan_campaign(store, FAMILY, 100, control_share=0.2, as_of=AS_OF, seed=11)
        buyers = _family_buyers(store, AS_OF)
        placeholders = set(
            store.execute_sql("SELECT account_id FROM accounts WHERE placeholder").column(0)
        )
    members = plan.members
    counts = members["group"].value_counts().to_dict()
    assert counts == {"treatment": 100, "control": 25} and plan.control_share == 0.2
    assert len(buyers) > 50 and not set(members["account_id"]) & (buyers | placeholders)
    assert list(members["rank"]) == list(range(1, 126))
    assert members["priority"].is_monotonic_decreasing
    assert members["propensity"].between(0, 1).all() and members["propensity"].max() <= 1
    assert plan.notes["margin_basis"] == "gamma_gamma" and plan.notes["family_order_margin"] > 0
    np.testing.assert_allclose(
        members["priority"], members["propensity"] * members["expected_margin"]
    )
    assert control_size_for(90, 0.1) == 10 and control_size_for(5, 0.5) == 5


def test_the_seed_reproduces_the_split_and_the_pool_does_not_depend_on_it(company: Path) -> None:
    with open_store(company, read_only=True) as store:
        first, again, other = (
            plan_campaign(store, FAMILY, 100, as_of=AS_OF, seed=s) for s in (3, 3, 4)
        )
    assert first.members.drop(columns="recommendations").equals(
        again.members.drop(columns="recommendations")
    )
    assert set(first.members["account_id"]) == set(other.members["account_id"])
    assert list(first.members["group"]) != list(other.members["group"])


def test_treatment_and_control_have_alike_priorities(company: Path) -> None:
    with open_store(company, read_only=True) as store:
        plan = plan_campaign(store, FAMILY, 180, control_share=0.5, as_of=AS_OF, seed=2)
    treated = plan.members.loc[plan.members["group"] == "treatment", "priority"]
    held = plan.members.loc[plan.members["group"] == "control", "priority"]
    pooled_sd = np.sqrt((treated.var() + held.var()) / 2)
    # standardised mean difference below 0.1: the usual bar for balanced groups
    assert abs(treated.mean() - held.mean()) / pooled_sd < 0.1
    assert stats.ks_2samp(treated, held).pvalue > 0.5


def test_bad_requests_name_the_problem(company: Path) -> None:
    with open_store(company, read_only=True) as store:
        with pytest.raises(ValueError, match="unknown product family 'Robotik'; known: "):
            plan_campaign(store, "Robotik", 10, as_of=AS_OF)
        with pytest.raises(ValueError, match=r"only \d+ accounts have bought but not yet"):
            plan_campaign(store, FAMILY, 5000, as_of=AS_OF)
        with pytest.raises(ValueError, match="control_share must lie strictly between 0 and 1"):
            plan_campaign(store, FAMILY, 10, control_share=1.0)
        with pytest.raises(ValueError, match="size must be at least 1"):
            plan_campaign(store, FAMILY, 0)


def test_a_campaign_is_recorded_and_read_back(store: Store) -> None:
    plan = plan_campaign(store, FAMILY, 40, as_of=AS_OF, seed=5)
    record = record_campaign(store, plan, name="Software Q3", created_by="anna")
    listed = list_campaigns(store)
    assert listed[["name", "size", "control_size", "members", "treatment"]].values.tolist() == [
        ["Software Q3", 40, 10, 50, 40]
    ]
    back = read_campaign(store, record.campaign_id)
    assert back.campaign["seed"] == 5 and str(back.campaign["as_of"])[:10] == AS_OF
    assert back.members["account_id"].tolist() == plan.members["account_id"].tolist()
    targets = campaign_targets(store, back)
    assert len(targets) == 40 and targets["account_name"].notna().all()
    assert all(len(p) >= 1 for p in targets["products"])
    with pytest.raises(CampaignNotFoundError, match="no campaign 'XC-none'"):
        read_campaign(store, "XC-none")
    store.close()


def test_measured_uplift_finds_a_planted_effect_and_none_where_none_is(store: Store) -> None:
    plan = plan_campaign(store, FAMILY, 150, control_share=0.5, as_of=AS_OF, seed=11)
    record = record_campaign(store, plan)
    before = measure_campaign(store, record.campaign_id, until="2024-12-31")
    assert (before.treatment_accounts, before.control_accounts, before.enough) == (150, 150, True)
    # Before any effect is planted no outcome differs: four outcomes are checked at once, so each
    # at the Bonferroni level 0.05 / 4 (a family-wise 5 % chance of a false alarm).
    outcomes = ("converted", "orders_family", "margin_family", "orders_total")
    for outcome in outcomes:
        p_value = before.estimates[outcome].p_value
        assert p_value is None or p_value > 0.05 / len(outcomes), (outcome, p_value)
    treated = record.members.loc[record.members["group"] == "treatment", "account_id"].tolist()
    # 40 % of the treated accounts order once more, each with a margin of 40,000
    plant_orders(store, pick(treated, 0.4, 5), FAMILY, margin=40_000.0, at=datetime(2024, 8, 15))
    after = measure_campaign(store, record.campaign_id, until="2024-12-31")
    orders, margin = after.estimates["orders_family"], after.estimates["margin_family"]
    assert orders.contains(0.4) and orders.low is not None and orders.low > 0
    # the planted 0.4 more orders, give or take the groups' difference before (measured 0.40-0.43)
    assert orders.difference == pytest.approx(0.4, abs=0.05) and orders.p_value is not None
    assert orders.p_value < 1e-6
    assert margin.contains(0.4 * 40_000) and margin.low is not None and margin.low > 0
    assert after.estimates["converted"].low is not None and after.estimates["converted"].low > 0
    # in the first 7 days nobody ordered the family: no spread, so no interval either
    early = measure_campaign(store, record.campaign_id, window_days=7).estimates["orders_family"]
    assert (early.treatment, early.control, early.low, early.p_value) == (0.0, 0.0, None, None)
    store.close()


def test_too_few_accounts_give_means_without_an_interval(store: Store) -> None:
    record = record_campaign(store, plan_campaign(store, FAMILY, 12, as_of=AS_OF, seed=1))
    report = measure_campaign(store, record.campaign_id, until="2024-12-31")
    assert (report.treatment_accounts, report.control_accounts, report.enough) == (12, 3, False)
    assert all(e.low is None and e.p_value is None for e in report.estimates.values())
    with pytest.raises(ValueError, match="must end after the campaign's as-of day 2024-06-30"):
        measure_campaign(store, record.campaign_id, until="2024-06-01")
    with pytest.raises(ValueError, match="either until or window_days"):
        measure_campaign(store, record.campaign_id, until="2024-12-31", window_days=5)
    store.close()


def test_welch_matches_scipy_and_newcombe_the_published_intervals() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.gamma(2.0, 3.0, 40), rng.gamma(2.0, 2.0, 25)
    ours = welch_difference(a, b)
    reference = stats.ttest_ind(a, b, equal_var=False)
    interval = reference.confidence_interval(0.95)
    assert ours.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert (ours.low, ours.high) == pytest.approx((interval.low, interval.high), rel=1e-9)
    # Newcombe (1998), table II: examples (b) 9/10 − 3/10 and (e) 0/10 − 0/20
    b_ = newcombe_difference(9, 10, 3, 10)
    assert (b_.low, b_.high) == pytest.approx((0.1705, 0.8090), abs=5e-5)
    e = newcombe_difference(0, 10, 0, 20)
    assert (e.low, e.high) == pytest.approx((-0.1611, 0.2775), abs=5e-5)
    assert e.relative is None


def test_the_examples_in_the_docstrings_run() -> None:
    assert doctest.testmod(_uplift).failed == 0


def test_the_customers_page_lists_campaigns_a_rep_sees_only_own_members(store: Store) -> None:
    from revintel.auth import Role, User
    from revintel.views import campaign_rows

    record = record_campaign(store, plan_campaign(store, FAMILY, 40, as_of=AS_OF, seed=5))
    admin = campaign_rows(store, User("boss", "boss", Role.admin))
    assert admin[["campaign_id", "members", "treatment"]].values.tolist() == [
        [record.campaign_id, 50, 40]
    ]
    members = read_campaign(store, record.campaign_id).members
    accounts = store.table("accounts").to_pandas().set_index("account_id")["owner_rep_id"]
    owners = members["account_id"].map(accounts)
    rep = str(owners.value_counts().index[0])
    mine = campaign_rows(store, User("anna", "Anna", Role.sales_rep, rep_id=rep))
    assert mine["members"].tolist() == [int((owners == rep).sum())]
    assert mine["treatment"].tolist() == [
        int(((owners == rep) & (members["group"] == "treatment")).sum())
    ]
    stranger = campaign_rows(store, User("x", "x", Role.sales_rep, rep_id="R-none"))
    assert stranger.empty
    store.close()
