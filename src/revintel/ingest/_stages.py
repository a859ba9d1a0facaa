"""Stage history from what a source has: history tables, date-entered columns or the stage alone.

A current stage proves every earlier milestone of the funnel (won proves the whole path; lost or
disqualified prove the first milestone). Milestones a source does not date are placed at the
entity's creation and flagged ``inferred``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._objects import MappedObject, MappingContext, repeated
from revintel.model import (
    IMPORT_BATCH_ID,
    SOURCE_ID,
    SOURCE_SYSTEM,
    FunnelDefinition,
    Milestone,
    table,
)

_TS = pa.timestamp("us")


def event_keys(entity_ids: pa.Array, milestone: str | pa.Array) -> pa.Array:
    """Stable milestone event ids: entity key and milestone id.

    Every milestone belongs to one entity type, so a lead and an opportunity sharing a source id
    (Olist's ``mql_id``) still get distinct event ids.
    """
    return pc.binary_join_element_wise(entity_ids, milestone, ":")


def _column_or_nulls(rows: pa.Table, name: str) -> pa.Array:
    column = _column(rows, name)
    return column if column is not None else pa.nulls(rows.num_rows, pa.string())


def _column(rows: pa.Table, name: str) -> pa.Array | None:
    if name not in rows.column_names:
        return None
    column = rows[name]
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _keep(values: pa.Array, accepted: np.ndarray) -> pa.Array:
    return values if accepted.all() else values.filter(pa.array(accepted))


def _dated_by(obj: MappedObject, milestone: Milestone, accepted: np.ndarray) -> pa.Array | None:
    stage = obj.spec.stage
    assert stage is not None
    for key in (milestone.id, milestone.outcome, "*"):
        if key is None or key not in stage.dated_by:
            continue
        for alias in stage.dated_by[key]:
            for column, values in obj.dates.items():
                if column.casefold() == alias.casefold():
                    return _keep(values, accepted)
    return None


def _entered(obj: MappedObject, milestone: Milestone, accepted: np.ndarray) -> pa.Array | None:
    stage = obj.spec.stage
    assert stage is not None
    for alias in stage.entered.get(milestone.id, ()):
        for column, values in obj.dates.items():
            if column.casefold() == alias.casefold():
                return _keep(values, accepted)
    return None


def proving_ranks(funnel: FunnelDefinition) -> dict[str, int]:
    """Milestone id → how many path milestones reaching it proves.

    A path milestone proves those before it, ``won`` proves the whole path, ``lost`` and
    ``disqualified`` prove the first path milestone of their entity.
    """
    path = list(funnel.path)
    ranks = {m.id: i for i, m in enumerate(path)}
    for m in funnel.milestones:
        if m.outcome == "won":
            ranks[m.id] = len(path)
        elif m.terminal:
            first = next((i for i, p in enumerate(path) if p.entity == m.entity), 0)
            ranks[m.id] = first + 1
    return ranks


def _reached(funnel: FunnelDefinition, current: pa.Array, milestone: Milestone) -> pa.Array:
    """Whether the current stage proves the path milestone ``milestone``."""
    ranks = proving_ranks(funnel)
    ids = list(ranks)
    rank = pc.take(
        pa.array([ranks[i] for i in ids], pa.int64()), pc.index_in(current, value_set=_strings(ids))
    )
    return pc.fill_null(pc.greater(rank, funnel.path_ids.index(milestone.id)), False)


def _strings(values: list[str]) -> pa.Array:
    return pa.array(values, pa.string())


_EVENT_SOURCES = (
    "lead_id", "account_id", "rep_id", "lost_reason", "disqualified_reason", "created_at",
    "closed_at", SOURCE_ID,
)  # fmt: skip


def _event_columns(obj: MappedObject) -> pa.Table:
    """The columns of ``obj.rows`` that milestone events are made of (filtering fewer is faster)."""
    wanted = dict.fromkeys((obj.table.key[0], *_EVENT_SOURCES))
    return obj.rows.select([c for c in wanted if c in obj.rows.column_names])


def derive_milestones(obj: MappedObject, accepted: np.ndarray, ctx: MappingContext) -> pa.Table:
    """Milestone events proven by the accepted rows of a lead or opportunity file."""
    entity = obj.spec.entity_type
    if obj.current is None or entity is None:
        return table("milestones").ibis_schema().to_pyarrow().empty_table()
    rows = _event_columns(obj).combine_chunks()
    current = obj.current
    stage_text = obj.stage_text
    if not accepted.all():
        mask = pa.array(accepted)
        rows, current = rows.filter(mask), current.filter(mask)
        stage_text = stage_text.filter(mask) if stage_text is not None else None
    created = _column(rows, "created_at")
    milestones = [m for m in ctx.funnel.milestones if m.entity == entity]
    start = created if created is not None else _column(rows, "closed_at")
    # Undated milestones are placed at the latest date known before them along the path.
    previous = start.cast(_TS) if start is not None else pa.nulls(rows.num_rows, _TS)
    parts = []
    for milestone in milestones:
        is_current = pc.fill_null(pc.equal(current, milestone.id), False)
        entered = _entered(obj, milestone, accepted)
        reached = is_current
        if not milestone.terminal:
            reached = pc.or_(reached, _reached(ctx.funnel, current, milestone))
        if entered is not None:
            reached = pc.or_(reached, pc.is_valid(entered))
        dated = _dated_by(obj, milestone, accepted)
        real = entered if entered is not None else pa.nulls(len(current), _TS)
        if dated is not None:
            real = pc.coalesce(real, pc.if_else(is_current, dated, pa.scalar(None, _TS)))
        occurred = pc.coalesce(real, previous)
        if not milestone.terminal:
            later = pc.max_element_wise(previous, occurred, skip_nulls=True)
            previous = pc.if_else(reached, later, previous)
        part = _events(obj, ctx, rows, milestone, reached, occurred, pc.is_null(real))
        if stage_text is not None:
            text = pc.if_else(is_current, stage_text, pa.scalar(None, pa.string())).filter(reached)
            part = part.set_column(
                part.schema.get_field_index("source_stage"), "source_stage", text
            )
        parts.append(part)
    return pa.concat_tables(parts)


def _events(
    obj: MappedObject,
    ctx: MappingContext,
    rows: pa.Table,
    milestone: Milestone,
    reached: pa.Array,
    occurred: pa.Array,
    inferred: pa.Array,
) -> pa.Table:
    entity = obj.spec.entity_type or "opportunity"
    key = obj.table.key[0]
    picked = rows.filter(reached)
    n = picked.num_rows
    entity_ids = _column(picked, key)
    assert entity_ids is not None
    lead = entity_ids if entity == "lead" else _column(picked, "lead_id")
    reason_column = {"lost": "lost_reason", "disqualified": "disqualified_reason"}.get(
        milestone.outcome or ""
    )
    reason = _column(picked, reason_column) if reason_column else None
    source_ids = _column(picked, SOURCE_ID)
    columns = {
        "milestone_event_id": event_keys(entity_ids, milestone.id),
        "entity_type": repeated(entity, n),
        "entity_id": entity_ids,
        "lead_id": lead if lead is not None else pa.nulls(n, pa.string()),
        "account_id": _column_or_nulls(picked, "account_id"),
        "milestone": repeated(milestone.id, n),
        "occurred_at": occurred.filter(reached).cast(_TS),
        "source_stage": pa.nulls(n, pa.string()),
        "actor": _column_or_nulls(picked, "rep_id"),
        "reason": reason if reason is not None else pa.nulls(n, pa.string()),
        "inferred": inferred.filter(reached),
        SOURCE_SYSTEM: repeated(ctx.mapping.system, n),
        SOURCE_ID: pc.binary_join_element_wise(source_ids, milestone.id, ":"),
        IMPORT_BATCH_ID: repeated(ctx.batch_id, n),
    }
    return pa.table(columns)


def history_events(obj: MappedObject, accepted: np.ndarray, ctx: MappingContext) -> pa.Table:
    """Milestone events from a stage-history table (one row per stage change)."""
    rows = obj.rows.filter(pa.array(accepted))
    entity = obj.spec.entity_type or "opportunity"
    entity_ids = _column(rows, "entity_id")
    milestone = _column(rows, "milestone")
    assert entity_ids is not None and milestone is not None
    source = pc.replace_substring_regex(entity_ids, r"^[^:]*:", "")
    columns = {name: _column(rows, name) for name in rows.column_names}
    columns["milestone_event_id"] = event_keys(entity_ids, milestone)
    columns["entity_type"] = pa.repeat(pa.scalar(entity), rows.num_rows)
    columns["inferred"] = pa.repeat(pa.scalar(False), rows.num_rows)
    columns[SOURCE_ID] = pc.binary_join_element_wise(source, milestone, ":")
    return pa.table(columns)
