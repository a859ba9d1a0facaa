"""The answer of the allocation programme: one row per assignment with its reason, and how
good the answer is (objective, upper bound, optimality gap, solver status)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from revintel.allocation._solver_candidates import Candidates
from revintel.allocation._solver_problem import BASES, AllocationProblem
from revintel.allocation._solver_reasons import AllocationReason

#: The columns analysts' scripts rely on (``revintel allocate --format csv``).
ASSIGNMENT_COLUMNS = (
    "rep_id",
    "account_id",
    "opportunity_id",
    "hours_per_week",
    "expected_gain",
    "reason",
)
DETAIL_COLUMNS = (
    "rep_id",
    "item_id",
    "kind",
    "level",
    "hours_per_week",
    "expected_gain",
    "switch_cost",
    "owner_rep_id",
    "region",
    "segment",
    "basis",
    "reason_kind",
)


@dataclass(frozen=True)
class Allocation:
    """An assignment of selling hours and how good it is.

    Attributes
    ----------
    assignments
        One row per assignment: ``rep_id``, ``account_id`` (empty for deals),
        ``opportunity_id`` (empty for accounts), ``hours_per_week``, ``expected_gain``
        (EUR a year, net of the cost of the hours) and ``reason`` (an
        :class:`AllocationReason`). Accounts without a row stay at the baseline level.
    details
        The same rows with level, switching cost, previous owner, region, segment and basis.
    objective
        Σ expected_gain − Σ switching cost: what the programme maximises.
    bound
        A valid upper bound on the objective over every allowed assignment.
    gap
        (bound − objective) / |bound|: how much better any assignment could at most be.
    status
        ``optimal`` (within the requested gap), ``time_limit`` (best found when time ran
        out) or ``greedy`` (the baseline heuristic).
    """

    assignments: pd.DataFrame
    details: pd.DataFrame
    objective: float
    bound: float
    gap: float
    status: str
    seconds: float
    variables: int
    components: int
    restricted: bool

    def rep_hours(self, problem: AllocationProblem) -> pd.DataFrame:
        """Per rep: ``rep_id``, ``hours_per_week`` assigned and ``capacity_hours_per_week``."""
        used = self.assignments.groupby("rep_id")["hours_per_week"].sum()
        frame = pd.DataFrame(
            {"rep_id": problem.rep_ids, "capacity_hours_per_week": problem.capacity}
        )
        frame["hours_per_week"] = frame["rep_id"].map(used).fillna(0.0)
        return frame[["rep_id", "hours_per_week", "capacity_hours_per_week"]]


def relative_gap(objective: float, bound: float) -> float:
    """(bound − objective) / |bound|, 0 when both are 0."""
    if not np.isfinite(bound):
        return float("inf")
    scale = max(abs(bound), abs(objective))
    return 0.0 if scale == 0 else max(bound - objective, 0.0) / scale


def assemble(
    problem: AllocationProblem, chosen: Candidates, **quality: float | int | str | bool
) -> Allocation:
    """Turn the chosen candidates into an :class:`Allocation` with reasons."""
    pairs, items = problem.pairs, problem.items
    item = chosen.item
    is_deal = items.is_deal[item]
    owner = items.owner[item]
    has_owner = owner >= 0
    gain = pairs.gain[chosen.pair, chosen.column]
    switch_cost = pairs.switch_cost[chosen.pair]
    level = np.where(is_deal, "deal", np.asarray(problem.levels)[chosen.column])
    kind = np.where(
        is_deal, "deal", np.where(chosen.rep == owner, "keep", np.where(has_owner, "switch", "new"))
    )
    owner_gain = _owner_gain(problem, item, chosen.column)
    kind = np.where((kind == "switch") & np.isnan(owner_gain), "new", kind)
    # A switch that gains less than its cost pays because the owner's hours earn more elsewhere.
    kind = np.where((kind == "switch") & (gain - owner_gain < switch_cost), "relieve", kind)
    basis = np.asarray(BASES)[pairs.basis[chosen.pair]]
    at_minimum = (items.min_level[item] > 0) & (chosen.column == items.min_level[item] - 1)
    rule = np.where(at_minimum & ~is_deal, items.coverage_rule[item], "")
    fit = pairs.fit[chosen.pair]
    reasons = [
        AllocationReason(
            kind=str(kind[i]),  # type: ignore[arg-type]
            level=str(level[i]),
            gain=round(float(gain[i]), 2),
            basis=str(basis[i]),
            region=str(items.region[item[i]]),
            fit=round(float(fit[i]), 3),
            gain_over_owner=_over_owner(kind[i], gain[i], owner_gain[i]),
            coverage_rule=str(rule[i]),
        )
        for i in range(len(chosen))
    ]
    rep_id = problem.rep_ids[chosen.rep]
    ids = items.ids[item]
    assignments = pd.DataFrame(
        {
            "rep_id": rep_id,
            "account_id": np.where(is_deal, None, ids),
            "opportunity_id": np.where(is_deal, ids, None),
            "hours_per_week": chosen.hours,
            "expected_gain": np.round(gain, 2),
            "reason": reasons,
        },
        columns=list(ASSIGNMENT_COLUMNS),
    )
    details = pd.DataFrame(
        {
            "rep_id": rep_id,
            "item_id": ids,
            "kind": np.where(is_deal, "opportunity", "account"),
            "level": level,
            "hours_per_week": chosen.hours,
            "expected_gain": gain,
            "switch_cost": np.where(chosen.rep == owner, 0.0, switch_cost),
            "owner_rep_id": np.where(has_owner, problem.rep_ids[np.maximum(owner, 0)], None),
            "reason_kind": kind,
            "region": items.region[item],
            "segment": items.segment[item],
            "basis": basis,
        },
        columns=list(DETAIL_COLUMNS),
    )
    order = np.lexsort((ids, rep_id))
    return Allocation(
        assignments.iloc[order].reset_index(drop=True),
        details.iloc[order].reset_index(drop=True),
        objective=float(chosen.objective.sum()),
        **quality,  # type: ignore[arg-type]
    )


def _over_owner(kind: str, gain: float, owner_gain: float) -> float:
    return round(float(gain - owner_gain), 2) if kind in ("switch", "relieve") else 0.0


def _owner_gain(problem: AllocationProblem, item: np.ndarray, column: np.ndarray) -> np.ndarray:
    """What the current owner would earn on ``item`` at level ``column`` (nan: no owner pair)."""
    pairs = problem.pairs
    owner_pair = np.flatnonzero(pairs.rep == problem.items.owner[pairs.item])
    lookup = np.full(len(problem.items), -1)
    lookup[pairs.item[owner_pair]] = owner_pair
    found = lookup[item]
    gain = pairs.gain[np.maximum(found, 0), column]
    return np.where((found >= 0) & np.isfinite(gain), gain, np.nan)
