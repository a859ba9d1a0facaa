"""One file into several objects: those recognised by their headers and those fed ``from`` them.

An object fed from another reads that object's rows after its ``where`` and ``computed``, and
only the rows it accepted: a line rejected for a bad cell is in no group, and a line a group
cannot use (its sum is not a number, its customer differs within the order) is rejected on the
line-level object, with its file row number. A grouped object without a line-level object
rejects such lines itself.
"""

from __future__ import annotations

import logging
from functools import reduce

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._grouping import GroupPlan, LineProblem
from revintel.ingest._mapping import OCCURRENCE, ROW, ObjectSpec, SourceMapping
from revintel.ingest._objects import MappedObject, MappingContext, ShapedTable
from revintel.ingest._reading import IngestError, RawTable
from revintel.ingest._rejections import REJECTION_SCHEMA
from revintel.ingest._shaping import keep_rows, needs_shaping, shape_rows, used_columns
from revintel.ingest._transform import accepted_mask, map_object
from revintel.model import table

logger = logging.getLogger(__name__)


def detect_object(raw: RawTable, mapping: SourceMapping) -> tuple[str, ObjectSpec]:
    """The mapping's object whose ``detect`` headers the file has (the most specific one)."""
    headers = {h.casefold() for h in raw.cells.column_names}
    matches = [
        ((len(spec.detect), _coverage(spec, headers)), name, spec)
        for name, spec in mapping.objects.items()
        if spec.detect
        and all(any(a.strip().casefold() in headers for a in d.split("|")) for d in spec.detect)
    ]
    if not matches:
        expected = "; ".join(f"{n}: {', '.join(s.detect)}" for n, s in mapping.objects.items())
        raise IngestError(
            f"{raw.file}: its columns ({', '.join(raw.cells.column_names[:12])}) match no "
            f"{mapping.system} export; expected one of: {expected}"
        )
    _, name, spec = max(matches, key=lambda m: m[0])
    return name, spec


def _coverage(spec: ObjectSpec, headers: set[str]) -> int:
    return sum(1 for f in spec.fields.values() if any(a.casefold() in headers for a in f.column))


def detect_objects(raw: RawTable, mapping: SourceMapping) -> list[str]:
    """Every object whose ``detect`` headers the file has and which it can fill, in order.

    The most specific match (:func:`detect_object`) is always among them. Another match is
    loaded too unless the headers it was recognised by are a part of those of another match
    (an account's ``Id, Name`` in a campaign file with ``Id, Name, StartDate``) or the file
    lacks the columns of its id and required fields (an opportunity file mentions an
    ``account_id``, it is no account export), or those headers are references another match
    reads (an opportunity file's ``lead_id`` and ``created_at`` make it no lead export). Objects
    fed ``from`` a match follow it.
    """
    best, _ = detect_object(raw, mapping)
    headers = {h.casefold() for h in raw.cells.column_names}
    matched: dict[str, set[str]] = {}
    for name, spec in mapping.objects.items():
        entries = [{a.strip().casefold() for a in d.split("|")} & headers for d in spec.detect]
        if spec.detect and all(entries):
            matched[name] = set().union(*entries)
    references = {name: _references(mapping.objects[name]) for name in matched}
    return [
        name
        for name, found in matched.items()
        if name == best
        or (
            not any(found < other for other in matched.values())
            and not any(found <= references[o] for o in matched if o != name)
            and _fillable(mapping.objects[name], headers)
        )
    ]


def _references(spec: ObjectSpec) -> set[str]:
    """Headers ``spec`` reads as references to other records (a deal's ``lead_id``): a file is
    not an export of the records it merely points to."""
    return {
        alias.strip().casefold()
        for f in spec.fields.values()
        if f.ref is not None
        for alias in f.column
    }


def _fillable(spec: ObjectSpec, headers: set[str]) -> bool:
    """Whether ``headers`` (with the object's computed columns) hold its id and required fields."""
    available = headers | {c.casefold() for c in spec.computed} | {ROW, OCCURRENCE}
    model = table(spec.table)
    needed = [tuple(c.split("|")) for c in spec.id if not spec.group_by]
    needed += [tuple(c.split("|")) for c in spec.group_by]
    needed += [
        f.column
        for name, f in spec.fields.items()
        if f.column and f.constant is None and f.fallback is None and model.column(name).required
    ]
    return all(any(a.strip().casefold() in available for a in aliases) for aliases in needed)


def map_file(raw: RawTable, roots: list[str], ctx: MappingContext) -> list[MappedObject]:
    """Map ``raw`` onto each object named in ``roots`` and onto the objects fed from them."""
    out = []
    for name in roots:
        spec = ctx.mapping.objects[name]
        lines = shape_rows(raw, name, spec, ctx) if needs_shaping(spec) else raw
        if isinstance(lines, ShapedTable) and lines.skipped:
            logger.info("%s: %s: %d rows left out by where", raw.file, name, lines.skipped)
        carrier = None
        if spec.group_by:
            out.append(map_groups_alone(lines, name, spec, ctx))
        else:
            carrier = map_object(lines, name, spec, ctx)
            out.append(carrier)
        fed = [(n, s) for n, s in ctx.mapping.objects.items() if s.from_ == name]
        if fed:
            out.extend(_map_fed(lines, carrier, fed, ctx))
    return out


