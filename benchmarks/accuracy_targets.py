"""Calibration of the chance of reaching a target, backtested on the default demo company.

At each of the last month-ends of the history (leaving the quarter after the last origin
observed), the forecast is run as of that day over the rest of the current calendar quarter
(a whole quarter at a quarter end, one or two months and intake already booked otherwise).
The quarter's target is set as a plan would be, without looking at the outcome: last year's
intake of the same quarter × 1.12 (the demo's planned growth), times a level from 0.7 to 1.3,
so targets easy and hard are both asked. Each (origin, level) gives a stated chance and
whether booked + realised intake reached the target. Reported per seed and over all: the
reliability table (stated chance in bins against the share reached), the Brier score, and the
Brier score of always stating the base rate (the share of targets reached over all points)
as the reference a useful chance must beat.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks._measure import write_result
from revintel.forecast import (
    ForecastSettings,
    attach_targets,
    booked_intake,
    forecast,
    load_history,
    period_bounds,
)
from revintel.model import load_funnel
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

DEMO_SEEDS = (42, 1, 2)
ORIGINS = 18
LEVELS = (0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3)
PLANNED_GROWTH = 1.12
SIMULATIONS = 1_000  # as the Forecast page and the API
BINS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)


def _quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _month_ends(last: date, count: int) -> list[date]:
    ends = []
    day = date(last.year, last.month, 1) - timedelta(days=1)
    while len(ends) < count:
        ends.append(day)
        day = date(day.year, day.month, 1) - timedelta(days=1)
    return sorted(ends)


def _months_to_quarter_end(origin: date) -> int:
    start = origin + timedelta(days=1)
    return 3 - (start.month - 1) % 3


def demo(seed: int) -> dict[str, Any]:
    """The stated chances and outcomes at every origin and level of the demo at ``seed``."""
    config = SynthConfig(seed=seed)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s.duckdb") as store:
        write_demo_company(store, config)
        history = load_history(store, load_funnel())
    # the last origin leaves its whole quarter observed before the last event
    last_quarter_end = period_bounds(_quarter_of(history.last_event))[0] - timedelta(days=1)
    origins = _month_ends(last_quarter_end + timedelta(days=1), ORIGINS)
    rows = []
    start_time = time.perf_counter()
    for origin in origins:
        quarter = _quarter_of(origin + timedelta(days=1))
        start, end = period_bounds(quarter)
        settings = ForecastSettings(
            months=_months_to_quarter_end(origin), simulations=SIMULATIONS, seed=seed
        )
        result = forecast(history, origin, settings)
        year_before = date(start.year - 1, start.month, 1)
        reference = booked_intake(history, year_before, date(end.year - 1, end.month, end.day))
        realised = booked_intake(history, start, end)["all"]
        for level in LEVELS:
            target = round(reference["all"] * PLANNED_GROWTH * level, -3)
            plan = pd.DataFrame(
                [
                    {
                        "period_start": start,
                        "period_end": end,
                        "team": None,
                        "rep_id": None,
                        "segment": None,
                        "amount": target,
                        "measure": "order_intake",
                    }
                ]
            )
            frame = attach_targets(result.frame, result, history, plan)
            row = frame[
                (frame["grain"] == "quarter")
                & (frame["period"] == quarter)
                & (frame["source"] == "total")
            ].iloc[0]
            rows.append(
                {
                    "origin": origin.isoformat(),
                    "quarter": quarter,
                    "level": level,
                    "target": target,
                    "booked": float(row["booked"]),
                    "p_reach": float(row["p_reach_target"]),
                    "reached": bool(realised >= target),
                    "realised": round(realised, 2),
                }
            )
    return {
        "seed": seed,
        "origins": len(origins),
        "seconds": round(time.perf_counter() - start_time, 1),
        "points": rows,
    }


def _brier(points: pd.DataFrame) -> float:
    return float(np.mean((points["p_reach"] - points["reached"].astype(float)) ** 2))


def reliability(points: pd.DataFrame) -> list[dict[str, Any]]:
    """Per bin of stated chance: points, mean stated chance and share of targets reached."""
    bins = pd.cut(points["p_reach"], BINS, include_lowest=True, right=False)
    # a chance of exactly 1 belongs to the last bin
    bins = bins.where(points["p_reach"] < 1.0, pd.Interval(BINS[-2], BINS[-1], closed="left"))
    out = []
    for interval, part in points.groupby(bins, observed=False):
        out.append(
            {
                "low": float(interval.left),
                "high": float(interval.right),
                "points": len(part),
                "stated": round(float(part["p_reach"].mean()), 4) if len(part) else None,
                "reached": round(float(part["reached"].mean()), 4) if len(part) else None,
            }
        )
    return out


def run(results_dir: Path) -> dict[str, Any]:
    """Backtest every seed and write ``results/accuracy_targets.json``."""
    demos = [demo(seed) for seed in DEMO_SEEDS]
    every = pd.DataFrame([p for d in demos for p in d["points"]])
    base_rate = float(every["reached"].mean())
    per_seed = []
    for d in demos:
        points = pd.DataFrame(d["points"])
        per_seed.append(
            {
                "seed": d["seed"],
                "points": len(points),
                "brier": round(_brier(points), 4),
                "brier_base_rate": round(
                    float(np.mean((base_rate - points["reached"].astype(float)) ** 2)), 4
                ),
                "reached": round(float(points["reached"].mean()), 4),
                "stated": round(float(points["p_reach"].mean()), 4),
            }
        )
    figures = {
        "benchmark": "accuracy_targets",
        "seeds": list(DEMO_SEEDS),
        "levels": list(LEVELS),
        "simulations": SIMULATIONS,
        "reliability": reliability(every),
        "reliability_per_seed": {d["seed"]: reliability(pd.DataFrame(d["points"])) for d in demos},
        "summary": {
            "points": len(every),
            "brier": round(_brier(every), 4),
            "brier_base_rate": round(
                float(np.mean((base_rate - every["reached"].astype(float)) ** 2)), 4
            ),
            "base_rate": round(base_rate, 4),
            "stated": round(float(every["p_reach"].mean()), 4),
        },
        "per_seed": per_seed,
        "demo": demos,
    }
    write_result(results_dir, "accuracy_targets", figures)
    return figures


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _reliability(figures: dict[str, Any]) -> str:
    seeds = figures["reliability_per_seed"]
    lines = [
        "| stated chance | points | mean stated | share reached | share reached per seed "
        "(" + " / ".join(str(s) for s in seeds) + ") |",
        "|---|---|---|---|---|",
    ]
    for i, b in enumerate(figures["reliability"]):
        per_seed = " / ".join(_pct(s[i]["reached"]) for s in seeds.values())
        lines.append(
            f"| {_pct(b['low'])} – {_pct(b['high'])} | {b['points']} | {_pct(b['stated'])} | "
            f"{_pct(b['reached'])} | {per_seed} |"
        )
    return "\n".join(lines)


def _scores(figures: dict[str, Any]) -> str:
    lines = [
        "| seed | points | mean stated chance | share reached | Brier score "
        "| Brier score of the base rate |",
        "|---|---|---|---|---|---|",
    ]
    rows = [*figures["per_seed"], {"seed": "all", **figures["summary"]}]
    for s in rows:
        lines.append(
            f"| {s['seed']} | {s['points']} | {_pct(s['stated'])} | "
            f"{_pct(s.get('reached', s.get('base_rate')))} | {s['brier']:.3f} | "
            f"{s['brier_base_rate']:.3f} |"
        )
    return "\n".join(lines)


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The docs blocks ``target-reliability`` and ``target-brier``."""
    return {"target-reliability": _reliability(figures), "target-brier": _scores(figures)}


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results"))
