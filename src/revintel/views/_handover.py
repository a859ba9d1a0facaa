"""The lead handover as every surface shows it: the queue of leads waiting for sales, decisions
on them with row-level access, the audit trail and its CSV export for the CRM."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import pandas as pd

from revintel.alignment._handover import record_decision
from revintel.alignment._handover_queue import waiting_leads
from revintel.alignment._handover_reasons import HandoverConflictError, HandoverError, load_reasons
from revintel.auth import AccessDeniedError, Permission, Role, User, require, visible
from revintel.auth._access import team_rep_ids
from revintel.metrics._sla_levels import SlaLevels, load_sla_levels
from revintel.store import Store, store_now
from revintel.views._records import RecordNotFoundError, _has_control_characters
from revintel.views._scores import with_scores

QUEUE_COLUMNS = (
    "lead_id",
    "mql_at",
    "waiting_hours",
    "channel",
    "campaign_id",
    "account_id",
    "account_name",
    "rep_id",
    "rep_name",
    "score",
    "sla_due_at",
    "breached",
)
DECISION_COLUMNS = (
    "decision_id",
    "lead_id",
    "action",
    "reason",
    "note",
    "actor",
    "decided_at",
    "rep_before",
    "rep_after",
    "state_before",
    "state_after",
    "milestone_event_id",
    "import_batch_id",
)
#: Columns of the CSV the CRM reads back, in order.
CRM_COLUMNS = ("lead_id", "source_system", "source_id", "action", "reason", "actor", "decided_at")
ORDERS = ("oldest", "newest")
_READ_COLUMNS = [c for c in QUEUE_COLUMNS if c not in ("waiting_hours", "sla_due_at", "breached")]
_PERMISSION = {"reassign": Permission.assign_leads}

__all__ = [
    "CRM_COLUMNS",
    "HandoverConflictError",
    "HandoverError",
    "decide",
    "decisions_csv",
    "handover_queue",
    "lead_decisions",
    "rejection_reasons",
]


def handover_queue(
    store: Store,
    user: User,
    *,
    now: datetime | None = None,
    order: str = "oldest",
    limit: int = 200,
    levels: SlaLevels | None = None,
) -> pd.DataFrame:
    """The leads waiting for sales that ``user`` sees, oldest (or newest) MQL first.

    ``waiting_hours`` counts from the MQL to ``now`` (default: the store's clock);
    ``sla_due_at`` is the MQL time plus the hours the service levels (``levels``, default the
    packaged ``conf/sla.yaml``) allow for accepting a lead of its segment and channel, and
    ``breached`` says whether ``now`` is past it.
    """
    if order not in ORDERS:
        raise HandoverError(f"unknown order {order!r}; allowed: {', '.join(ORDERS)}")
    waiting = waiting_leads(store, visible(store, user, "leads"))
    accounts = store.table("accounts").select(
        account_key="account_id", account_name="name", account_segment="segment"
    )
    reps = store.table("reps").select(rep_key="rep_id", rep_name="name")
    rows = waiting.left_join(accounts, waiting.account_id == accounts.account_key)
    rows = rows.left_join(reps, rows.rep_id == reps.rep_key)
    rows = with_scores(store, "leads", rows, "lead_id")
    sort = ibis.asc("mql_at") if order == "oldest" else ibis.desc("mql_at")
    picked = rows.order_by([sort, ibis.asc("lead_id")]).limit(limit)
    frame = picked.select(*_READ_COLUMNS, "account_segment").to_pyarrow().to_pandas()
    clock = (now or store_now(store)).replace(tzinfo=None)
    mql_at = pd.to_datetime(frame["mql_at"])
    frame["waiting_hours"] = ((clock - mql_at) / timedelta(hours=1)).round(1)
    levels = levels or load_sla_levels()
    allowed = [
        levels.hours("accept", _text(segment), _text(channel))
        for segment, channel in zip(frame["account_segment"], frame["channel"], strict=True)
    ]
    due = mql_at + pd.to_timedelta(pd.Series(allowed, index=frame.index, dtype=float), unit="h")
    frame["sla_due_at"] = due
    frame["breached"] = (due < clock).astype(bool)
    return frame.loc[:, list(QUEUE_COLUMNS)].reset_index(drop=True)


def _text(value: object) -> str | None:
    """A frame cell as text, missing values as ``None``."""
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def decide(
    store: Store,
    user: User,
    lead_id: str,
    action: str,
    *,
    reason: str | None = None,
    rep_id: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
    reasons_file: str | None = None,
) -> dict[str, Any]:
    """Record ``user``'s decision on lead ``lead_id`` (see
    :func:`revintel.alignment._handover.record_decision`); returns the audit row written.

    Raises
    ------
    RecordNotFoundError
        No such lead.
    AccessDeniedError
        The lead belongs to a rep outside the user's rows, the role may not take this action,
        or a team lead hands the lead to a rep outside their team.
    HandoverError
        Invalid action, reason, rep or state.
    """
    # The role is checked first: a role that may never decide learns nothing about leads.
    require(user, _PERMISSION.get(action, Permission.handle_leads))
    if rep_id is not None and _has_control_characters(rep_id):
        raise HandoverError(f"no rep {rep_id!r}")
    leads = store.table("leads")
    rows = []
    if not _has_control_characters(lead_id):
        rows = leads.filter(leads.lead_id == lead_id).to_pyarrow().to_pylist()
    if not rows:
        raise RecordNotFoundError(f"no leads row with lead_id {lead_id!r}")
    mine = visible(store, user, "leads")
    if not int(mine.filter(mine.lead_id == lead_id).count().execute()):
        raise AccessDeniedError(f"leads {lead_id!r} belongs to another rep")
    if action == "reassign" and rep_id and not user.can(Permission.view_all_rows):
        team = team_rep_ids(user, store.table("reps")) if user.role is Role.team_lead else None
        allowed = team.to_pyarrow().to_pylist() if team is not None else [user.rep_id]
        if rep_id not in allowed:
            raise AccessDeniedError(f"rep {rep_id!r} is outside your team")
    return record_decision(
        store,
        user.username,
        rows[0],
        action,
        reason=reason,
        rep_id=rep_id,
        note=note,
        now=now,
        reasons_file=reasons_file,
    )


def lead_decisions(store: Store, user: User, *, since: date | None = None) -> pd.DataFrame:
    """The decisions on leads ``user`` sees, newest first; from day ``since`` on if given."""
    d = store.table("lead_decisions")
    mine = visible(store, user, "leads").select(visible_lead="lead_id")
    rows = d.inner_join(mine, d.lead_id == mine.visible_lead)
    if since is not None:
        rows = rows.filter(rows.decided_at >= datetime.combine(since, datetime.min.time()))
    ordered = rows.select(*DECISION_COLUMNS).order_by(
        [ibis.desc("decided_at"), ibis.desc("decision_id")]
    )
    return ordered.to_pyarrow().to_pandas()


def decisions_csv(store: Store, decisions: pd.DataFrame, lang: str = "en") -> str:
    """``decisions`` as the CRM reads them back: semicolon-separated, one line per decision,
    with the lead's id in its own system (source system and id); times as ``dd.mm.yyyy HH:MM:SS``
    in German, ISO 8601 otherwise."""
    leads = store.table("leads")
    ids = decisions["lead_id"].drop_duplicates().tolist()
    sources = (
        leads.filter(leads.lead_id.isin(ids))
        .select("lead_id", "source_system", "source_id")
        .to_pyarrow()
        .to_pandas()
    )
    merged = decisions.merge(sources, on="lead_id", how="left")
    pattern = "%d.%m.%Y %H:%M:%S" if lang == "de" else "%Y-%m-%dT%H:%M:%S"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(CRM_COLUMNS)
    for record in merged.to_dict("records"):
        cells = []
        for column in CRM_COLUMNS:
            value = record.get(column)
            if column == "decided_at" and value is not None and not pd.isna(value):
                value = pd.Timestamp(value).strftime(pattern)
            cells.append(
                "" if value is None or (not isinstance(value, str) and pd.isna(value)) else value
            )
        writer.writerow(cells)
    return buffer.getvalue()


def rejection_reasons(language: str, reasons_file: str | None = None) -> list[tuple[str, str]]:
    """The rejection reasons as (id, label in ``language``) pairs, in the configured order."""
    return [(r.id, r.label(language)) for r in load_reasons(reasons_file)]
