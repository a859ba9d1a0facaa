"""Compile catalogue KPIs to Ibis expressions and evaluate them into tidy frames.

Compilation picks the computation for a KPI's ``kind`` from a registry that fails loudly on
unknown names; evaluation is the edge where queries run and intervals, maturity flags and
period comparisons are added.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import timedelta

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from revintel.metrics import (
    _attributed,
    _cohorts,
    _cost_kpis,
    _customers_kpis,
    _funnel,
    _marketing_costs,
    _orders,
    _pipeline,
    _pricing_kpis,
    _quality_kpis,
    _sla_kpis,
)
from revintel.metrics._catalogue import (
    Grain,
    KpiSettings,
    KpiSpec,
    MetricCatalogue,
    is_custom_dimension,
)
from revintel.metrics._context import KpiContext
from revintel.metrics._query import PERIODS_PER_YEAR, MetricQuery, MetricQueryError
from revintel.metrics._sources import MetricSources
from revintel.metrics._stats import wilson_interval

logger = logging.getLogger(__name__)

Compiler = Callable[[KpiContext], ir.Table]

#: Computation of every KPI kind; keys match :data:`revintel.metrics.PARAMS_BY_KIND`.
KINDS: dict[str, Compiler] = {
    "milestone_count": _funnel.milestone_count,
    "growth": _funnel.growth,
    "step_rate": _funnel.step_rate,
    "cohort_conversion": _funnel.cohort_conversion,
    "period_conversion": _funnel.period_conversion,
    "win_probability": _funnel.win_probability,
    "duration": _funnel.duration,
    "stage_age": _funnel.stage_age,
    "leakage": _funnel.leakage,
    "response_time": _funnel.response_time,
    "win_rate": _pipeline.win_rate,
    "cycle_length": _pipeline.cycle_length,
    "open_pipeline": _pipeline.open_pipeline,
    "weighted_pipeline": _pipeline.weighted_pipeline,
    "coverage": _pipeline.coverage,
    "velocity": _pipeline.velocity,
    "digital_share": _pipeline.digital_share,
    "order_revenue": _orders.order_revenue,
    "customers": _customers_kpis.customers,
    "inter_purchase": _customers_kpis.inter_purchase,
    "cohort_retention": _cohorts.cohort_retention,
    "marketing_cost": _marketing_costs.marketing_cost,
    "cost_per_milestone": _cost_kpis.cost_per_milestone,
    "customer_acquisition_cost": _cost_kpis.customer_acquisition_cost,
    "attributed": _attributed.attributed,
    "attributed_roi": _attributed.attributed_roi,
    "deal_price": _pricing_kpis.deal_price,
    "pocket_price": _pricing_kpis.pocket_price,
    "sla_attainment": _sla_kpis.sla_attainment,
    "quality_weighted_count": _quality_kpis.quality_weighted_count,
    "quality_weighted_growth": _quality_kpis.quality_weighted_growth,
}

_TIMELESS = frozenset({"win_probability", "stage_age"})
_LEADING = ["kpi", "period"]
_MEASURES = ["step", "reason", "value", "numerator", "denominator"]


def breakdown_dimensions(spec: KpiSpec) -> tuple[str, ...]:
    """The dimensions ``spec`` can be broken down and filtered by (targets know fewer)."""
    if spec.kind == "coverage":
        return tuple(d for d in spec.dimensions if d in _pipeline.TARGET_DIMENSIONS)
    return spec.dimensions


#: KPI kinds computed over opportunities, whose rows reach opportunities' custom fields too.
_OPPORTUNITY_KINDS = frozenset(
    {"win_rate", "cycle_length", "open_pipeline", "weighted_pipeline", "velocity", "deal_price"}
)


#: KPI kinds computed over orders, whose rows reach the custom fields of accounts.
_ORDER_KINDS = frozenset(
    {"order_revenue", "customers", "inter_purchase", "cohort_retention", "pocket_price"}
)


def custom_tables(spec: KpiSpec) -> tuple[str, ...]:
    """The tables whose custom fields (``custom.<name>``) can break down and filter ``spec``."""
    if spec.kind == "coverage":
        return ()  # targets are set per team, rep and segment only
    if spec.kind in _ORDER_KINDS:
        return ("accounts",)
    if spec.kind in _OPPORTUNITY_KINDS:
        return ("opportunities", "leads", "accounts")
    return ("leads", "accounts")


def compares_periods(spec: KpiSpec) -> bool:
    """Whether ``spec`` compares periods, each with the one before or a cohort's later ones
    (so needs a grain)."""
    return spec.kind in ("growth", "quality_weighted_growth", "cohort_retention")


def kpi_context(
    sources: MetricSources, spec: KpiSpec, query: MetricQuery, settings: KpiSettings
) -> KpiContext:
    """The context a KPI compiles in: its effective grain and a checked breakdown."""
    grain: Grain = "all" if spec.kind in _TIMELESS else (query.grain or spec.grain)
    foreign = [
        d
        for d in query.dimensions
        if d not in spec.dimensions and not (is_custom_dimension(d) and custom_tables(spec))
    ]
    if foreign:
        raise MetricQueryError(f"KPI {spec.id!r} has no dimension {', '.join(foreign)}")
    return KpiContext(sources, spec, query, grain, effective_settings(settings, query))


def effective_settings(settings: KpiSettings, query: MetricQuery) -> KpiSettings:
    """The catalogue ``settings`` with the query's own maturity window, when it sets one."""
    if query.maturity_days is None:
        return settings
    return settings.model_copy(update={"maturity_days": query.maturity_days})


