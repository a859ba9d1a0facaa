"""Speed of attribution: journeys from a 1M-lead store and the nine models, then 10M touches.

1. A demo company of 1,000,000 leads (about 11 touchpoints each) is written to a DuckDB store
   by ``revintel synth`` in its own process, or reused when it exists
   (``$REVINTEL_ATTRIBUTION_STORE``; default
   ``/tmp/revintel-attribution/attribution-1000000.duckdb``). Its writing is not part of the
   target.
2. For the transitions ``mql → sal`` (every lead, every touch before the decision) and
   ``contract_negotiation → won`` (every touch of the deals that got that far) the journeys are
   read from the store and all nine models run on them (Markov of order 1); target for
   journeys + models < 60 s with peak resident memory < 4 GiB.
3. The nine models on 1,000,000 random journeys with 10M touches over 12 channels (the random
   journeys of ``bench_attribution_reference``, with touch dates and roles added); Markov of
   order 1 < 5 s.

The exact Markov model against the ChannelAttribution package is ``bench_attribution_reference``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from benchmarks._measure import timed, write_result
from benchmarks.bench_attribution_reference import random_paths
from revintel.attribution._journeys import store_journeys
from revintel.attribution._models import MODELS, attribute
from revintel.attribution._paths import CLOSING, LEAD_CREATION, OPPORTUNITY_CREATION, Paths
from revintel.store import open_store

LEADS = 1_000_000
JOURNEYS = 1_000_000
CHANNELS = 12
STORE_VAR = "REVINTEL_ATTRIBUTION_STORE"
DEFAULT_STORE = Path("/tmp/revintel-attribution/attribution-1000000.duckdb")
TRANSITIONS = ("sal", "won")
TARGETS = {
    "journeys_and_models_seconds": 60.0,
    "markov_order_1_seconds": 5.0,
    "peak_mib": 4096.0,
}


def store_path(leads: int) -> Path:
    """Where the benchmark's store lives (``$REVINTEL_ATTRIBUTION_STORE`` or the default)."""
    configured = os.environ.get(STORE_VAR)
    if configured:
        return Path(configured)
    return DEFAULT_STORE.with_name(f"attribution-{leads}.duckdb")


def ensure_store(path: Path, leads: int) -> dict[str, Any]:
    """Write the demo company of ``leads`` leads to ``path`` unless it is there already.

    ``revintel synth`` writes it in a process of its own, so that the memory the writing took
    is not counted in the peak of what is measured here.
    """
    if path.exists():
        return {"written": False}
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "revintel", "synth", "--leads", str(leads), "--db", str(path)]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return {"written": True, "write_seconds": round(time.perf_counter() - start, 1)}


def time_models(paths: Paths) -> dict[str, Any]:
    """Seconds and peak memory of every model on ``paths`` (Markov of order 1)."""
    figures: dict[str, Any] = {}
    for model in MODELS:
        _, seconds, peak = timed(partial(attribute, paths, model))
        figures[model] = {"seconds": round(seconds, 2), "peak_mib": round(peak)}
    figures["all_seconds"] = round(sum(f["seconds"] for f in figures.values()), 2)
    return figures


def store_figures(path: Path) -> dict[str, Any]:
    """Per transition: the journeys read from the store, then the nine models on them."""
    out: dict[str, Any] = {}
    with open_store(path) as store:
        counts = {
            name: int(store.table(name).count().execute())
            for name in ("leads", "milestones", "touchpoints")
        }
        out["store"] = counts
        for target in TRANSITIONS:
            journeys, seconds, peak = timed(partial(store_journeys, store, target))
            paths = journeys.paths
            models = time_models(paths)
            total = seconds + models["all_seconds"]
            out[target] = {
                "transition": f"{journeys.transition[0]}→{target}",
                "journeys": len(paths),
                "touches": len(paths.codes),
                "journeys_seconds": round(seconds, 2),
                "journeys_peak_mib": round(peak),
                "models": models,
                "total_seconds": round(total, 2),
                "peak_mib": max([round(peak)] + [models[m]["peak_mib"] for m in MODELS]),
            }
            del journeys, paths
    return out


