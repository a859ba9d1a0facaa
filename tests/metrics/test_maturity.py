"""The maturity window given per query (``MetricQuery.maturity_days``) instead of the catalogue.

The hand-made company (as of 2024-06-30) has leads created from 2024-01-05 to 2024-04-01; with
100 days of maturity the cutoff is 2024-03-22, so L1–L8 count and L9 (created 04-01) does not.
"""

from __future__ import annotations

import pandas as pd
import pytest

from revintel.metrics import (
    MetricCatalogue,
    MetricQuery,
    MetricQueryError,
    MetricSources,
    evaluate_kpi,
    evaluate_kpis,
    funnel_overview,
    funnel_view,
)


def _mql_row(frame: pd.DataFrame) -> pd.Series:
    return frame[frame["step"] == "mql"].iloc[0]


def test_query_maturity_overrides_the_catalogue(
    hand: MetricSources, catalogue: MetricCatalogue
) -> None:
    spec = catalogue.get("win_probability")
    default = _mql_row(evaluate_kpi(hand, spec, MetricQuery(), catalogue.settings))
    assert pd.isna(default["denominator"])  # no lead is a year old: an empty sum
    every = _mql_row(evaluate_kpi(hand, spec, MetricQuery(maturity_days=0), catalogue.settings))
    # All nine leads reached MQL; L1 and L7 were won.
    assert (every["numerator"], every["denominator"]) == (2, 9)
    hundred = _mql_row(evaluate_kpi(hand, spec, MetricQuery(maturity_days=100)))
    assert (hundred["numerator"], hundred["denominator"]) == (2, 8)


def test_maturity_reaches_every_function_the_cli_calls(
    hand: MetricSources, catalogue: MetricCatalogue
) -> None:
    query = MetricQuery(maturity_days=100)
    kpis = evaluate_kpis(hand, catalogue, ["win_probability"], query)
    assert _mql_row(kpis)["denominator"] == 8
    overview = funnel_overview(hand, catalogue, query)
    assert overview.set_index("milestone").loc["mql", "reached"] == 8
    assert overview.set_index("milestone").loc["mql", "p_won"] == pytest.approx(2 / 8)
    probability = funnel_view(hand, catalogue, "probability", query)
    assert _mql_row(probability)["denominator"] == 8


def test_measured_weighted_pipeline_follows_the_query_maturity(
    hand: MetricSources, catalogue: MetricCatalogue
) -> None:
    spec = next(
        k
        for k in catalogue.kpis
        if k.kind == "weighted_pipeline" and k.params.probabilities == "measured"
    )
    query = MetricQuery(grain="all")
    young = evaluate_kpi(hand, spec, query, catalogue.settings)["value"].sum()
    every = MetricQuery(grain="all", maturity_days=0)
    measured = evaluate_kpi(hand, spec, every, catalogue.settings)["value"].sum()
    # Without mature leads the defaults weight the pipeline; with all leads the measured ones.
    assert young != pytest.approx(measured)


def test_negative_maturity_is_refused() -> None:
    with pytest.raises(MetricQueryError, match="--maturity-days -1"):
        MetricQuery(maturity_days=-1)
