"""Measured funnel rates, lags, deal sizes and channel shares as of a date, by group.

Everything is read from the milestone log through :func:`revintel.forecast.load_history`, so
amounts are in the store currency and milestones implied by a later stage carry no date.
A lead's journey has the times it reached ``mql``, ``sal`` and ``sql``, the creation of its
first opportunity (``opportunity``) and the day that opportunity was won (``won``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import numpy as np
import pandas as pd

from revintel.forecast import History, load_history
from revintel.forecast._history import cutoff_days
from revintel.model import load_funnel
from revintel.store import Store

#: Stages of the lead funnel, earliest first; ``opportunity`` and ``won`` come from deals.
STAGES = ("mql", "sal", "sql", "opportunity", "won")
#: Conversion steps between consecutive stages.
STEPS = tuple(pairwise(STAGES))
#: Days of history a rate is measured on (entries of the source stage in this window).
RATE_WINDOW_DAYS = 365.0
#: Days of won deals whose amounts make the deal-size distribution.
DEAL_WINDOW_DAYS = 365.0
#: Days of MQLs that set each group's share.
SHARE_WINDOW_DAYS = 182.0
#: Prior strength (in pseudo-entries) pulling a group's rate toward the company rate.
SHRINK_STRENGTH = 30.0
#: Fewest won deals for a group's own deal-size distribution (else the company's).
MIN_DEALS = 10
#: Group label of the whole company.
TOTAL = "total"
GROUPINGS = ("channel", "segment", "")


class PlanDataError(ValueError):
    """The store lacks what a plan needs; the message says what in one sentence."""


@dataclass(frozen=True)
class LeadJourneys:
    """One row per lead: ``channel``, ``segment``, ``t_<stage>`` in days, ``amount`` if won.

    ``wins`` holds every won opportunity (``at``, ``amount``, ``from_lead``) for the share of
    order intake the lead funnel brings.
    """

    frame: pd.DataFrame
    wins: pd.DataFrame
    last_day: date


def _lead_attributes(store: Store) -> pd.DataFrame:
    leads = store.table("leads").select("lead_id", "channel", "account_id").to_pandas()
    accounts = store.table("accounts").select("account_id", "segment").to_pandas()
    out = leads.merge(accounts, on="account_id", how="left")
    for column in ("channel", "segment"):
        out[column] = out[column].fillna("(none)").astype(str)
    return out[["lead_id", "channel", "segment"]]


def journeys_from_history(history: History, attributes: pd.DataFrame) -> LeadJourneys:
    """Lead journeys from a loaded ``history`` and the leads' ``channel`` and ``segment``."""
    funnel = history.funnel
    missing = [s for s in STAGES[:3] if s not in history.lead_path]
    if missing:
        raise PlanDataError(f"the funnel has no lead milestone {', '.join(missing)}")
    log = history.coded_leads
    first = {f"t_{s}": log.earliest((s,))[log.rows] for s in STAGES[:3]}
    frame = history.leads[["lead_id"]].assign(**first)
    frame = frame.merge(attributes, on="lead_id", how="left")
    frame = frame[["lead_id", *attributes.columns.drop("lead_id"), *first]]
    ids = frame["lead_id"].to_numpy()
    opps = history.opportunities
    opp_log = history.coded_opportunities
    opps = opps.assign(won=opp_log.earliest(funnel.outcome_ids("won"))[opp_log.rows])
    from_lead = opps[opps["lead_id"].notna()].sort_values(["lead_id", "created"])
    first = from_lead.groupby("lead_id").first()
    frame["t_opportunity"] = first["created"].reindex(ids).to_numpy(float)
    frame["t_won"] = first["won"].reindex(ids).to_numpy(float)
    frame["amount"] = first["amount"].reindex(ids).to_numpy(float)
    # A milestone implied by a later one has no date: it is taken as reached with the later date.
    later = np.full(len(frame), np.nan)
    for stage in reversed(STAGES):
        column = frame[f"t_{stage}"].to_numpy(float)
        frame[f"t_{stage}"] = np.where(np.isnan(column), later, column)
        later = frame[f"t_{stage}"].to_numpy(float)
    wins = opps[opps["won"].notna()]
    wins = pd.DataFrame(
        {
            "at": wins["won"].to_numpy(float),
            "amount": wins["amount"].fillna(0.0).to_numpy(float),
            "from_lead": wins["lead_id"].notna().to_numpy(),
        }
    )
    return LeadJourneys(frame, wins, history.last_event)


def load_journeys(store: Store) -> LeadJourneys:
    """Lead journeys of ``store`` with the standard funnel definition."""
    history = load_history(store, load_funnel())
    return journeys_from_history(history, _lead_attributes(store))


@dataclass(frozen=True)
class MeasuredFunnel:
    """What the plan uses, measured before the cut-off.

    ``rates``: group, step, successes, entries, alpha, beta (Beta posterior of the rate).
    ``lags``: step → days between its two milestones of converted entries (all groups).
    ``amounts``: group → amounts of won lead deals. ``shares``: group → share of MQLs.
    ``lead_share``: share of won order intake coming from opportunities of leads.
    """

    groups: tuple[str, ...]
    rates: pd.DataFrame
    lags: dict[str, np.ndarray]
    amounts: dict[str, np.ndarray]
    shares: dict[str, float]
    lead_share: float
    cut: float


