"""Targets against the forecast: booked intake, the target of each period and group, and the
chance of reaching it read from the forecast's own simulation runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.forecast import (
    ForecastSettings,
    attach_targets,
    booked_intake,
    forecast,
    load_history,
    target_for,
)
from revintel.model import load_funnel
from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company

AS_OF = date(2024, 11, 15)  # inside the fourth quarter: part of it is booked


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("targets") / "company.duckdb"
    store = open_store(path)
    write_demo_company(store, SynthConfig(seed=5, leads=2_000, accounts=200, reps=4))
    return store


def _plan(*rows: tuple[date, date, str | None, str | None, str | None, float]) -> pd.DataFrame:
    columns = ["period_start", "period_end", "team", "rep_id", "segment", "amount"]
    return pd.DataFrame(list(rows), columns=columns).assign(measure="order_intake")


Q4 = (date(2024, 10, 1), date(2024, 12, 31))
Q1 = (date(2025, 1, 1), date(2025, 3, 31))


def test_the_company_target_is_its_own_else_the_teams_else_the_reps() -> None:
    teams = _plan((*Q1, "Nord", None, None, 100.0), (*Q1, "Süd", None, None, 50.0))
    reps = _plan((*Q1, "Nord", "R1", None, 70.0), (*Q1, "Nord", "R2", None, 20.0))
    company = _plan((*Q1, None, None, None, 400.0))
    assert target_for(teams, *Q1) == 150.0
    assert target_for(reps, *Q1) == 90.0
    assert target_for(pd.concat([company, teams, reps]), *Q1) == 400.0
    assert target_for(pd.concat([teams, reps]), *Q1) == 150.0  # teams before reps
    assert target_for(pd.concat([teams, reps]), *Q1, "team", "Nord") == 100.0
    assert target_for(reps, *Q1, "team", "Nord") == 90.0  # a team without its own: its reps
    assert target_for(teams, *Q1, "team", "Ost") is None
    assert target_for(teams, *Q4) is None  # another period
    month = _plan((date(2025, 1, 1), date(2025, 1, 31), None, None, None, 9.0))
    assert target_for(month, *Q1) is None and target_for(month, *Q1[:1], date(2025, 1, 31)) == 9
    segment = _plan((*Q1, None, None, "Enterprise", 30.0))
    assert target_for(segment, *Q1, "segment", "Enterprise") == 30.0
    counted = _plan((*Q1, None, None, None, 5.0)).assign(measure="mqls")
    assert target_for(counted, *Q1) is None  # a count of MQLs is no order-intake target


def _booked_from_tables(store: Store, start: date, end: date) -> float:
    """Won deals at the day of their first won milestone and orders without a deal (net of
    returns), read straight from the tables."""
    con = store.backend.con
    won = con.sql(
        f"""
        select coalesce(sum(o.amount), 0) from opportunities o join (
          select entity_id, min(occurred_at) as at from milestones
          where milestone = 'won' and entity_type = 'opportunity' group by entity_id
        ) w on w.entity_id = o.opportunity_id
        where w.at >= '{start}' and w.at < '{end}'::date + 1
        """
    ).fetchone()[0]
    direct = con.sql(
        f"""
        select coalesce(sum(case when kind = 'return' then -abs(amount) else amount end), 0)
        from orders where (opportunity_id is null or kind = 'return')
          and ordered_at >= '{start}' and ordered_at < '{end}'::date + 1
        """
    ).fetchone()[0]
    return float(won) + float(direct)


def test_booked_intake_is_what_the_tables_hold_up_to_the_cut_off(store: Store) -> None:
    history = load_history(store, load_funnel())
    booked = booked_intake(history, Q4[0], AS_OF, "team")
    expected = _booked_from_tables(store, Q4[0], AS_OF)
    assert expected > 100_000
    assert booked["all"] == pytest.approx(expected, rel=1e-9)
    teams = {k: v for k, v in booked.items() if k != "all"}
    assert sum(teams.values()) == pytest.approx(expected, rel=1e-9) and len(teams) >= 2
    assert booked_intake(history, date(2025, 1, 1), AS_OF) == {"all": 0.0}


def test_the_chance_comes_from_the_forecasts_own_runs(store: Store) -> None:
    history = load_history(store, load_funnel())
    settings = ForecastSettings(months=4, simulations=2_000, seed=7)
    result = forecast(history, AS_OF, settings)
    runs = result.simulation.total.sum(axis=2)  # (runs, months): Nov 16–30, Dec, Jan, Feb
    rest_q4 = runs[:, 0] + runs[:, 1]
    booked = _booked_from_tables(store, Q4[0], AS_OF)
    whole = booked + rest_q4
    p10, p50, p90 = np.quantile(whole, [0.1, 0.5, 0.9])
    for target, low, high in ((p10, 0.88, 0.92), (p50, 0.48, 0.52), (p90, 0.08, 0.12)):
        plan = _plan((*Q4, None, None, None, float(target)))
        frame = attach_targets(result.frame, result, history, plan)
        row = frame[(frame["period"] == "2024-Q4") & (frame["source"] == "total")].iloc[0]
        assert row["booked"] == pytest.approx(booked, abs=0.01)
        assert row["target"] == pytest.approx(target)
        assert row["p_reach_target"] == pytest.approx(np.mean(whole >= target), abs=1e-4)
        assert low <= row["p_reach_target"] <= high
        assert row["gap"] == pytest.approx(target - booked - np.quantile(rest_q4, 0.5), abs=0.02)
        # the row's own P50 is of the rest of the period: booked + P50 = the period's median
        assert row["p50"] + row["booked"] == pytest.approx(p50, abs=0.02)
    # every source's row of the quarter carries the quarter's figures; other periods none
    q4 = frame[frame["period"] == "2024-Q4"]
    assert q4["p_reach_target"].nunique() == 1 and len(q4) == 4
    assert frame.loc[frame["period"] != "2024-Q4", "target"].isna().all()
    # Q1 2025 is only half inside the four-month horizon: target shown, no chance claimed
    plan = _plan((*Q1, None, None, None, 1.0))
    q1 = attach_targets(result.frame, result, history, plan)
    q1 = q1[(q1["period"] == "2025-Q1") & (q1["source"] == "total")].iloc[0]
    assert q1["target"] == 1.0 and np.isnan(q1["p_reach_target"]) and q1["booked"] == 0


def test_each_team_is_measured_against_its_own_target(store: Store) -> None:
    history = load_history(store, load_funnel())
    settings = ForecastSettings(months=3, by="team", simulations=1_000, seed=3)
    result = forecast(history, date(2024, 12, 31), settings)
    teams = list(result.simulation.groups)
    plan = _plan(*[(*Q1, team, None, None, 100_000.0 * (i + 1)) for i, team in enumerate(teams)])
    frame = attach_targets(result.frame, result, history, plan)
    quarter = frame[(frame["grain"] == "quarter") & (frame["source"] == "total")]
    for i, team in enumerate(teams):
        row = quarter[quarter["team"] == team].iloc[0]
        runs = result.simulation.total[:, :, i].sum(axis=1)
        assert row["target"] == 100_000.0 * (i + 1)
        assert row["p_reach_target"] == pytest.approx(np.mean(runs >= row["target"]), abs=1e-4)
    company = quarter[quarter["team"] == "all"].iloc[0]
    assert company["target"] == sum(100_000.0 * (i + 1) for i in range(len(teams)))
    all_runs = result.simulation.total.sum(axis=(1, 2))
    assert company["p_reach_target"] == pytest.approx(
        np.mean(all_runs >= company["target"]), abs=1e-4
    )
