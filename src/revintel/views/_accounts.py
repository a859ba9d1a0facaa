"""One account as a user may see it: master data, contacts, leads and deals with their scores,
the deals' stage history, touchpoints, orders, and where each of these rows came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from revintel.auth import User, visible_tables
from revintel.store import Store
from revintel.views._records import RecordQuery, get_record, list_records

#: Rows listed per part of the account page (an account with more shows the newest).
ROWS_SHOWN = 200
#: Parts of an account whose rows carry lineage, in the order the page lists their sources.
LINEAGE_PARTS: tuple[str, ...] = (
    "accounts",
    "contacts",
    "leads",
    "opportunities",
    "milestones",
    "touchpoints",
    "orders",
)


@dataclass(frozen=True)
class AccountDetail:
    """Everything the account page shows; each list holds rows the user may see."""

    account: dict[str, Any]
    contacts: list[dict[str, Any]]
    leads: list[dict[str, Any]]
    deals: list[dict[str, Any]]
    stage_history: list[dict[str, Any]]
    touchpoints: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    sources: list[dict[str, Any]]


def _rows(t: ibis.Table, order: list[Any]) -> list[dict[str, Any]]:
    return list(t.order_by(order).limit(ROWS_SHOWN).to_pyarrow().to_pylist())


def _parts(
    tables: dict[str, ibis.Table], account_id: str, lead_ids: list[str], deal_ids: list[str]
) -> dict[str, ibis.Table]:
    """The visible rows of each lineage part that belong to the account."""
    m = tables["milestones"]
    tp = tables["touchpoints"]
    own = {
        name: tables[name].filter(tables[name].account_id == account_id)
        for name in ("accounts", "contacts", "leads", "opportunities", "orders")
    }
    own["milestones"] = m.filter(
        (m.account_id == account_id) | m.lead_id.isin(lead_ids) | m.entity_id.isin(deal_ids)
    )
    own["touchpoints"] = tp.filter(
        (tp.account_id == account_id) | tp.lead_id.isin(lead_ids) | tp.opportunity_id.isin(deal_ids)
    )
    return own


def _sources(store: Store, parts: dict[str, ibis.Table]) -> list[dict[str, Any]]:
    """(part, source system, import batch, rows) with the batch's start, preset and files."""
    counted = [
        parts[name]
        .group_by(["source_system", "import_batch_id"])
        .aggregate(rows=parts[name].count())
        .mutate(part=ibis.literal(name))
        for name in LINEAGE_PARTS
    ]
    union = counted[0]
    for other in counted[1:]:
        union = union.union(other, distinct=False)
    batches = store.table("import_batches").select(
        batch_key_="import_batch_id", started_at="started_at", preset="preset", files="files"
    )
    joined = union.left_join(batches, union.import_batch_id == batches.batch_key_)
    rows = joined.drop("batch_key_").to_pyarrow().to_pylist()
    order = {name: i for i, name in enumerate(LINEAGE_PARTS)}
    return sorted(
        rows, key=lambda r: (order[r["part"]], str(r["source_system"]), str(r["import_batch_id"]))
    )


def account_detail(store: Store, user: User, account_id: str) -> AccountDetail:
    """The account ``account_id`` with the rows hanging off it that ``user`` may see.

    Raises
    ------
    revintel.views.RecordNotFoundError
        No such account exists.
    revintel.auth.AccessDeniedError
        The account belongs to another rep.
    """
    account = get_record(store, user, "accounts", account_id)
    mine = RecordQuery(filters={"account_id": account_id}, limit=ROWS_SHOWN)
    leads = list_records(store, user, "leads", mine).rows
    deals = list_records(store, user, "opportunities", mine).rows
    tables = visible_tables(store, user)
    lead_ids = [str(r["lead_id"]) for r in leads]
    deal_ids = [str(r["opportunity_id"]) for r in deals]
    parts = _parts(tables, account_id, lead_ids, deal_ids)
    m = parts["milestones"]
    history = m.filter((m.entity_type == "opportunity") & m.entity_id.isin(deal_ids))
    return AccountDetail(
        account=account,
        contacts=_rows(parts["contacts"], ["last_name", "first_name", "contact_id"]),
        leads=leads,
        deals=deals,
        stage_history=_rows(history, ["entity_id", "occurred_at", "milestone"]),
        touchpoints=_rows(parts["touchpoints"], [ibis.desc("occurred_at"), "touchpoint_id"]),
        orders=_rows(parts["orders"], [ibis.desc("ordered_at"), "order_id"]),
        sources=_sources(store, parts),
    )
