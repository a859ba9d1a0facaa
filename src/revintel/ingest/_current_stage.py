"""The current stage of each row: from a stage column, status columns or "date entered" columns."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._objects import Columns, MappedObject, MappingContext, constant
from revintel.ingest._reading import IngestError
from revintel.ingest._typing import blank_to_null


def _stage_names(text: pa.Array, ctx: MappingContext) -> pa.Array:
    names = list(ctx.stage_map)
    index = pc.index_in(pc.utf8_lower(text), value_set=pa.array(names, pa.string()))
    return pc.take(pa.array([ctx.stage_map[k] for k in names], pa.string()), index)


def _furthest_entered(obj: MappedObject, cols: Columns, ctx: MappingContext) -> pa.Array:
    stage = obj.spec.stage
    assert stage is not None
    current = pa.nulls(cols.raw.cells.num_rows, pa.string())
    for milestone in ctx.funnel.milestones:
        entered = cols.find(stage.entered.get(milestone.id, ()))
        if entered is not None:
            current = pc.if_else(pc.is_valid(obj.dates[entered]), milestone.id, current)
    return current


def _outcome(obj: MappedObject, cols: Columns, ctx: MappingContext) -> pa.Array | None:
    """Terminal milestone from a status column (won/lost) or a filled lost-reason column."""
    stage = obj.spec.stage
    assert stage is not None
    n = cols.raw.cells.num_rows
    outcome: pa.Array | None = None
    source = cols.find(stage.outcome)
    if source is not None:
        mapped = _stage_names(blank_to_null(cols.text(source)), ctx)
        terminal = pa.array([m.id for m in ctx.funnel.milestones if m.terminal], pa.string())
        outcome = pc.if_else(pc.is_in(mapped, value_set=terminal), mapped, None)
    lost_column = cols.find(stage.lost_when)
    if lost_column is not None:
        lead = obj.spec.entity_type == "lead"
        lost = pc.is_valid(blank_to_null(cols.text(lost_column)))
        lost_id = ctx.funnel.outcome_ids("disqualified" if lead else "lost")[0]
        base = outcome if outcome is not None else pa.nulls(n, pa.string())
        outcome = pc.if_else(lost, lost_id, base)
    return outcome


def current_milestone(obj: MappedObject, cols: Columns, ctx: MappingContext) -> pa.Array:
    stage = obj.spec.stage
    assert stage is not None
    n = cols.raw.cells.num_rows
    if stage.current is not None:
        ctx.funnel.get(stage.current)
        return constant(stage.current, n)
    current = _furthest_entered(obj, cols, ctx)
    outcome = _outcome(obj, cols, ctx)
    if outcome is not None:
        current = pc.coalesce(outcome, current)
    source = cols.find(stage.column) if stage.column else None
    if source is None:
        if stage.column and not stage.entered:
            raise IngestError(f"{cols.raw.file}: no stage column ({', '.join(stage.column)})")
        obj.rejections.add(pc.is_null(current), "stage", None, "missing stage")
        return current
    obj.source_columns["source_stage"] = source
    text = blank_to_null(cols.text(source))
    mapped = _stage_names(text, ctx)
    unknown = pc.and_(pc.is_valid(text), pc.is_null(mapped))
    obj.rejections.add(unknown, source, text, "unknown stage")
    current = (
        pc.coalesce(outcome, mapped, current)
        if outcome is not None
        else pc.coalesce(mapped, current)
    )
    obj.rejections.add(
        pc.and_(pc.is_null(current), pc.invert(unknown)), source, None, "missing stage"
    )
    obj.stage_text = text
    return current


def stage_columns(
    obj: MappedObject, ctx: MappingContext, columns: dict[str, pa.Array], n: int
) -> None:
    current = obj.current
    assert current is not None
    outcome = {m.id: m.outcome for m in ctx.funnel.milestones if m.outcome}
    outcomes = pa.array(list(outcome), pa.string())
    labels = pa.array(list(outcome.values()), pa.string())
    reached = pc.take(labels, pc.index_in(current, value_set=outcomes))
    if obj.spec.table == "milestones":
        columns["milestone"] = current
        columns.setdefault("entity_type", constant(obj.spec.entity_type or "opportunity", n))
        if obj.stage_text is not None:
            columns.setdefault("source_stage", obj.stage_text)
    elif obj.spec.table == "opportunities":
        columns.setdefault("stage", current)
        closing = _closing_dates(obj, ctx, current)
        if closing is not None:
            columns["closed_at"] = (
                pc.coalesce(columns["closed_at"], closing) if "closed_at" in columns else closing
            )
        status = pc.if_else(pc.is_in(reached, pa.array(["won", "lost"])), reached, "open")
        columns.setdefault("status", pc.fill_null(status, "open"))
    elif obj.spec.table == "leads":
        status = pc.if_else(pc.equal(reached, "disqualified"), "disqualified", "open")
        columns.setdefault("status", pc.fill_null(status, "open"))


def _closing_dates(obj: MappedObject, ctx: MappingContext, current: pa.Array) -> pa.Array | None:
    """Dates of won and lost stages (their ``dated_by`` columns), null for open entities."""
    stage = obj.spec.stage
    assert stage is not None
    folded = {k.casefold(): v for k, v in obj.dates.items()}
    closing: pa.Array | None = None
    for milestone in ctx.funnel.milestones:
        if milestone.outcome not in {"won", "lost"}:
            continue
        aliases = stage.dated_by.get(milestone.id) or stage.dated_by.get(milestone.outcome) or ()
        dates = next((folded[a.casefold()] for a in aliases if a.casefold() in folded), None)
        if dates is None:
            continue
        picked = pc.if_else(pc.equal(current, milestone.id), dates, pa.scalar(None, dates.type))
        closing = picked if closing is None else pc.coalesce(closing, picked)
    return closing
