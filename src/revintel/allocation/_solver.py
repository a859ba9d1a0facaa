"""Capacity allocation as a mixed-integer programme solved by HiGHS (``scipy.optimize.milp``).

    maximise   Σ v[i,r,l] · x[i,r,l]                    (v: margin − cost of hours − switching)
    subject to Σ_(r,l) x[i,r,l] ≤ 1  for every item i      (= 1 when a coverage rule applies)
               Σ_(i,l) h[i,l] · x[i,r,l] ≤ capacity_r  for every rep r
               x binary, only for pairs the territory rule allows, levels ≥ the required one

Items whose reps share no item with another group of reps form independent blocks (regions,
in practice); each block is solved on its own. The optimality gap is stated against a valid
upper bound: HiGHS' dual bound per block, or, when only the best reps per item were offered,
the Lagrangian bound over every allowed pair with the LP's hour prices.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

from revintel.allocation._response_curve import ResponseCurve
from revintel.allocation._rules import AllocationRules, read_rules
from revintel.allocation._solver_candidates import (
    Candidates,
    candidates,
    lagrangian_bound,
    restrict_pairs,
)
from revintel.allocation._solver_problem import AllocationError, AllocationProblem, build_problem
from revintel.allocation._solver_result import Allocation, assemble, relative_gap

log = logging.getLogger(__name__)


def allocate_capacity(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    *,
    curve: ResponseCurve | Mapping[str, ResponseCurve],
    rules: AllocationRules | None = None,
    opportunities: pd.DataFrame | None = None,
    rep_fit: pd.DataFrame | None = None,
    candidates_per_account: int | None = None,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-3,
) -> Allocation:
    """Assign the reps' selling hours to accounts and open deals for the most expected margin.

    Parameters
    ----------
    accounts, reps, opportunities, rep_fit, curve
        The inputs described in :func:`build_problem`.
    rules
        Service levels, territory, continuity, minimum coverage and margin rate (default:
        the packaged ``conf/allocation.yaml``).
    candidates_per_account
        Offer each item only its current owner and this many best-fitting reps (None: every
        rep the territory rule allows). The gap is then stated against the bound over all.
    time_limit
        Seconds for the whole solve; the best assignment found by then is returned.
    mip_rel_gap
        Relative gap at which HiGHS may stop.

    Raises
    ------
    AllocationError
        An input is invalid, or no assignment keeps the coverage rules within the capacity.
    """
    problem = build_problem(
        accounts,
        reps,
        rules=rules if rules is not None else read_rules(),
        curve=curve,
        opportunities=opportunities,
        rep_fit=rep_fit,
    )
    return solve_problem(
        problem,
        candidates_per_account=candidates_per_account,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
    )


def solve_problem(
    problem: AllocationProblem,
    *,
    candidates_per_account: int | None = None,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-3,
) -> Allocation:
    """Solve a built :class:`AllocationProblem` (see :func:`allocate_capacity`)."""
    started = time.perf_counter()
    prices = np.zeros(len(problem.rep_ids))
    bound = float("inf")
    if candidates_per_account is not None:
        prices, bound = _price_hours(problem, candidates_per_account)
    kept = restrict_pairs(problem, candidates_per_account, prices)
    restricted = len(kept) < len(problem.pairs.item)
    options = candidates(problem, kept)
    _check_coverable(problem, options)
    blocks = _blocks(problem, options)
    chosen: list[np.ndarray] = []
    dual_bound, optimal = 0.0, True
    total = max(len(options), 1)
    for block in blocks:
        remaining = time_limit - (time.perf_counter() - started)
        share = max(remaining * len(block) / total, 1.0)
        total -= len(block)
        result = _solve_block(problem, options.take(block), share, mip_rel_gap)
        chosen.append(block[result.chosen])
        dual_bound += result.bound
        optimal &= result.optimal
    picked = options.take(np.concatenate(chosen) if chosen else np.array([], int))
    objective = float(picked.objective.sum())
    if restricted:
        bound = min(bound, lagrangian_bound(problem, prices, objective)[0])
    else:
        bound = dual_bound
    bound = max(bound, objective)
    return assemble(
        problem,
        picked,
        bound=bound,
        gap=relative_gap(objective, bound),
        status="optimal" if optimal else "time_limit",
        seconds=round(time.perf_counter() - started, 3),
        variables=len(options),
        components=len(blocks),
        restricted=restricted,
    )


def _price_hours(problem: AllocationProblem, k: int) -> tuple[np.ndarray, float]:
    """Hour prices per rep for choosing each item's candidate reps, and the bound they give.

    The LP relaxation over the ``k`` reps that earn most on each item gives first prices and
    a value no larger than the full LP's; subgradient steps over every pair aim at that value
    and lower the Lagrangian bound. Reps whose hours are scarce then cost what they are worth,
    so the candidates chosen with these prices spread the items over the reps with time.
    """
    options = candidates(problem, restrict_pairs(problem, k))
    prices = np.zeros(len(problem.rep_ids))
    value = 0.0
    for block in _blocks(problem, options):
        part = options.take(block)
        reps = np.unique(part.rep)
        block_value, prices[reps] = _relaxation(problem, part, reps)
        value += block_value
    bound, prices = lagrangian_bound(problem, prices, value)
    return prices, bound


def _check_coverable(problem: AllocationProblem, options: Candidates) -> None:
    items = problem.items
    required = np.flatnonzero(items.min_level > 0)
    offered = np.zeros(len(items), bool)
    offered[options.item] = True
    lacking = required[~offered[required]]
    if len(lacking):
        i = lacking[0]
        raise AllocationError(
            f"account {items.ids[i]} (region {items.region[i]}) must get at least "
            f"{problem.rules.level_names[items.min_level[i]]} by rule "
            f"{str(items.coverage_rule[i])!r}, but no rep may serve it; add a rep to that region "
            "or a territory exception"
        )


def _blocks(problem: AllocationProblem, options: Candidates) -> list[np.ndarray]:
    """Candidate indices per independent block (items and reps connected by candidates)."""
    n_items, n_reps = len(problem.items), len(problem.rep_ids)
    graph = sparse.coo_matrix(
        (np.ones(len(options)), (options.item, n_items + options.rep)),
        shape=(n_items + n_reps, n_items + n_reps),
    )
    _, label = connected_components(graph, directed=False)
    block_of = label[options.item]
    order = np.argsort(block_of, kind="stable")
    cuts = np.flatnonzero(np.diff(block_of[order])) + 1
    return [part for part in np.split(order, cuts) if len(part)]


class _BlockResult:
    def __init__(self, chosen: np.ndarray, bound: float, optimal: bool, reps: np.ndarray) -> None:
        self.chosen, self.bound, self.optimal, self.reps = chosen, bound, optimal, reps


def _matrix(
    problem: AllocationProblem, block: Candidates
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows: one per item (≤ 1, = 1 when required), one per rep (hours ≤ capacity)."""
    items, item_row = np.unique(block.item, return_inverse=True)
    reps, rep_row = np.unique(block.rep, return_inverse=True)
    n = len(block)
    rows = np.r_[item_row, len(items) + rep_row]
    values = np.r_[np.ones(n), block.hours]
    matrix = sparse.csr_matrix(
        (values, (rows, np.r_[np.arange(n), np.arange(n)])), shape=(len(items) + len(reps), n)
    )
    required = problem.items.min_level[items] > 0
    lower = np.r_[required.astype(float), np.full(len(reps), -np.inf)]
    upper = np.r_[np.ones(len(items)), problem.capacity[reps]]
    return matrix, lower, upper, items, reps


