"""The reverse plan's arithmetic on a hand-made store: rates of exactly one half, deals of 1 000."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from revintel.alignment._plan import (
    PlanError,
    PlanRequest,
    Scenario,
    compare_scenarios,
    parse_period,
    reverse_plan,
)
from revintel.alignment._plan_period import PeriodError
from revintel.alignment._plan_scenarios import ScenarioTextError, parse_scenario
from revintel.store import Store, open_store

LINEAGE = {"source_system": "test", "import_batch_id": "b1"}
#: Leads per channel; every step halves them: 64 MQL → 32 SAL → 16 SQL → 8 opps → 4 won.
PER_CHANNEL = 64
FIRST_MQL = datetime(2023, 1, 2)


def _frame(rows: list[dict[str, object]], key: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["source_id"] = frame[key]
    return frame.assign(**LINEAGE)


def _journeys() -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    leads, events, opps = [], [], []
    for c, channel in enumerate(("search", "webinar")):
        for i in range(PER_CHANNEL):
            lead = f"L{c}{i:03d}"
            # one MQL every 5 days, so the MQLs of the year before the plan are all mature
            mql = FIRST_MQL + timedelta(days=5 * i)
            leads.append(
                {
                    "lead_id": lead,
                    "account_id": "A1",
                    "channel": channel,
                    "created_at": mql,
                    "status": "open",
                }
            )
            stages = ["mql"] + ["sal"] * (i % 2 == 0) + ["sql"] * (i % 4 == 0)
            for k, stage in enumerate(stages):
                events.append(
                    {
                        "milestone_event_id": f"{lead}-{stage}",
                        "entity_type": "lead",
                        "entity_id": lead,
                        "lead_id": lead,
                        "milestone": stage,
                        "occurred_at": mql + timedelta(days=10 * k),
                    }
                )
            if i % 8 == 0:
                opp = f"O{lead}"
                created = mql + timedelta(days=30)
                opps.append(
                    {
                        "opportunity_id": opp,
                        "lead_id": lead,
                        "account_id": "A1",
                        "amount": 1000.0,
                        "currency": "EUR",
                        "created_at": created,
                        "status": "won" if i % 16 == 0 else "lost",
                    }
                )
                outcome = "won" if i % 16 == 0 else "lost"
                for stage, day in (("opportunity_generated", 0), (outcome, 20)):
                    events.append(
                        {
                            "milestone_event_id": f"{opp}-{stage}",
                            "entity_type": "opportunity",
                            "entity_id": opp,
                            "lead_id": lead,
                            "milestone": stage,
                            "occurred_at": created + timedelta(days=day),
                        }
                    )
    return leads, events, opps


@pytest.fixture(scope="module")
def halving_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    leads, events, opps = _journeys()
    store = open_store(Path(tmp_path_factory.mktemp("plan")) / "s.duckdb")
    store.insert(
        "accounts",
        _frame([{"account_id": "A1", "name": "A", "segment": "Mittelstand"}], "account_id"),
    )
    store.insert("leads", _frame(leads, "lead_id"))
    store.insert("opportunities", _frame(opps, "opportunity_id"))
    store.insert("milestones", _frame(events, "milestone_event_id"))
    return store


def _request(**changes: object) -> PlanRequest:
    start, end = parse_period("2024-Q1")
    base = {
        "target": 16_000.0,
        "period_start": start,
        "period_end": end,
        "by": "",
        "as_of": date(2023, 12, 31),
        "noise": False,
    }
    return PlanRequest(**{**base, **changes})  # type: ignore[arg-type]


def _needed(totals: pd.DataFrame, group: str = "total") -> dict[str, float]:
    rows = totals[totals["group"] == group]
    return dict(zip(rows["stage"], rows["required_p50"], strict=True))


def test_zero_noise_plan_halves_back_from_the_won_deals(halving_store: Store) -> None:
    plan = reverse_plan(halving_store, _request())
    # 16 000 / 1 000 = 16 won deals; each earlier stage twice the next.
    assert _needed(plan.totals) == {
        "mql": 256.0,
        "sal": 128.0,
        "sql": 64.0,
        "opportunity": 32.0,
        "won": 16.0,
    }
    rates = plan.rates.set_index("step")["rate"]
    assert rates.to_dict() == {
        "mql->sal": 0.5,
        "sal->sql": 0.5,
        "sql->opportunity": 0.5,
        "opportunity->won": 0.5,
    }
    assert plan.rates["deal_size"].iloc[0] == 1000.0
    assert plan.rates["median_lag_days"].tolist() == [10.0, 10.0, 10.0, 20.0]
    assert plan.target_source == "argument"
    # MQL to won takes 10 + 10 + 10 + 20 = 50 days
    assert plan.feed_lag_days == 50.0


def test_months_spread_the_need_over_the_lags(halving_store: Store) -> None:
    plan = reverse_plan(halving_store, _request())
    months = plan.months[plan.months["group"] == "total"]
    won = months[months["stage"] == "won"]
    assert won["month"].tolist() == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    # 16 deals spread by days: 31, 29 and 31 of 91
    expected = [16 * 31 / 91, 16 * 29 / 91, 16 * 31 / 91]
    assert won["required_p50"].tolist() == pytest.approx(expected, abs=0.15)
    mql = months[months["stage"] == "mql"]
    assert mql["required_p50"].sum() == pytest.approx(256.0, abs=0.5)
    # 50 days before a Q1 win: MQLs fall from mid-November to mid-February
    assert mql["month"].tolist() == [
        date(2023, 11, 1),
        date(2023, 12, 1),
        date(2024, 1, 1),
        date(2024, 2, 1),
    ]


def test_scenarios_change_the_need_as_their_factors_say(halving_store: Store) -> None:
    scenarios = [Scenario("sal", mql_to_sal=1.2), Scenario("deal", deal_size=2.0)]
    frame = compare_scenarios(halving_store, _request(), scenarios)
    need = {s: _needed(frame[frame["scenario"] == s]) for s in ("base", "sal", "deal")}
    assert need["sal"]["sal"] == 128.0
    assert need["sal"]["mql"] == pytest.approx(128 / 0.6, abs=0.01)
    assert need["deal"]["won"] == 8.0
    assert need["deal"]["mql"] == 128.0


def test_channel_shares_split_the_need_and_scenarios_shift_it(halving_store: Store) -> None:
    plan = reverse_plan(halving_store, _request(by="channel"))
    assert _needed(plan.totals, "search")["mql"] == pytest.approx(128.0, abs=0.01)
    assert _needed(plan.totals, "webinar")["mql"] == pytest.approx(128.0, abs=0.01)
    shifted = reverse_plan(
        halving_store,
        _request(by="channel", scenario=Scenario("w", channel_leads={"webinar": 3.0})),
    )
    # webinar now brings 3 of every 4 MQLs
    assert _needed(shifted.totals, "webinar")["mql"] == pytest.approx(192.0, abs=0.01)
    assert _needed(shifted.totals, "total")["mql"] == pytest.approx(256.0, abs=0.01)


def test_run_rate_is_the_mean_of_the_last_three_complete_months(halving_store: Store) -> None:
    plan = reverse_plan(halving_store, _request())
    run = plan.totals.set_index("stage")["run_rate"]
    days = [(FIRST_MQL + timedelta(days=5 * i)).date() for i in range(PER_CHANNEL)]
    in_q4 = sum(date(2023, 10, 1) <= d <= date(2023, 12, 31) for d in days)
    assert in_q4 == 9
    # totals compare the need with three months of run-rate: the MQLs of October to December
    assert run["mql"] == pytest.approx(2 * in_q4, abs=0.01)
    gap = plan.totals.set_index("stage")["gap"]
    assert gap["mql"] == pytest.approx(256.0 - 2 * in_q4, abs=0.01)


def test_noisy_plan_interval_holds_the_exact_need(halving_store: Store) -> None:
    plan = reverse_plan(halving_store, _request(noise=True, draws=500))
    mql = plan.totals[(plan.totals["group"] == "total") & (plan.totals["stage"] == "mql")].iloc[0]
    assert mql["low"] < 256.0 < mql["high"]
    assert mql["required_p50"] == pytest.approx(256.0, rel=0.25)


def test_target_from_the_targets_table_or_one_sentence(halving_store: Store) -> None:
    with pytest.raises(PlanError, match="targets table has no target"):
        reverse_plan(halving_store, _request(target=None))


def test_periods_and_scenario_texts() -> None:
    assert parse_period("2026-Q3") == (date(2026, 7, 1), date(2026, 9, 30))
    assert parse_period("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert parse_period("2026") == (date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(PeriodError):
        parse_period("2026-Q5")
    s = parse_scenario("push=mql_to_sal:1.2,deal_size:1.1,webinar:1.5")
    assert (s.name, s.mql_to_sal, s.deal_size, dict(s.channel_leads)) == (
        "push",
        1.2,
        1.1,
        {"webinar": 1.5},
    )
    with pytest.raises(ScenarioTextError):
        parse_scenario("push=mql_to_sal")


def test_target_read_from_the_company_row_of_the_targets_table(halving_store: Store) -> None:
    rows = [
        {
            "target_id": "T1",
            "period_start": date(2024, 4, 1),
            "period_end": date(2024, 6, 30),
            "amount": 8_000.0,
            "currency": "EUR",
        },
        # a team's row is ignored while a company row exists
        {
            "target_id": "T2",
            "period_start": date(2024, 4, 1),
            "period_end": date(2024, 6, 30),
            "team": "North",
            "amount": 5_000.0,
            "currency": "EUR",
        },
    ]
    halving_store.insert("targets", _frame(rows, "target_id"))
    start, end = parse_period("2024-Q2")
    plan = reverse_plan(halving_store, _request(target=None, period_start=start, period_end=end))
    assert (plan.target, plan.target_source) == (8_000.0, "targets table")
    assert _needed(plan.totals)["won"] == 8.0
    assert _needed(plan.totals)["mql"] == 128.0
