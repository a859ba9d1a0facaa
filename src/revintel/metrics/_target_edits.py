"""Targets set, changed and removed one at a time, each change audited in ``target_changes``.

A change writes the target row and its audit row in one store transaction, so that either
both land or neither. Periods may be given as text: ``2026-Q1``, ``2026-03`` or ``2026``.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from revintel.metrics._target_audit import (
    TargetChange,
    changes_frame,
    new_change,
    stored_target_rows,
    target_fields,
)
from revintel.metrics._targets import (
    _CONTROL,
    ORDER_INTAKE,
    TARGET_MEASURES,
    TargetsError,
    _target_id,
)
from revintel.store import Store, parse_currency, store_currency

#: Source system of targets set by hand (in the dashboard, the API or the command line).
SOURCE_SYSTEM = "revintel"
#: The import batch id of targets set by hand.
EDIT_BATCH = "targets:edit"
#: Longest note, team, segment or id kept with a target, in characters.
MAX_NOTE_CHARS = 2000
MAX_NAME_CHARS = 200
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnknownTargetError(TargetsError, LookupError):
    """No target has the id asked for."""


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def target_period(text: str) -> tuple[date, date]:
    """First and last day of the period ``"2026-Q1"``, ``"2026-03"`` or ``"2026"``.

    Raises
    ------
    TargetsError
        The text is none of these forms.

    Examples
    --------
    >>> target_period("2027-Q1")
    (datetime.date(2027, 1, 1), datetime.date(2027, 3, 31))
    >>> target_period("2026-02")
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    """
    cleaned = text.strip()
    try:
        if m := _QUARTER.match(cleaned):
            year, first = int(m[1]), 3 * int(m[2]) - 2
            return date(year, first, 1), _month_end(year, first + 2)
        if (m := _MONTH.match(cleaned)) and 1 <= int(m[2]) <= 12:
            return date(int(m[1]), int(m[2]), 1), _month_end(int(m[1]), int(m[2]))
        if m := _YEAR.match(cleaned):
            return date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
    except ValueError:  # year 0000
        pass
    raise TargetsError(f"period: {text!r} is not a period; write 2026-Q1, 2026-03 or 2026")


def _text(value: str | None, field: str, limit: int = MAX_NAME_CHARS) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    if len(cleaned) > limit:
        raise TargetsError(f"{field}: {len(cleaned):,} characters; the limit is {limit:,}")
    if _CONTROL.search(cleaned) or _SURROGATE.search(cleaned):
        raise TargetsError(f"{field}: a control character or an invalid character")
    return cleaned


def _checked_amount(amount: float) -> float:
    try:
        value = float(amount)
    except (TypeError, ValueError):
        raise TargetsError(f"amount: {amount!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise TargetsError(f"amount: {amount!r} is not a positive amount")
    return value


def _checked_currency(store: Store, measure: str, currency: str | None) -> str | None:
    code = _text(currency, "currency")
    if measure != ORDER_INTAKE:
        if code is not None:
            raise TargetsError(
                f"currency: a target of {measure} is a count, without currency (got {code!r})"
            )
        return None
    if code is None:
        return store_currency(store)
    try:
        return parse_currency(code)
    except ValueError as exc:
        raise TargetsError(f"currency: {exc}") from None


def _check_rep(store: Store, rep_id: str | None) -> None:
    if rep_id is None:
        return
    reps = store.table("reps")
    if not int(reps.filter(reps.rep_id == rep_id).count().execute()):
        raise TargetsError(f"rep_id: no rep {rep_id!r} in the store")


def target_key(
    period_start: date,
    measure: str = ORDER_INTAKE,
    *,
    team: str | None = None,
    rep_id: str | None = None,
    segment: str | None = None,
) -> str:
    """The id a target without one gets: derived from period start, team, rep, segment and
    measure as a CSV import derives it, so that the same target set again replaces itself."""
    fields = {"team": team, "rep_id": rep_id, "segment": segment, "measure": measure}
    text = {k: "" if v is None else v.strip() for k, v in fields.items()}
    return _target_id(text | {"period_start": period_start.isoformat()})


def _target_row(
    store: Store,
    *,
    period_start: date,
    period_end: date,
    amount: float,
    measure: str,
    team: str | None,
    rep_id: str | None,
    segment: str | None,
    currency: str | None,
    target_id: str | None,
) -> dict[str, Any]:
    """The checked ``targets`` row (lineage included) of the fields given."""
    if not isinstance(period_start, date) or not isinstance(period_end, date):
        raise TargetsError("period_start, period_end: dates are required")
    if period_end < period_start:
        raise TargetsError(
            f"period_end: {period_end.isoformat()} is before period_start "
            f"{period_start.isoformat()}"
        )
    cleaned = (measure or ORDER_INTAKE).strip().lower()
    if cleaned not in TARGET_MEASURES:
        raise TargetsError(f"measure: {measure!r} is not one of {', '.join(TARGET_MEASURES)}")
    team, rep_id, segment = (
        _text(v, f) for v, f in ((team, "team"), (rep_id, "rep_id"), (segment, "segment"))
    )
    row: dict[str, Any] = {
        "period_start": period_start,
        "period_end": period_end,
        "team": team,
        "rep_id": rep_id,
        "segment": segment,
        "amount": _checked_amount(amount),
        "currency": _checked_currency(store, cleaned, currency),
        "measure": cleaned,
    }
    key = _text(target_id, "target_id") or target_key(
        period_start, cleaned, team=team, rep_id=rep_id, segment=segment
    )
    _check_rep(store, rep_id)
    return {"target_id": key, **row} | {
        "source_system": SOURCE_SYSTEM,
        "source_id": key,
        "import_batch_id": EDIT_BATCH,
    }


def set_target(
    store: Store,
    *,
    actor: str,
    period_start: date,
    period_end: date,
    amount: float,
    measure: str = ORDER_INTAKE,
    team: str | None = None,
    rep_id: str | None = None,
    segment: str | None = None,
    currency: str | None = None,
    target_id: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> TargetChange:
    """Create the target, or replace the one of ``target_id``; audited as ``create`` or ``update``.

    Without ``target_id`` the id is derived from period start, team, rep, segment and measure,
    as a CSV import derives it, so setting the same target again updates it. An order-intake
    target without ``currency`` is in the store currency; a count target has none.

    Raises
    ------
    TargetsError
        A field is invalid (the message starts with its name): an amount that is not positive
        and finite, an end before the start, an unknown measure or currency, a currency on a
        count target, an unknown ``rep_id``, a text too long or with control characters.
    """
    who = _text(actor, "actor")
    if who is None:
        raise TargetsError("actor: who sets the target is required")
    text = _text(note, "note", MAX_NOTE_CHARS)
    row = _target_row(
        store,
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        measure=measure,
        team=team,
        rep_id=rep_id,
        segment=segment,
        currency=currency,
        target_id=target_id,
    )
    key = row["target_id"]
    before = stored_target_rows(store, [key]).get(key)
    action = "create" if before is None else "update"
    change = new_change(store, key, action, who, before, target_fields(row), text, now)
    with store.transaction():
        store.delete_keys("targets", pa.table({"target_id": [key]}))
        store.insert("targets", pd.DataFrame([row]))
        store.insert("target_changes", changes_frame([change]))
    return change


def delete_target(
    store: Store,
    target_id: str,
    *,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
) -> TargetChange:
    """Remove the target ``target_id``; audited as ``delete`` with the row before.

    Raises
    ------
    UnknownTargetError
        No target has this id.
    TargetsError
        ``actor`` is empty or the note too long.
    """
    who = _text(actor, "actor")
    if who is None:
        raise TargetsError("actor: who removes the target is required")
    text = _text(note, "note", MAX_NOTE_CHARS)
    before = stored_target_rows(store, [target_id]).get(target_id)
    if before is None:
        raise UnknownTargetError(f"target_id: no target {target_id!r}")
    change = new_change(store, target_id, "delete", who, before, None, text, now)
    with store.transaction():
        store.delete_keys("targets", pa.table({"target_id": [target_id]}))
        store.insert("target_changes", changes_frame([change]))
    return change


def target_changes(
    store: Store, target_id: str | None = None, since: date | datetime | None = None
) -> pd.DataFrame:
    """The audit trail of targets, newest first: one row per change of ``target_id`` (every
    target without it) made at or after ``since`` (the store's wall clock)."""
    t = store.table("target_changes")
    if target_id is not None:
        t = t.filter(t.target_id == target_id)
    if since is not None:
        start = (
            since if isinstance(since, datetime) else datetime(since.year, since.month, since.day)
        )
        t = t.filter(t.changed_at >= start.replace(tzinfo=None))
    frame = t.to_pandas()
    return frame.sort_values(["changed_at", "change_id"], ascending=False).reset_index(drop=True)


__all__ = [
    "EDIT_BATCH",
    "SOURCE_SYSTEM",
    "UnknownTargetError",
    "delete_target",
    "set_target",
    "target_changes",
    "target_key",
    "target_period",
]
