"""The decision variables of the allocation programme, and a valid upper bound on its optimum.

A *candidate* is one binary variable x[item, rep, level]. Candidates that can only lose margin
are left out when no coverage rule needs them (leaving the item at the baseline is better).
For large companies only the current owner and the ``k`` best-fitting reps of each item stay
candidates; the Lagrangian bound over *all* pairs then says how far the answer can be from the
optimum of the unrestricted programme.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from revintel.allocation._solver_problem import AllocationProblem, Pairs


@dataclass(frozen=True)
class Candidates:
    """One entry per binary variable: its pair, level column, item, rep, hours, objective."""

    pair: np.ndarray
    column: np.ndarray
    item: np.ndarray
    rep: np.ndarray
    hours: np.ndarray
    objective: np.ndarray

    def __len__(self) -> int:
        return len(self.pair)

    def take(self, keep: np.ndarray) -> Candidates:
        """The candidates selected by ``keep``."""
        return Candidates(
            self.pair[keep],
            self.column[keep],
            self.item[keep],
            self.rep[keep],
            self.hours[keep],
            self.objective[keep],
        )


def restrict_pairs(
    problem: AllocationProblem, k: int | None, prices: np.ndarray | None = None, seed: int = 0
) -> np.ndarray:
    """Indices of the pairs kept: every pair when ``k`` is None, else per item the current
    owner and the ``k`` reps whose best level earns the most after paying their hours at
    ``prices`` (ties broken at random, so that equally fitting reps share the items)."""
    pairs = problem.pairs
    if k is None:
        return np.arange(len(pairs.item))
    if k < 1:
        raise ValueError(f"candidates_per_account must be at least 1, not {k}")
    priced = pairs.objective
    if prices is not None:
        priced = priced - prices[pairs.rep][:, None] * pairs.hours
    best = priced.max(axis=1)
    jitter = np.random.default_rng(seed).random(len(best)) * 1e-6 * (1.0 + np.abs(best))
    score = np.where(np.isfinite(best), best + jitter, -np.inf)
    order = np.lexsort((-score, pairs.item))
    first = np.r_[0, np.flatnonzero(np.diff(pairs.item[order])) + 1]
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    keep = np.zeros(len(order), bool)
    keep[order[rank < k]] = True
    keep |= pairs.rep == problem.items.owner[pairs.item]
    return np.flatnonzero(keep)


def candidates(problem: AllocationProblem, kept: np.ndarray) -> Candidates:
    """The binary variables over the pairs ``kept``."""
    pairs = problem.pairs
    objective = pairs.objective[kept]
    required = problem.items.min_level[pairs.item[kept]] > 0
    useful = np.isfinite(objective) & ((objective > 0) | required[:, None])
    row, column = np.nonzero(useful)
    pair = kept[row]
    return Candidates(
        pair=pair,
        column=column,
        item=pairs.item[pair],
        rep=pairs.rep[pair],
        hours=pairs.hours[pair, column],
        objective=objective[row, column],
    )


def lagrangian_bound(
    problem: AllocationProblem, prices: np.ndarray, target: float, iterations: int = 60
) -> tuple[float, np.ndarray]:
    """Upper bound on the optimum over all pairs, from hour prices ``prices`` per rep on.

    Pricing each rep's hours at λ_r ≥ 0 and dropping the capacity rows leaves one choice per
    item: UB(λ) = Σ_r λ_r·capacity_r + Σ_i max(baseline_i, max_(r,l) value − λ_r·hours), where
    the baseline is 0 for items without a coverage rule and excluded otherwise. Every λ ≥ 0
    gives a valid bound (weak duality); subgradient steps towards ``target`` (a value no
    larger than the optimum of the LP relaxation; Polyak's rule) lower it. Returns the least
    bound seen and its prices.
    """
    prices = np.maximum(prices, 0.0)
    best, best_prices = float("inf"), prices
    scale = 2.0
    for _ in range(iterations + 1):
        bound, used = _bound(problem.pairs, problem, prices)
        if bound < best:
            best, best_prices = bound, prices
        else:
            scale /= 1.5  # no progress: shorter steps
        slack = problem.capacity - used
        norm = float(slack @ slack)
        if not np.isfinite(bound) or norm == 0.0 or best - target <= 1e-7 * abs(best):
            break
        prices = np.maximum(prices - scale * (bound - target) / norm * slack, 0.0)
    return best, best_prices


def _bound(
    pairs: Pairs, problem: AllocationProblem, prices: np.ndarray
) -> tuple[float, np.ndarray]:
    """UB(λ) and the hours each rep would use in the relaxed choice (the subgradient's part)."""
    priced = pairs.objective - prices[pairs.rep][:, None] * pairs.hours
    column = np.argmax(priced, axis=1)
    pair_best = priced[np.arange(len(column)), column]
    required = problem.items.min_level > 0
    item_best = np.where(required, -np.inf, 0.0)
    np.maximum.at(item_best, pairs.item, pair_best)
    if np.isneginf(item_best).any():
        return float("inf"), np.zeros(len(prices))
    chosen = (pair_best == item_best[pairs.item]) & np.isfinite(pair_best)
    chosen &= (pair_best > 0) | required[pairs.item]
    picked = np.flatnonzero(chosen)
    _, unique = np.unique(pairs.item[picked], return_index=True)
    first_pick = picked[unique]
    used = np.bincount(
        pairs.rep[first_pick],
        weights=pairs.hours[first_pick, column[first_pick]],
        minlength=len(prices),
    )
    return float(prices @ problem.capacity + item_best.sum()), used
