"""The account portfolio: today's revenue against potential, with churn risk, customer value
and today's sales coverage, and the service level each account should get.

Revenue and potential are each cut into terciles (A the top third, C the bottom); the pair is
the account's cell of the portfolio matrix. The recommended level starts from the potential
tier, rises for a customer buying less than half its potential and for a valuable customer at
risk, and never falls below what the minimum-coverage rules require.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from revintel.allocation._portfolio_inputs import contact_hours, customer_scores
from revintel.allocation._potential import PotentialEstimate, estimate_potential
from revintel.allocation._potential_features import as_day, last_order_day
from revintel.allocation._rules import AllocationRules, read_rules
from revintel.store import Store

#: Columns of :func:`portfolio`.
PORTFOLIO_COLUMNS = (
    "account_id",
    "name",
    "segment",
    "region",
    "owner_rep_id",
    "current_revenue",
    "potential",
    "white_space",
    "p_alive",
    "churn_risk",
    "clv",
    "hours_per_week",
    "revenue_tier",
    "potential_tier",
    "cell",
    "recommended_level",
    "recommended_hours",
    "level_reason",
)
#: Tiers from the top third to the bottom third.
TIERS = ("A", "B", "C")
#: A customer whose white space is at least this share of its potential is raised by one level.
WHITE_SPACE_SHARE = 0.5
#: A customer at least this likely to have stopped buying, with a customer value above the
#: median, is raised by one level to keep it.
CHURN_RISK = 0.5
#: An under-served account gets less than this share of its recommended hours.
UNDER_SERVED_SHARE = 0.5


def portfolio(
    store: Store,
    *,
    as_of: date | datetime | str | None = None,
    rules: AllocationRules | None = None,
    potential: PotentialEstimate | None = None,
) -> pd.DataFrame:
    """Every real account with revenue, potential, churn risk, value, coverage and a level.

    Parameters
    ----------
    store
        The store to read.
    as_of
        Last day of the twelve months of revenue and contact hours (default: the day of the
        latest order).
    rules
        The service levels and minimum-coverage rules (default: the packaged rules).
    potential
        A potential estimated before (default: :func:`estimate_potential` as of ``as_of``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PORTFOLIO_COLUMNS`, largest white space first: ``current_revenue`` of
        the recurring business of the twelve months, ``potential`` and ``white_space`` (EUR a
        year); ``p_alive``, ``churn_risk`` (1 − P(alive), BG/NBD) and ``clv`` (discounted
        value of the next twelve months, BG/NBD × Gamma-Gamma), empty for accounts that never
        ordered; ``hours_per_week`` of logged sales contact in the twelve months;
        ``revenue_tier`` (terciles of the buying accounts; accounts without revenue are C),
        ``potential_tier`` (terciles of all accounts), ``cell`` (revenue tier then potential
        tier, e.g. ``CA``: small today, large potential); ``recommended_level`` of the rules'
        service levels, its ``recommended_hours`` a week and ``level_reason`` (``potential``,
        ``white_space``, ``churn`` or ``rule``: what set the level).
    """
    rules = rules if rules is not None else read_rules()
    day = last_order_day(store) if as_of is None else as_day(as_of)
    estimate = potential if potential is not None else estimate_potential(store, day)
    accounts = store.table("accounts")
    real = accounts.filter(~accounts.placeholder.fill_null(False))
    frame = real.select("account_id", "name", "segment", "region", "owner_rep_id").to_pandas()
    frame = frame.merge(estimate.by_account(), on="account_id", how="left")
    money = ["current_revenue", "potential", "white_space"]
    frame[money] = frame[money].fillna(0.0).astype(float)
    frame = frame.merge(customer_scores(store, day), on="account_id", how="left")
    hours = contact_hours(store, day)[["account_id", "hours_per_week"]]
    frame = frame.merge(hours, on="account_id", how="left")
    frame["hours_per_week"] = frame["hours_per_week"].fillna(0.0)
    frame["revenue_tier"] = _tiers(frame["current_revenue"], frame["current_revenue"] > 0)
    frame["potential_tier"] = _tiers(frame["potential"], pd.Series(True, index=frame.index))
    frame["cell"] = frame["revenue_tier"] + frame["potential_tier"]
    _recommend(frame, rules)
    frame = frame.sort_values(["white_space", "account_id"], ascending=[False, True])
    return frame[list(PORTFOLIO_COLUMNS)].reset_index(drop=True)


def _tiers(values: pd.Series, ranked: pd.Series) -> pd.Series:
    """A, B, C by terciles of ``values`` among ``ranked``; the others are C."""
    out = pd.Series("C", index=values.index, dtype=object)
    if ranked.sum() == 0:
        return out
    share = values[ranked].rank(method="average", ascending=False) / ranked.sum()
    out[ranked] = np.where(share <= 1 / 3, "A", np.where(share <= 2 / 3, "B", "C"))
    return out


def _recommend(frame: pd.DataFrame, rules: AllocationRules) -> None:
    """Set ``recommended_level``, ``recommended_hours`` and ``level_reason`` in place."""
    names = rules.level_names
    top = len(names) - 1
    base = frame["potential_tier"].map({"A": max(top - 1, 1), "B": 1, "C": 0}).astype(int)
    growth = (
        (frame["current_revenue"] > 0)
        & (frame["white_space"] >= WHITE_SPACE_SHARE * frame["potential"])
        & (frame["potential_tier"] != "C")
    )
    valuable = frame["clv"] > frame["clv"].median()
    at_risk = (frame["churn_risk"] >= CHURN_RISK) & valuable
    level = np.minimum(base + growth + at_risk, top)
    reason = np.where(at_risk, "churn", np.where(growth, "white_space", "potential"))
    required = _required_levels(frame, rules)
    reason = np.where(required > level, "rule", reason)
    level = np.maximum(level, required)
    frame["recommended_level"] = [names[i] for i in level]
    hours = np.array([rules.service_levels[n].hours_per_week for n in names])
    frame["recommended_hours"] = hours[level]
    frame["level_reason"] = reason


def _required_levels(frame: pd.DataFrame, rules: AllocationRules) -> np.ndarray:
    required = np.zeros(len(frame), dtype=int)
    for rule in rules.minimum_coverage:
        match = np.ones(len(frame), dtype=bool)
        if rule.potential_above is not None:
            match &= (frame["potential"] > rule.potential_above).to_numpy()
        if rule.segment is not None:
            match &= (frame["segment"] == rule.segment).to_numpy()
        required = np.where(match, np.maximum(required, rules.level_index(rule.at_least)), required)
    return required


def portfolio_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """Accounts, revenue, potential, white space and hours a week per cell of ``frame``.

    One row per revenue tier × potential tier (all nine, empty cells with zeros), revenue
    tier A first.
    """
    cells = pd.MultiIndex.from_product([TIERS, TIERS], names=["revenue_tier", "potential_tier"])
    grouped = frame.groupby(["revenue_tier", "potential_tier"]).agg(
        accounts=("account_id", "size"),
        current_revenue=("current_revenue", "sum"),
        potential=("potential", "sum"),
        white_space=("white_space", "sum"),
        hours_per_week=("hours_per_week", "sum"),
    )
    matrix = grouped.reindex(cells, fill_value=0).reset_index()
    matrix.insert(2, "cell", matrix["revenue_tier"] + matrix["potential_tier"])
    return matrix


def coverage_by_size(frame: pd.DataFrame) -> pd.DataFrame:
    """Today's coverage by size: hours a week per segment and per revenue tier.

    Columns ``by`` (``segment`` or ``revenue_tier``), ``group``, ``accounts``,
    ``accounts_served`` (with logged hours), ``hours_per_week`` (the group's sum),
    ``hours_per_account``, ``current_revenue``, ``potential`` and ``hours_per_million``
    (weekly hours per million EUR of potential: where today's hours go against where the
    potential is).
    """
    parts = []
    for by in ("segment", "revenue_tier"):
        grouped = frame.assign(served=frame["hours_per_week"] > 0).groupby(by, dropna=False)
        part = grouped.agg(
            accounts=("account_id", "size"),
            accounts_served=("served", "sum"),
            hours_per_week=("hours_per_week", "sum"),
            current_revenue=("current_revenue", "sum"),
            potential=("potential", "sum"),
        ).reset_index(names="group")
        part.insert(0, "by", by)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["group"] = out["group"].fillna("")
    out["hours_per_account"] = out["hours_per_week"] / out["accounts"]
    millions = out["potential"] / 1e6
    out["hours_per_million"] = np.where(millions > 0, out["hours_per_week"] / millions, np.nan)
    return out


def under_served(frame: pd.DataFrame) -> pd.DataFrame:
    """High-potential accounts (potential tier A) getting less than half the weekly hours of
    their recommended level, largest white space first."""
    short = frame["hours_per_week"] < UNDER_SERVED_SHARE * frame["recommended_hours"]
    rows = frame[(frame["potential_tier"] == "A") & short]
    return rows.sort_values(["white_space", "account_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def over_served(frame: pd.DataFrame, rules: AllocationRules | None = None) -> pd.DataFrame:
    """Low-potential accounts (potential tier C) getting at least the weekly hours of the level
    above their recommended one, most hours first."""
    rules = rules if rules is not None else read_rules()
    hours = [level.hours_per_week for level in rules.service_levels.values()]
    above = frame["recommended_level"].map(
        lambda name: hours[min(rules.level_index(name) + 1, len(hours) - 1)]
    )
    rows = frame[(frame["potential_tier"] == "C") & (frame["hours_per_week"] >= above)]
    return rows.sort_values(["hours_per_week", "account_id"], ascending=[False, True]).reset_index(
        drop=True
    )
