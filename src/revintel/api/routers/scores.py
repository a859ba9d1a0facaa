"""``/api/v1/scores``: train, apply and evaluate the lead and deal scores."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from revintel._frames import json_records
from revintel.api.routers._common import PageDep, offset_page
from revintel.api.routers.scores_schemas import ApplyIn, ModelEvaluation, ScoresApplied, TrainIn
from revintel.api.routers.shared_schemas import Page
from revintel.server import AnalystDep, ApiError, ImporterDep, StateDep, StoreDep
from revintel.store import Store

router = APIRouter(prefix="/scores", tags=["scores"])


def current_evaluations(store: Store) -> list[dict[str, Any]]:
    """Out-of-time metrics of the scores in use and of their baselines."""
    from revintel.predict import evaluation_frame, list_models

    records = [r for r in list_models(store) if r.status in ("active", "fallback")]
    if not records:
        return []
    return json_records(evaluation_frame(records).drop(columns=["test_to"]))


@router.get(
    "/models",
    response_model=Page[ModelEvaluation],
    summary="Score quality",
    responses={404: {"description": "No score is trained yet."}},
)
def models(
    store: StoreDep, user: AnalystDep, state: StateDep, page: PageDep
) -> Page[ModelEvaluation]:
    """Each score in use with its out-of-time AUC, log loss, Brier score and top-decile lift,
    next to the baselines it was compared with (``chosen`` marks the one it uses)."""
    rows = state.cache.call(current_evaluations, store, None)
    if not rows:
        raise ApiError(404, "no trained scores yet; train them with POST /api/v1/scores/train")
    found = [ModelEvaluation(**r) for r in rows]
    return offset_page(found, page, {"list": "score-models"}, len(found))


@router.post("/train", response_model=list[ModelEvaluation], summary="Train scores")
def train(
    body: TrainIn, store: StoreDep, user: ImporterDep, state: StateDep
) -> list[ModelEvaluation]:
    """Train the scores of a group on the store's history, compare them out of time with the
    baselines and put the better one in use (this takes a while on a large store)."""
    from revintel.predict import GROUPS, train_score

    rows = []
    for kind in GROUPS[body.group]:
        try:
            result = train_score(store, kind, state.funnel, test_days=body.test_days)
        except ValueError as exc:  # too little history, or a feature that leaks the outcome
            raise ApiError(400, str(exc)) from None
        frame = result.comparison.assign(kind=kind, model_id=result.record.model_id)
        rows += [
            ModelEvaluation(**{**r, "chosen": bool(r.get("chosen"))}) for r in json_records(frame)
        ]
    state.data_changed()
    return rows


@router.post(
    "/apply",
    response_model=list[ScoresApplied],
    summary="Score open leads and deals",
    responses={404: {"description": "The group's scores are not trained yet."}},
)
def apply(
    body: ApplyIn, store: StoreDep, user: ImporterDep, state: StateDep
) -> list[ScoresApplied]:
    """Score every open lead or deal with the scores in use and store the scores (with their
    reasons); kinds not trained yet are reported with nothing scored."""
    from revintel.predict import RegistryError, apply_group

    try:
        results = apply_group(store, body.group, state.funnel)
    except RegistryError:
        train = "POST /api/v1/scores/train"
        raise ApiError(404, f"the {body.group} scores are not trained yet; use {train}") from None
    out = []
    for kind, result in results.items():
        if result is None:
            out.append(ScoresApplied(kind=kind, algorithm="(not trained)", scored=0))
            continue
        scores = result.scores["score"]
        out.append(
            ScoresApplied(
                kind=kind,
                model_id=result.record.model_id,
                algorithm=result.record.algorithm,
                scored=len(scores),
                mean_score=float(scores.mean()) if len(scores) else None,
            )
        )
    state.data_changed()
    return out
