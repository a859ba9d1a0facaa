"""What the forecast learns from history up to a cut-off: close curves, shrunk win probabilities,
close-date slips, the recent mix of won deals and the rate at which new journeys start."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from revintel.forecast._history import (
    PACE_GROUP,
    History,
    Journeys,
    cutoff_days,
    replay_leads,
    replay_opportunities,
)
from revintel.forecast._pace import PACE_DAYS, PACE_PRIOR, milestone_pace
from revintel.forecast._survival import (
    LOOKBACK_DAYS,
    CloseCurve,
    landmark_curves,
    milestone_curves,
)
from revintel.metrics import wilson_interval

#: Pseudo-count of the configured default probability when a segment's estimate is shrunk.
PRIOR_STRENGTH = 30.0
#: Days entrants are given to move on before they count: the measured step conversion rates
#: (the base of what-if step changes) use only entrants at least this old at the cut-off, and the
#: win-rate drift compares cohorts that had this long to close.
MATURITY_DAYS = 182.0
#: Days of won deals whose amounts and attributes new business draws from (all won deals when
#: fewer than :data:`MIN_POOL` were won in that time).
POOL_DAYS = 365.0
#: Fewest won deals in :data:`POOL_DAYS` that make a pool of their own.
MIN_POOL = 20
#: Days of recent first-stage starts that set the rate of new journeys (the default of
#: ``ForecastSettings.arrival_days``, chosen by ``benchmarks/forecast_sweep.py``).
ARRIVAL_DAYS = 91.0
#: Power of the growth between the last two arrival windows applied to the rate (0: none).
ARRIVAL_TREND = 0.5
#: Days monthly cohorts get to close when a short history has too few quarterly cohorts.
SHORT_MATURITY = 91.0


def shrink(measured: float, entrants: int, default: float, strength: float) -> float:
    """Measured probability pulled toward ``default`` by ``strength`` pseudo-observations.

    Examples
    --------
    >>> round(shrink(0.5, 10, 0.2, 30.0), 3), round(shrink(0.5, 3000, 0.2, 30.0), 3)
    (0.275, 0.497)
    """
    return (entrants * measured + strength * default) / (entrants + strength)


@dataclass(frozen=True)
class FunnelModel:
    """The funnel as measured at ``as_of``; see :func:`fit_funnel_model`."""

    history: History
    as_of: date
    cut: float
    opportunities: Journeys
    leads: Journeys
    opp_curves: dict[tuple[int, str], CloseCurve]
    lead_curves: dict[tuple[int, str], CloseCurve]
    opp_landmarks: dict[tuple[int, int], CloseCurve]
    lead_landmarks: dict[tuple[int, int], CloseCurve]
    probabilities: pd.DataFrame
    slips: np.ndarray
    pool: pd.DataFrame
    arrivals_per_day: float
    arrival_stage: str
    step_rates: dict[str, float]
    live: bool
    drift: float
    pace: dict[tuple[int, str], float]
    posterior: np.ndarray

    def probability_table(self) -> pd.DataFrame:
        """:attr:`probabilities` for people: the pooled estimate's segment reads ``(all)``."""
        return self.probabilities.replace({"segment": {"": "(all)"}})

    @property
    def milestone_probability(self) -> dict[tuple[str, str], float]:
        """``(milestone, segment) -> shrunk P(won)``; segment ``""`` is the pooled estimate."""
        frame = self.probabilities
        return dict(
            zip(
                zip(frame["milestone"], frame["segment"], strict=True),
                frame["probability"],
                strict=True,
            )
        )


def _probability_table(
    history: History, curves: dict[tuple[int, str], CloseCurve], strength: float
) -> pd.DataFrame:
    rows = []
    for (k, segment), curve in curves.items():
        milestone = history.funnel.get(history.opp_path[k])
        measured = curve.win_probability
        rows.append(
            {
                "milestone": milestone.id,
                "segment": segment,
                "entrants": curve.entrants,
                "measured": measured,
                "default": milestone.default_probability,
                "probability": shrink(
                    measured, curve.entrants, milestone.default_probability, strength
                ),
            }
        )
    columns = ["milestone", "segment", "entrants", "measured", "default", "probability"]
    frame = pd.DataFrame(rows, columns=columns)
    # Wilson bounds on the measured share; with censoring they are approximate.
    low, high = wilson_interval(frame["measured"] * frame["entrants"], frame["entrants"])
    return frame.assign(measured_low=low, measured_high=high)


