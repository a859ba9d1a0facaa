"""Bodies of the scoring endpoints: training, applying and evaluations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from revintel.api.routers.shared_schemas import json_integer


class ModelEvaluation(BaseModel):
    """Out-of-time metrics of a trained score or one of its baselines."""

    kind: str
    model_id: str
    algorithm: str
    chosen: bool = Field(description="the algorithm the score uses")
    evaluation: Literal["out-of-time", "cross-validation"] = Field(
        default="out-of-time",
        description="how the metrics were measured: on a later test period, or by 5-fold "
        "cross-validation grouped by record when the history has no dates to order it by",
    )
    auc: float | None = None
    log_loss: float | None = None
    brier: float | None = None
    lift_top_decile: float | None = None
    rows: int | None = None
    positives: int | None = None


class TrainIn(BaseModel):
    """What to train."""

    group: Literal["leads", "deals"]
    test_days: int | None = Field(
        default=None,
        ge=7,
        le=3650,
        description="days of the out-of-time test window; chosen from the data when left out",
    )

    _integer = field_validator("test_days", mode="before")(json_integer)


class ApplyIn(BaseModel):
    """Which scores to compute for the open leads and deals."""

    group: Literal["leads", "deals", "all"] = "all"


class ScoresApplied(BaseModel):
    """Scores written for one kind."""

    kind: str
    model_id: str | None = None
    algorithm: str
    scored: int
    mean_score: float | None = None
