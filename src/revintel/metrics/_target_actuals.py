"""Targets next to what was reached: the actual of every target and its attainment.

The actual of an ``order_intake`` target is the amount of the opportunities won (``closed_at``)
in the target's period, in the store currency. The actual of a count target is the number of
journeys first reaching the target's milestone in the period (``mqls`` → MQL, ``sals`` → SAL,
``sqls`` → SQL, ``opportunities`` → the first opportunity milestone), counted as the KPI
``mqls`` counts them (a later milestone proves the earlier ones).

A target's ``rep_id`` and ``segment`` narrow the rows to that rep's deals or leads and to
accounts of that segment; its ``team`` to the reps of that team. A count target of a team that
no rep belongs to (``Marketing``, say) is that team's without narrowing anything: it counts the
whole company's leads.
"""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd

from revintel.metrics._sources import MetricSources
from revintel.metrics._targets import ORDER_INTAKE, TARGET_MEASURES
from revintel.store import Store

#: Columns of :func:`target_attainment`.
ATTAINMENT_COLUMNS = (
    "target_id",
    "measure",
    "team",
    "rep_id",
    "segment",
    "period_start",
    "period_end",
    "target",
    "actual",
    "attainment",
    "currency",
)
_COUNTED = {"mqls": "mql", "sals": "sal", "sqls": "sql"}


def _sources(store_or_sources: Store | MetricSources) -> MetricSources:
    if isinstance(store_or_sources, MetricSources):
        return store_or_sources
    return MetricSources.from_store(store_or_sources)


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")


def stored_targets(
    store_or_sources: Store | MetricSources, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """Targets whose period overlaps ``start``..``end`` (every target without them), oldest
    period first; a missing measure reads as ``order_intake``, amounts in the store currency."""
    sources = _sources(store_or_sources)
    t = sources.table("targets")
    if start is not None:
        t = t.filter(t.period_end >= ibis.date(start.isoformat()))
    if end is not None:
        t = t.filter(t.period_start <= ibis.date(end.isoformat()))
    frame = t.to_pandas()
    frame["measure"] = frame["measure"].fillna(ORDER_INTAKE)
    for column in ("team", "rep_id", "segment", "currency"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    order = ["period_start", "team", "rep_id", "segment", "measure", "target_id"]
    return frame.sort_values(order, na_position="first").reset_index(drop=True)


def _milestone_of(sources: MetricSources, measure: str) -> str | None:
    funnel = sources.funnel
    if measure == "opportunities":
        first = [m.id for m in funnel.path if m.entity == "opportunity"]
        return first[0] if first else None
    milestone = _COUNTED.get(measure)
    return milestone if milestone in funnel.ids else None


def _with_owner(sources: MetricSources, rows: ibis.Table) -> ibis.Table:
    """``rows`` (with ``rep_id`` and ``account_id``) plus the rep's team and account's segment."""
    reps = sources.table("reps")
    team = reps.select(k__rep=reps.rep_id, team=reps.team)
    rows = rows.left_join(team, rows.rep_id == team.k__rep).drop("k__rep")
    acc = sources.table("accounts")
    seg = acc.select(k__acc=acc.account_id, segment=acc.segment)
    return rows.left_join(seg, rows.account_id == seg.k__acc).drop("k__acc")


def _events(sources: MetricSources, measure: str, start: date, end: date) -> pd.DataFrame:
    """One row per won deal or milestone reached in ``start``..``end``: day, value, owner."""
    low, high = ibis.date(start.isoformat()), ibis.date(end.isoformat())
    if measure == ORDER_INTAKE:
        o = sources.table("opportunities")
        won = o.filter((o.status == "won") & o.closed_at.notnull())
        rows = won.select(
            "rep_id", "account_id", day=won.closed_at.date(), value=won.amount.fill_null(0.0)
        )
    else:
        milestone = _milestone_of(sources, measure)
        if milestone is None:
            return pd.DataFrame(columns=["rep_id", "team", "segment", "day", "value"])
        j = sources.journeys
        reached = j.filter(j[f"t_{milestone}"].notnull())
        rows = reached.select(
            "rep_id",
            "account_id",
            day=reached[f"t_{milestone}"].date(),
            value=ibis.literal(1.0),
        )
    rows = rows.filter((rows.day >= low) & (rows.day <= high))
    frame = _with_owner(sources, rows).drop("account_id").to_pandas()
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame


def _actual(events: pd.DataFrame, target: pd.Series, sales_teams: set[str]) -> float:
    keep = (events["day"] >= target["period_start"]) & (events["day"] <= target["period_end"])
    if pd.notna(target["rep_id"]):
        keep &= events["rep_id"] == target["rep_id"]
    owner_only = target["measure"] != ORDER_INTAKE and target["team"] not in sales_teams
    if pd.notna(target["team"]) and not owner_only:
        keep &= events["team"] == target["team"]
    if pd.notna(target["segment"]):
        keep &= events["segment"] == target["segment"]
    return float(events.loc[keep, "value"].sum())


def target_attainment(
    store_or_sources: Store | MetricSources, start: date, end: date
) -> pd.DataFrame:
    """Every target whose period overlaps ``start``..``end``, its actual and its attainment.

    The actual is reached over the target's own period (up to the data there is), see the
    module docstring for what counts. ``attainment`` is actual ÷ target (1.0 = 100 %), empty
    for a target of zero.

    Parameters
    ----------
    store_or_sources
        A store (or a user's scoped store: targets and actuals are then those rows the user
        sees) or metric sources over any Ibis backend.
    start, end
        The period asked for, both days included.

    Returns
    -------
    pandas.DataFrame
        Columns ``target_id``, ``measure``, ``team``, ``rep_id``, ``segment``,
        ``period_start``, ``period_end``, ``target``, ``actual``, ``attainment`` and
        ``currency`` (the store currency for order intake, empty for counts), one row per
        target, oldest period first.

    Raises
    ------
    ValueError
        ``end`` lies before ``start``.
    """
    _check_period(start, end)
    sources = _sources(store_or_sources)
    targets = stored_targets(sources, start, end)
    if targets.empty:
        return pd.DataFrame(columns=list(ATTAINMENT_COLUMNS))
    reps = sources.table("reps").select("team").distinct().to_pandas()
    sales_teams = {t for t in reps["team"] if isinstance(t, str)}
    actuals = pd.Series(float("nan"), index=targets.index)
    for measure in TARGET_MEASURES:
        mine = targets[targets["measure"] == measure]
        if mine.empty:
            continue
        events = _events(sources, measure, min(mine["period_start"]), max(mine["period_end"]))
        for index, target in mine.iterrows():
            actuals[index] = _actual(events, target, sales_teams)
    out = targets.rename(columns={"amount": "target"})
    out["actual"] = actuals
    out["attainment"] = (out["actual"] / out["target"]).where(out["target"] > 0)
    counted = out["measure"] != ORDER_INTAKE
    out["currency"] = [None if c else sources.currency for c in counted]
    return out[list(ATTAINMENT_COLUMNS)].reset_index(drop=True)


__all__ = ["ATTAINMENT_COLUMNS", "stored_targets", "target_attainment"]
