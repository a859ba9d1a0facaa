"""Markov attribution against the ChannelAttribution package on its own example journeys.

revintel solves the first-order chain's removal effects exactly; ChannelAttribution
(Altomare & Loris, GPL, installed only for this comparison) estimates them by simulating
journeys. Both run on ``Data.csv`` from the shared datasets: the package over ten seeds (the
spread of its per-channel results), revintel once (it has no randomness). Both are timed.
Then the data-driven models are timed on 1,000,000 random journeys with 10M touches over 12
channels (target: first-order Markov under 5 s).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks._measure import timed, write_result
from revintel.attribution._markov import markov_attribution
from revintel.attribution._paths import Paths

SEEDS = (1234, 42, 0, 1, 2, 3, 4, 5, 6, 7)
DATASET = "channelattribution_paths"
SCALE_JOURNEYS = 1_000_000
SCALE_CHANNELS = 12


def data_file() -> Path:
    """``Data.csv`` in the shared datasets (``$REVINTEL_SHARED_DATA`` or ``../shared/data``)."""
    configured = os.environ.get("REVINTEL_SHARED_DATA")
    base = Path(configured) if configured else Path(__file__).resolve().parents[1].parent
    folder = base / DATASET if configured else base / "shared" / "data" / DATASET
    if not (folder / "Data.csv").is_file():
        raise FileNotFoundError(
            f"{folder / 'Data.csv'} not found: set $REVINTEL_SHARED_DATA or place the shared "
            "datasets in ../shared/data"
        )
    return folder / "Data.csv"


def paths_of(frame: pd.DataFrame) -> Paths:
    """The path file's rows as :class:`Paths` (channels sorted by name)."""
    split = frame["path"].str.split(" > ")
    names = sorted({name for path in split for name in path})
    code = {name: i for i, name in enumerate(names)}
    codes = np.array([code[name] for path in split for name in path], dtype=np.int32)
    return Paths(
        channels=tuple(names),
        offsets=np.concatenate([[0], np.cumsum(split.str.len())]).astype(np.int64),
        codes=codes,
        conversions=frame["total_conversions"].to_numpy(float),
        nulls=frame["total_null"].to_numpy(float),
        value=frame["total_conversion_value"].to_numpy(float),
    )


def _package_run(frame: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, float]:
    import ChannelAttribution  # GPL: only ever imported here, never by revintel

    def run() -> Any:
        with contextlib.redirect_stdout(io.StringIO()):
            return ChannelAttribution.markov_model(
                frame,
                "path",
                "total_conversions",
                var_value="total_conversion_value",
                var_null="total_null",
                order=1,
                seed=seed,
                out_more=True,
                verbose=False,
                flg_pro=False,
            )

    result, seconds, _ = timed(run)
    table = result["result"].merge(result["removal_effects"], on="channel_name")
    return table.set_index("channel_name"), seconds


def random_paths(journeys: int, channels: int, seed: int = 0) -> Paths:
    """Journeys of 1 to 19 random touches (10 on average), a fifth of them converting."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 20, journeys)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    converted = (rng.random(journeys) < 0.2).astype(float)
    value = converted * rng.gamma(2.0, 5_000.0, journeys)
    return Paths(
        channels=tuple(f"channel {i}" for i in range(channels)),
        offsets=offsets,
        codes=rng.integers(0, channels, offsets[-1]).astype(np.int32),
        conversions=converted,
        nulls=1 - converted,
        value=value,
        margin=value * 0.3,
    )


def scale_figures(journeys: int) -> dict[str, Any]:
    """Seconds and peak memory of Markov (orders 1 and 3) and Shapley on random journeys."""
    from revintel.attribution._shapley import shapley_attribution

    paths = random_paths(journeys, SCALE_CHANNELS)
    figures: dict[str, Any] = {"journeys": journeys, "touches": len(paths.codes)}
    for name, work in (
        ("markov_order_1", lambda: markov_attribution(paths, order=1)),
        ("markov_order_3", lambda: markov_attribution(paths, order=3)),
        ("shapley", lambda: shapley_attribution(paths)),
    ):
        _, seconds, peak = timed(work)
        figures[f"{name}_seconds"] = round(seconds, 2)
        figures[f"{name}_peak_mib"] = round(peak)
    return figures


def run(results_dir: Path, journeys: int = SCALE_JOURNEYS) -> dict[str, Any]:
    """Compare both on ``Data.csv``, then time the models at scale; record the figures."""
    frame = pd.read_csv(data_file(), sep=";")
    paths = paths_of(frame)
    ours, our_seconds, _ = timed(lambda: markov_attribution(paths, order=1))
    exact = ours.channels.set_index("channel")
    figures: dict[str, Any] = {
        "benchmark": "attribution_reference",
        "journeys": int((frame.total_conversions + frame.total_null).sum()),
        "paths": len(frame),
        "revintel_seconds": round(our_seconds, 4),
        "revintel_conversion_probability": round(ours.notes["conversion_probability"], 6),
    }
    figures["scale"] = scale_figures(journeys)
    figures["target"] = "first-order Markov on 1M journeys / 10M touches under 5 s"
    try:
        runs = [_package_run(frame, seed) for seed in SEEDS]
    except ImportError as error:  # the reference is optional (the `bench` extra)
        figures["reference_error"] = str(error)
        write_result(results_dir, "attribution_reference", figures)
        return figures
    conversions = pd.concat([t["total_conversions"] for t, _ in runs], axis=1)
    value = pd.concat([t["total_conversion_value"] for t, _ in runs], axis=1)
    effects = pd.concat([t["removal_effects_conversion"] for t, _ in runs], axis=1)
    channels = {}
    for name in exact.index:
        low, high = conversions.loc[name].min(), conversions.loc[name].max()
        channels[name] = {
            "exact_conversions": round(float(exact.loc[name, "conversions"]), 2),
            "package_conversions_min": round(float(low), 2),
            "package_conversions_max": round(float(high), 2),
            "exact_within_package_range": bool(low <= exact.loc[name, "conversions"] <= high),
            "exact_removal_effect": round(ours.notes["removal_effects"][name], 4),
            "package_removal_effect_min": round(float(effects.loc[name].min()), 4),
            "package_removal_effect_max": round(float(effects.loc[name].max()), 4),
            "exact_revenue": round(float(exact.loc[name, "revenue"]), 2),
            "package_revenue_min": round(float(value.loc[name].min()), 2),
            "package_revenue_max": round(float(value.loc[name].max()), 2),
        }
    seconds = [s for _, s in runs]
    figures |= {
        "seeds": list(SEEDS),
        "package_seconds_median": round(float(np.median(seconds)), 4),
        "package_seconds_per_seed": [round(s, 4) for s in seconds],
        "channels": channels,
        "max_abs_gap_to_package_mean": round(
            float((conversions.mean(axis=1) - exact["conversions"]).abs().max()), 2
        ),
    }
    write_result(results_dir, "attribution_reference", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", nargs="?", default="benchmarks/results", type=Path)
    parser.add_argument("--journeys", type=int, default=SCALE_JOURNEYS, help="for the timing")
    arguments = parser.parse_args()
    for key, value in run(arguments.results_dir, arguments.journeys).items():
        print(f"{key}: {value}")
