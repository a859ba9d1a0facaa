"""A greedy allocation: the baseline the programme must beat.

First every account a coverage rule names gets its required level from the rep who earns most
on it and still has the hours (or, when that leaves an account without one, from the rep with
the most hours left); then the remaining candidates are taken by margin per hour, one
per item, while the rep has hours left.
"""

from __future__ import annotations

import time

import numpy as np

from revintel.allocation._solver_candidates import Candidates, candidates, restrict_pairs
from revintel.allocation._solver_problem import AllocationProblem
from revintel.allocation._solver_result import Allocation, assemble


def allocate_greedy(
    problem: AllocationProblem, *, candidates_per_account: int | None = None
) -> Allocation | None:
    """The greedy allocation of ``problem``, or None when it cannot keep the coverage rules."""
    started = time.perf_counter()
    options = candidates(problem, restrict_pairs(problem, candidates_per_account))
    items = problem.items
    minimum = items.min_level[options.item]
    required = np.flatnonzero((minimum > 0) & (options.column == minimum - 1))
    for by_value in (True, False):
        left, done, taken = _cover(problem, options, required, by_value)
        if done[np.flatnonzero(items.min_level > 0)].all():
            break
    else:
        return None
    density = options.objective / np.maximum(options.hours, 1e-9)
    for c in np.argsort(-density, kind="stable"):
        item, rep = options.item[c], options.rep[c]
        if options.objective[c] > 0 and not done[item] and options.hours[c] <= left[rep] + 1e-9:
            done[item], left[rep] = True, left[rep] - options.hours[c]
            taken.append(int(c))
    chosen = options.take(np.array(sorted(taken), dtype=int))
    return assemble(
        problem,
        chosen,
        bound=float("inf"),
        gap=float("inf"),
        status="greedy",
        seconds=round(time.perf_counter() - started, 3),
        variables=len(options),
        components=1,
        restricted=candidates_per_account is not None,
    )


def _cover(
    problem: AllocationProblem, options: Candidates, required: np.ndarray, by_value: bool
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Give each required account its minimum level: from the rep earning most on it (or,
    when that runs a rep out of hours, from the rep with the most hours left)."""
    left = problem.capacity.astype(float).copy()
    done = np.zeros(len(problem.items), bool)
    taken: list[int] = []
    item = options.item[required]
    for group in np.split(required[np.argsort(item, kind="stable")], _cuts(np.sort(item))):
        fits = group[options.hours[group] <= left[options.rep[group]] + 1e-9]
        if not len(fits):
            continue
        key = options.objective[fits] if by_value else left[options.rep[fits]]
        c = int(fits[np.argmax(key)])
        done[options.item[c]], left[options.rep[c]] = True, left[options.rep[c]] - options.hours[c]
        taken.append(c)
    return left, done, taken


def _cuts(sorted_items: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.diff(sorted_items)) + 1