def _slips(opps: Journeys) -> np.ndarray:
    """Days won deals closed after (positive) or before their expected close date, sorted."""
    expected = opps.frame["expected_close"].to_numpy(float)
    done = opps.won & ~np.isnan(expected)
    return np.sort(opps.closed[done] - expected[done])


def _recent_wins(opps: Journeys, cut: float) -> pd.DataFrame:
    frame = opps.frame.assign(closed=opps.closed)
    won = frame[opps.won]
    recent = won[won["closed"] >= cut - POOL_DAYS]
    chosen = recent if len(recent) >= MIN_POOL else won
    return chosen[["opportunity_id", "amount", "segment", "team", "product"]].reset_index(drop=True)


def _impute_amounts(opps: Journeys) -> Journeys:
    """Open deals without an amount (some CRMs fill it only at closing) get the median amount of
    the deals of the same product won by the cut-off, else the median of all won deals."""
    frame = opps.frame
    missing = frame["amount"].isna()
    if not missing.any():
        return opps
    won = frame[opps.won & frame["amount"].notna()]
    overall = float(won["amount"].median()) if len(won) else 0.0
    by_product = won.groupby("product")["amount"].median()
    filled = frame["product"].map(by_product).fillna(overall)
    frame = frame.assign(amount=frame["amount"].fillna(filled))
    return replace(opps, frame=frame)


def _value_weights(opps: Journeys) -> np.ndarray:
    """Deal amounts as curve weights: big deals are won less often, and intake is value."""
    amounts = opps.frame["amount"].to_numpy(float)
    return np.where(np.isnan(amounts) | (amounts <= 0), 0.0, amounts)


def _win_rate_drift(
    opps: Journeys, cut: float, cohorts: int = 8, days: float = 91.0, mature: float = MATURITY_DAYS
) -> float:
    """Spread (standard deviation of the log) of the won share of pipeline value between
    cohorts of new opportunities (``days`` long) that had ``mature`` days to close.

    Win rates drift from quarter to quarter more than coin flips explain; the simulation draws
    one common factor per run with this spread so its range carries that drift too. With fewer
    than three usable cohorts the spread is 0.
    """
    first = opps.entries[:, 0] if opps.entries.shape[1] else np.array([])
    amounts = np.nan_to_num(opps.frame["amount"].to_numpy(float))
    rates = []
    for q in range(cohorts):
        end = cut - mature - q * days
        cohort = (first >= end - days) & (first < end)
        value = amounts[cohort].sum()
        if cohort.sum() >= 20 and value > 0:
            rates.append(amounts[cohort & opps.won].sum() / value)
    rates_arr = np.array(rates)
    rates_arr = rates_arr[rates_arr > 0]
    return float(np.std(np.log(rates_arr), ddof=1)) if len(rates_arr) >= 3 else 0.0


def _drift(opps: Journeys, cut: float) -> float:
    """Quarterly cohort drift; for a short history, monthly cohorts after a quarter to close."""
    return _win_rate_drift(opps, cut) or _win_rate_drift(opps, cut, 8, 30.0, SHORT_MATURITY)


def _posterior(opps: Journeys, cut: float, curves: dict[tuple[int, str], CloseCurve]) -> np.ndarray:
    """Beta posterior ``(a, b)`` of the won share of value per milestone (one row each).

    A share measured on few closed deals, or on a few big ones, is uncertain: the posterior
    counts the value-weighted effective number of closed entrants of the look-back window,
    ``(Σw)² / Σw²``, around the measured probability, with a uniform prior.
    """
    amounts = _value_weights(opps)
    out = np.ones((opps.entries.shape[1], 2))
    for k in range(opps.entries.shape[1]):
        done = (opps.entries[:, k] >= cut - LOOKBACK_DAYS) & ~np.isnan(opps.closed)
        w = amounts[done]
        n = float(w.sum() ** 2 / (w**2).sum()) if (w**2).sum() > 0 else float(done.sum())
        p = curves[(k, "")].win_probability
        out[k] = (p * n + 1.0, (1.0 - p) * n + 1.0)
    return out


