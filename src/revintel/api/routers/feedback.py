"""``/api/v1/feedback``: sales' feedback on marketing's leads — rejections and reasons per
group, and the proposed MQL definition (computed on the leads the caller sees)."""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from revintel.alignment._mql_definition import NoScoresError
from revintel.api.routers._common import CONDITIONAL, cached_json
from revintel.api.routers.feedback_schemas import (
    ChannelRule,
    DefinitionOut,
    ReasonCount,
    ReasonGroup,
    ReasonsBy,
    ReasonsOut,
    ThresholdPoint,
)
from revintel.server import ApiError, StateDep, StoreDep, UserDep
from revintel.views._feedback import (
    DefinitionView,
    FeedbackRequestError,
    ReasonsView,
    feedback_reasons,
    mql_definition,
)

router = APIRouter(prefix="/feedback", tags=["feedback"])

_NO_SCORES: dict[int | str, dict[str, Any]] = {
    409: {"description": "No MQL has a lead score yet (revintel score train leads)."}
}


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]


def reasons_body(view: ReasonsView) -> ReasonsOut:
    """The answer of ``GET /feedback/reasons`` for ``view``."""
    by_group: dict[str, list[ReasonCount]] = {}
    for row in _records(view.reasons):
        by_group.setdefault(str(row["group"]), []).append(
            ReasonCount(reason=str(row["reason"]), rejected=int(row["rejected"]),
                        share=float(row["share"]))
        )  # fmt: skip
    fields = [f for f in ReasonGroup.model_fields if f != "reasons"]
    groups = [
        ReasonGroup(**{k: row[k] for k in fields}, reasons=by_group.get(str(row["group"]), []))
        for row in _records(view.groups)
    ]
    return ReasonsOut(
        by=view.by,  # type: ignore[arg-type]
        mqls=view.mqls, decided=view.decided, rejected=view.rejected, rate=view.rate,
        groups=groups,
    )  # fmt: skip


def definition_body(view: DefinitionView) -> DefinitionOut:
    """The answer of ``GET /feedback/mql-definition`` for ``view``."""
    p = view.proposal
    curve = [ThresholdPoint(**row) for row in _records(p.curve)]
    reported = None
    if p.threshold is not None:
        reported = next(
            c for c in curve if c.period == "reported" and math.isclose(c.threshold, p.threshold)
        )
    return DefinitionOut(
        target=p.target,
        threshold=p.threshold,
        chosen_from=p.chosen_from.isoformat(),
        chosen_to=p.chosen_to.isoformat(),
        reported_from=p.reported_from.isoformat(),
        reported_to=p.reported_to.isoformat(),
        reported=reported,
        open_reported=p.open_reported,
        unscored=p.unscored,
        scores_stored=view.scores.stored,
        scores_modelled=view.scores.modelled,
        model_id=view.scores.model_id,
        currency=view.currency,
        curve=curve,
        channel_rules=[ChannelRule(**row) for row in _records(view.rules)],
    )


@router.get("/reasons", response_model=ReasonsOut, summary="Rejection reasons", **CONDITIONAL)
async def get_reasons(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    by: Annotated[ReasonsBy, Query(description="break rejections down by")] = "channel",
) -> Response:
    """Rejected MQLs of the leads the caller sees per group: rejection rate with its 95 %
    Wilson interval, the test against the other groups (Holm-corrected) and the reasons."""

    def build() -> ReasonsOut:
        try:
            view = state.cache.call(feedback_reasons, store, user, by)
        except FeedbackRequestError as exc:
            raise ApiError(400, str(exc), field=exc.field) from None
        return reasons_body(view)

    return await cached_json(request, state, user, build)


@router.get(
    "/mql-definition",
    response_model=DefinitionOut,
    summary="Proposed MQL definition",
    **(CONDITIONAL | {"responses": CONDITIONAL["responses"] | _NO_SCORES}),
)
async def get_mql_definition(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    target: Annotated[
        float, Query(gt=0, lt=1, description="MQL→SAL acceptance rate to keep")
    ] = 0.5,
) -> Response:
    """The lowest lead-score threshold (score at the MQL time) keeping the acceptance at or
    above ``target``, chosen on the earlier MQLs and tested on the latest third, with the
    trade-off curve and the channel rules."""

    def build() -> DefinitionOut:
        try:
            view = state.cache.call(mql_definition, store, user, target)
        except NoScoresError as exc:
            raise ApiError(409, str(exc)) from None
        except FeedbackRequestError as exc:
            raise ApiError(400, str(exc), field=exc.field) from None
        return definition_body(view)

    return await cached_json(request, state, user, build)
