"""Targets as every surface shows them: the rows a user may see with their actuals and
attainment, the audit trail of changes, and changes made by users allowed to edit targets."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from revintel.auth import AccessDeniedError, Permission, User, require, scoped_store, visible
from revintel.auth._access import team_rep_ids
from revintel.metrics import (
    ATTAINMENT_COLUMNS,
    ORDER_INTAKE,
    TargetChange,
    UnknownTargetError,
    delete_target,
    set_target,
    stored_targets,
    target_attainment,
    target_changes,
    target_key,
)
from revintel.store import Store

#: Columns of :func:`target_history`.
HISTORY_COLUMNS = (
    "change_id",
    "target_id",
    "action",
    "actor",
    "changed_at",
    "before",
    "after",
    "note",
)


def visible_targets(store: Store, user: User) -> pd.DataFrame:
    """Every target ``user`` sees (a rep their own), oldest period first."""
    return stored_targets(scoped_store(store, user))


def target_years(store: Store, user: User) -> list[int]:
    """The years in which targets ``user`` sees begin, newest first."""
    frame = visible_targets(store, user)
    return sorted({d.year for d in frame["period_start"]}, reverse=True)


def targets_with_actuals(
    store: Store,
    user: User,
    start: date | None = None,
    end: date | None = None,
    measure: str | None = None,
    team: str | None = None,
) -> pd.DataFrame:
    """The targets ``user`` sees with actual and attainment (see
    :func:`revintel.metrics.target_attainment`): those overlapping ``start``..``end`` (every
    target without them), of ``measure`` and ``team`` when given."""
    scoped = scoped_store(store, user)
    if start is None or end is None:
        every = stored_targets(scoped, start, end)
        if every.empty:
            return pd.DataFrame(columns=list(ATTAINMENT_COLUMNS))
        start = start or min(every["period_start"])
        end = end or max(every["period_end"])
    frame = target_attainment(scoped, start, end)
    if measure:
        frame = frame[frame["measure"] == measure]
    if team:
        frame = frame[frame["team"] == team]
    return frame.reset_index(drop=True)


def target_history(store: Store, user: User, target_id: str | None = None) -> pd.DataFrame:
    """The changes to targets newest first: all of them for users who see every row, else
    those of the targets ``user`` sees now."""
    frame = target_changes(store, target_id)
    if not user.can(Permission.view_all_rows):
        t = visible(store, user, "targets")
        mine = set(t.select("target_id").to_pandas()["target_id"])
        frame = frame[frame["target_id"].isin(mine)]
    return frame[list(HISTORY_COLUMNS)].reset_index(drop=True)


def _team_reps(store: Store, user: User) -> set[str]:
    reps = store.table("reps")
    return set(team_rep_ids(user, reps).to_pyarrow().to_pylist())


def _check_scope(store: Store, user: User, target_id: str, rep_id: str | None) -> None:
    """A user seeing every row may change any target; a team lead only targets of a rep of
    their team (``rep_id``), and no stored target they cannot see."""
    if user.can(Permission.view_all_rows):
        return
    if rep_id is None or rep_id.strip() not in _team_reps(store, user):
        raise AccessDeniedError("rep_id: a team lead sets targets of the reps of their team only")
    t = store.table("targets")
    stored = t.filter(t.target_id == target_id).select("rep_id").to_pandas()
    if not stored.empty and stored["rep_id"].iloc[0] not in _team_reps(store, user):
        raise AccessDeniedError(f"target_id: target {target_id!r} is not of your team")


def edit_target(store: Store, user: User, **fields: Any) -> TargetChange:
    """Set a target as ``user`` (see :func:`revintel.metrics.set_target` for ``fields``).

    Raises
    ------
    AccessDeniedError
        ``user`` may not edit targets, or (a team lead) not this one: a team lead sets the
        targets of the reps of their own team only.
    TargetsError
        A field is invalid; the message names it.
    """
    require(user, Permission.edit_targets)
    if not user.can(Permission.view_all_rows):
        start = fields.get("period_start")
        key = fields.get("target_id") or (
            target_key(
                start,
                (fields.get("measure") or ORDER_INTAKE).strip().lower(),
                team=_clean(fields.get("team")),
                rep_id=_clean(fields.get("rep_id")),
                segment=_clean(fields.get("segment")),
            )
            if isinstance(start, date)
            else ""
        )
        _check_scope(store, user, str(key), _clean(fields.get("rep_id")))
    return set_target(store, actor=user.username, **fields)


def _clean(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def remove_target(
    store: Store, user: User, target_id: str, note: str | None = None
) -> TargetChange:
    """Remove a target as ``user``.

    Raises
    ------
    AccessDeniedError
        ``user`` may not edit targets, or (a team lead) the target is not of their team.
    UnknownTargetError
        No target has this id.
    """
    require(user, Permission.edit_targets)
    if not user.can(Permission.view_all_rows):
        t = store.table("targets")
        stored = t.filter(t.target_id == target_id).select("rep_id").to_pandas()
        if not stored.empty:
            _check_scope(store, user, target_id, stored["rep_id"].iloc[0])
    return delete_target(store, target_id, actor=user.username, note=note)


def rep_choices(store: Store, user: User) -> list[tuple[str, str]]:
    """Rep ids and names ``user`` may set a target for (a team lead: the team's), by name."""
    reps = visible(store, user, "reps").select("rep_id", "name").to_pandas()
    if not user.can(Permission.view_all_rows):
        reps = reps[reps["rep_id"].isin(_team_reps(store, user))]
    reps = reps.sort_values(["name", "rep_id"], na_position="last")
    return [
        (str(r), n if isinstance(n, str) else str(r))
        for r, n in zip(reps["rep_id"], reps["name"], strict=True)
    ]


def change_amount(
    store: Store, user: User, target_id: str, amount: float, note: str | None = None
) -> TargetChange:
    """Give the target ``target_id`` a new amount as ``user``, its other fields kept.

    Raises
    ------
    AccessDeniedError
        ``user`` may not edit targets.
    UnknownTargetError
        No target ``user`` sees has this id.
    TargetsError
        The amount is not a positive finite number.
    """
    require(user, Permission.edit_targets)
    t = visible(store, user, "targets")
    found = t.filter(t.target_id == target_id).to_pandas()
    if found.empty:
        raise UnknownTargetError(f"target_id: no target {target_id!r}")
    row = found.iloc[0]
    fields = {k: None if pd.isna(row[k]) else row[k] for k in ("team", "rep_id", "segment")}
    currency = row["currency"] if isinstance(row["currency"], str) else None
    return set_target(
        store,
        actor=user.username,
        target_id=target_id,
        period_start=pd.Timestamp(row["period_start"]).date(),
        period_end=pd.Timestamp(row["period_end"]).date(),
        measure=row["measure"] if isinstance(row["measure"], str) else "order_intake",
        amount=amount,
        currency=currency,
        note=note,
        **fields,
    )