def _group_labels(frame: pd.DataFrame, by: str) -> pd.Series:
    if by not in GROUPINGS:
        raise PlanDataError(f"cannot plan by {by!r}; choose channel, segment or none")
    return frame[by] if by else pd.Series(TOTAL, index=frame.index)


def _step_counts(
    frame: pd.DataFrame, source: str, target: str, cut: float, lag_days: np.ndarray
) -> pd.DataFrame:
    # Only entries old enough to have converted (90 % of conversions take less) are counted.
    mature = float(np.quantile(lag_days, 0.9)) if len(lag_days) else 0.0
    start = frame[f"t_{source}"]
    keep = (start < cut - mature) & (start >= cut - mature - RATE_WINDOW_DAYS)
    rows = frame[keep]
    hit = rows[f"t_{target}"] < cut
    return pd.DataFrame({"group": rows["group"], "hit": hit.astype(int)})


def _lags(frame: pd.DataFrame, source: str, target: str, cut: float) -> np.ndarray:
    a, b = frame[f"t_{source}"], frame[f"t_{target}"]
    keep = (b < cut) & (a >= cut - 2 * RATE_WINDOW_DAYS) & a.notna()
    return np.clip((b - a)[keep].to_numpy(float), 0.0, None)


def measure_funnel(journeys: LeadJourneys, as_of: date, by: str) -> MeasuredFunnel:
    """Rates (Beta posteriors shrunk toward the company), lags, deal sizes and MQL shares."""
    cut = cutoff_days(as_of)
    frame = journeys.frame.assign(group=_group_labels(journeys.frame, by))
    mqls = frame[(frame["t_mql"] < cut) & (frame["t_mql"] >= cut - SHARE_WINDOW_DAYS)]
    counts = mqls["group"].value_counts()
    if counts.sum() == 0:
        raise PlanDataError(f"the store has no MQLs in the half year before {as_of.isoformat()}")
    groups = tuple(sorted(counts.index))
    shares = {g: float(counts[g] / counts.sum()) for g in groups}
    lags, rows = {}, []
    for source, target in STEPS:
        step = f"{source}->{target}"
        lags[step] = _lags(frame, source, target, cut)
        counts_ = _step_counts(frame, source, target, cut, lags[step])
        k_all, n_all = int(counts_["hit"].sum()), len(counts_)
        if n_all == 0 or k_all == 0:
            raise PlanDataError(f"no {source.upper()} before {as_of.isoformat()} reached {target}")
        company = k_all / n_all
        per = counts_.groupby("group")["hit"].agg(["sum", "count"])
        for group in groups:
            k, n = (
                (int(per.at[group, "sum"]), int(per.at[group, "count"]))
                if group in per.index
                else (0, 0)
            )
            # The company's own rate has no prior; a group's is pulled toward the company's.
            prior = (SHRINK_STRENGTH * company, SHRINK_STRENGTH * (1 - company)) if by else (0, 0)
            rows.append(
                {
                    "group": group,
                    "step": step,
                    "successes": k,
                    "entries": n,
                    "alpha": max(k + prior[0], 0.5),
                    "beta": max(n - k + prior[1], 0.5),
                }
            )
    amounts = _amounts(frame, groups, cut)
    wins = journeys.wins[
        (journeys.wins["at"] < cut) & (journeys.wins["at"] >= cut - DEAL_WINDOW_DAYS)
    ]
    total = float(wins["amount"].sum())
    lead_share = float(wins.loc[wins["from_lead"], "amount"].sum() / total) if total > 0 else 1.0
    return MeasuredFunnel(groups, pd.DataFrame(rows), lags, amounts, shares, lead_share, cut)


def _amounts(frame: pd.DataFrame, groups: tuple[str, ...], cut: float) -> dict[str, np.ndarray]:
    won = frame[(frame["t_won"] < cut) & (frame["t_won"] >= cut - DEAL_WINDOW_DAYS)]
    won = won[won["amount"].notna() & (won["amount"] > 0)]
    if len(won) == 0:
        raise PlanDataError("the store has no won deal with an amount in the year before the plan")
    company = won["amount"].to_numpy(float)
    out = {}
    for group in groups:
        own = won.loc[won["group"] == group, "amount"].to_numpy(float)
        out[group] = own if len(own) >= MIN_DEALS else company
    return out


def monthly_counts(journeys: LeadJourneys, by: str) -> pd.DataFrame:
    """Entries per calendar month, stage and group (month, group, stage, count)."""
    frame = journeys.frame.assign(group=_group_labels(journeys.frame, by))
    parts = []
    for stage in STAGES:
        days = frame[f"t_{stage}"]
        stamps = pd.to_datetime(days[days.notna()] * 86_400, unit="s")
        part = pd.DataFrame(
            {
                "month": stamps.dt.to_period("M").dt.start_time.dt.date.to_numpy(),
                "group": frame.loc[days.notna(), "group"].to_numpy(),
                "stage": stage,
            }
        )
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    return long.groupby(["month", "group", "stage"]).size().rename("count").reset_index()
