"""Attributed pipeline, revenue and conversions, and the return on marketing cost (ROI).

They read the credits stored by ``revintel attribution store`` (the ``attribution_credits``
table): conversions, revenue and margin credited to each channel and campaign by an attribution
model, per milestone, journey level, conversion month and segment. The model is a parameter of
the KPI (default ``markov``); a query chooses another with ``--where model=linear`` or compares
them with ``--by model``.

Timing: credits count in the month their journey converted; costs on their own days (see
:mod:`revintel.metrics._marketing_costs`). The ROI of a period sets what was credited to the
conversions of the period against what was spent in it, without a lag between the two.
"""

from __future__ import annotations

from dataclasses import replace

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from revintel.metrics._catalogue import AttributedParams, KpiSpec, is_custom_dimension
from revintel.metrics._context import KpiContext, grouped, ratio, union_all
from revintel.metrics._marketing_costs import period_costs
from revintel.metrics._query import MetricQuery, MetricQueryError
from revintel.metrics._sources import MetricSources

#: The system table holding the stored credits.
CREDITS_TABLE = "attribution_credits"
#: KPI kinds reading the stored credits.
ATTRIBUTED_KINDS = ("attributed", "attributed_roi")
#: The query dimension choosing the attribution model.
MODEL_DIMENSION = "model"
#: Credit columns behind each dimension of these KPIs.
CREDIT_COLUMNS = {
    "channel": "channel",
    "campaign": "campaign_id",
    "segment": "segment",
    MODEL_DIMENSION: "model",
}
_MODELS = (
    "first",
    "last",
    "linear",
    "time_decay",
    "u_shaped",
    "w_shaped",
    "full_path",
    "markov",
    "shapley",
)


def _params(ctx: KpiContext) -> AttributedParams:
    params = ctx.spec.params
    if not isinstance(params, AttributedParams):
        raise TypeError(f"KPI {ctx.spec.id!r} has no attribution parameters")
    return params


def chosen_models(ctx: KpiContext) -> tuple[str, ...]:
    """The models a query reads: the KPI's own, the one ``--where model=…`` names, or every
    model left by the filters when broken down ``--by model``.

    Raises
    ------
    MetricQueryError
        A model filter names an unknown model, or leaves more than one model without
        ``--by model`` (their credits cannot be added up).
    """
    models = _models_of(_params(ctx), ctx.query)
    if MODEL_DIMENSION not in ctx.query.by and len(models) != 1:
        raise MetricQueryError(
            f"KPI {ctx.spec.id!r} adds up one model's credits: name one with --where model=NAME "
            "or compare them with --by model"
        )
    return models


def _models_of(params: AttributedParams, query: MetricQuery) -> tuple[str, ...]:
    filters = [f for f in query.where if f.dimension == MODEL_DIMENSION]
    for f in filters:
        unknown = [v for v in f.values if v not in _MODELS]
        if unknown:
            raise MetricQueryError(
                f"--where model: unknown model {', '.join(map(repr, unknown))}; "
                f"choose from {', '.join(_MODELS)}"
            )
    if not filters and MODEL_DIMENSION not in query.by:
        return (params.model,)
    return tuple(m for m in _MODELS if all((m in f.values) != f.negate for f in filters))


def _credits(ctx: KpiContext) -> ir.Table:
    """Stored credits of the KPI's milestone and level for the chosen models, with the query's
    dimensions as columns (``campaign``, ``model``…); an empty table when none are stored."""
    custom = [d for d in ctx.query.dimensions if is_custom_dimension(d)]
    if custom:
        raise MetricQueryError(f"KPI {ctx.spec.id!r} has no dimension {', '.join(custom)}")
    if ctx.grain == "week":
        raise MetricQueryError(
            f"KPI {ctx.spec.id!r} has no weekly values: credits are stored per month"
        )
    params = _params(ctx)
    models = chosen_models(ctx)
    if CREDITS_TABLE not in ctx.sources.tables:
        return _no_credits()
    c = ctx.sources.tables[CREDITS_TABLE]
    c = c.filter(
        (c.milestone == params.milestone) & (c.level == params.level) & c.model.isin(list(models))
    )
    return c.mutate(campaign=c.campaign_id)


