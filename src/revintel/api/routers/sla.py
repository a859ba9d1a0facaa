"""``/api/v1/sla``: service-level attainment, MQLs waiting past their deadline and the effect of
response time on acceptance, over the rows the caller may see."""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query

from revintel.alignment._response_effect import ResponseEffect, estimate_response_effect
from revintel.alignment._sla import lead_status, sla_breaches, sla_summary
from revintel.api.routers._common import Language
from revintel.api.routers.sla_schemas import (
    SlaAttainmentOut,
    SlaAttainmentRow,
    SlaBreachesOut,
    SlaBreachRow,
    SlaEffectOut,
    SlaGroupName,
)
from revintel.auth import User, scoped_store
from revintel.i18n import Translator
from revintel.metrics import MetricSources
from revintel.server import ApiError, StoreDep, UserDep
from revintel.store import Store

router = APIRouter(prefix="/sla", tags=["sla"])


def _sources(store: Store, user: User) -> MetricSources:
    return MetricSources.from_store(scoped_store(store, user))


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


@router.get("", response_model=SlaAttainmentOut, summary="SLA attainment")
def sla_attainment(
    store: StoreDep,
    user: UserDep,
    by: Annotated[SlaGroupName | None, Query(description="break down by this group")] = None,
    lang: Annotated[Language, Query(description="label language")] = "en",
) -> SlaAttainmentOut:
    """Per service level (acceptance, first contact; `conf/sla.yaml`), and per group of `by`:
    the caller's MQLs due, met, breached and still open, the attainment and the median hours."""
    sources = _sources(store, user)
    status = lead_status(sources)
    frame = sla_summary(status, by)
    t = Translator(lang)
    rows = []
    for record in _records(frame):
        group = record.pop(by) if by else None
        rows.append(
            SlaAttainmentRow(
                group=None if group is None else str(group),
                level_label=t(f"sla.level.{record['level']}"),
                **record,
            )
        )
    return SlaAttainmentOut(as_of=sources.as_of, by=by, leads=len(status), rows=rows)


@router.get("/breaches", response_model=SlaBreachesOut, summary="MQLs past their deadline")
def sla_breach_list(
    store: StoreDep,
    user: UserDep,
    days: Annotated[
        float, Query(ge=1, le=3650, description="MQLs of the last this many days")
    ] = 30,
) -> SlaBreachesOut:
    """The caller's MQLs of the last `days` days still waiting to be accepted or first
    contacted past their deadline, longest waiting first, with their rep."""
    sources = _sources(store, user)
    frame = sla_breaches(lead_status(sources), within_days=days)
    rows = [SlaBreachRow(**r) for r in _records(frame)]
    return SlaBreachesOut(as_of=sources.as_of, days=days, breaches=rows)


def _sentence(effect: ResponseEffect, t: Translator) -> str:
    """Each doubling of response time lowers (raises) acceptance odds by …, with the interval."""
    low, high = sorted((2.0**effect.lower - 1.0, 2.0**effect.upper - 1.0))
    falls = effect.doubling_change <= 0
    if falls:
        low, high = -high, -low
    return t("sla.effect_sentence" if falls else "sla.effect_sentence_up").format(
        change=t.percent(abs(effect.doubling_change)),
        confidence=t.percent(effect.confidence, 0),
        low=t.percent(low),
        high=t.percent(high),
    )


@router.get(
    "/effect",
    response_model=SlaEffectOut,
    summary="Effect of response time on acceptance",
    responses={409: {"description": "Too few contacted and decided MQLs to measure."}},
)
def sla_effect(
    store: StoreDep,
    user: UserDep,
    lang: Annotated[Language, Query(description="language of the sentence")] = "en",
) -> SlaEffectOut:
    """The logit effect of log(hours to first contact) on MQL→SAL acceptance over the caller's
    MQLs, controlled for channel, segment and quarter, with its 95 % interval."""
    try:
        found = estimate_response_effect(_sources(store, user))
    except ValueError as exc:
        raise ApiError(409, str(exc)) from None
    return SlaEffectOut(
        **found.__dict__,
        doubling_change=found.doubling_change,
        sentence=_sentence(found, Translator(lang)),
    )
