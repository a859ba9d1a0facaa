"""Data quality of the store per source system and table.

Completeness per field, rejected rows by reason, likely duplicate accounts, and how much of the
opportunities' stage history the sources dated themselves rather than revintel inferring it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from revintel.ingest._batches import current_rejections
from revintel.ingest._guests import guest_orders, guest_orders_frame
from revintel.ingest._names import normalise_names
from revintel.model import IMPORT_BATCH_ID, SOURCE_ID, SOURCE_SYSTEM, TABLES
from revintel.store import Store

_SKIP_COLUMNS = {SOURCE_SYSTEM, SOURCE_ID, IMPORT_BATCH_ID}


@dataclass(frozen=True)
class QualityReport:
    """The views of ``revintel quality``, each a tidy frame."""

    completeness: pd.DataFrame
    rejections: pd.DataFrame
    duplicates: pd.DataFrame
    history: pd.DataFrame
    #: Orders without a customer number, per source (on its placeholder guest account).
    guests: pd.DataFrame = field(default_factory=lambda: guest_orders_frame())


def completeness(store: Store) -> pd.DataFrame:
    """Share of filled values per source system, table and column (tables with rows only)."""
    frames = []
    for spec in TABLES:
        if not spec.lineage:
            continue
        t = store.table(spec.name)
        columns = [c for c in spec.column_names() if c not in _SKIP_COLUMNS]
        metrics = {"rows": t.count(), **{f"filled__{c}": t[c].count() for c in columns}}
        counts = t.group_by(SOURCE_SYSTEM).aggregate(**metrics).execute()
        if counts.empty:
            continue
        long = counts.melt(id_vars=[SOURCE_SYSTEM, "rows"], var_name="column", value_name="filled")
        long["column"] = long["column"].str.removeprefix("filled__")
        long.insert(1, "table", spec.name)
        frames.append(long)
    if not frames:
        return pd.DataFrame(
            columns=[SOURCE_SYSTEM, "table", "column", "rows", "filled", "completeness"]
        )
    out = pd.concat(frames, ignore_index=True)
    out["completeness"] = out["filled"] / out["rows"]
    return out[[SOURCE_SYSTEM, "table", "column", "rows", "filled", "completeness"]]


def rejections_by_reason(store: Store) -> pd.DataFrame:
    """Rejected rows per source system, target table and reason.

    Only current rejections count (:func:`current_rejections`): a file imported again counts
    once, with what its latest import found; an undone import counts no more.
    """
    current = current_rejections(store)
    counts = (
        current.group_by([SOURCE_SYSTEM, "target_table", "reason"])
        .aggregate(rows=current.count())
        .order_by([SOURCE_SYSTEM, "target_table", ibis.desc("rows"), "reason"])
    )
    return counts.execute()


def duplicate_accounts(store: Store) -> pd.DataFrame:
    """Accounts per source whose normalised name recurs within the source or in another one."""
    stored = store.table("accounts")
    real = stored.filter(~stored.placeholder.fill_null(False))  # guest accounts are no company
    accounts = real.select("account_id", "name", SOURCE_SYSTEM).to_pyarrow()
    if accounts.num_rows == 0:
        return pd.DataFrame(
            columns=[SOURCE_SYSTEM, "accounts", "duplicate_in_source", "in_other_sources"]
        )
    frame = pd.DataFrame(
        {
            SOURCE_SYSTEM: accounts[SOURCE_SYSTEM].to_pandas(),
            "key": normalise_names(pc.fill_null(accounts["name"], pa.scalar(""))).to_pandas(),
        }
    )
    within = frame.duplicated([SOURCE_SYSTEM, "key"], keep=False) & frame["key"].ne("")
    systems = frame.groupby("key")[SOURCE_SYSTEM].transform("nunique")
    frame["duplicate_in_source"] = within
    frame["in_other_sources"] = systems.gt(1) & frame["key"].ne("")
    out = frame.groupby(SOURCE_SYSTEM).agg(
        accounts=("key", "size"),
        duplicate_in_source=("duplicate_in_source", "sum"),
        in_other_sources=("in_other_sources", "sum"),
    )
    return out.reset_index()


def history_sources(store: Store) -> pd.DataFrame:
    """Per source: opportunities, how many have a dated milestone, how many are fully dated."""
    m = store.table("milestones")
    m = m.filter(m.entity_type == "opportunity")
    per_entity = m.group_by("entity_id").aggregate(
        dated=(~m.inferred.fill_null(False)).any(), inferred=m.inferred.fill_null(False).any()
    )
    o = store.table("opportunities")
    joined = o.left_join(per_entity, o.opportunity_id == per_entity.entity_id)
    out = (
        joined.group_by(joined[SOURCE_SYSTEM])
        .aggregate(
            opportunities=joined.count(),
            with_dated_history=joined.dated.fill_null(False).sum(),
            fully_dated=(joined.dated.fill_null(False) & ~joined.inferred.fill_null(True)).sum(),
        )
        .order_by(SOURCE_SYSTEM)
        .execute()
    )
    out["share_dated"] = out["with_dated_history"] / out["opportunities"]
    out["share_fully_dated"] = out["fully_dated"] / out["opportunities"]
    return out


def quality_report(store: Store) -> QualityReport:
    """All quality views of the store.

    Examples
    --------
    >>> from revintel.store import open_store
    >>> quality_report(open_store(":memory:")).history.empty
    True
    """
    return QualityReport(
        completeness(store),
        rejections_by_reason(store),
        duplicate_accounts(store),
        history_sources(store),
        guest_orders(store),
    )