def synthetic_paths(journeys: int, channels: int, seed: int = 0) -> Paths:
    """Random journeys with touch dates (0–90 days before the end, newest last) and roles."""
    paths = random_paths(journeys, channels, seed)
    rng = np.random.default_rng(seed + 1)
    days = rng.uniform(0, 90, len(paths.codes))
    # Sort each journey's days descending so touches are oldest first.
    order = np.lexsort((-days, paths.journey_of_touch))
    days = days[order]
    role = np.zeros(len(paths.codes), dtype=np.int8)
    starts, ends = paths.offsets[:-1], paths.offsets[1:] - 1
    role[starts] |= LEAD_CREATION
    role[(starts + ends) // 2] |= OPPORTUNITY_CREATION
    role[ends] |= CLOSING
    return replace(paths, days_before=days, role=role)


def synthetic_figures(journeys: int) -> dict[str, Any]:
    """The nine models on random journeys of 10 touches on average."""
    paths = synthetic_paths(journeys, CHANNELS)
    return {"journeys": len(paths), "touches": len(paths.codes), "models": time_models(paths)}


def targets_met(figures: dict[str, Any]) -> dict[str, bool]:
    """Whether each target was met: per transition from the store, and on the random journeys."""
    met = {}
    for target in TRANSITIONS:
        row = figures["from_store"][target]
        met[f"{target}_under_60_s"] = row["total_seconds"] < TARGETS["journeys_and_models_seconds"]
        met[f"{target}_under_4_gib"] = row["peak_mib"] < TARGETS["peak_mib"]
    models = figures["synthetic"]["models"]
    met["synthetic_markov_under_5_s"] = (
        models["markov"]["seconds"] < TARGETS["markov_order_1_seconds"]
    )
    met["synthetic_all_under_60_s"] = models["all_seconds"] < TARGETS["journeys_and_models_seconds"]
    met["synthetic_under_4_gib"] = max(models[m]["peak_mib"] for m in MODELS) < TARGETS["peak_mib"]
    return met


def run(results_dir: Path, leads: int = LEADS, journeys: int = JOURNEYS) -> dict[str, Any]:
    """Measure everything and write ``results/attribution.json``."""
    path = store_path(leads)
    load = os.getloadavg()[0]
    figures: dict[str, Any] = {
        "benchmark": "attribution",
        "leads": leads,
        "targets": TARGETS,
        "load_before": round(load, 2),
        "store_path": str(path),
        **ensure_store(path, leads),
    }
    figures["from_store"] = store_figures(path)
    figures["synthetic"] = synthetic_figures(journeys)
    figures["load_after"] = round(os.getloadavg()[0], 2)
    figures["met"] = targets_met(figures)
    figures["cpu_count"] = psutil.cpu_count()
    write_result(results_dir, "attribution", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", nargs="?", default="benchmarks/results", type=Path)
    parser.add_argument("--leads", type=int, default=LEADS, help="leads of the store")
    parser.add_argument("--journeys", type=int, default=JOURNEYS, help="random journeys")
    arguments = parser.parse_args()
    result = run(arguments.results_dir, arguments.leads, arguments.journeys)
    for key, value in result.items():
        print(f"{key}: {value}")


# ---------------------------------------------------------------------------------------------
# Rendering the docs block


def _model_cells(models: dict[str, Any]) -> list[str]:
    return [f"{models[m]['seconds']:.2f}" for m in MODELS]


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The docs block ``attribution-speed``."""
    store, synthetic = figures["from_store"], figures["synthetic"]
    head = "| journeys | " + " | ".join(MODELS) + " | read | total s | peak MiB |"
    lines = [head, "|---|" + "---:|" * (len(MODELS) + 3)]
    for target in TRANSITIONS:
        row = store[target]
        label = f"{row['transition']}: {row['journeys']:,} / {row['touches']:,} touches"
        cells = " | ".join(_model_cells(row["models"]))
        lines.append(
            f"| {label} | {cells} | {row['journeys_seconds']:.2f} | {row['total_seconds']:.2f} | "
            f"{row['peak_mib']:,} |"
        )
    models = synthetic["models"]
    peak = max(models[m]["peak_mib"] for m in MODELS)
    lines.append(
        f"| random: {synthetic['journeys']:,} / {synthetic['touches']:,} touches | "
        f"{' | '.join(_model_cells(models))} | – | {models['all_seconds']:.2f} | {peak:,} |"
    )
    counts = store["store"]
    met = figures["met"]
    lines += [
        "",
        f"Store: {counts['leads']:,} leads, {counts['milestones']:,} milestone events, "
        f"{counts['touchpoints']:,} touchpoints. Seconds per model (Markov of order 1); *read* "
        "is `store_journeys`; peak is the largest resident memory of the process. Load average "
        f"(1 min) {figures['load_before']} before, {figures['load_after']} after, "
        f"{figures['machine']['cpus']} cores, measured {figures['machine']['measured_at'][:10]}. "
        f"Targets met: {sum(met.values())} of {len(met)}"
        + (
            "."
            if all(met.values())
            else f" (not: {', '.join(k for k, v in met.items() if not v)})."
        ),
    ]
    return {"attribution-speed": "\n".join(lines) + "\n"}
