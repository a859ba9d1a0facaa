"""Answers and parameters of the reverse-funnel plan: the required MQLs, SALs, SQLs,
opportunities and won deals per month and group with their intervals, the run-rate and the
gap, the rates the plan used, and the comparison of scenarios."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

_STRICT = ConfigDict(extra="forbid")

#: A planning period: a quarter, a month or a year, from 1900 to 2099.
PERIOD_PATTERN = r"^(19|20)[0-9]{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
#: One knob of a scenario: the MQL→SAL rate, the deal size or one channel's share of MQLs.
_KNOB = r"(mql_to_sal|deal_size|leads\.[a-z0-9_]{1,40}):[0-9]{1,2}(\.[0-9]{1,4})?"
#: A named scenario of at most six knobs, e.g. ``better_sal=mql_to_sal:1.2``.
SCENARIO_PATTERN = rf"^[A-Za-z0-9_-]{{1,40}}={_KNOB}(,{_KNOB}){{0,5}}$"
SCENARIO_EXAMPLES = ["better_sal=mql_to_sal:1.2", "bigger=deal_size:1.1,leads.webinar:1.5"]
#: A scenario as a query value; the router checks the pattern itself and names what is wrong.
ScenarioText = Annotated[
    str,
    StringConstraints(max_length=300),
    Field(json_schema_extra={"pattern": SCENARIO_PATTERN, "examples": SCENARIO_EXAMPLES}),
]


class ScenarioOut(BaseModel):
    """A what-if change to the measured funnel; 1 everywhere is the funnel as measured."""

    model_config = _STRICT

    name: str = Field(examples=["base"])
    mql_to_sal: float = Field(description="multiplier on the MQL→SAL rate (capped at 1)")
    deal_size: float = Field(description="multiplier on the deal size")
    channel_leads: dict[str, float] = Field(
        description="multiplier on a channel's share of MQLs", examples=[{"webinar": 1.5}]
    )


class PlanMonth(BaseModel):
    """What one month needs at one stage in one group, with the interval, the run-rate (mean
    monthly count of recent complete months) and the gap (required − run-rate)."""

    model_config = _STRICT

    month: date = Field(description="first day of the month", examples=["2026-07-01"])
    group: str = Field(description="channel or segment; empty for the company", examples=["web"])
    stage: str = Field(examples=["mql", "sal", "sql", "opportunity", "won"])
    required_p50: float
    required_low: float | None
    required_high: float | None
    run_rate: float | None
    gap: float | None


class PlanTotal(BaseModel):
    """What the plan needs at one stage in one group over all its months."""

    model_config = _STRICT

    group: str
    stage: str
    required_p50: float
    required_low: float | None
    required_high: float | None
    run_rate: float | None
    gap: float | None


class PlanRate(BaseModel):
    """A conversion step the plan used: the rate with its interval and the entries it was
    measured on, the median lag and the deal size."""

    model_config = _STRICT

    group: str
    step: str = Field(examples=["mql_sal"])
    rate: float | None
    low: float | None
    high: float | None
    n: float | None = Field(description="entries the rate was measured on")
    median_lag_days: float | None
    deal_size: float | None = Field(description="mean won amount in the store currency")
    mql_share: float | None = Field(description="the group's share of MQLs the plan assumes")


class PlanOut(BaseModel):
    """A reverse plan from the order-intake target back to the MQLs each month needs.

    Counts are the median (P50) of the Monte Carlo draws; ``required_low`` and
    ``required_high`` bound the central ``level`` share of them."""

    model_config = _STRICT

    period: str = Field(examples=["2026-Q3"])
    period_start: date
    period_end: date
    by: str = Field(examples=["channel", "segment", "none"])
    target: float = Field(description="order intake to reach, in the store currency")
    target_source: str = Field(examples=["argument", "targets table"])
    currency: str = Field(examples=["EUR"])
    level: float = Field(examples=[0.8])
    draws: int
    seed: int
    forecast_p50: float | None = Field(
        description="the order-intake forecast's median for the period (with_forecast=true)"
    )
    scenario: ScenarioOut
    months: list[PlanMonth]
    totals: list[PlanTotal]
    rates: list[PlanRate]


class ScenarioRow(BaseModel):
    """One scenario's total need at one stage in one group."""

    model_config = _STRICT

    scenario: str = Field(examples=["base", "better_sal"])
    group: str
    stage: str
    required_p50: float
    required_low: float | None
    required_high: float | None


class ScenariosOut(BaseModel):
    """The base plan and the given scenarios side by side."""

    model_config = _STRICT

    period: str
    by: str
    currency: str
    scenarios: list[ScenarioOut]
    rows: list[ScenarioRow]
