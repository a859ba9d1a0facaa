"""The funnel at a glance: per milestone, how many reached it, converted, won and how fast."""

from __future__ import annotations

import pandas as pd

from revintel.metrics._catalogue import KpiSpec, MetricCatalogue
from revintel.metrics._engine import evaluate_kpi
from revintel.metrics._query import MetricQuery
from revintel.metrics._sources import MetricSources

_KINDS = ("win_probability", "cohort_conversion", "duration")


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
    query = MetricQuery(grain="all", by=base.by, where=base.where, start=base.start, end=base.end)
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