def compile_kpi(
    sources: MetricSources,
    spec: KpiSpec,
    query: MetricQuery | None = None,
    settings: KpiSettings | None = None,
) -> ir.Table:
    """The Ibis expression computing ``spec`` for ``query`` (nothing is executed).

    Raises ``KeyError`` naming the known kinds when ``spec.kind`` has no computation.
    """
    try:
        compiler = KINDS[spec.kind]
    except KeyError:
        raise KeyError(
            f"no computation for kind {spec.kind!r}; known: {', '.join(KINDS)}"
        ) from None
    ctx = kpi_context(sources, spec, query or MetricQuery(), settings or KpiSettings())
    return compiler(ctx)


def evaluate_kpi(
    sources: MetricSources,
    spec: KpiSpec,
    query: MetricQuery | None = None,
    settings: KpiSettings | None = None,
) -> pd.DataFrame:
    """Execute one KPI and add its intervals, flags and comparisons; one row per group."""
    query = query or MetricQuery()
    settings = settings or KpiSettings()
    ctx = kpi_context(sources, spec, query, settings)
    comparing = query.compare and ctx.grain != "all"
    if comparing:
        # Compute all periods so the earliest in range finds last period and last year.
        ctx = replace(ctx, query=replace(query, start=None, end=None))
    frame = KINDS[spec.kind](ctx).to_pandas()
    logger.info("KPI %s: %d rows", spec.id, len(frame))
    frame = _finish(frame, ctx)
    if comparing:
        frame = compare_periods(frame, ctx.grain, list(query.by))
        frame = frame[_in_range(frame["period"], query, ctx.grain)]
    return _ordered(frame.drop(columns=["period_index"], errors="ignore"), ctx)


def _in_range(period: pd.Series, query: MetricQuery, grain: Grain) -> pd.Series:
    starts = pd.to_datetime(period)
    keep = pd.Series(True, index=period.index)
    if query.start is not None:
        keep &= period_end(period, grain) > pd.Timestamp(query.start)
    if query.end is not None:
        keep &= starts < pd.Timestamp(query.end)
    return keep


def evaluate_kpis(
    sources: MetricSources,
    catalogue: MetricCatalogue,
    ids: Iterable[str] = (),
    query: MetricQuery | None = None,
) -> pd.DataFrame:
    """Evaluate the KPIs ``ids`` (all when empty) into one long frame keyed by ``kpi``."""
    wanted = list(ids) or list(catalogue.ids)
    frames = [evaluate_kpi(sources, catalogue.get(i), query, catalogue.settings) for i in wanted]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=[*_LEADING, *_MEASURES])
    return pd.concat(frames, ignore_index=True)


def period_end(period: pd.Series, grain: Grain) -> pd.Series:
    """The first day after each period starting at ``period``."""
    starts = pd.to_datetime(period)
    if grain == "week":
        return starts + pd.Timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    return starts + pd.DateOffset(months=months)


def _finish(frame: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    frame = frame.copy()
    frame.insert(0, "kpi", ctx.spec.id)
    if "period" not in frame:
        frame["period"] = None
    else:
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
        ends = period_end(frame["period"], ctx.grain)
        as_of = pd.Timestamp(ctx.sources.as_of + timedelta(days=1))
        frame["complete"] = ends <= as_of
        if ctx.spec.kind == "cohort_conversion":
            window = pd.Timedelta(days=ctx.window_days)
            frame["mature"] = ends + window <= as_of
    if ctx.spec.kind == "win_probability":
        lo, hi = wilson_interval(
            frame["numerator"].to_numpy(float),
            frame["denominator"].to_numpy(float),
            ctx.settings.confidence,
        )
        frame["lower"], frame["upper"] = lo, hi
        defaults = {m.id: m.default_probability for m in ctx.sources.funnel.milestones}
        frame["default"] = frame["step"].map(defaults)
    for column in ("numerator", "denominator"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    return frame


def compare_periods(frame: pd.DataFrame, grain: Grain, by: list[str]) -> pd.DataFrame:
    """Add ``previous`` (value one period before) and ``last_year`` (same period a year before)."""
    keys = [c for c in ("kpi", *by, "step", "reason") if c in frame]
    base = frame[[*keys, "period_index", "value"]]
    out = frame
    for name, shift in (("previous", 1), ("last_year", PERIODS_PER_YEAR[grain])):
        shifted = base.assign(period_index=base["period_index"] + shift).rename(
            columns={"value": name}
        )
        out = out.merge(shifted, on=[*keys, "period_index"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change"] = out["value"] - out["previous"]
    return out


def _ordered(frame: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    front = [c for c in (*_LEADING, *ctx.by, *_MEASURES) if c in frame]
    rest = [c for c in frame.columns if c not in front]
    sort = [c for c in ("period", *ctx.by, "step", "reason") if c in frame]
    frame = frame[front + rest]
    if sort:
        frame = frame.sort_values(sort, kind="stable", na_position="first")
    return frame.reset_index(drop=True)
