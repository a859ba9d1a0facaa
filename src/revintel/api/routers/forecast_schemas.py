"""Bodies and the ``what_if`` grammar of the forecast and backtest endpoints."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from revintel.api.routers.gaps_schemas import GapNote
from revintel.forecast import FORECAST_DIMENSIONS
from revintel.model import load_funnel


class ForecastRow(BaseModel):
    """Order intake of one period, source and group: P10, P50, P90 and mean of the simulated
    intake after the cut-off; the period's booked intake, target, chance of reaching it and gap
    (every source's row of a period carries the same: a target is one of total intake)."""

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
    booked: float | None = Field(
        default=None,
        description="order intake of the period already won before the forecast's cut-off "
        "(0 for periods that begin after it)",
    )
    target: float | None = Field(
        default=None,
        description="the period's order-intake target among those the caller sees "
        "(company: its own target, else the sum of the teams', else of the reps'; a team "
        "group: the team's), null where none exists",
    )
    p_reach_target: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="share of the forecast's simulation runs in which booked plus simulated "
        "total intake of the period reaches the target (the runs P10/P50/P90 come from); null "
        "without a target or where the horizon ends inside the period",
    )
    gap: float | None = Field(
        default=None,
        description="target minus booked minus the median simulated total intake of the "
        "period (positive: short of the target)",
    )


class ForecastOut(BaseModel):
    """A forecast as of the store's last event."""

    as_of: date
    by: str | None
    simulations: int
    what_if: list[str] = Field(default_factory=list, description="scenarios applied")
    rows: list[ForecastRow]
    note: GapNote | None = Field(
        default=None, description="why every amount is zero (no, or undated, history)"
    )


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


def _what_if_pattern() -> str:
    """The grammar of one ``what_if`` value (see :func:`revintel.forecast.parse_scenario`),
    with the steps of the funnel the server uses and no blanks."""
    path = load_funnel().path_ids
    steps = "|".join(f"{a}_{b}" for a, b in itertools.pairwise(path))
    dims = "|".join(FORECAST_DIMENSIONS)
    factor = r"(?:10(?:\.0+)?|[0-9](?:\.[0-9]+)?)"
    rate = r"(?:0(?:\.[0-9]+)?|1(?:\.0+)?)"
    return (
        rf"^(?:(?:{steps})_rate={rate}|win_rate(?:\[(?:{dims})=[^\] \[]+\])?\*{factor}"
        rf"|lead_volume\*{factor})$"
    )


#: The grammar of one what-if expression (an empty value is none, and refused).
WHAT_IF_PATTERN = _what_if_pattern()
WHAT_IF_EXAMPLES = ["mql_sal_rate=0.6", "win_rate[segment=Enterprise]*1.1", "lead_volume*1.2"]
#: A what-if value; the router checks the pattern itself, to answer in the parser's words.
WhatIf = Annotated[
    str,
    StringConstraints(max_length=200),
    Field(json_schema_extra={"pattern": WHAT_IF_PATTERN, "examples": WHAT_IF_EXAMPLES}),
]
