"""Capacity allocation: the mixed-integer programme on a demo-sized and a large company.

Two seeded synthetic companies are generated inside the benchmark (accounts with potential,
segment, region and owner; reps with region and capacity; open deals; rep fit per segment):

(a) the demo company's size, 3,000 accounts and 20 reps in 4 regions (target < 30 s), every
    rep of the region offered for every account;
(b) 100,000 accounts and 300 reps in 15 regions (target < 10 min), each account offered its
    current owner and the 4 best-fitting reps; the gap is stated against the Lagrangian bound
    over every rep the territory rule allows.

Each case runs in a fresh process: time to build the problem and to solve it, solver status,
objective, upper bound, optimality gap, the greedy baseline's objective and peak memory.
``REVINTEL_BENCH_ALLOCATION_CASES=demo`` runs only (a).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

from benchmarks._measure import timed, write_result

#: name → (accounts, reps, regions, deals, candidates per account, time limit s, target s).
CASES: dict[str, tuple[int, int, int, int, int | None, float, float]] = {
    "demo": (3_000, 20, 4, 300, None, 25.0, 30.0),
    "large": (100_000, 300, 15, 5_000, 4, 480.0, 600.0),
}
#: Enterprise share of the accounts per case: the coverage rules must fit the capacity.
ENTERPRISE_SHARE = {"demo": 0.1, "large": 0.04}
SEED = 17


def run_case(name: str) -> dict[str, Any]:
    """Generate the company of case ``name``, solve it, and measure."""
    from revintel.allocation import (
        ResponseCurve,
        allocate_greedy,
        build_problem,
        read_rules,
        solve_problem,
    )
    from revintel.allocation._solver_instances import synthetic_company

    accounts, reps, regions, deals, k, limit, target = CASES[name]
    company = synthetic_company(
        accounts,
        reps,
        regions=regions,
        deals=deals,
        seed=SEED,
        enterprise_share=ENTERPRISE_SHARE[name],
    )
    curve = ResponseCurve(s0=0.05, s_max=0.35, h_half=40.0)
    rules = read_rules()

    def work() -> tuple[Any, Any, float]:
        started = time.perf_counter()
        problem = build_problem(
            company["accounts"],
            company["reps"],
            rules=rules,
            curve=curve,
            opportunities=company["opportunities"],
            rep_fit=company["rep_fit"],
        )
        built = time.perf_counter() - started
        return problem, solve_problem(problem, candidates_per_account=k, time_limit=limit), built

    (problem, allocation, built), seconds, peak = timed(work)
    greedy = allocate_greedy(problem, candidates_per_account=k)
    load = allocation.rep_hours(problem)
    return {
        "accounts": accounts,
        "reps": reps,
        "regions": regions,
        "open_deals": deals,
        "candidates_per_account": k,
        "time_limit_seconds": limit,
        "target_seconds": target,
        "seconds": round(seconds, 1),
        "build_seconds": round(built, 1),
        "solve_seconds": round(allocation.seconds, 1),
        "peak_mib": round(peak),
        "status": allocation.status,
        "variables": allocation.variables,
        "pairs": len(problem.pairs.item),
        "blocks": allocation.components,
        "objective_eur": round(allocation.objective),
        "upper_bound_eur": round(allocation.bound),
        "gap": round(allocation.gap, 5),
        "bound": "Lagrangian over every allowed pair" if allocation.restricted else "HiGHS dual",
        "greedy_objective_eur": None if greedy is None else round(greedy.objective),
        "assignments": len(allocation.assignments),
        "hours_assigned": round(float(load["hours_per_week"].sum()), 1),
        "capacity_hours": round(float(load["capacity_hours_per_week"].sum()), 1),
        "max_rep_load": round(
            float((load["hours_per_week"] / load["capacity_hours_per_week"]).max()), 4
        ),
        "within_target": seconds < target,
    }


def run(results_dir: Path, cases: list[str]) -> dict[str, Any]:
    """Run ``cases`` each in a fresh process and record the figures."""
    figures: dict[str, Any] = {"benchmark": "allocation", "seed": SEED}
    earlier = results_dir / "allocation.json"
    if earlier.exists():  # a case not run now keeps its last figures
        kept = json.loads(earlier.read_text(encoding="utf-8"))
        figures |= {name: kept[name] for name in CASES if name in kept and name not in cases}
    context = multiprocessing.get_context("spawn")
    for name in cases:
        with context.Pool(1) as pool:
            figures[name] = pool.apply(run_case, (name,))
    write_result(results_dir, "allocation", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", nargs="?", default="benchmarks/results", type=Path)
    arguments = parser.parse_args()
    chosen = os.environ.get("REVINTEL_BENCH_ALLOCATION_CASES", "demo,large").split(",")
    for key, value in run(arguments.results_dir, [c.strip() for c in chosen if c]).items():
        print(f"{key}: {value}")
