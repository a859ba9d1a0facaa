"""Whole tables as a user may see them, read as a stream of Arrow record batches for bulk export.

Row-level access follows the rest of the product: a sales rep gets their own leads,
opportunities and accounts; a milestone or touchpoint belongs to the deal it names, else to its
lead (as in a journey, :func:`revintel.views.journey`); a score to the lead or deal it scores;
an order to its account (as in :func:`revintel.auth.visible_tables`).
"""

from __future__ import annotations

import ibis
import pyarrow as pa

from revintel.auth import Permission, User, visible
from revintel.model import table
from revintel.store import Store

#: Entities that can be exported, each read from the store table of the same name.
EXPORT_ENTITIES: tuple[str, ...] = (
    "leads",
    "opportunities",
    "milestones",
    "touchpoints",
    "accounts",
    "orders",
    "scores",
)
#: Rows per record batch: large enough for fast Parquet row groups, small enough that a batch
#: of the widest table stays around ten MiB.
EXPORT_BATCH_ROWS = 50_000


class ExportError(ValueError):
    """An entity was asked for that cannot be exported."""


def _ids(store: Store, user: User, name: str) -> ibis.Column:
    t = visible(store, user, name)
    return t[table(name).key[0]]


def _owned_by_deal_or_lead(
    store: Store, user: User, t: ibis.Table, names_deal: ibis.BooleanValue, deal: ibis.Column
) -> ibis.Table:
    leads = _ids(store, user, "leads")
    deals = _ids(store, user, "opportunities")
    return t.filter(
        (names_deal & deal.isin(deals))
        | (~names_deal & t.lead_id.notnull() & t.lead_id.isin(leads))
    )


def exported_rows(store: Store, user: User, entity: str) -> ibis.Table:
    """The rows of ``entity`` that ``user`` may see, unordered, with the table's columns.

    Raises
    ------
    ExportError
        ``entity`` is not one of :data:`EXPORT_ENTITIES`.
    """
    if entity not in EXPORT_ENTITIES:
        raise ExportError(f"unknown entity {entity!r}; known: {', '.join(EXPORT_ENTITIES)}")
    t = store.table(entity).select(*table(entity).column_names())
    if user.can(Permission.view_all_rows):
        return t
    if entity in ("leads", "opportunities", "accounts"):
        return visible(store, user, entity).select(*table(entity).column_names())
    if entity == "milestones":
        names_deal = t.entity_type == "opportunity"
        return _owned_by_deal_or_lead(store, user, t, names_deal, t.entity_id)
    if entity == "touchpoints":
        return _owned_by_deal_or_lead(store, user, t, t.opportunity_id.notnull(), t.opportunity_id)
    if entity == "orders":
        return t.filter(t.account_id.isin(_ids(store, user, "accounts")))
    # scores: those of the leads and deals the user sees
    leads, deals = _ids(store, user, "leads"), _ids(store, user, "opportunities")
    return t.filter(
        ((t.entity_type == "lead") & t.entity_id.isin(leads))
        | ((t.entity_type == "opportunity") & t.entity_id.isin(deals))
    )


def export_batches(store: Store, user: User, entity: str) -> pa.RecordBatchReader:
    """The rows of :func:`exported_rows` as a reader of record batches of at most
    :data:`EXPORT_BATCH_ROWS` rows, fetched from the store as they are read.

    The reader holds a query on ``store``'s connection: read it to the end (or drop it)
    before the connection runs another query.
    """
    rows = exported_rows(store, user, entity)
    return rows.to_pyarrow_batches(chunk_size=EXPORT_BATCH_ROWS)
