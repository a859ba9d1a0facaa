"""What-if scenarios: changed conversion rates, win rates or lead volume, parsed from short text.

Syntax (repeatable, combined):

- ``mql_sal_rate=0.6`` sets the step conversion between two consecutive milestones;
- ``win_rate*1.1`` or ``win_rate[segment=Enterprise]*1.1`` multiplies win chances (optionally of
  one segment, team or product);
- ``lead_volume*1.2`` multiplies the rate at which new journeys start.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import pandas as pd

from revintel.forecast._history import FORECAST_DIMENSIONS
from revintel.model import FunnelDefinition

#: Largest factor a what-if may apply to win chances or lead volume. New wins are drawn one by
#: one, so the work of a simulation grows with the factor; ten times today's volume is far
#: beyond any plan, and a larger factor would only let one request exhaust the server's memory.
MAX_FACTOR = 10.0


class ScenarioError(ValueError):
    """A what-if expression that cannot be understood; the message names it."""


@dataclass(frozen=True)
class WinRateChange:
    """Multiply win chances by ``factor`` where ``dimension`` equals ``value`` (all if empty)."""

    factor: float
    dimension: str = ""
    value: str = ""


@dataclass(frozen=True)
class Scenario:
    """A set of what-if changes; the empty scenario is the baseline forecast."""

    step_rates: dict[tuple[str, str], float] = field(default_factory=dict)
    win_rates: tuple[WinRateChange, ...] = ()
    lead_volume: float = 1.0
    expressions: tuple[str, ...] = ()

    @property
    def is_baseline(self) -> bool:
        """Whether the scenario changes nothing."""
        return not self.step_rates and not self.win_rates and self.lead_volume == 1.0


_WIN = re.compile(r"^win_rate(?:\[(?P<dim>\w+)=(?P<value>[^\]]+)\])?\*(?P<factor>[0-9.]+)$")
_VOLUME = re.compile(r"^lead_volume\*(?P<factor>[0-9.]+)$")
_STEP = re.compile(r"^(?P<name>[a-z0-9_]+)_rate=(?P<value>[0-9.]+)$")


def _step(name: str, funnel: FunnelDefinition, text: str) -> tuple[str, str]:
    path = funnel.path_ids
    for source, target in itertools.pairwise(path):
        if name == f"{source}_{target}":
            return source, target
    steps = ", ".join(f"{a}_{b}_rate" for a, b in itertools.pairwise(path))
    raise ScenarioError(f"what-if {text!r}: unknown step {name!r}; known steps: {steps}")


def _number(value: str, text: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ScenarioError(f"what-if {text!r}: {value!r} is not a number") from None


def _factor(value: str, text: str, most: float) -> float:
    factor = _number(value, text)
    if not 0.0 <= factor <= most:
        raise ScenarioError(f"what-if {text!r}: a factor lies between 0 and {most:g}")
    return factor


def parse_scenario(
    expressions: list[str] | tuple[str, ...],
    funnel: FunnelDefinition,
    max_factor: float = MAX_FACTOR,
) -> Scenario:
    """Parse what-if expressions into a :class:`Scenario`.

    ``max_factor`` bounds every factor and their product for lead volume; it cannot exceed
    :data:`MAX_FACTOR`.

    Examples
    --------
    >>> from revintel.model import load_funnel
    >>> s = parse_scenario(["mql_sal_rate=0.6", "win_rate[segment=Enterprise]*1.1"], load_funnel())
    >>> s.step_rates, s.win_rates[0].factor, s.win_rates[0].value
    ({('mql', 'sal'): 0.6}, 1.1, 'Enterprise')
    """
    steps: dict[tuple[str, str], float] = {}
    wins: list[WinRateChange] = []
    volume = 1.0
    most = min(max_factor, MAX_FACTOR)
    for raw in expressions:
        text = raw.replace(" ", "")
        if match := _WIN.match(text):
            dim = match["dim"] or ""
            if dim and dim not in FORECAST_DIMENSIONS:
                known = ", ".join(FORECAST_DIMENSIONS)
                raise ScenarioError(f"what-if {raw!r}: unknown dimension {dim!r}; use {known}")
            factor = _factor(match["factor"], raw, most)
            wins.append(WinRateChange(factor, dim, match["value"] or ""))
        elif match := _VOLUME.match(text):
            volume *= _factor(match["factor"], raw, most)
            if volume > most:
                raise ScenarioError(
                    f"what-if {raw!r}: lead volume changes multiply to {volume:g}; "
                    f"at most {most:g} in all"
                )
        elif match := _STEP.match(text):
            rate = _number(match["value"], raw)
            if not 0.0 <= rate <= 1.0:
                raise ScenarioError(f"what-if {raw!r}: a conversion rate lies between 0 and 1")
            steps[_step(match["name"], funnel, raw)] = rate
        else:
            raise ScenarioError(
                f"what-if {raw!r} not understood; examples: mql_sal_rate=0.6, "
                "win_rate[segment=Enterprise]*1.1, lead_volume*1.2"
            )
    return Scenario(steps, tuple(wins), volume, tuple(expressions))


def check_forecast_limits(
    simulations: int,
    expressions: list[str] | tuple[str, ...],
    funnel: FunnelDefinition,
    max_simulations: int,
    max_factor: float = MAX_FACTOR,
) -> None:
    """Refuse a forecast request beyond the configured bounds before any work is done.

    Raises
    ------
    ScenarioError
        More simulations than ``max_simulations``, or a what-if factor beyond ``max_factor``.
    """
    if simulations > max_simulations:
        raise ScenarioError(f"simulations: at most {max_simulations:,} are allowed")
    if expressions:
        parse_scenario(expressions, funnel, max_factor)


def compare_with_baseline(base: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    """The what-if forecast's rows with the baseline's P50 and the change against it."""
    keys = [c for c in base.columns if c not in ("p10", "p50", "p90", "mean")]
    merged = changed.merge(base[[*keys, "p50"]].rename(columns={"p50": "p50_baseline"}), on=keys)
    return merged.assign(change_p50=merged["p50"] - merged["p50_baseline"])
