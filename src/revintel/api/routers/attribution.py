"""``/api/v1/attribution``: credits of marketing and sales channels for the journeys of a funnel
transition, every model side by side, and aggregated path files."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from revintel.api.routers._common import CONDITIONAL, cached_json
from revintel.api.routers.analytics_schemas import IsoDate
from revintel.api.routers.attribution_schemas import (
    AttributionOut,
    ChannelCredit,
    ComparisonOut,
    ComparisonRow,
    MilestoneId,
    ModelName,
)
from revintel.server import AnalystDep, ApiError, StateDep, StoreDep, UserDep, save_uploads
from revintel.views._attribution import (
    AttributionRequestError,
    AttributionSettings,
    AttributionView,
    attribution_table,
    model_comparison,
    path_file_attribution,
)

router = APIRouter(prefix="/attribution", tags=["attribution"])

Level = Annotated[
    Literal["lead", "opportunity", "account"],
    Query(description="journeys of each lead, opportunity (opportunity milestones) or account"),
]
LookbackDays = Annotated[
    int | None,
    Query(ge=1, le=3650, description="only touches this many days before the conversion"),
]
StageOnly = Annotated[
    bool, Query(description="only touches after the journey reached the previous milestone")
]
HalfLifeDays = Annotated[
    float, Query(gt=0, le=3650, description="half-life of the time_decay model, in days")
]
Order = Annotated[int, Query(ge=1, le=3, description="order of the markov model's chain")]
AsOf = Annotated[
    IsoDate | None, Query(description="evaluation day (default: the store's latest event)")
]
Value = Annotated[
    Literal["conversions", "revenue"], Query(description="what the models' credits count")
]


def _refused(exc: AttributionRequestError) -> ApiError:
    return ApiError(400, str(exc), field=exc.field)


def _plain(value: Any) -> Any:
    return None if pd.isna(value) else value


def _answer(view: AttributionView) -> AttributionOut:
    rows = view.channels.to_dict(orient="records")
    return AttributionOut(
        model=view.model,
        to=view.to,
        came_from=view.came_from,
        journeys=view.journeys,
        conversions=view.conversions,
        revenue=view.revenue,
        open_journeys=view.open_journeys,
        as_of=view.as_of,
        currency=view.currency,
        channels=[ChannelCredit(**{k: _plain(v) for k, v in r.items()}) for r in rows],
        notes=view.notes,
    )


@router.get("", response_model=AttributionOut, summary="Attribution by channel", **CONDITIONAL)
async def get_attribution(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    model: Annotated[ModelName, Query()] = "markov",
    to: Annotated[MilestoneId, Query()] = "won",
    level: Level = "lead",
    lookback_days: LookbackDays = None,
    stage_only: StageOnly = False,
    half_life_days: HalfLifeDays = 7.0,
    order: Order = 1,
    as_of: AsOf = None,
) -> Response:
    """Conversions, revenue and margin credited to each channel by ``model`` for the journeys
    converting to milestone ``to`` (from the milestone before it); a sales rep's answer covers
    their own leads. 400 naming the field for an unknown model or milestone, a level the
    milestone has no journeys of, or a model the journeys do not suit."""
    settings = AttributionSettings(level, lookback_days, stage_only, half_life_days, order, as_of)

    def build() -> AttributionOut:
        try:
            view = attribution_table(store, user, model, to, settings, state.funnel)
        except AttributionRequestError as exc:
            raise _refused(exc) from None
        return _answer(view)

    return await cached_json(request, state, user, build)


@router.get(
    "/compare", response_model=ComparisonOut, summary="Every model side by side", **CONDITIONAL
)
async def compare_models(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    to: Annotated[MilestoneId, Query()] = "won",
    value: Value = "conversions",
    level: Level = "lead",
    lookback_days: LookbackDays = None,
    stage_only: StageOnly = False,
    half_life_days: HalfLifeDays = 7.0,
    order: Order = 1,
    as_of: AsOf = None,
) -> Response:
    """The conversions (or revenue) each model credits to each channel, for the journeys
    converting to ``to``; a model the journeys do not suit is listed in ``skipped``."""
    settings = AttributionSettings(level, lookback_days, stage_only, half_life_days, order, as_of)

    def build() -> ComparisonOut:
        try:
            found = model_comparison(store, user, to, settings, state.funnel, value)
        except AttributionRequestError as exc:
            raise _refused(exc) from None
        rows = found.frame.to_dict(orient="records")
        return ComparisonOut(
            to=found.to,
            came_from=found.came_from,
            value=found.value,
            journeys=found.journeys,
            total=found.total,
            channels=[ComparisonRow(**{k: _plain(v) for k, v in r.items()}) for r in rows],
            skipped=found.skipped,
        )

    return await cached_json(request, state, user, build)


@router.post("/paths", response_model=AttributionOut, summary="Attribution of a path file")
def attribute_path_file(
    state: StateDep,
    user: AnalystDep,
    file: Annotated[
        UploadFile,
        File(
            description="aggregated path file: a path column ('eta > iota > alpha'), "
            "conversions, optional value and nulls; CSV with `;`, `,` or tab"
        ),
    ],
    model: Annotated[ModelName, Form()] = "markov",
    half_life_days: Annotated[float, Form(gt=0, le=3650)] = 7.0,
    order: Annotated[int, Form(ge=1, le=3)] = 1,
) -> AttributionOut:
    """Credits of ``model`` per channel for the journeys of an uploaded path file (no store
    data is read; like the other company-wide analytics, for roles seeing every row: 403 for a
    sales rep). 400 naming ``file`` when a row cannot be read (the message gives row and
    column) and ``model`` for an unknown model or one that needs dates or roles."""
    settings = AttributionSettings(half_life_days=half_life_days, order=order)
    with tempfile.TemporaryDirectory(prefix="revintel-paths-") as folder:
        saved = save_uploads([file], Path(folder), state.settings.max_body_bytes)
        try:
            view = path_file_attribution(saved[0], model, settings)
        except AttributionRequestError as exc:
            # The message names the file as uploaded, not where the server keeps it.
            message = str(exc).replace(str(saved[0]), saved[0].name)
            raise ApiError(400, message, field=exc.field) from None
    return _answer(view)
