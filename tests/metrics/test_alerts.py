"""Alerts: each rule on the hand-made company, and all of them firing on the demo company."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from revintel.metrics import (
    KpiSettings,
    MetricCatalogue,
    MetricSources,
    alerts_frame,
    evaluate_alerts,
    stalled_entries,
)
from revintel.store import Store


def _only(catalogue: MetricCatalogue, kpi: str, **alert: Any) -> MetricCatalogue:
    spec = catalogue.get(kpi)
    assert spec.alert is not None
    changed = spec.model_copy(update={"alert": spec.alert.model_copy(update=alert)})
    return MetricCatalogue(settings=KpiSettings(maturity_days=0), kpis=(changed,))


def test_threshold_alert_reports_numbers_and_reasons(
    hand: MetricSources, catalogue: MetricCatalogue
) -> None:
    cat = _only(
        catalogue, "mql_sal_acceptance", threshold=0.7, min_count=2, lookback_periods=4, by=()
    )
    alerts = evaluate_alerts(hand, cat)
    # January 2 of 3 and March 1 of 2 decided MQLs were accepted: both under 70 %.
    assert [(a.period, round(a.value, 4)) for a in alerts] == [
        (date(2024, 1, 1), 0.6667),
        (date(2024, 3, 1), 0.5),
    ]
    assert alerts[1].numbers == {"numerator": 1, "denominator": 2}
    assert "50,0 % (1 von 2)" in alerts[1].reason_de
    assert "below the threshold of 70.0 %" in alerts[1].reason_en


def test_negative_streak(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    # LVR: March −33 %, April −50 % (February 0 %): two negative months running.
    alerts = evaluate_alerts(hand, _only(catalogue, "lvr", periods=2))
    assert len(alerts) == 1
    assert alerts[0].numbers["values"] == pytest.approx([-1 / 3, -0.5])
    assert evaluate_alerts(hand, _only(catalogue, "lvr", periods=3)) == []


def test_stalled_entries_exceed_their_segment_limit(hand: MetricSources) -> None:
    frame = stalled_entries(hand, 0.9)
    # L9 has sat at offer_sent for 61 days; the only completed Enterprise stay there (L1,
    # offer_sent 03-01 → won 04-01) took 31 days.
    assert frame[["lead_id", "stage", "segment"]].values.tolist() == [
        ["L9", "offer_sent", "Enterprise"]
    ]
    assert frame["days"].iloc[0] == 61.0
    assert frame["limit_days"].iloc[0] == 31.0


def test_alerts_fire_on_the_demo_company(
    demo: tuple[Store, dict[str, Any]], catalogue: MetricCatalogue
) -> None:
    store, truth = demo
    sources = MetricSources.from_store(store, as_of=date.fromisoformat(truth["as_of"]))
    alerts = evaluate_alerts(sources, catalogue)
    frame = alerts_frame(alerts, "de")
    fired = set(zip(frame["kpi"], frame["rule"], strict=True))
    assert {
        ("mql_sal_acceptance", "below_threshold"),
        ("mql_sal_conversion", "conversion_drop"),
        ("time_in_stage", "stalled"),
    } <= fired
    dip = truth["planted"]["mql_sal_dip"]
    social = [
        a
        for a in alerts
        if a.kpi == "mql_sal_acceptance" and a.group.get("channel") == dip["channel"]
    ]
    assert social and all(a.period >= date.fromisoformat(dip["from"]) for a in social)
    drop = [a for a in alerts if a.rule == "conversion_drop"]
    assert all(a.numbers["p_value"] < 0.01 for a in drop)
    assert all(frame["reason"].str.len() > 20)


def test_stalled_alert_finds_the_planted_cluster(demo: tuple[Store, dict[str, Any]]) -> None:
    store, truth = demo
    sources = MetricSources.from_store(store, as_of=date.fromisoformat(truth["as_of"]))
    planted = truth["planted"]["stalled_deals"]
    stalled = stalled_entries(sources, 0.9, ("industry",))
    opps = store.table("opportunities").select("lead_id", "opportunity_id").to_pandas()
    found = set(opps[opps["lead_id"].isin(stalled["lead_id"])]["opportunity_id"])
    planted_ids = set(planted["open_opportunities"])
    assert len(found & planted_ids) >= len(planted_ids) // 2
    in_industry = stalled[stalled["industry"] == planted["industry"]]
    # The planted industry holds the largest group of stalled opportunities.
    assert in_industry.shape[0] == stalled.groupby("industry").size().max()
