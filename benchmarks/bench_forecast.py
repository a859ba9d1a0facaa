"""Monte Carlo of order intake: 10,000 simulations over 50,000 open opportunities, six months.

The open pipeline of a generated demo company (its per-month win probabilities, amounts and
segments) is resampled to 50,000 opportunities; then the open-pipeline and not-yet-created
simulations and the P10/P50/P90 summary run as ``revintel forecast --by segment`` runs them.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._measure import timed, write_result
from revintel.forecast import (
    ForecastSettings,
    Scenario,
    Simulation,
    fit_funnel_model,
    load_history,
    month_periods,
    parameter_draws,
    simulate_new,
    simulate_open,
    summarise,
)
from revintel.forecast._drivers import new_business, open_pipeline
from revintel.model import load_funnel
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

OPEN_OPPORTUNITIES = 50_000
SIMULATIONS = 10_000
MONTHS = 6


def _inputs() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.duckdb")
        write_demo_company(store, SynthConfig(leads=60_000))
        history = load_history(store, load_funnel())
        store.close()
    model = fit_funnel_model(history)
    months, edges = month_periods(model.as_of, MONTHS)
    pipeline = open_pipeline(model, edges, Scenario())
    rows = np.random.default_rng(0).integers(0, len(pipeline.frame), OPEN_OPPORTUNITIES)
    segments = sorted(set(pipeline.frame["segment"]) | set(model.pool["segment"]))
    lookup = {s: i for i, s in enumerate(segments)}
    rates, weights = new_business(model, edges, Scenario())
    return {
        "months": months,
        "probabilities": pipeline.probabilities[rows],
        "amounts": pipeline.frame["amount"].to_numpy(float)[rows],
        "groups": pipeline.frame["segment"].map(lookup).to_numpy(np.int64)[rows],
        "segments": tuple(segments),
        "rates": rates,
        "pool_amounts": model.pool["amount"].to_numpy(float),
        "pool_weights": weights,
        "pool_groups": model.pool["segment"].map(lookup).to_numpy(np.int64),
        "drift": model.drift,
        "milestone": pipeline.milestone[rows],
        "posterior": model.posterior,
    }


def _simulate(inputs: dict[str, Any]) -> Simulation:
    rng = np.random.default_rng(ForecastSettings().seed)
    drift = inputs["drift"]
    shock = rng.lognormal(-0.5 * drift**2, drift, SIMULATIONS)
    factors = shock[:, None] * parameter_draws(inputs["posterior"], SIMULATIONS, rng)
    n = len(inputs["segments"])
    opened = simulate_open(
        inputs["probabilities"],
        inputs["amounts"],
        inputs["groups"],
        n,
        SIMULATIONS,
        rng,
        factors,
        inputs["milestone"],
    )
    new = simulate_new(
        inputs["rates"],
        inputs["pool_amounts"],
        inputs["pool_weights"],
        inputs["pool_groups"],
        n,
        SIMULATIONS,
        rng,
        factors[:, 0],
    )
    return Simulation(opened, new, inputs["segments"])


def run(results_dir: Path) -> dict[str, Any]:
    """Simulate and summarise; record time and peak memory of the simulation step."""
    inputs = _inputs()
    cpu = time.process_time()
    simulation, seconds, peak = timed(lambda: _simulate(inputs))
    cpu = time.process_time() - cpu
    frame, summary_s, _ = timed(lambda: summarise(inputs["months"], simulation, "segment"))
    total = frame[(frame["grain"] == "quarter") & (frame["source"] == "total")]
    figures = {
        "benchmark": "forecast",
        "open_opportunities": OPEN_OPPORTUNITIES,
        "simulations": SIMULATIONS,
        "months": MONTHS,
        "groups": len(inputs["segments"]),
        "simulate_seconds": round(seconds, 2),
        "simulate_cpu_seconds": round(cpu, 2),
        "simulate_peak_mib": round(peak),
        "summarise_seconds": round(summary_s, 2),
        "first_quarter_p50": round(float(total[total["segment"] == "all"]["p50"].iloc[0])),
        "target": "about 10 s",
    }
    write_result(results_dir, "forecast", figures)
    return figures


if __name__ == "__main__":
    print(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results")))
