"""Choose the forecast's tuned parameters on the tuning origins only.

Every combination of the candidate values below is backtested on the *tuning* origins of the
demo company (first seed of :data:`benchmarks.accuracy_forecast.DEMO_SEEDS`) and of the Maven
export; its score is the sum of the P50 WAPEs of both windows on both stores. The reported
origins are never read here. Writes ``results/forecast_sweep.json`` with every candidate's score
and the chosen values (``python -m benchmarks.forecast_sweep [results_dir]``).
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks._measure import write_result
from benchmarks.accuracy_forecast import (
    DEMO_SEEDS,
    MONTHS,
    P50,
    RESULTS,
    SIMULATIONS,
    WINDOWS,
    Company,
    demo_company,
    maven_company,
)
from revintel.forecast import ForecastSettings, backtest

#: Candidate values of each tuned field of :class:`~revintel.forecast.ForecastSettings`.
GRID: dict[str, tuple[float, ...]] = {
    "pace_days": (61.0, 91.0, 182.0),
    "pace_prior": (3.0, 10.0, 30.0),
    "arrival_days": (61.0, 91.0, 182.0),
    "arrival_trend": (0.0, 0.5, 1.0),
}


def candidates() -> list[dict[str, float]]:
    """Every combination of the :data:`GRID` values."""
    return [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]


def _stores() -> dict[str, Company]:
    stores = {"demo": demo_company(DEMO_SEEDS[0])}
    maven = maven_company()
    if maven is not None:
        stores["Maven"] = maven
    return stores


def _parts(stores: dict[str, Company], settings: ForecastSettings) -> dict[str, float]:
    """P50 WAPE per store and window on the tuning origins."""
    parts: dict[str, float] = {}
    for label, company in stores.items():
        summary = backtest(company.history, company.tuning, settings).summary
        p50 = summary[summary["method"] == P50].set_index("window")["wape"]
        for window, short in WINDOWS.items():
            parts[f"{label} {short}"] = round(float(p50[window]), 4)
    return parts


def _part_names(scored: list[dict[str, Any]]) -> list[str]:
    names: list[str] = list(scored[0]["parts"])
    return names


def _defaults() -> dict[str, float]:
    return {name: float(getattr(ForecastSettings(), name)) for name in GRID}


def _choose(scored: list[dict[str, Any]], defaults: dict[str, float]) -> dict[str, float]:
    """The lowest score; on a tie the defaults stay."""
    best = min(scored, key=lambda c: (c["score"], c["parameters"] != defaults))
    chosen: dict[str, float] = best["parameters"]
    return chosen


def run(results_dir: Path) -> dict[str, Any]:
    """Score every candidate on the tuning origins and write ``forecast_sweep.json``."""
    started = time.perf_counter()
    stores = _stores()
    base = ForecastSettings(months=MONTHS, simulations=SIMULATIONS)
    scored: list[dict[str, Any]] = []
    for number, parameters in enumerate(candidates(), 1):
        parts = _parts(stores, replace(base, **parameters))
        scored.append({"parameters": parameters, "parts": parts, "score": sum(parts.values())})
        print(f"{number:3d} {parameters} {scored[-1]['score']:.4f}", file=sys.stderr, flush=True)
    defaults = _defaults()
    figures = {
        "benchmark": "forecast_sweep",
        "objective": "sum of the P50 WAPEs of both windows on the tuning origins of each store",
        "months": MONTHS,
        "simulations": SIMULATIONS,
        "tuning_origins": {
            label: [d.isoformat() for d in company.tuning] for label, company in stores.items()
        },
        "grid": {name: list(values) for name, values in GRID.items()},
        "parts": list(_part_names(scored)),
        "defaults": defaults,
        "chosen": _choose(scored, defaults),
        "candidates": scored,
        "seconds": round(time.perf_counter() - started, 1),
    }
    write_result(results_dir, "forecast_sweep", figures)
    return figures


if __name__ == "__main__":
    result = run(Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS)
    print(json.dumps({k: result[k] for k in ("defaults", "chosen", "seconds")}, indent=2))
