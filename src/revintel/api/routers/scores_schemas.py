"""Bodies of the scoring endpoints: training, applying and evaluations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictInt


class ModelEvaluation(BaseModel):
    """Out-of-time metrics of a trained score or one of its baselines."""

    kind: str
    model_id: str
    algorithm: str
    chosen: bool = Field(description="the algorithm the score uses")
    auc: float | None = None
    log_loss: float | None = None
    brier: float | None = None
    lift_top_decile: float | None = None
    rows: int | None = None
    positives: int | None = None


class TrainIn(BaseModel):
    """What to train."""

    group: Literal["leads", "deals"]
    test_days: StrictInt | None = Field(
        default=None,
        ge=7,
        le=3650,
        description="days of the out-of-time test window; chosen from the data when left out",
    )


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
