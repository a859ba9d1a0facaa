"""The inputs of a reverse-funnel plan as a caller gives them — numbers and texts from the
API's query or the Planning page's form — checked and turned into a
:class:`~revintel.alignment._plan.PlanRequest`; scenarios written as text."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from revintel.alignment._plan import PlanRequest, Scenario, parse_period

__all__ = [
    "BY_CHOICES",
    "FORECAST_MONTHS",
    "MAX_DRAWS",
    "MAX_FACTOR",
    "MAX_TARGET",
    "MIN_DRAWS",
    "YEARS",
    "PlanInputError",
    "PlanInputs",
    "check_factor",
    "next_quarter",
    "parse_scenario_text",
    "plan_request",
]

#: How the plan is split: by lead channel, by segment, or the company as one group ("").
BY_CHOICES = ("channel", "segment", "")
#: Bounds of the caller's inputs (the API declares the same in its document).
MAX_TARGET = 1e8
MAX_FACTOR = 10.0
MIN_DRAWS, MAX_DRAWS = 100, 5_000
#: Months after the as-of day the order-intake forecast compared with a plan may reach.
FORECAST_MONTHS = 36
#: Years a plan's period and as-of day may lie in.
YEARS = (1900, 2099)


class PlanInputError(ValueError):
    """An input of a plan request that cannot be used; ``field`` names it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PlanInputs:
    """A plan request as the caller gives it: numbers and texts, not yet checked.

    ``channel`` and ``channel_leads`` are one channel and the multiplier of its share of MQLs.
    An empty ``period`` plans the quarter after ``as_of`` (or after the store's latest lead).
    """

    target: float | None = None
    period: str = ""
    by: str = "channel"
    as_of: date | None = None
    mql_to_sal: float = 1.0
    deal_size: float = 1.0
    channel: str | None = None
    channel_leads: float = 1.0
    draws: int = 2000
    seed: int = 0
    level: float = 0.8
    with_forecast: bool = False
    name: str = "base"
    extra: tuple[tuple[str, float], ...] = field(default=())

    def scenario(self) -> Scenario:
        """The scenario these inputs describe (the measured funnel when every factor is 1)."""
        leads = dict(self.extra)
        if self.channel and self.channel_leads != 1.0:
            leads[self.channel] = self.channel_leads
        return Scenario(self.name, self.mql_to_sal, self.deal_size, leads)


def next_quarter(day: date) -> str:
    """The quarter after the one ``day`` lies in, as ``YYYY-Qn``.

    >>> next_quarter(date(2026, 12, 6)), next_quarter(date(2026, 5, 1))
    ('2027-Q1', '2026-Q3')
    """
    quarter = (day.month - 1) // 3 + 1
    return f"{day.year + 1}-Q1" if quarter == 4 else f"{day.year}-Q{quarter + 1}"


def check_factor(value: float, name: str) -> float:
    """``value`` when it is a factor above 0 and at most :data:`MAX_FACTOR`, else
    :class:`PlanInputError` naming ``name``."""
    if not math.isfinite(value) or not 0 < value <= MAX_FACTOR:
        raise PlanInputError(f"{name} must be a factor above 0 and at most {MAX_FACTOR:g}", name)
    return float(value)


def plan_request(inputs: PlanInputs, latest: date | None = None) -> tuple[str, PlanRequest]:
    """The period's text and the :class:`PlanRequest` of ``inputs``; without a period the
    quarter after ``inputs.as_of`` (else after ``latest``, else after today) is planned.

    Raises
    ------
    PlanInputError
        When the target is not a positive finite amount, the period is not ``YYYY-Qn``,
        ``YYYY-MM`` or ``YYYY``, a factor is outside (0, 10], the split is unknown or the
        Monte Carlo settings are out of bounds.
    """
    target = inputs.target
    if target is not None and (not math.isfinite(target) or not 0 < target <= MAX_TARGET):
        raise PlanInputError(f"target must be a positive amount up to {MAX_TARGET:g}", "target")
    period = inputs.period.strip() or next_quarter(inputs.as_of or latest or date.today())
    try:
        start, end = parse_period(period)
    except ValueError as exc:
        raise PlanInputError(str(exc), "period") from None
    for day, name in ((start, "period"), (inputs.as_of, "as_of")):
        if day is not None and not YEARS[0] <= day.year <= YEARS[1]:
            raise PlanInputError(f"{name} must lie in the years {YEARS[0]} to {YEARS[1]}", name)
    if inputs.by not in BY_CHOICES:
        raise PlanInputError("by must be channel, segment or none", "by")
    check_factor(inputs.mql_to_sal, "mql_to_sal")
    check_factor(inputs.deal_size, "deal_size")
    check_factor(inputs.channel_leads, "channel_leads")
    for _, value in inputs.extra:
        check_factor(value, "scenario")
    if not MIN_DRAWS <= inputs.draws <= MAX_DRAWS:
        raise PlanInputError(f"draws must lie between {MIN_DRAWS} and {MAX_DRAWS}", "draws")
    if not 0.5 <= inputs.level <= 0.99:
        raise PlanInputError("level must lie between 0.5 and 0.99", "level")
    request = PlanRequest(
        target=None if target is None else float(target),
        period_start=start,
        period_end=end,
        by=inputs.by,
        as_of=inputs.as_of,
        scenario=inputs.scenario(),
        draws=inputs.draws,
        seed=inputs.seed,
        level=inputs.level,
        with_forecast=inputs.with_forecast,
    )
    return period, request


def parse_scenario_text(text: str) -> Scenario:
    """The scenario ``NAME=KNOB:FACTOR[,KNOB:FACTOR…]`` names; a knob is ``mql_to_sal``,
    ``deal_size`` or ``leads.CHANNEL`` (that channel's share of MQLs).

    >>> parse_scenario_text("better=mql_to_sal:1.2,leads.webinar:1.5")
    Scenario(name='better', mql_to_sal=1.2, deal_size=1.0, channel_leads={'webinar': 1.5})

    Raises
    ------
    PlanInputError
        When the text does not follow that form or a factor is outside (0, 10].
    """
    name, sep, knobs = text.partition("=")
    if not sep or not name.strip() or not knobs:
        raise PlanInputError(f"scenario {text!r}: write NAME=KNOB:FACTOR", "scenario")
    values: dict[str, float] = {}
    leads: dict[str, float] = {}
    for part in knobs.split(","):
        knob, colon, number = part.strip().partition(":")
        try:
            factor = check_factor(float(number), "scenario") if colon else math.nan
        except ValueError as exc:
            raise PlanInputError(f"scenario {text!r}: {exc}", "scenario") from None
        if math.isnan(factor):
            raise PlanInputError(f"scenario {text!r}: {part!r} has no :FACTOR", "scenario")
        if knob in ("mql_to_sal", "deal_size"):
            values[knob] = factor
        elif knob.startswith("leads.") and len(knob) > len("leads."):
            leads[knob.removeprefix("leads.")] = factor
        else:
            raise PlanInputError(
                f"scenario {text!r}: unknown knob {knob!r} (mql_to_sal, deal_size, leads.CHANNEL)",
                "scenario",
            )
    return Scenario(name.strip(), channel_leads=leads, **values)