def _arrivals(
    leads: Journeys, opps: Journeys, cut: float, days: float, trend: float
) -> tuple[float, str]:
    """Journeys started per day over the last ``days`` at the funnel's first stage.

    With ``trend`` above 0 the rate follows its growth: it is multiplied by the ratio of the
    last window's starts to the window before, to that power (the ratio bounded to 0.5–2).
    """
    for journeys in (leads, opps):
        if journeys.entries.shape[1] == 0 or journeys.entries.shape[0] == 0:
            continue
        first = journeys.entries[:, 0]
        started = first[~np.isnan(first)]
        if len(started) == 0:
            continue
        span = min(days, cut - float(started.min()))
        recent = np.count_nonzero(started >= cut - span)
        rate = recent / max(span, 1.0)
        before = np.count_nonzero((started >= cut - 2 * span) & (started < cut - span))
        if trend > 0 and before > 0 and cut - float(started.min()) >= 2 * span:
            rate *= float(np.clip(recent / before, 0.5, 2.0)) ** trend
        return rate, journeys.milestones[0]
    return 0.0, ""


def _step_rates(journeys: Journeys, cut: float) -> dict[str, float]:
    rates: dict[str, float] = {}
    mature = cut - MATURITY_DAYS
    for k in range(journeys.entries.shape[1] - 1):
        source = journeys.entries[:, k]
        base = ~np.isnan(source) & (source < mature)
        reached = base & ~np.isnan(journeys.entries[:, k + 1])
        name = f"{journeys.milestones[k]}_{journeys.milestones[k + 1]}_rate"
        rates[name] = float(reached.sum() / base.sum()) if base.any() else float("nan")
    return rates


def fit_funnel_model(
    history: History,
    as_of: date | None = None,
    prior_strength: float = PRIOR_STRENGTH,
    *,
    pace_days: float = PACE_DAYS,
    pace_prior: float = PACE_PRIOR,
    arrival_days: float = ARRIVAL_DAYS,
    arrival_trend: float = ARRIVAL_TREND,
) -> FunnelModel:
    """Measure the funnel from what was known at the end of ``as_of`` (default: last event).

    ``pace_days`` and ``pace_prior`` set the window and pseudo-exits of the pace (see
    :func:`milestone_pace`); ``arrival_days`` and ``arrival_trend`` the window of the arrival
    rate of new journeys and the power of its growth. Deal scores are used only for a live
    forecast (``as_of`` at or after the last event): scores are computed today and would leak
    into a forecast of the past.
    """
    as_of = as_of or history.last_event
    cut = cutoff_days(as_of)
    opps = _impute_amounts(replay_opportunities(history, as_of))
    leads = replay_leads(history, as_of)
    segments = opps.frame["segment"].to_numpy(str)
    opp_curves = milestone_curves(opps.entries, opps.closed, opps.won, cut, segments)
    lead_curves = milestone_curves(leads.entries, leads.closed, leads.won, cut)
    rate, stage = _arrivals(leads, opps, cut, arrival_days, arrival_trend)
    left = leads.frame["opportunity_created"].to_numpy(float)
    return FunnelModel(
        history=history,
        as_of=as_of,
        cut=cut,
        opportunities=opps,
        leads=leads,
        opp_curves=opp_curves,
        lead_curves=lead_curves,
        opp_landmarks=landmark_curves(
            opps.entries, opps.closed, opps.won, cut, weights=_value_weights(opps)
        ),
        lead_landmarks=landmark_curves(leads.entries, leads.closed, leads.won, cut, left),
        probabilities=_probability_table(history, opp_curves, prior_strength),
        slips=_slips(opps),
        pool=_recent_wins(opps, cut),
        arrivals_per_day=rate,
        arrival_stage=stage,
        step_rates={**_step_rates(leads, cut), **_step_rates(opps, cut)},
        live=as_of >= history.last_event,
        drift=_drift(opps, cut),
        posterior=_posterior(opps, cut, opp_curves),
        pace=milestone_pace(opps, cut, opps.frame[PACE_GROUP].to_numpy(str), pace_days, pace_prior),
    )
