"""Sales decisions on marketing qualified leads, written as audited milestone events.

One decision is one small import batch (source system ``revintel``, preset ``handover``) so that
``revintel import list`` shows it and ``revintel import undo`` takes it back like any import:
the milestone it wrote is removed and the lead row it changed restored. The audit row in
``lead_decisions`` stays, as an audit trail does.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from revintel.alignment._handover_queue import (
    ACCEPTED,
    RECYCLED,
    REJECTED,
    WAITING,
    lead_state,
)
from revintel.alignment._handover_reasons import (
    HandoverConflictError,
    HandoverError,
    check_reason,
    load_reasons,
)
from revintel.ingest._batches import keep_replaced
from revintel.model import table
from revintel.store import Store, conform, store_now

#: Source system of the milestones and batches decisions write.
SOURCE_SYSTEM = "revintel"
ACTIONS = ("accept", "reject", "recycle", "reassign")
#: Longest note kept with a decision, in characters.
MAX_NOTE_CHARS = 2000
_STATE_AFTER = {"accept": ACCEPTED, "reject": REJECTED, "recycle": RECYCLED}
_MILESTONE = {"accept": "sal", "reject": "disqualified"}


def record_decision(
    store: Store,
    actor: str,
    lead: dict[str, Any],
    action: str,
    *,
    reason: str | None = None,
    rep_id: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
    reasons_file: str | None = None,
) -> dict[str, Any]:
    """Write ``actor``'s decision on ``lead`` (a stored leads row the caller may act on).

    Accept writes a ``sal`` milestone, reject a ``disqualified`` one with the reason and marks
    the lead disqualified, recycle sets the lead to nurturing, reassign hands it to ``rep_id``;
    everything in one transaction. Returns the ``lead_decisions`` row written.

    Raises
    ------
    HandoverError
        Unknown action or reason, a lead not waiting for a decision, a missing rep, a note
        that is too long.
    """
    if action not in ACTIONS:
        raise HandoverError(f"unknown action {action!r}; allowed: {', '.join(ACTIONS)}")
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise HandoverError(f"the note is longer than {MAX_NOTE_CHARS} characters")
    lead_id = str(lead["lead_id"])
    state = lead_state(store, lead_id)
    if action in _STATE_AFTER and state != WAITING:
        raise HandoverConflictError(f"lead {lead_id!r} is not waiting for sales (state: {state})")
    if action == "reject":
        reason = check_reason(reason, load_reasons(reasons_file))
    elif reason is not None:
        raise HandoverError("only a rejection takes a reason")
    changed = _changed_lead(store, lead, action, reason, rep_id)
    decided_at = (now or store_now(store)).replace(tzinfo=None, microsecond=0)
    decision_id = f"hd-{decided_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:10]}"
    batch_id = f"{SOURCE_SYSTEM}-{decision_id}"
    milestone = _milestone_row(lead, action, reason, actor, decided_at, decision_id, batch_id)
    if milestone is not None:
        milestone["milestone_event_id"] = _event_id(
            store, lead, milestone["milestone"], decision_id
        )
    row = {
        "decision_id": decision_id,
        "lead_id": lead_id,
        "action": action,
        "reason": reason,
        "note": note or None,
        "actor": actor,
        "decided_at": decided_at,
        "rep_before": lead.get("rep_id"),
        "rep_after": changed["rep_id"] if changed else lead.get("rep_id"),
        "state_before": state,
        "state_after": _STATE_AFTER.get(action, state),
        "milestone_event_id": milestone["milestone_event_id"] if milestone else None,
        "import_batch_id": batch_id,
    }
    written = int(milestone is not None) + int(changed is not None)
    with store.transaction():
        if changed is not None:
            new = conform(
                table("leads"), pa.Table.from_pylist([{**changed, "import_batch_id": batch_id}])
            )
            keep_replaced(store, batch_id, "leads", new)
            store.delete_keys("leads", pa.table({"lead_id": [lead_id]}))
            store.insert("leads", new)
        if milestone is not None:
            store.insert("milestones", pd.DataFrame([milestone]))
        store.insert("lead_decisions", pd.DataFrame([row]))
        store.insert("import_batches", pd.DataFrame([_batch(batch_id, decided_at, written)]))
    return row


def _event_id(store: Store, lead: dict[str, Any], milestone: str, decision_id: str) -> str:
    """The key the lead's own source gives the milestone when its export shows it reached there
    (``<system>:<id>:<milestone>``), so that importing the CRM after it took over the decision
    finds the event already stored (dated, so kept); the decision's own key if that is taken."""
    system, source_id = lead.get("source_system"), lead.get("source_id")
    if system and source_id:
        crm_key = f"{system}:{source_id}:{milestone}"
        m = store.table("milestones")
        if not int(m.filter(m.milestone_event_id == crm_key).count().execute()):
            return crm_key
    return f"{SOURCE_SYSTEM}:{decision_id}"


def _changed_lead(
    store: Store, lead: dict[str, Any], action: str, reason: str | None, rep_id: str | None
) -> dict[str, Any] | None:
    """The lead row as the decision leaves it, ``None`` when the row stays as it is."""
    if action == "reassign":
        if not rep_id:
            raise HandoverError("reassign needs the rep to hand the lead to")
        reps = store.table("reps")
        if not int(reps.filter(reps.rep_id == rep_id).count().execute()):
            raise HandoverError(f"no rep {rep_id!r}")
        if rep_id == lead.get("rep_id"):
            raise HandoverConflictError(
                f"lead {lead['lead_id']!r} already belongs to rep {rep_id!r}"
            )
        return {**lead, "rep_id": rep_id}
    if rep_id is not None:
        raise HandoverError("only reassign takes a rep")
    if action == "reject":
        return {**lead, "status": "disqualified", "disqualified_reason": reason}
    if action == "recycle":
        return {**lead, "status": "nurturing"}
    return None


def _milestone_row(
    lead: dict[str, Any],
    action: str,
    reason: str | None,
    actor: str,
    decided_at: datetime,
    decision_id: str,
    batch_id: str,
) -> dict[str, Any] | None:
    milestone = _MILESTONE.get(action)
    if milestone is None:
        return None
    return {
        "milestone_event_id": f"{SOURCE_SYSTEM}:{decision_id}",
        "entity_type": "lead",
        "entity_id": lead["lead_id"],
        "lead_id": lead["lead_id"],
        "account_id": lead.get("account_id"),
        "milestone": milestone,
        "occurred_at": decided_at,
        "source_stage": milestone,
        "actor": actor,
        "reason": reason,
        "inferred": False,
        "source_system": SOURCE_SYSTEM,
        "source_id": decision_id,
        "import_batch_id": batch_id,
    }


def _batch(batch_id: str, at: datetime, written: int) -> dict[str, Any]:
    return {
        "import_batch_id": batch_id,
        "source_system": SOURCE_SYSTEM,
        "preset": "handover",
        "files": "",
        "started_at": at,
        "finished_at": at,
        "status": "committed",
        "rows_read": 1,
        "rows_accepted": written,
        "rows_rejected": 0,
    }
