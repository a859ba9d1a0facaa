"""Opportunity, pipeline and touchpoint KPIs on the hand-made company, and period comparison."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from revintel.metrics import (
    KpiSettings,
    MetricCatalogue,
    MetricQuery,
    MetricQueryError,
    MetricSources,
    compile_kpi,
    evaluate_kpi,
    evaluate_kpis,
    parse_filter,
)
from revintel.metrics._attributed import ATTRIBUTED_KINDS
from revintel.metrics._engine import compare_periods
from revintel.metrics._report import funnel_report, funnel_report_long


def _run(sources: MetricSources, cat: MetricCatalogue, kpi: str, **query: object) -> pd.DataFrame:
    return evaluate_kpi(sources, cat.get(kpi), MetricQuery(**query), cat.settings)  # type: ignore[arg-type]


def _values(frame: pd.DataFrame) -> dict[str, float]:
    return {str(p): float(v) for p, v in zip(frame["period"], frame["value"], strict=True)}


def test_win_rate_by_count_and_value(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    # Q1: O4 lost (500); Q2: O1 won (1000), O7 won (2000).
    assert _values(_run(hand, catalogue, "win_rate")) == {"2024-01-01": 0.0, "2024-04-01": 1.0}
    frame = _run(hand, catalogue, "win_rate_value")
    assert frame["denominator"].tolist() == [500.0, 3000.0]
    assert _values(frame) == {"2024-01-01": 0.0, "2024-04-01": 1.0}


def test_sales_cycle(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "sales_cycle")
    # O1: 02-01 → 04-01 = 60 days; O7: 03-10 → 05-10 = 61 days.
    assert _values(frame) == {"2024-04-01": 60.5}
    assert frame["p90"].iloc[0] == pytest.approx(60.9)


def test_open_and_weighted_pipeline(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    assert _values(_run(hand, catalogue, "open_pipeline")) == {"2024-07-01": 4000.0}
    # O9 sits at offer_sent, whose default probability is 0.40.
    assert _values(_run(hand, catalogue, "weighted_pipeline")) == {"2024-07-01": 1600.0}


def test_measured_weighting_uses_measured_probability(
    hand: MetricSources, catalogue: MetricCatalogue
) -> None:
    young = MetricCatalogue(settings=KpiSettings(maturity_days=0), kpis=catalogue.kpis)
    spec = young.get("weighted_pipeline_measured")
    frame = evaluate_kpi(hand, spec, MetricQuery(grain="all"), young.settings)
    # Measured P(won | offer_sent) = 2 of 3 (L1, L7 won; L9 open).
    assert frame["value"].iloc[0] == pytest.approx(4000 * 2 / 3)


def test_coverage_against_targets(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "pipeline_coverage")
    assert _values(frame) == {"2024-07-01": 0.5}
    by_team = _run(hand, catalogue, "pipeline_coverage", by=("team",))
    # The only target is team Nord's; O9 belongs to rep R2 of team Süd.
    assert by_team[["team", "value"]].values.tolist() == [["Nord", 0.0]]
    with pytest.raises(MetricQueryError, match="not per channel"):
        _run(hand, catalogue, "pipeline_coverage", by=("channel",))


def test_pipeline_velocity(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "pipeline_velocity")
    # Q2: 1 new opportunity (O9) × win rate 1.0 × mean won value 1500 / mean cycle 60.5 days.
    assert _values(frame)["2024-04-01"] == pytest.approx(1500 / 60.5)


def test_lead_response_time(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "lead_response_time")
    jan = frame[frame["period"] == date(2024, 1, 1)].iloc[0]
    # L1 called 34 h after MQL, L2 24 h; L3's call came before its MQL and does not count.
    assert jan["value"] == 29.0
    assert (jan["numerator"], jan["denominator"]) == (2, 3)
    march = frame[frame["period"] == date(2024, 3, 1)].iloc[0]
    assert march["value"] == 12.0


def test_digital_share(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "digital_share")
    assert _values(frame) == {"2024-01-01": 0.2}
    by_channel = _run(hand, catalogue, "digital_share", by=("channel",), grain="year")
    assert dict(zip(by_channel["channel"], by_channel["value"], strict=True)) == {
        "field_sales": 0.0,
        "phone": 0.0,
        "search": 1.0,
    }


def test_previous_period_and_same_period_last_year(
    hand: MetricSources, catalogue: MetricCatalogue
) -> None:
    frame = _run(hand, catalogue, "mqls", compare=True)
    march = frame[frame["period"] == date(2024, 3, 1)].iloc[0]
    assert (march["value"], march["previous"], march["change"]) == (2.0, 3.0, -1.0)
    assert pd.isna(march["last_year"])
    # Consecutive weeks (01-01 and 01-08) find each other as "previous".
    weekly = _run(hand, catalogue, "mqls", compare=True, grain="week")
    assert weekly["previous"].notna().any()


def test_filters_exclude_values(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(hand, catalogue, "win_rate", grain="year", where=(parse_filter("rep!=R1"),))
    assert _values(frame) == {"2024-01-01": 1.0}  # only O7 (rep R2) closed


def test_a_dimension_named_twice_is_one_breakdown(
    hand: MetricSources, catalogue: MetricCatalogue
) -> None:
    twice = _run(hand, catalogue, "mqls", by=("channel", "rep", "channel", "rep"))
    once = _run(hand, catalogue, "mqls", by=("channel", "rep"))
    assert MetricQuery(by=("rep", "channel", "rep")).by == ("rep", "channel")
    pd.testing.assert_frame_equal(twice, once)


def test_dimensions_outside_the_kpi_are_refused(
    hand: MetricSources, catalogue: MetricCatalogue
) -> None:
    spec = catalogue.get("mqls").model_copy(update={"dimensions": ("channel",)})
    with pytest.raises(MetricQueryError, match="has no dimension segment"):
        compile_kpi(hand, spec, MetricQuery(by=("segment",)))


def test_every_kpi_evaluates_into_one_frame(
    hand: MetricSources, catalogue: MetricCatalogue
) -> None:
    frame = evaluate_kpis(hand, catalogue)
    # the attributed KPIs read credits that `revintel attribution store` keeps (none here)
    stored = {s.id for s in catalogue.kpis if s.kind in ATTRIBUTED_KINDS}
    # the hand company has no list prices, order lines or price bands
    priced = {s.id for s in catalogue.kpis if s.kind in ("deal_price", "pocket_price")}
    assert stored and set(frame["kpi"]) == set(catalogue.ids) - stored - priced
    assert list(frame.columns[:2]) == ["kpi", "period"]


def test_query_errors_are_explicit() -> None:
    with pytest.raises(MetricQueryError, match="unknown dimension 'colour'"):
        parse_filter("colour=red")
    with pytest.raises(MetricQueryError, match="expected DIMENSION=VALUE"):
        parse_filter("segment")
    with pytest.raises(MetricQueryError, match="is not before"):
        MetricQuery(start=date(2024, 2, 1), end=date(2024, 1, 1))


def test_funnel_report_in_one_pass(hand: MetricSources) -> None:
    wide = funnel_report(hand, "month", ("channel",)).to_pandas()
    jan = wide[(wide["cohort"] == pd.Timestamp("2024-01-01")) & (wide["channel"] == "search")]
    row = jan.iloc[0]
    # January search MQLs: L1, L2, L3; SAL: L1 (3 days), L2 (5 days); L1 went on to win.
    assert (row["n_mql"], row["n_sal"], row["n_sql"], row["n_won"]) == (3, 2, 1, 1)
    assert row["conv_sal"] == pytest.approx(2 / 3)
    assert row["days_sal"] == 4.0
    assert row["days_won"] == 87.0  # 01-05 → 04-01
    long = funnel_report_long(wide, hand)
    assert len(long) == len(wide) * 9


def test_same_period_last_year_lines_up_by_period_index() -> None:
    frame = pd.DataFrame(
        {
            "kpi": ["k"] * 3,
            "period_index": [2023 * 4 + 1, 2024 * 4 + 0, 2024 * 4 + 1],
            "value": [10.0, 12.0, 15.0],
        }
    )
    out = compare_periods(frame, "quarter", [])
    # 2024 Q1 has no 2023 Q4 before it; 2024 Q2 follows Q1 and a year after 2023 Q2.
    assert pd.isna(out["previous"].iloc[1])
    assert out["previous"].iloc[2] == 12.0
    assert pd.isna(out["last_year"].iloc[1])
    assert out["last_year"].iloc[2] == 10.0


def test_order_revenue_nets_returns(hand: MetricSources, catalogue: MetricCatalogue) -> None:
    # April: B-1 (1000). May: B-2 (600), B-3 (400, kind empty = order), C-2 returns 150.
    assert _values(_run(hand, catalogue, "gross_revenue")) == {
        "2024-04-01": 1000.0,
        "2024-05-01": 1000.0,
    }
    returns = _run(hand, catalogue, "returns")
    assert _values(returns) == {"2024-04-01": 0.0, "2024-05-01": 150.0}
    assert returns["numerator"].tolist() == [0, 1]  # of all orders and returns:
    assert returns["denominator"].tolist() == [1, 3]
    assert _values(_run(hand, catalogue, "net_revenue")) == {
        "2024-04-01": 1000.0,
        "2024-05-01": 850.0,
    }
    assert _values(_run(hand, catalogue, "return_rate")) == {"2024-04-01": 0.0, "2024-05-01": 0.15}
    assert _values(_run(hand, catalogue, "orders")) == {"2024-04-01": 1.0, "2024-05-01": 2.0}
    by_segment = _run(hand, catalogue, "net_revenue", grain="all", by=("segment",))
    assert dict(zip(by_segment["segment"], by_segment["value"], strict=True)) == {
        "Enterprise": 1400.0,
        "Mittelstand": 450.0,
    }
