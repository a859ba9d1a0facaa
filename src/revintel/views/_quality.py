"""The import history and rejected rows that the Data quality page shows (Ibis reads)."""

from __future__ import annotations

from typing import Any

import ibis

from revintel.ingest import current_rejections
from revintel.store import Store


def import_history(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The latest import batches, newest first, with rows read, accepted and rejected."""
    t = store.table("import_batches")
    return t.order_by(ibis.desc("started_at")).limit(limit).to_pyarrow().to_pylist()


def rejections_by_reason(store: Store, batch_id: str | None = None) -> list[tuple[str, int]]:
    """(reason, rejected rows), most frequent first: of one batch, or the current ones (as
    ``revintel quality`` counts them: a re-imported file once, undone imports not at all)."""
    if batch_id:
        t = store.table("rejected_rows")
        t = t.filter(t.import_batch_id == batch_id)
    else:
        t = current_rejections(store)
    counts = (
        t.group_by("reason").aggregate(cells=t.count()).order_by([ibis.desc("cells"), "reason"])
    )
    arrow = counts.to_pyarrow()
    return list(zip(arrow["reason"].to_pylist(), arrow["cells"].to_pylist(), strict=True))


def rejected_rows(
    store: Store, batch_id: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Rejected rows (file, row, column, value, reason), by file and row."""
    t = store.table("rejected_rows")
    if batch_id:
        t = t.filter(t.import_batch_id == batch_id)
    ordered = t.order_by(["import_batch_id", "file", "row_number", "column"]).limit(limit)
    return ordered.to_pyarrow().to_pylist()
