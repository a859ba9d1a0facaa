"""The capacity allocation read from a store (a small generated company): the account-years of
contact hours and order intake recomputed from the raw activities, the rep fit averaging 1 per
industry, the open deals, capacity kept per rep, and clear errors for what a store lacks."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.allocation import (
    AllocationInputError,
    AllocationInputs,
    account_spend,
    allocation_inputs,
    estimate_potential,
    plan_allocation,
    read_rules,
)
from revintel.store import open_store
from tests.allocation.company import small_company


@dataclass(frozen=True)
class Company:
    """The generated store, its inputs, and the raw rows the tests recompute from."""

    db: Path
    inputs: AllocationInputs
    activities: pd.DataFrame
    accounts: pd.DataFrame
    opportunities: pd.DataFrame
    reps: pd.DataFrame
    potential: pd.DataFrame
    spend: pd.DataFrame


@pytest.fixture(scope="module")
def company() -> Company:
    db, inputs = small_company().db, small_company().inputs
    with open_store(db, read_only=True) as store:
        return Company(
            db,
            inputs,
            store.table("activities").to_pandas(),
            store.table("accounts").to_pandas(),
            store.table("opportunities").to_pandas(),
            store.table("reps").to_pandas(),
            estimate_potential(store, inputs.as_of).frame,
            account_spend(store, inputs.as_of),
        )


def test_accounts_carry_the_potential_summed_over_families(company: Company) -> None:
    accounts = company.inputs.accounts
    real = company.accounts[~company.accounts["placeholder"].fillna(False).astype(bool)]
    assert sorted(accounts["account_id"]) == sorted(real["account_id"])
    summed = company.potential.groupby("account_id")["potential"].sum()
    got = accounts.set_index("account_id")["potential"]
    assert np.allclose(got.loc[summed.index], summed.to_numpy())
    assert (got > 0).all()
    owners = real.set_index("account_id")["owner_rep_id"]
    assert (accounts.set_index("account_id")["owner_rep_id"] == owners.loc[got.index]).all()


def test_history_hours_and_intake_recomputed_from_the_raw_rows(company: Company) -> None:
    history = company.inputs.history
    as_of = company.inputs.as_of
    # four complete years: the generated logs start in May 2020, the last order is in Dec 2024
    assert sorted(history["year_end"].unique())[-1] == as_of
    assert history["year_end"].nunique() == 4
    last = history[history["year_end"] == as_of].set_index("account_id")
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    start = end - pd.DateOffset(years=1)
    raw = company.activities
    window = raw[(raw["occurred_at"] >= start) & (raw["occurred_at"] < end)]
    hours = window.groupby("account_id")["duration_minutes"].sum() / 60.0
    expected = last.index.to_series().map(hours).fillna(0.0)
    assert np.allclose(last["hours"], expected)
    assert last["hours"].sum() == pytest.approx(hours.loc[hours.index.isin(last.index)].sum())
    assert last["hours"].sum() > 100
    intake = company.spend.groupby("account_id")["revenue"].sum().clip(lower=0.0)
    assert np.allclose(last["order_intake"], last.index.to_series().map(intake).fillna(0.0))


def test_curve_is_fitted_to_every_customer_year(company: Company) -> None:
    history = company.inputs.history
    curve = company.inputs.curve
    assert curve.accounts == len(history) > 200
    assert curve.method == "within accounts"  # the demo's customers got other hours each year
    assert 0 <= curve.s0 < curve.s_max < np.inf
    # only complete years of a customer: it first ordered before the twelve months began
    with open_store(company.db, read_only=True) as store:
        orders = store.table("orders").to_pandas()
    first = orders.groupby("account_id")["ordered_at"].min()
    begin = pd.to_datetime(history["year_end"]) + pd.Timedelta(days=1) - pd.DateOffset(years=1)
    assert (history["account_id"].map(first) < begin).all()
    every = [
        (a, end)
        for a, f in first.items()
        for end in history["year_end"].unique()
        if f < pd.Timestamp(end) + pd.Timedelta(days=1) - pd.DateOffset(years=1)
        and a in set(company.inputs.accounts["account_id"])
    ]
    assert len(every) == len(history)


def test_rep_fit_averages_one_per_industry(company: Company) -> None:
    fit = company.inputs.rep_fit
    assert set(fit["rep_id"]) == set(company.reps["rep_id"])
    assert set(fit["industry"]) <= set(company.accounts["industry"].fillna("(unknown)"))
    assert np.allclose(fit.groupby("industry")["factor"].mean(), 1.0, atol=1e-3)
    assert (fit["factor"] > 0).all()


def test_open_deals_are_the_store_s_open_opportunities(company: Company) -> None:
    deals = company.inputs.opportunities
    raw = company.opportunities
    expected = raw[raw["status"] == "open"]
    assert sorted(deals["opportunity_id"]) == sorted(expected["opportunity_id"])
    amounts = expected.set_index("opportunity_id")["amount"]
    assert np.allclose(
        deals.set_index("opportunity_id")["amount"], amounts.loc[deals["opportunity_id"]]
    )
    assert deals["win_uplift"].between(0, 1).all()
    assert deals["win_uplift"].max() > 0


def test_plan_keeps_every_rep_within_capacity(company: Company) -> None:
    allocation = small_company().plan
    assert allocation.status == "optimal"
    hours = allocation.assignments.groupby("rep_id")["hours_per_week"].sum()
    capacity = company.reps.set_index("rep_id")["capacity_hours_per_week"]
    assert (hours <= capacity.loc[hours.index] + 1e-9).all()
    rules = read_rules()
    required = company.inputs.accounts["potential"] > rules.minimum_coverage[0].potential_above
    enterprise = company.inputs.accounts["segment"] == "Enterprise"
    covered = set(allocation.assignments["account_id"].dropna())
    must = company.inputs.accounts.loc[required | enterprise, "account_id"]
    assert set(must) <= covered


def test_a_store_without_activities_says_what_to_import(company: Company, tmp_path: Path) -> None:
    copy = tmp_path / "without.duckdb"
    shutil.copy(company.db, copy)
    with open_store(copy) as store:
        store.truncate("activities")
        with pytest.raises(AllocationInputError, match=r"no sales activities: import activities"):
            plan_allocation(store)


def test_an_as_of_before_a_full_year_of_history_is_refused(company: Company) -> None:
    with open_store(company.db, read_only=True) as store:
        with pytest.raises(AllocationInputError, match="no full year"):
            allocation_inputs(store, as_of="2021-01-31")
        with pytest.raises(AllocationInputError, match="as_of must be a date"):
            allocation_inputs(store, as_of="31.12.2024")
