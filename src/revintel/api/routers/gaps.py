"""``/api/v1/kpis/gap``: why the funnel, the KPI values, the alerts or the forecast are empty.

The list answers of ``/funnel``, ``/kpis/values`` and ``/alerts`` stay plain lists; a client that
gets an empty one asks here for the sentence the dashboard and the command line show.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from revintel.api.routers.analytics_schemas import IsoDate
from revintel.api.routers.gaps_schemas import Analysis, GapNote, GapOut
from revintel.auth import User
from revintel.metrics import DataGap, MetricQuery
from revintel.server import ApiError, StateDep, StoreDep, UserDep
from revintel.store import Store
from revintel.views import (
    FORECAST_SIMULATIONS,
    Slice,
    alert_reasons,
    alerts_gap_for,
    forecast_view,
    funnel_gap_for,
    funnel_is_empty,
    funnel_rows,
    gap_sentence,
    kpi_gap_for,
    kpi_is_empty,
    kpi_values,
)

router = APIRouter(tags=["kpis"])
#: Months of the forecast checked (as the dashboard's forecast page).
_MONTHS = 6


def _gap(store: Store, user: User, analysis: str, query: MetricQuery) -> DataGap | None:
    """The gap of ``analysis`` for ``user``'s rows, ``None`` when it has something to show."""
    if analysis == "funnel":
        rows = funnel_rows(store, user, None, Slice(), query.start, query.end, "en")
        return funnel_gap_for(store, user, query) if funnel_is_empty(rows) else None
    if analysis == "kpis":
        values = kpi_values(store, user, (), (), None, query.start, query.end, (), False,
                            query.maturity_days)  # fmt: skip
        return kpi_gap_for(store, user, query) if kpi_is_empty(values) else None
    if analysis == "alerts":
        return None if alert_reasons(store, user) else alerts_gap_for(store, user)
    return forecast_view(store, user, None, _MONTHS, FORECAST_SIMULATIONS, 42).gap


def gap_note(gap: DataGap) -> GapNote:
    """``gap`` as the API answers it: its code and sentence in German and English."""
    return GapNote(
        code=gap.code,
        note_de=gap_sentence(gap, "de"),
        note_en=gap_sentence(gap, "en"),
        first=gap.first,
        last=gap.last,
    )


@router.get("/kpis/gap", response_model=GapOut, summary="Why an analysis is empty")
def analysis_gap(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    analysis: Annotated[Analysis, Query(description="the analysis asked about")],
    created_from: Annotated[IsoDate | None, Query(description="leads created on or after")] = None,
    created_to: Annotated[IsoDate | None, Query(description="leads created on or before")] = None,
    maturity_days: Annotated[
        int | None, Query(ge=0, le=3650, description="as for `/kpis/values`")
    ] = None,
) -> GapOut:
    """Whether ``analysis`` (funnel, KPI values, alerts, forecast) has nothing to show for the
    caller's rows and, if so, why in one sentence (`note`): no leads, no stage history, no
    mature lead, no rows in the range, no complete period, too short or undated history.

    400 when `created_from` is after `created_to`.
    """
    if created_from and created_to and created_from > created_to:
        raise ApiError(
            400, f"created_from {created_from} must not be after created_to {created_to}",
            field="created_from",
        )  # fmt: skip
    end = created_to + timedelta(days=1) if created_to and created_to.year < 9999 else None
    query = MetricQuery(start=created_from, end=end, maturity_days=maturity_days)
    gap = state.cache.call(_gap, store, user, analysis, query)
    if gap is None:
        return GapOut(analysis=analysis, empty=False)
    return GapOut(analysis=analysis, empty=True, note=gap_note(gap))
