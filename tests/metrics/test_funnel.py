"""Funnel metrics on the hand-made company (see tests/metrics/fixtures.py for the journeys)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from revintel.metrics import (
    KpiSettings,
    MetricCatalogue,
    MetricQuery,
    MetricSources,
    evaluate_kpi,
    parse_filter,
)


def _run(
    sources: MetricSources,
    cat: MetricCatalogue,
    kpi: str,
    settings: KpiSettings | None = None,
    **query: object,
) -> pd.DataFrame:
    return evaluate_kpi(sources, cat.get(kpi), MetricQuery(**query), settings or cat.settings)  # type: ignore[arg-type]


def _by_period(frame: pd.DataFrame, column: str = "value") -> dict[str, float]:
    return {str(p): float(v) for p, v in zip(frame["period"], frame[column], strict=True)}


def _by_step(frame: pd.DataFrame, column: str = "value") -> dict[str, float]:
    return {str(s): float(v) for s, v in zip(frame["step"], frame[column], strict=True)}


def test_mqls_per_month(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "mqls")
    assert _by_period(frame) == {
        "2024-01-01": 3.0,
        "2024-02-01": 3.0,
        "2024-03-01": 2.0,
        "2024-04-01": 1.0,
    }


def test_lead_velocity_rate(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "lvr").dropna(subset=["value"])
    assert _by_period(frame) == pytest.approx(
        {"2024-02-01": 0.0, "2024-03-01": -1 / 3, "2024-04-01": -0.5}
    )


def test_acceptance_counts_rejections_not_pending_leads(
    hand: MetricSources, catalogue: MetricCatalogue
) -> None:
    frame = _run(hand, catalogue, "mql_sal_acceptance")
    # January: L1, L2 accepted, L3 rejected; February: L5 still pending; March: L8 rejected.
    assert _by_period(frame) == pytest.approx(
        {"2024-01-01": 2 / 3, "2024-02-01": 1.0, "2024-03-01": 0.5, "2024-04-01": 1.0}
    )
    assert _by_period(frame, "rejected") == {
        "2024-01-01": 1.0,
        "2024-02-01": 0.0,
        "2024-03-01": 1.0,
        "2024-04-01": 0.0,
    }
    assert _by_period(frame, "entries")["2024-02-01"] == 3.0


def test_cohort_conversion_respects_window_and_flags_immature_cohorts(
    hand: MetricSources, catalogue: MetricCatalogue, all_time: KpiSettings
) -> None:
    frame = _run(hand, catalogue, "stage_conversion", all_time, grain="quarter")
    q1 = frame[frame["period"] == date(2024, 1, 1)]
    steps = _by_step(q1)
    # Q1 MQLs: L1..L8 (8); reached SAL: L1, L2, L4, L6, L7 (5).
    assert steps["mql->sal"] == pytest.approx(5 / 8)
    # Q1 opportunities: L1 (02-01), L4 (02-20), L7 (03-10). L1 is proved specified by its
    # offer on 03-01 (28 days); L7 only by winning on 05-10, 61 days later: outside the window.
    assert steps["opportunity_generated->opportunity_specified"] == pytest.approx(1 / 3)
    assert steps["sql->opportunity_generated"] == 1.0
    # Q2 ends 06-30, so with a 60-day window it cannot be mature on 2024-06-30.
    assert not frame[frame["period"] == date(2024, 4, 1)]["mature"].any()
    assert frame[frame["period"] == date(2024, 1, 1)]["mature"].all()


def test_cohort_conversion_counts_only_within_the_window(
    hand: MetricSources, catalogue: MetricCatalogue
) -> None:
    tight = KpiSettings(maturity_days=0, conversion_window_days=30)
    frame = _run(hand, catalogue, "stage_conversion", tight, grain="all")
    # offer_sent → offer_discussed: L1 03-01 → 04-01 (31 days, outside), L7 both proved by the
    # win on 05-10 (0 days, inside), L9 never.
    assert _by_step(frame)["offer_sent->offer_discussed"] == pytest.approx(1 / 3)


def test_period_conversion(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "stage_conversion_period")
    feb = _by_step(frame[frame["period"] == date(2024, 2, 1)])
    # February: SQL reached by L4 only; opportunities created for L1 and L4.
    assert feb["sql->opportunity_generated"] == 2.0


def test_win_probability_with_wilson_interval_and_defaults(
    hand: MetricSources, catalogue: MetricCatalogue, all_time: KpiSettings
) -> None:
    frame = _run(hand, catalogue, "win_probability", all_time)
    got = _by_step(frame)
    assert got["mql"] == pytest.approx(2 / 9)
    assert got["sal"] == pytest.approx(2 / 6)
    assert got["sql"] == pytest.approx(2 / 4)
    assert got["opportunity_specified"] == pytest.approx(2 / 3)  # L1 proved by offer_sent
    assert got["contract_negotiation"] == 1.0
    mql = frame[frame["step"] == "mql"].iloc[0]
    # Wilson 95 % interval for 2 of 9, computed by hand from the closed form.
    assert mql["lower"] == pytest.approx(0.0632, abs=1e-4)
    assert mql["upper"] == pytest.approx(0.5474, abs=1e-4)
    assert mql["default"] == 0.03


def test_reached_counts_never_rise_along_the_funnel(
    hand: MetricSources, catalogue: MetricCatalogue, all_time: KpiSettings
) -> None:
    frame = _run(hand, catalogue, "win_probability", all_time)
    order = list(hand.funnel.path_ids)
    counts = frame.set_index("step").loc[order, "denominator"].tolist()
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == 9


def test_mature_leads_only(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    # With the default one-year maturity no hand-made lead (all from 2024) counts yet.
    frame = _run(hand, catalogue, "win_probability")
    assert frame["denominator"].fillna(0).sum() == 0


def test_time_between_milestones(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "time_between_milestones")
    row = frame[frame["step"] == "mql->sal"].iloc[0]
    # Days MQL → SAL: L1 3, L2 5, L4 2, L6 1, L7 1, L9 1.
    assert row["numerator"] == 6
    assert row["value"] == 1.5
    assert row["p75"] == pytest.approx(2.75)
    assert row["p90"] == pytest.approx(4.0)


def test_time_in_current_stage(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "time_in_stage")
    # Ages at the end of 2024-06-30: L5 at mql since 02-10, L6 at sal since 02-16,
    # L9 at offer_sent since 05-01.
    assert _by_step(frame) == {"mql": 142.0, "sal": 136.0, "offer_sent": 61.0}


def test_leakage_by_milestone_and_reason(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "leakage")
    rows = {(r.step, r.reason): (r.numerator, r.value) for r in frame.itertuples()}
    assert rows == {
        ("mql", "Falsche Zielgruppe"): (1, 0.5),
        ("mql", "Kein Bedarf"): (1, 0.5),
        ("sal", "Kein Budget"): (1, 1.0),
        ("opportunity_generated", "Preis"): (1, 1.0),
    }


def test_breakdown_and_filter(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "mqls", grain="quarter", by=("channel",))
    got = {(str(r.period), r.channel): r.value for r in frame.itertuples()}
    assert got == {
        ("2024-01-01", "search"): 4.0,
        ("2024-01-01", "webinar"): 4.0,
        ("2024-04-01", "webinar"): 1.0,
    }
    where = (parse_filter("segment=Mittelstand"),)
    frame = _run(hand, catalogue, "mqls", grain="year", where=where)
    assert frame["value"].tolist() == [4.0]  # L3, L4, L7, L8


def test_date_range_and_week_grain(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(
        hand, catalogue, "mqls", grain="week", start=date(2024, 1, 1), end=date(2024, 1, 22)
    )
    # Weeks start on Monday: 01-05 and 01-10 fall in the weeks of 01-01 and 01-08, 01-20 in 01-15.
    assert _by_period(frame) == {"2024-01-01": 1.0, "2024-01-08": 1.0, "2024-01-15": 1.0}


def test_rejection_reasons_of_mqls(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "mql_rejection_reasons")
    rows = [(str(r.period), r.reason, r.value) for r in frame.itertuples()]
    # L3 rejected on 01-25, L8 on 03-22; L2 was disqualified after acceptance (not a rejection).
    assert rows == [("2024-01-01", "Falsche Zielgruppe", 1.0), ("2024-03-01", "Kein Bedarf", 1.0)]