def _no_credits() -> ir.Table:
    schema = {
        "model": "string",
        "milestone": "string",
        "level": "string",
        "period": "date",
        "channel": "string",
        "campaign_id": "string",
        "campaign": "string",
        "segment": "string",
        "conversions": "float64",
        "revenue": "float64",
        "margin": "float64",
    }
    # a typed empty arrow table: empty pandas columns would arrive as float64 and fail the
    # cast to ``date`` when the table is registered
    return ibis.memtable(ibis.schema(schema).to_pyarrow().empty_table())


def _selected(ctx: KpiContext, credits: ir.Table) -> ir.Table:
    """``credits`` filtered by the query's dimensions and range, keyed by period."""
    for f in ctx.query.where:
        if f.dimension != MODEL_DIMENSION:
            credits = f.apply(credits)
    return ctx.keyed(credits, credits.period.cast("timestamp"))


def _keys(ctx: KpiContext, table: ir.Table) -> dict[str, ir.Value]:
    out: dict[str, ir.Value] = {}
    if ctx.grain != "all":
        out["period"] = table.period.cast("date")
        out["period_index"] = table.period_index.cast("int64")
    for d in ctx.query.by:
        out[d] = table[d].cast("string")
    return out


def attributed(ctx: KpiContext) -> ir.Table:
    """Conversions, revenue or margin (``params.measure``) credited to the query's groups.

    ``numerator`` is the credited conversions, ``value`` the measure in the store currency (or
    the conversions again).
    """
    measure = _params(ctx).measure
    rows = _selected(ctx, _credits(ctx))
    out = grouped(rows, ctx.group_keys()).aggregate(
        numerator=rows.conversions.sum(), value=rows[measure].sum()
    )
    return out.select(
        *ctx.group_keys(),
        numerator=out.numerator.cast("float64"),
        denominator=ibis.null().cast(dt.float64),
        value=out.value.cast("float64"),
    )


def attributed_roi(ctx: KpiContext) -> ir.Table:
    """(Credited revenue or margin − marketing cost) / marketing cost per group and period.

    ``numerator`` is the credited revenue (or margin, ``params.measure``), ``denominator`` the
    marketing cost of the same channel, campaign or segment and period. A group with cost but
    no credit has −1 (−100 %); one with credit but no cost has no value. Nothing is shown when
    no credits of the model are stored.
    """
    measure = _params(ctx).measure
    if measure == "conversions":
        raise MetricQueryError(f"KPI {ctx.spec.id!r}: a return needs revenue or margin")
    stored = _credits(ctx)
    rows = _selected(ctx, stored)
    zero = ibis.literal(0.0).cast("float64")
    credited = rows.select(**_keys(ctx, rows), gain=rows[measure].cast("float64"), cost=zero)
    costs = period_costs(replace(ctx, query=_without_model(ctx.query)))
    # Costs meet every model shown; the models present also gate: no credits, no ROI.
    present = stored.select(k__model=stored.model).distinct()
    costs = costs.cross_join(present)
    if MODEL_DIMENSION in ctx.query.by:
        costs = costs.mutate(model=costs.k__model)
    spent = costs.select(**_keys(ctx, costs), gain=zero, cost=costs.cost.cast("float64"))
    long = union_all([credited, spent])
    out = grouped(long, ctx.group_keys()).aggregate(gain=long.gain.sum(), cost=long.cost.sum())
    return out.select(
        *ctx.group_keys(),
        numerator=out.gain,
        denominator=out.cost,
        value=ratio(out.gain - out.cost, out.cost),
    )


def _without_model(query: MetricQuery) -> MetricQuery:
    return replace(
        query,
        by=tuple(d for d in query.by if d != MODEL_DIMENSION),
        where=tuple(f for f in query.where if f.dimension != MODEL_DIMENSION),
    )


def credits_missing(sources: MetricSources, spec: KpiSpec, query: MetricQuery) -> bool:
    """Whether ``spec`` reads attribution credits and none are stored for its milestone, level
    and the models ``query`` reads (the KPI's own, those ``--where model=…`` leaves), or the
    sources lack them: its values are then empty for that reason."""
    params = spec.params
    if spec.kind not in ATTRIBUTED_KINDS or not isinstance(params, AttributedParams):
        return False
    if CREDITS_TABLE not in sources.tables:
        return True
    c = sources.tables[CREDITS_TABLE]
    models = list(_models_of(params, query))
    stored = c.filter(
        (c.milestone == params.milestone) & (c.level == params.level) & c.model.isin(models)
    )
    return int(stored.count().execute()) == 0
