"""Quality-weighted milestone counts: each entry counts with its lead score as of reaching the
milestone, so that volume bought with worse leads shows (weighted MQLs, quality-weighted LVR).

The score of an entry is the latest stored score of its lead (``scores`` table, entity type
``lead``, the KPI's ``score_kind``) written at or before the time the lead reached the milestone;
a score written later does not count. Entries without such a score count with the mean score of
the scored entries of the same period and breakdown group, so a gap in scoring neither shrinks
the volume nor moves the KPI; a group without any scored entry has no weighted count. The share
of entries that carried a score is reported in ``scored_share``.
"""

from __future__ import annotations

from dataclasses import replace

import ibis
import ibis.expr.types as ir

from revintel.metrics._catalogue import QualityWeightedParams
from revintel.metrics._context import KpiContext, grouped, ratio
from revintel.metrics._query import MetricQueryError, period_overlaps

#: The table the lead scores are read from.
SCORES_TABLE = "scores"


def _params(ctx: KpiContext) -> QualityWeightedParams:
    params = ctx.spec.params
    if not isinstance(params, QualityWeightedParams):
        raise MetricQueryError(f"KPI {ctx.spec.id!r} has no quality-weighting parameters")
    return params


def _lead_scores(ctx: KpiContext, kind: str) -> ir.Table:
    """Stored lead scores of ``kind`` (an empty table when the sources hold no scores)."""
    if SCORES_TABLE not in ctx.sources.tables:
        schema = {"score_id": "string", "entity_id": "string", "score": "float64"}
        empty = ibis.schema({**schema, "scored_at": "timestamp"}).to_pyarrow().empty_table()
        return ibis.memtable(empty)
    s = ctx.sources.tables[SCORES_TABLE]
    s = s.filter((s.entity_type == "lead") & (s.kind == kind))
    return s.select("score_id", "entity_id", "score", "scored_at")


def scored_entries(ctx: KpiContext) -> ir.Table:
    """Entries reaching the KPI's milestone in range, keyed by period, each with ``entry_score``:
    the latest score of its lead written at or before the milestone (null when none was)."""
    params = _params(ctx)
    j = ctx.rows(ctx.sources.journeys)
    reached = f"t_{params.milestone}"
    rows = ctx.keyed(j, j[reached])
    scores = _lead_scores(ctx, params.score_kind)
    left = rows.select(k__lead=rows.lead_id, k__at=rows[reached])
    pairs = left.join(scores, (left.k__lead == scores.entity_id) & (scores.scored_at <= left.k__at))
    # The score id breaks ties between scores of the same instant, so every engine agrees.
    newest = ibis.window(
        group_by=[pairs.k__lead],
        order_by=[ibis.desc(pairs.scored_at), ibis.desc(pairs.score_id)],
    )
    ranked = pairs.mutate(k__rank=ibis.row_number().over(newest))
    latest = ranked.filter(ranked.k__rank == 0).select(
        k__scored_lead=ranked.k__lead, entry_score=ranked.score.cast("float64")
    )
    joined = rows.left_join(latest, rows.lead_id == latest.k__scored_lead)
    return joined.drop("k__scored_lead")


def _weighted(ctx: KpiContext) -> ir.Table:
    """Per group: the weighted count (``weighted``) and the share of scored entries."""
    rows = scored_entries(ctx)
    out = grouped(rows, ctx.group_keys()).aggregate(
        k__entries=rows.count(),
        k__scored=rows.entry_score.count(),
        k__score_sum=rows.entry_score.sum(),
    )
    # entries × mean score of the scored ones: the unscored count with that mean
    mean = ratio(out.k__score_sum, out.k__scored)
    return out.select(
        *ctx.group_keys(),
        weighted=mean * out.k__entries.cast("float64"),
        scored_share=ratio(out.k__scored, out.k__entries),
    )


def quality_weighted_count(ctx: KpiContext) -> ir.Table:
    """Entries first reaching the milestone, each counted with its lead score at that time."""
    out = _weighted(ctx)
    return out.select(
        *ctx.group_keys(),
        numerator=out.weighted,
        denominator=ibis.null().cast("float64"),
        value=out.weighted,
        scored_share=out.scored_share,
    )


def quality_weighted_growth(ctx: KpiContext) -> ir.Table:
    """Growth of the quality-weighted count over the previous period (weighted LVR for ``mql``)."""
    if ctx.grain == "all":
        raise MetricQueryError(
            f"KPI {ctx.spec.id!r} compares periods; use a grain other than 'all'"
        )
    # Count over all time so the first period in range still finds its predecessor.
    unbounded = replace(ctx, query=replace(ctx.query, start=None, end=None))
    counts = _weighted(unbounded)
    prev = counts.select(
        *(counts[c].name(f"k__{c}") for c in ctx.by),
        k__index=counts.period_index + 1,
        previous=counts.weighted,
    )
    cond = [counts.period_index == prev.k__index] + [counts[c] == prev[f"k__{c}"] for c in ctx.by]
    joined = counts.left_join(prev, cond)
    joined = joined.filter(period_overlaps(joined.period, ctx.query, ctx.grain))
    return joined.select(
        *ctx.group_keys(),
        numerator=joined.weighted,
        denominator=joined.previous,
        value=ratio(joined.weighted - joined.previous, joined.previous),
        scored_share=joined.scored_share,
    )