def _solve_block(
    problem: AllocationProblem, block: Candidates, seconds: float, mip_rel_gap: float
) -> _BlockResult:
    matrix, lower, upper, _, reps = _matrix(problem, block)
    result = milp(
        -block.objective,
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=np.ones(len(block)),
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": seconds, "mip_rel_gap": mip_rel_gap, "disp": False},
    )
    if result.x is None and result.status == 1:
        raise AllocationError(
            f"no assignment found within {seconds:.0f} seconds for a block of {len(block)} "
            "variables; allow more time (time_limit) or fewer candidates per account"
        )
    if result.x is None:
        raise AllocationError(_infeasible(problem, block, reps, str(result.message)))
    chosen = np.flatnonzero(result.x > 0.5)
    dual = getattr(result, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and np.isfinite(dual) else float("inf")
    log.debug("block of %d variables: %s", len(block), result.message)
    return _BlockResult(chosen, bound, result.status == 0, reps)


def _infeasible(
    problem: AllocationProblem, block: Candidates, reps: np.ndarray, message: str
) -> str:
    required = problem.items.min_level[block.item] > 0
    least = pd.Series(block.hours[required]).groupby(block.item[required]).min()
    names = ", ".join(problem.rep_ids[reps][:5]) + (" …" if len(reps) > 5 else "")
    return (
        f"no assignment keeps the minimum coverage rules within the capacity of reps {names}: "
        f"the accounts the rules name need at least {least.sum():.1f} hours a week, the reps "
        f"have {problem.capacity[reps].sum():.1f} (solver: {message})"
    )


def _relaxation(
    problem: AllocationProblem, block: Candidates, reps: np.ndarray
) -> tuple[float, np.ndarray]:
    """The LP relaxation's value and λ_r, the shadow price of an hour of each rep."""
    matrix, lower, upper, items, _ = _matrix(problem, block)
    n_items = len(items)
    required = lower[:n_items] > 0
    item_rows = matrix[:n_items]
    result = linprog(
        -block.objective,
        A_ub=sparse.vstack([item_rows[~required], matrix[n_items:]]).tocsr(),
        b_ub=np.r_[np.ones(int((~required).sum())), upper[n_items:]],
        A_eq=item_rows[required] if required.any() else None,
        b_eq=np.ones(int(required.sum())) if required.any() else None,
        bounds=(0.0, 1.0),
        method="highs",
    )
    if result.status != 0:
        return 0.0, np.zeros(len(reps))
    marginals = np.asarray(result.ineqlin.marginals)[-len(reps) :]
    return -float(result.fun), np.maximum(-marginals, 0.0)
