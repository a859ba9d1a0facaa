"""Repeat-purchase model fit: BG/NBD on 1,000,000 simulated customers in day units.

The customers (first purchases spread evenly over two years, whole-day recency and age as a
purchase summary produces them) follow a BG/NBD process with known parameters. revintel's
``BetaGeoModel`` is timed against ``lifetimes``' ``BetaGeoFitter`` on the same data, each in a
fresh process so its peak memory is its own. Target: at least three times faster than the
reference, peak under 2 GB. MBG/NBD and Pareto/NBD are timed on the same data for scale.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._measure import timed, write_result
from revintel.customers._bgnbd import bgnbd_log_likelihood
from revintel.customers._simulation import simulate_bgnbd

CUSTOMERS = 1_000_000
#: Planted process per day: about three purchases a year while alive, 20 % drop-out per purchase.
TRUTH = {"r": 0.6, "alpha": 70.0, "a": 0.8, "b": 3.2}
HISTORY_DAYS = 730


def write_customers(path: Path, customers: int, seed: int = 11) -> dict[str, Any]:
    """Simulate the customers' (x, t_x, T) in whole days and save them to ``path`` (.npz)."""
    rng = np.random.default_rng(seed)
    age = rng.integers(1, HISTORY_DAYS + 1, customers).astype(float)
    r, alpha, a, b = TRUTH["r"], TRUTH["alpha"], TRUTH["a"], TRUTH["b"]
    frequency, recency = simulate_bgnbd(r, alpha, a, b, T=age, rng=rng)
    # purchases fall on whole days: a repeat buyer's last purchase is 1..T days after the first
    recency = np.where(frequency > 0, np.clip(np.ceil(recency), 1, age), 0.0)
    np.savez(path, frequency=frequency, recency=recency, age=age)
    patterns = np.unique(np.column_stack([frequency, recency, age]), axis=0).shape[0]
    return {
        "customers": customers,
        "distinct_patterns": int(patterns),
        "mean_frequency": round(float(frequency.mean()), 3),
        "repeat_buyers_share": round(float((frequency > 0).mean()), 3),
    }


def _revintel_fit(path: Path) -> dict[str, Any]:
    from revintel.customers._bgnbd import BetaGeoModel

    return _fit_with(BetaGeoModel, path)


def _revintel_other_fits(path: Path) -> dict[str, Any]:
    """MBG/NBD and Pareto/NBD on the same customers: no reference, for scale only."""
    from revintel.customers._mbgnbd import ModifiedBetaGeoModel
    from revintel.customers._paretonbd import ParetoNBDModel

    return {
        "mbgnbd": _fit_with(ModifiedBetaGeoModel, path),
        "paretonbd": _fit_with(ParetoNBDModel, path),
    }


def _fit_with(model_class: Any, path: Path) -> dict[str, Any]:
    data = np.load(path)

    def fit() -> Any:
        return model_class().fit(data["frequency"], data["recency"], data["age"])

    model, seconds, peak = timed(fit)
    return {
        "seconds": round(seconds, 2),
        "peak_mib": round(peak),
        "params": {k: round(float(v), 4) for k, v in model.params_.items()},
        "log_likelihood": round(model.log_likelihood_, 2),
    }


def _lifetimes_fit(path: Path) -> dict[str, Any]:
    from lifetimes import BetaGeoFitter

    data = np.load(path)

    def fit() -> Any:
        return BetaGeoFitter().fit(data["frequency"], data["recency"], data["age"])

    model, seconds, peak = timed(fit)
    return {
        "seconds": round(seconds, 2),
        "peak_mib": round(peak),
        "params": {k: round(float(v), 4) for k, v in model.params_.items()},
    }


def _reference_fit(path: Path, figures: dict[str, Any]) -> dict[str, Any] | None:
    """lifetimes' fit, or None (with the reason in ``figures``) when it is not installed."""
    try:
        reference = _in_fresh_process(_lifetimes_fit, path)
    except ImportError as error:  # the reference is optional (the `bench` extra)
        figures["reference_error"] = str(error)
        return None
    # lifetimes rescales time before fitting, so its own likelihood is not comparable
    data = np.load(path)
    params = np.array(list(reference["params"].values()))
    ll = bgnbd_log_likelihood(params, data["frequency"], data["recency"], data["age"])
    reference["log_likelihood"] = round(float(ll.sum()), 2)
    return reference


def _in_fresh_process(function: Any, path: Path) -> dict[str, Any]:
    """Run ``function(path)`` in a new interpreter so its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return dict(pool.apply(function, (path,)))


def run(results_dir: Path, customers: int = CUSTOMERS) -> dict[str, Any]:
    """Simulate, fit with revintel and with lifetimes; record the figures."""
    figures: dict[str, Any] = {"benchmark": "btyd", "truth": TRUTH}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "customers.npz"
        figures |= write_customers(path, customers)
        ours = _in_fresh_process(_revintel_fit, path)
        reference = _reference_fit(path, figures)
        others = _in_fresh_process(_revintel_other_fits, path)
    figures |= {
        "revintel_seconds": ours["seconds"],
        "revintel_peak_mib": ours["peak_mib"],
        "revintel_params": ours["params"],
        "revintel_log_likelihood": ours["log_likelihood"],
    }
    if reference is not None:
        figures |= {
            "lifetimes_seconds": reference["seconds"],
            "lifetimes_peak_mib": reference["peak_mib"],
            "lifetimes_params": reference["params"],
            "lifetimes_log_likelihood": reference["log_likelihood"],
            "speedup_vs_lifetimes": round(reference["seconds"] / ours["seconds"], 1),
        }
    for name, fitted in others.items():
        figures[f"revintel_{name}_seconds"] = fitted["seconds"]
        figures[f"revintel_{name}_params"] = fitted["params"]
    figures["target"] = "fit at least 3x faster than lifetimes' BetaGeoFitter, peak under 2048 MiB"
    write_result(results_dir, "btyd", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", nargs="?", default="benchmarks/results", type=Path)
    parser.add_argument("--customers", type=int, default=CUSTOMERS, help="simulated customers")
    arguments = parser.parse_args()
    for key, value in run(arguments.results_dir, arguments.customers).items():
        print(f"{key}: {value}")
