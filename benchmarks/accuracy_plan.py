"""Backtest of the reverse-funnel plan on the default demo company at three seeds.

At every quarter end with two years of history before it, the plan for the next quarter is made
with the target set to the order intake won in that quarter; its required-MQL interval (nominal
80 %) is compared with the MQLs that fed the quarter (the quarter shifted back by the plan's
median MQL-to-won lag). Reported: coverage over origins and seeds, its spread across seeds, the
median relative error of the P50, for the plan split by channel and for the company as a whole.
The plan's constants (windows, prior strength) are fixed in the library and not tuned here.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks._measure import write_result
from revintel.alignment._plan_backtest import backtest_plan, quarter_origins
from revintel.alignment._plan_rates import load_journeys
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

DEMO_SEEDS = (42, 1, 2)
GROUPINGS = {"channel": "channel", "company": ""}
DRAWS = 1000
LEVEL = 0.8


def demo(seed: int) -> dict[str, Any]:
    """Backtest the plan on the default demo company at ``seed``, split both ways."""
    config = SynthConfig(seed=seed)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s.duckdb") as store:
        write_demo_company(store, config)
        journeys = load_journeys(store)
    origins = quarter_origins(journeys, config.start)
    out: dict[str, Any] = {"seed": seed, "origins": len(origins)}
    for label, by in GROUPINGS.items():
        start = time.perf_counter()
        result = backtest_plan(journeys, origins, by=by, draws=DRAWS, seed=0, level=LEVEL)
        points = result.points
        out[label] = {
            "coverage": round(result.coverage, 4),
            "median_relative_error": round(result.median_relative_error, 4),
            "median_bias": round(float(points["relative_error"].median()), 4),
            "covered": int(points["covered"].sum()),
            "points": len(points),
            "seconds": round(time.perf_counter() - start, 1),
            "rows": [
                {
                    "origin": r["origin"].isoformat()
                    if isinstance(r["origin"], date)
                    else str(r["origin"]),
                    "target": r["target"],
                    "required_p50": r["required_p50"],
                    "low": r["low"],
                    "high": r["high"],
                    "realised": int(r["realised"]),
                }
                for r in points.to_dict(orient="records")
            ],
        }
    return out


def run(results_dir: Path) -> dict[str, Any]:
    """Backtest every seed and write ``results/accuracy_plan.json``."""
    demos = [demo(seed) for seed in DEMO_SEEDS]
    summary = {}
    for label in GROUPINGS:
        covered = sum(d[label]["covered"] for d in demos)
        points = sum(d[label]["points"] for d in demos)
        per_seed = [d[label]["coverage"] for d in demos]
        summary[label] = {
            "coverage": round(covered / points, 4),
            "coverage_min": min(per_seed),
            "coverage_max": max(per_seed),
            "median_relative_error": round(
                statistics.median(d[label]["median_relative_error"] for d in demos), 4
            ),
            "points": points,
        }
    figures = {
        "benchmark": "accuracy_plan",
        "level": LEVEL,
        "draws": DRAWS,
        "demo": demos,
        "summary": summary,
    }
    write_result(results_dir, "accuracy_plan", figures)
    return figures


def _pct(value: float) -> str:
    return f"{100 * value:.0f} %"


def _summary(figures: dict[str, Any]) -> str:
    lines = [
        "| plan split | origins × seeds | coverage of the 80 % interval | range over seeds "
        "| median relative error of the P50 |",
        "|---|---|---|---|---|",
    ]
    for label, s in figures["summary"].items():
        lines.append(
            f"| {label} | {s['points']} | {_pct(s['coverage'])} | "
            f"{_pct(s['coverage_min'])}–{_pct(s['coverage_max'])} | "
            f"{_pct(s['median_relative_error'])} |"
        )
    return "\n".join(lines)


def _seeds(figures: dict[str, Any]) -> str:
    lines = [
        "| seed | origins | coverage (channel) | median error (channel) | median bias (channel) "
        "| coverage (company) | median error (company) |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in figures["demo"]:
        c, k = d["channel"], d["company"]
        lines.append(
            f"| {d['seed']} | {d['origins']} | {_pct(c['coverage'])} | "
            f"{_pct(c['median_relative_error'])} | {100 * c['median_bias']:+.0f} % | "
            f"{_pct(k['coverage'])} | {_pct(k['median_relative_error'])} |"
        )
    return "\n".join(lines)


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The docs blocks ``plan-backtest`` and ``plan-seeds``."""
    return {"plan-backtest": _summary(figures), "plan-seeds": _seeds(figures)}


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results"))
