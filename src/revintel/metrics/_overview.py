"""The funnel at a glance: per milestone, how many reached it, converted, won and how fast."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from revintel.metrics._catalogue import KpiSpec, MetricCatalogue
from revintel.metrics._engine import evaluate_kpi
from revintel.metrics._query import MetricQuery, MetricQueryError
from revintel.metrics._report import funnel_report, funnel_report_long
from revintel.metrics._sources import MetricSources

_KINDS = ("win_probability", "cohort_conversion", "duration")

#: Funnel views that are one KPI of the catalogue (``revintel funnel --view``, the API's
#: ``/funnel/{view}``); the overview and the report are composed of several.
FUNNEL_VIEW_KPIS = {
    "cohort": "stage_conversion",
    "period": "stage_conversion_period",
    "probability": "win_probability",
    "durations": "time_between_milestones",
    "stage": "time_in_stage",
    "leakage": "leakage",
}
#: Every view of the funnel (``revintel funnel --view``, the API's ``/funnel/{view}``).
FUNNEL_VIEWS = ("overview", "report", *FUNNEL_VIEW_KPIS)


def _first_of_kind(catalogue: MetricCatalogue, kind: str) -> KpiSpec:
    """The first KPI of ``kind`` covering consecutive steps (any, for kinds without steps)."""
    for spec in catalogue.kpis:
        if spec.kind == kind and getattr(spec.params, "steps", "consecutive") == "consecutive":
            return spec
    raise KeyError(f"the catalogue has no {kind!r} KPI over consecutive steps")


def funnel_overview(
    sources: MetricSources,
    catalogue: MetricCatalogue,
    query: MetricQuery | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """One row per path milestone (and breakdown group).

    Columns: reached (mature leads), conversion to the next milestone within the window,
    measured P(won) with its Wilson interval next to the configured default, and the median and
    p90 days to the next milestone.
    """
    base = query or MetricQuery()
    query = replace(base, grain="all", compare=False)
    specs = {kind: _first_of_kind(catalogue, kind) for kind in _KINDS}
    frames = {k: evaluate_kpi(sources, s, query, catalogue.settings) for k, s in specs.items()}
    keys = [*query.by, "milestone"]
    prob = frames["win_probability"].rename(columns={"step": "milestone"})
    prob = prob[[*keys, "denominator", "value", "lower", "upper", "default"]].rename(
        columns={
            "denominator": "reached",
            "value": "p_won",
            "lower": "p_won_low",
            "upper": "p_won_high",
        }
    )
    conv = _by_source(frames["cohort_conversion"], keys, {"value": "conversion"})
    dur = _by_source(frames["duration"], keys, {"value": "median_days", "p90": "p90_days"})
    out = prob.merge(conv, on=keys, how="left").merge(dur, on=keys, how="left")
    labels = {m.id: m.name(language) for m in sources.funnel.milestones}  # type: ignore[arg-type]
    out.insert(len(query.by) + 1, "label", out["milestone"].map(labels))
    order = {m: i for i, m in enumerate(sources.funnel.path_ids)}
    out = out.assign(k__order=out["milestone"].map(order)).sort_values([*query.by, "k__order"])
    return out[
        [
            *keys,
            "label",
            "reached",
            "conversion",
            "p_won",
            "p_won_low",
            "p_won_high",
            "default",
            "median_days",
            "p90_days",
        ]
    ].reset_index(drop=True)


def _by_source(frame: pd.DataFrame, keys: list[str], columns: dict[str, str]) -> pd.DataFrame:
    out = frame.assign(milestone=frame["step"].str.split("->").str[0])
    return out[[*keys, *columns]].rename(columns=columns)


def funnel_view(
    sources: MetricSources,
    catalogue: MetricCatalogue,
    view: str,
    query: MetricQuery | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """One of :data:`FUNNEL_VIEWS`: the overview, the long report per period and breakdown
    (channel unless the query breaks down by something else), or a view's KPI."""
    query = query or MetricQuery()
    if view == "overview":
        return funnel_overview(sources, catalogue, query, language)
    if view == "report":
        wide = funnel_report(sources, query.grain or "month", query.by or ("channel",), query)
        return funnel_report_long(wide.to_pandas(), sources)
    if view not in FUNNEL_VIEW_KPIS:
        raise MetricQueryError(f"unknown funnel view {view!r}; views: {', '.join(FUNNEL_VIEWS)}")
    spec = catalogue.get(FUNNEL_VIEW_KPIS[view])
    return evaluate_kpi(sources, spec, query, catalogue.settings)
