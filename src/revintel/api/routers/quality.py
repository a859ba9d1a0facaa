"""``/api/v1/quality``: completeness, rejections, duplicates and dated history per source."""

from __future__ import annotations

from fastapi import APIRouter

from revintel._frames import json_records
from revintel.api.routers.quality_schemas import (
    CompletenessRow,
    DuplicateCount,
    GuestOrders,
    HistoryShare,
    QualityOut,
    RejectionCount,
)
from revintel.ingest import quality_report
from revintel.server import ImporterDep, StateDep, StoreDep

router = APIRouter(tags=["imports"])


@router.get("/quality", response_model=QualityOut, summary="Data quality")
def quality(
    store: StoreDep, user: ImporterDep, state: StateDep, all_fields: bool = False
) -> QualityOut:
    """Per source and table: how often each field is filled (only the gaps unless
    ``all_fields``), rejected cells by reason, accounts sharing a normalised name, and the share
    of opportunities whose stage history the source dates rather than implies, and orders
    without a customer number (guest orders) per source."""
    report = state.cache.call(quality_report, store, None)
    filled = report.completeness
    if not all_fields:
        filled = filled[filled["completeness"] < 1.0]
    return QualityOut(
        completeness=[CompletenessRow(**r) for r in json_records(filled)],
        rejections=[RejectionCount(**r) for r in json_records(report.rejections)],
        duplicates=[DuplicateCount(**r) for r in json_records(report.duplicates)],
        history=[HistoryShare(**r) for r in json_records(report.history)],
        guests=[GuestOrders(**r) for r in json_records(report.guests)],
    )
