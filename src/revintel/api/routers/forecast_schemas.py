"""Bodies of the forecast and backtest endpoints."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class ForecastRow(BaseModel):
    """Order intake of one period, source and group: P10, P50, P90 and mean."""

    grain: str = Field(examples=["month"])
    period: str = Field(examples=["2025-01", "2025-Q1"])
    source: str = Field(examples=["open pipeline", "not yet created", "total"])
    group: str = Field(description="breakdown group, or 'all'")
    p10: float
    p50: float
    p90: float
    mean: float
    p50_baseline: float | None = Field(default=None, description="P50 without the what-if")
    change_p50: float | None = Field(default=None, description="P50 minus the baseline's")


class ForecastOut(BaseModel):
    """A forecast as of the store's last event."""

    as_of: date
    by: str | None
    simulations: int
    what_if: list[str] = Field(default_factory=list, description="scenarios applied")
    rows: list[ForecastRow]


class ForecastTable(BaseModel):
    """Rows of a forecast input (weighted pipeline, win probabilities) as of a date."""

    as_of: date
    rows: list[dict[str, Any]]


class BacktestPoint(BaseModel):
    """One origin and window of a backtest: the forecast, the baselines and the actual intake."""

    origin: date
    window: str
    actual: float
    p10: float
    p50: float
    p90: float
    weighted_default: float
    weighted_measured: float
    run_rate: float


class BacktestScore(BaseModel):
    """Error of one method over all origins of a window."""

    window: str
    method: str
    origins: int
    wape: float | None
    bias: float | None
    coverage_p10_p90: float | None


class BacktestOut(BaseModel):
    """A backtest: settings, per-origin points and scores per method."""

    origins: int
    months: int
    simulations: int
    summary: list[BacktestScore]
    points: list[BacktestPoint]
