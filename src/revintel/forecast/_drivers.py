"""Per-opportunity and per-month inputs of the simulation, derived from a fitted funnel model.

Open opportunities get P(won in each forecast period); the funnel not yet in the pipeline gets an
expected number of wins per period. A :class:`~revintel.forecast.Scenario` changes both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from revintel.forecast._history import PACE_GROUP
from revintel.forecast._model import FunnelModel
from revintel.forecast._pace import dilate
from revintel.forecast._scenario import Scenario
from revintel.forecast._survival import LANDMARKS, CloseCurve

#: Fewer comparable slips than this and the close date is drawn from the survival curve instead.
MIN_SLIPS = 20


@dataclass(frozen=True)
class OpenPipeline:
    """Open opportunities with their per-period win probabilities (rows sum to at most 1)."""

    frame: pd.DataFrame
    probabilities: np.ndarray
    milestone: np.ndarray


def _step_factor(model: FunnelModel, scenario: Scenario, milestone_rank: np.ndarray) -> np.ndarray:
    """How a changed step conversion scales the win chance of entities at each rank."""
    factor = np.ones(len(milestone_rank))
    funnel = model.history.funnel
    for (source, target), rate in scenario.step_rates.items():
        measured = model.step_rates.get(f"{source}_{target}_rate", float("nan"))
        if not measured > 0:
            continue
        factor = np.where(milestone_rank <= funnel.rank(source), factor * rate / measured, factor)
    return factor


def _win_factor(scenario: Scenario, frame: pd.DataFrame) -> np.ndarray:
    factor = np.ones(len(frame))
    for change in scenario.win_rates:
        match = (frame[change.dimension] == change.value).to_numpy() if change.dimension else True
        factor = np.where(match, factor * change.factor, factor)
    return factor


def _survival_timing(curve: CloseCurve, age: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """P(won in each period | open at ``age``), periods given by day ``edges`` after the cut."""
    starts = age[:, None] + edges[None, :-1]
    ends = age[:, None] + edges[None, 1:]
    return curve.win_between(age[:, None], starts, ends)


def _outlook(
    curves: dict[tuple[int, int], CloseCurve], k: int, age: np.ndarray, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """P(won ever) and P(won in each period) of entities at milestone ``k`` for ``age`` days.

    Each entity uses the latest landmark it has passed that enough history supports.
    """
    usable = [j for j in range(len(LANDMARKS)) if curves[(k, j)].entrants >= MIN_SLIPS] or [0]
    choice = np.searchsorted(LANDMARKS[usable], age, side="right") - 1
    ahead = np.zeros(len(age))
    wins = np.zeros((len(age), len(edges) - 1))
    for position, j in enumerate(usable):
        rows = choice == position
        if not rows.any():
            continue
        curve, since = curves[(k, j)], age[rows] - LANDMARKS[j]
        ahead[rows] = curve.win_between(since, since, np.full(len(since), np.inf))
        wins[rows] = _survival_timing(curve, since, edges)
    return ahead, wins


def _slip_timing(slips: np.ndarray, overdue: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of each period among historical slips longer than the current ``overdue`` days."""
    later = len(slips) - np.searchsorted(slips, overdue, side="right")
    at = np.searchsorted(slips, overdue[:, None] + edges[None, :], side="right")
    counts = np.diff(at, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(later[:, None] > 0, counts / later[:, None], 0.0)
    return np.where((later >= MIN_SLIPS)[:, None], share, np.nan)


def _segment_ratio(model: FunnelModel, milestone: str, segments: np.ndarray) -> np.ndarray:
    probs = model.milestone_probability
    pooled = probs.get((milestone, ""), 0.0)
    if pooled <= 0:
        return np.ones(len(segments))
    return np.array([probs.get((milestone, s), pooled) / pooled for s in segments])


def open_pipeline(
    model: FunnelModel,
    edges: np.ndarray,
    scenario: Scenario,
    use_slips: bool = True,
    use_pace: bool = True,
) -> OpenPipeline:
    """Open opportunities at the cut-off and P(won in each period between ``edges``)."""
    opps = model.opportunities
    furthest, entered = opps.current()
    keep = opps.is_open & (furthest >= 0)
    frame = opps.frame[keep].reset_index(drop=True)
    rank, age = furthest[keep], model.cut - entered[keep]
    chance = np.zeros(len(frame))
    timing = np.zeros((len(frame), len(edges) - 1))
    for k, milestone in enumerate(opps.milestones):
        rows = rank == k
        if not rows.any():
            continue
        ahead, wins = _outlook(model.opp_landmarks, k, age[rows], edges)
        segments = frame.loc[rows, "segment"].to_numpy(str)
        chance[rows] = ahead * _segment_ratio(model, milestone, segments)
        with np.errstate(divide="ignore", invalid="ignore"):
            timing[rows] = wins / ahead[:, None]
    timing = np.nan_to_num(timing)
    if use_slips and len(model.slips) >= MIN_SLIPS:
        overdue = model.cut - frame["expected_close"].to_numpy(float)
        slip = _slip_timing(model.slips, np.nan_to_num(overdue, nan=np.inf), edges)
        timing = np.where(np.isnan(slip), timing, slip)
    if use_pace:
        groups = frame[PACE_GROUP].to_numpy(str)
        pace = np.array([model.pace.get((k, g), 1.0) for k, g in zip(rank, groups, strict=True)])
        timing = dilate(timing, edges, pace)
    if model.live and len(model.history.deal_scores):
        scores = frame["opportunity_id"].map(model.history.deal_scores).to_numpy(float)
        chance = np.where(np.isnan(scores), chance, scores)
    funnel = model.history.funnel
    ranks = np.array([funnel.rank(m) for m in opps.milestones])[rank] if len(rank) else rank
    chance = chance * _step_factor(model, scenario, ranks) * _win_factor(scenario, frame)
    return OpenPipeline(frame, np.clip(chance, 0.0, 1.0)[:, None] * timing, rank)


def _funnel_leads(model: FunnelModel, edges: np.ndarray, scenario: Scenario) -> np.ndarray:
    leads = model.leads
    furthest, entered = leads.current()
    keep = leads.is_open & (furthest >= 0) & ~leads.frame["has_opportunity"].to_numpy(bool)
    rank, age = furthest[keep], model.cut - entered[keep]
    funnel = model.history.funnel
    expected = np.zeros(len(edges) - 1)
    for k, milestone in enumerate(leads.milestones):
        rows = rank == k
        if rows.any():
            _, wins = _outlook(model.lead_landmarks, k, age[rows], edges)
            factor = _step_factor(model, scenario, np.full(rows.sum(), funnel.rank(milestone)))
            cap = 1.0 / np.maximum(wins.sum(axis=1), 1e-12)
            expected += (wins * np.minimum(factor, cap)[:, None]).sum(axis=0)
    return expected


def _future_arrivals(model: FunnelModel, edges: np.ndarray, scenario: Scenario) -> np.ndarray:
    stage = model.arrival_stage
    if not stage or model.arrivals_per_day <= 0:
        return np.zeros(len(edges) - 1)
    opp_stage = stage in model.opportunities.milestones
    curve = model.opp_curves[(0, "")] if opp_stage else model.lead_curves[(0, "")]
    days = np.arange(int(np.ceil(edges[-1]))) + 0.5
    starts = np.maximum(edges[None, :-1] - days[:, None], 0.0)
    ends = np.maximum(edges[None, 1:] - days[:, None], 0.0)
    wins = curve.win_between(np.zeros_like(starts), starts, ends).sum(axis=0)
    factor = _step_factor(model, scenario, np.array([model.history.funnel.rank(stage)]))[0]
    return wins * model.arrivals_per_day * scenario.lead_volume * factor


def new_business(
    model: FunnelModel, edges: np.ndarray, scenario: Scenario
) -> tuple[np.ndarray, np.ndarray]:
    """Expected wins per period not yet in the pipeline, and the pool's sampling weights.

    Leads in the funnel without an opportunity contribute only in a store that has leads; new
    journeys start at the recent arrival rate of the funnel's first stage.
    """
    rates = _funnel_leads(model, edges, scenario) + _future_arrivals(model, edges, scenario)
    weights = _win_factor(scenario, model.pool)
    if len(weights):
        rates = rates * float(weights.mean())
    return rates, weights