def _map_fed(
    lines: RawTable,
    carrier: MappedObject | None,
    fed: list[tuple[str, ObjectSpec]],
    ctx: MappingContext,
) -> list[MappedObject]:
    shaped = {name: shape_rows(_narrowed(lines, spec), name, spec, ctx) for name, spec in fed}
    if carrier is None:
        return [_map_alone(shaped[name], name, spec, ctx) for name, spec in fed]
    positions = {name: _positions(t) for name, t in shaped.items()}
    good = accepted_mask(carrier)
    plans = {}
    for name, spec in fed:
        if not spec.group_by:
            continue
        plan = GroupPlan(shaped[name], name, spec, ctx)
        own = [LineProblem(p.mask, p.column, p.reason) for p in shaped[name].problems]
        plan.check(good[positions[name]] & ~_any(own, len(positions[name])))
        for problem in [*own, *plan.problems]:
            _reject_on(carrier, problem, positions[name])
        plans[name] = plan
    good = accepted_mask(carrier)  # now without the lines a group could not use
    out = []
    for name, spec in fed:
        kept = good[positions[name]]
        if name in plans:
            groups, grouped_spec = plans[name].build(kept)
            out.append(map_object(groups, name, grouped_spec, ctx))
        else:
            out.append(map_object(keep_rows(shaped[name], kept), name, spec, ctx))
    return out


def _narrowed(lines: RawTable, spec: ObjectSpec) -> ShapedTable:
    """The source's rows with only the columns ``spec`` reads, so that its ``where`` copies no
    more; without the source's own rejected cells and unsplittable rows (the source reports them).
    """
    keep = used_columns(spec, lines.cells.column_names)
    typed = lines.typed if isinstance(lines, ShapedTable) else {}
    return ShapedTable(
        file=lines.file,
        cells=lines.cells.select(keep),
        row_numbers=lines.row_numbers,
        delimiter=lines.delimiter,
        encoding=lines.encoding,
        typed={k: v for k, v in typed.items() if k in keep},
    )


def _positions(shaped: ShapedTable) -> np.ndarray:
    """Indices of ``shaped``'s rows in the table it was shaped from."""
    if shaped.positions is None:
        return np.arange(shaped.cells.num_rows)
    return shaped.positions.to_numpy(zero_copy_only=False)


def _map_alone(lines: RawTable, name: str, spec: ObjectSpec, ctx: MappingContext) -> MappedObject:
    if spec.group_by:
        return map_groups_alone(lines, name, spec, ctx)
    return map_object(lines, name, spec, ctx)


def map_groups_alone(
    lines: RawTable, name: str, spec: ObjectSpec, ctx: MappingContext
) -> MappedObject:
    """A grouped object without a line-level object: it rejects the lines it cannot use."""
    plan = GroupPlan(lines, name, spec, ctx)
    n = lines.cells.num_rows
    problems = [LineProblem(p.mask, p.column, p.reason) for p in lines.problems]
    plan.check(~_any([*problems, *plan.problems], n))
    problems += plan.problems
    problems.append(LineProblem(plan.missing_key(), plan.keys[0], f"missing {plan.label}"))
    bad = _any(problems, n)
    groups, grouped_spec = plan.build(~bad)
    groups.bad_rows = list(lines.bad_rows)
    groups.extra_read = int(bad.sum())
    obj = map_object(groups, name, grouped_spec, ctx)
    for problem in problems:
        obj.rejections.parts.append(_line_rejections(lines, problem))
    return obj


def _any(problems: list[LineProblem], length: int) -> np.ndarray:
    masks = [pc.fill_null(p.mask, False).to_numpy(zero_copy_only=False) for p in problems]
    return reduce(np.logical_or, masks, np.zeros(length, dtype=bool))


def _reject_on(carrier: MappedObject, problem: LineProblem, positions: np.ndarray) -> None:
    """Record ``problem`` (over a fed object's rows) on the carrier's rows they came from."""
    n = carrier.raw.cells.num_rows
    hit = pc.fill_null(problem.mask, False).to_numpy(zero_copy_only=False)
    mask = np.zeros(n, dtype=bool)
    mask[positions[hit]] = True
    reason = problem.reason
    if not isinstance(reason, str):
        inverse = np.full(n, -1, dtype=np.int64)
        inverse[positions] = np.arange(len(positions))
        reason = pc.take(reason, pa.array(inverse, mask=inverse < 0))
    cells = carrier.raw.cells
    values = cells[problem.column].combine_chunks if problem.column in cells.column_names else None
    carrier.rejections.add(pa.array(mask), problem.column, values, reason)


def _line_rejections(lines: RawTable, problem: LineProblem) -> pa.Table:
    """Rejections of lines not kept in the table of groups (their row index is not a group's)."""
    indices = pc.indices_nonzero(pc.fill_null(problem.mask, False))
    count = len(indices)
    cells = lines.cells
    values = (
        pc.take(cells[problem.column], indices).cast(pa.string())
        if problem.column in cells.column_names
        else pa.nulls(count, pa.string())
    )
    reason = problem.reason
    reasons = (
        pa.repeat(pa.scalar(reason), count) if isinstance(reason, str) else pc.take(reason, indices)
    )
    return pa.table(
        [
            pa.repeat(pa.scalar(-1, pa.int64()), count),
            pc.take(lines.row_numbers, indices),
            pa.repeat(pa.scalar(problem.column, pa.string()), count),
            values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values,
            reasons,
        ],
        schema=REJECTION_SCHEMA,
    )
