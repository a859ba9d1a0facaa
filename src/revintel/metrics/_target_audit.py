"""The audit trail of targets: one ``target_changes`` row per target created, changed, removed
or imported, with the target row before and after as JSON."""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from revintel.store import Store, store_now

#: What a change did to its target.
CHANGE_ACTIONS = ("create", "update", "delete", "import")
#: The columns of a target kept in the audit trail (lineage left out).
TARGET_FIELDS = (
    "target_id",
    "period_start",
    "period_end",
    "team",
    "rep_id",
    "segment",
    "amount",
    "currency",
    "measure",
)


@dataclass(frozen=True)
class TargetChange:
    """One change to a target as the audit trail keeps it.

    ``before`` and ``after`` are the target's fields (see :data:`TARGET_FIELDS`), ``None`` for
    the side where the target did not exist.
    """

    change_id: str
    target_id: str
    action: str
    actor: str
    changed_at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None

    def row(self) -> dict[str, Any]:
        """The ``target_changes`` row of this change."""
        return {
            "change_id": self.change_id,
            "target_id": self.target_id,
            "action": self.action,
            "actor": self.actor,
            "changed_at": self.changed_at,
            "before": target_json(self.before),
            "after": target_json(self.after),
            "note": self.note,
        }


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):  # a numpy scalar
        return _plain(value.item())
    return value


def target_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The audited fields of a target row, as plain JSON values (dates as ISO text)."""
    return {name: _plain(row.get(name)) for name in TARGET_FIELDS}


def target_json(fields: dict[str, Any] | None) -> str | None:
    """``fields`` as compact JSON with a stable key order, ``None`` for no row."""
    if fields is None:
        return None
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def new_change(
    store: Store,
    target_id: str,
    action: str,
    actor: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str | None = None,
    now: datetime | None = None,
) -> TargetChange:
    """A change stamped with the store's wall clock and a fresh ``change_id``."""
    changed_at = (now or store_now(store)).replace(tzinfo=None)
    change_id = f"tc-{changed_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:10]}"
    return TargetChange(change_id, target_id, action, actor, changed_at, before, after, note)


def stored_target_rows(store: Store, target_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored ``targets`` rows of ``target_ids`` by id, as audited fields."""
    if not target_ids:
        return {}
    t = store.table("targets")
    frame = t.filter(t.target_id.isin(target_ids)).to_pandas()
    return {str(row["target_id"]): target_fields(row) for row in frame.to_dict(orient="records")}


def changes_frame(changes: list[TargetChange]) -> pd.DataFrame:
    """The ``target_changes`` rows of ``changes``."""
    return pd.DataFrame([c.row() for c in changes])


__all__ = [
    "CHANGE_ACTIONS",
    "TARGET_FIELDS",
    "TargetChange",
    "changes_frame",
    "new_change",
    "stored_target_rows",
    "target_fields",
    "target_json",
]
