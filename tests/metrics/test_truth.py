"""Measured funnel numbers against the planted ground truth of a generated demo company."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from revintel.metrics import (
    KpiSettings,
    MetricCatalogue,
    MetricQuery,
    MetricSources,
    evaluate_kpi,
    wilson_interval,
)
from revintel.store import Store


def _sources(demo: tuple[Store, dict[str, Any]]) -> tuple[MetricSources, KpiSettings]:
    store, truth = demo
    as_of = date.fromisoformat(truth["as_of"])
    mature_before = date.fromisoformat(truth["mature_before"])
    sources = MetricSources.from_store(store, as_of=as_of)
    # Leads created before ``mature_before`` are mature: exactly the truth's population.
    return sources, KpiSettings(maturity_days=(as_of - mature_before).days, confidence=0.99)


def test_win_probability_recovers_the_planted_truth(
    demo: tuple[Store, dict[str, Any]], catalogue: MetricCatalogue
) -> None:
    sources, settings = _sources(demo)
    truth = demo[1]["win_probability"]
    frame = evaluate_kpi(sources, catalogue.get("win_probability"), MetricQuery(), settings)
    for row in frame.itertuples():
        planted = truth[row.step]
        assert row.denominator == planted["n"], row.step
        # The planted probability lies inside the 99 % Wilson interval of the measurement.
        assert row.lower <= planted["p"] <= row.upper, (row.step, row.value, planted)
        lo, hi = wilson_interval(planted["p"] * row.denominator, row.denominator, 0.99)
        assert lo <= row.value <= hi


def test_step_conversion_of_mature_leads_matches_the_truth(
    demo: tuple[Store, dict[str, Any]], catalogue: MetricCatalogue
) -> None:
    sources, settings = _sources(demo)
    truth = demo[1]["stage_conversion"]
    frame = evaluate_kpi(sources, catalogue.get("win_probability"), MetricQuery(), settings)
    reached = dict(zip(frame["step"], frame["denominator"], strict=True))
    won = dict(zip(frame["step"], frame["numerator"], strict=True))
    chain = [*sources.funnel.path_ids, "won"]
    reached["won"] = won[chain[0]]
    for a, b in itertools.pairwise(chain):
        k, n = reached[b], reached[a]
        lo, hi = wilson_interval(k, n, 0.99)
        assert lo <= truth[f"{a}->{b}"]["p"] <= hi, (a, b, k / n, truth[f"{a}->{b}"])


@pytest.mark.parametrize("kpi", ["mqls", "lvr", "mql_sal_acceptance", "digital_share"])
def test_period_kpis_cover_the_whole_history(
    demo: tuple[Store, dict[str, Any]], catalogue: MetricCatalogue, kpi: str
) -> None:
    sources, settings = _sources(demo)
    frame = evaluate_kpi(sources, catalogue.get(kpi), MetricQuery(grain="year"), settings)
    assert [p.year for p in frame["period"]] == [2020, 2021, 2022, 2023, 2024]
