"""The account portfolio on a small demo company: coverage, tiers, matrix and the lists."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.allocation import (
    coverage_by_size,
    over_served,
    portfolio,
    portfolio_matrix,
    read_rules,
    under_served,
)
from revintel.allocation._potential_features import last_order_day
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

COMPANY = SynthConfig(seed=5, leads=2_000, accounts=200, reps=4)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    path: Path = tmp_path_factory.mktemp("portfolio") / "demo.duckdb"
    with open_store(path) as store:
        write_demo_company(store, COMPANY)
        frame = portfolio(store)
        day = last_order_day(store)
        activities = store.table("activities").to_pandas()
        orders = store.table("orders").to_pandas()
    start = pd.Timestamp(day) + timedelta(days=1) - timedelta(days=365)
    end = pd.Timestamp(day) + timedelta(days=1)
    window = activities[(activities["occurred_at"] >= start) & (activities["occurred_at"] < end)]
    hours = window.groupby("account_id")["duration_minutes"].sum() / 60 / (365 / 7)
    sales = orders[(orders["kind"] == "order") & (orders["ordered_at"] < end)]
    # an order returned in full by the as-of day is no purchase
    returns = orders[(orders["kind"] == "return") & (orders["ordered_at"] < end)]
    returned = returns.groupby("original_order_id")["amount"].sum().abs()
    kept = sales["amount"] - sales["order_id"].map(returned).fillna(0.0)
    sales = sales[kept > 0]
    days = sales.assign(day=sales["ordered_at"].dt.normalize()).groupby("account_id")["day"]
    return frame, hours.rename("hours"), {"purchase_days": days.nunique()}


def test_one_row_per_real_account_with_todays_hours(demo: tuple) -> None:
    frame, hours, _ = demo
    assert len(frame) == COMPANY.accounts and frame["account_id"].is_unique
    got = frame.set_index("account_id")["hours_per_week"]
    expected = hours.reindex(got.index, fill_value=0.0)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=1e-9)
    assert (expected > 0).sum() > 50  # the customers get hours; prospects none


def test_tiers_are_terciles(demo: tuple) -> None:
    frame, _, _ = demo
    tiers = {t: frame.loc[frame["potential_tier"] == t, "potential"] for t in "ABC"}
    assert tiers["A"].min() > tiers["B"].max() and tiers["B"].min() > tiers["C"].max()
    # a third each, but equal potentials share a tier: the small demo's estimate has many ties
    rank = frame["potential"].rank(ascending=False, method="average") / len(frame)
    assert (rank[frame["potential_tier"] == "A"] <= 1 / 3).all()
    assert (rank[frame["potential_tier"] == "C"] > 2 / 3).all()
    buyers = frame[frame["current_revenue"] > 0]
    a, b = buyers[buyers["revenue_tier"] == "A"], buyers[buyers["revenue_tier"] == "B"]
    assert a["current_revenue"].min() > b["current_revenue"].max()
    assert (frame.loc[frame["current_revenue"] <= 0, "revenue_tier"] == "C").all()
    assert (frame["cell"] == frame["revenue_tier"] + frame["potential_tier"]).all()
    gap = frame["potential"] - frame["current_revenue"].clip(lower=0)
    np.testing.assert_allclose(frame["white_space"], gap, rtol=1e-9, atol=1e-6)


def test_churn_risk_and_value_come_from_the_customer_models(demo: tuple) -> None:
    frame, _, facts = demo
    rows = frame.set_index("account_id")
    once = facts["purchase_days"][facts["purchase_days"] == 1].index
    # BG/NBD: a customer who bought on one day only has not shown a gap to drop out in
    assert len(once) > 0 and (rows.loc[once, "churn_risk"] == 0).all()
    never = rows.index.difference(facts["purchase_days"].index)
    assert rows.loc[never, ["churn_risk", "clv"]].isna().all().all()
    scored = rows["churn_risk"].dropna()
    assert ((scored >= 0) & (scored <= 1)).all() and scored.max() > 0.5
    assert (rows["clv"].dropna() >= 0).all()


def test_matrix_and_coverage_add_up(demo: tuple) -> None:
    frame, _, _ = demo
    matrix = portfolio_matrix(frame)
    assert len(matrix) == 9 and matrix["accounts"].sum() == len(frame)
    for column in ("current_revenue", "potential", "hours_per_week"):
        assert matrix[column].sum() == pytest.approx(frame[column].sum())
    cell = matrix.set_index("cell").loc["CA"]
    assert (
        cell["accounts"]
        == ((frame["revenue_tier"] == "C") & (frame["potential_tier"] == "A")).sum()
    )
    coverage = coverage_by_size(frame)
    for by in ("segment", "revenue_tier"):
        part = coverage[coverage["by"] == by]
        assert part["hours_per_week"].sum() == pytest.approx(frame["hours_per_week"].sum())
    enterprise = coverage.set_index(["by", "group"]).loc[("segment", "Enterprise")]
    small = coverage.set_index(["by", "group"]).loc[("segment", "Kleinunternehmen")]
    assert enterprise["hours_per_account"] > 5 * small["hours_per_account"]  # size-based today


def test_recommended_levels_keep_the_rules(demo: tuple) -> None:
    frame, _, _ = demo
    rules = read_rules()
    level = frame["recommended_level"].map(rules.level_index)
    assert (level[frame["segment"] == "Enterprise"] >= rules.level_index("field_light")).all()
    high = next(r for r in rules.minimum_coverage if r.name == "high_potential")
    assert (level[frame["potential"] > high.potential_above] >= rules.level_index("inside")).all()
    tier_c = frame[(frame["potential_tier"] == "C") & (frame["level_reason"] == "potential")]
    assert (tier_c["recommended_level"] == "digital").all()
    hours = frame["recommended_level"].map(lambda n: rules.service_levels[n].hours_per_week)
    assert (frame["recommended_hours"] == hours).all()


def test_under_and_over_served_lists_follow_their_rules(demo: tuple) -> None:
    frame, _, _ = demo
    under, over = under_served(frame), over_served(frame)
    high = frame[frame["potential_tier"] == "A"]
    expected_under = set(
        high.loc[high["hours_per_week"] < 0.5 * high["recommended_hours"], "account_id"]
    )
    assert set(under["account_id"]) == expected_under and len(expected_under) > 0
    assert under["white_space"].is_monotonic_decreasing
    low = frame[frame["potential_tier"] == "C"]
    assert set(over["account_id"]) <= set(low["account_id"])
    # tier C recommended digital: over-served from the first paid level (inside, 0.25 h a week)
    digital = low[low["recommended_level"] == "digital"]
    assert set(digital.loc[digital["hours_per_week"] >= 0.25, "account_id"]) <= set(
        over["account_id"]
    )
    assert over["hours_per_week"].is_monotonic_decreasing
