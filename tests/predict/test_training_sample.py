"""Fitting on a bounded sample: cost stops growing with history, evaluation still sees every row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revintel.model import load_funnel
from revintel.predict import target, train_score, training_frame
from revintel.predict._training import _split, bounded_sample
from revintel.predict._windows import Windows
from revintel.store import Store


def test_a_sample_keeps_time_order_and_is_uniform() -> None:
    rows = pd.DataFrame({"at": np.arange(100_000)})
    sample = bounded_sample(rows, 10_000, seed=3)
    assert len(sample) == 10_000
    assert sample["at"].is_unique and sample["at"].is_monotonic_increasing
    # Uniform over the history: each tenth of it holds about a tenth of the sample.
    per_tenth = np.bincount(sample["at"].to_numpy() // 10_000, minlength=10)
    assert per_tenth.min() > 900 and per_tenth.max() < 1_100
    assert bounded_sample(rows, 200_000) is rows


def test_training_fits_on_at_most_the_bound_and_tests_on_every_row(module_store: Store) -> None:
    full = train_score(module_store, "deal_win").record
    bounded = train_score(module_store, "deal_win", max_training_rows=2_000).record
    assert full.metrics["train_rows"] > 2_000
    assert bounded.metrics["train_rows"] == 2_000
    # The test window is the same and evaluated in full either way.
    assert bounded.metrics["rows"] == full.metrics["rows"] > 0
    assert bounded.metrics["test_from"] == full.metrics["test_from"]


def _dated_rows(count: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = np.sort(rng.integers(0, 1_000, count))
    return pd.DataFrame(
        {
            "at": pd.Timestamp("2021-01-01") + pd.to_timedelta(days, unit="D"),
            "label": rng.integers(0, 2, count),
            "x": rng.normal(size=count),
        }
    )


def test_the_windows_hold_the_rows_sampling_each_window_would_give() -> None:
    frame = _dated_rows(60_000)
    day = pd.Timestamp("2021-01-01")
    windows = Windows(
        day,
        day + pd.Timedelta(days=599),
        day + pd.Timedelta(days=630),
        day + pd.Timedelta(days=780),
        day + pd.Timedelta(days=811),
        day + pd.Timedelta(days=999),
        31,
    )
    parts = _split(frame, windows, limit=20_000, seed=5)
    at = frame["at"]
    expected = {
        "train": bounded_sample(frame.loc[at <= windows.train_to], 20_000, 5),
        "validation": frame.loc[at.between(windows.validation_from, windows.validation_to)],
        "refit": bounded_sample(frame.loc[at <= windows.validation_to], 20_000, 5),
        "test": frame.loc[at.between(windows.test_from, windows.test_to)],
    }
    for name, rows in expected.items():
        pd.testing.assert_frame_equal(parts[name], rows.reset_index(drop=True))
    assert len(parts["train"]) == len(parts["refit"]) == 20_000
    assert len(parts["validation"]) > 8_000 and len(parts["test"]) > 10_000


def test_many_snapshots_are_thinned_to_whole_sampled_entities(module_store: Store) -> None:
    funnel = load_funnel()
    deal = target("deal_win")
    full = training_frame(module_store, deal, funnel)
    bound = len(full) // 3
    sampled = training_frame(module_store, deal, funnel, max_rows=bound)
    # About the bound, of whole entities: an entity's snapshots are all in or all out.
    assert 0.8 * bound < len(sampled) < 1.2 * bound
    per_entity = full.groupby("entity_id").size()
    kept = sampled.groupby("entity_id").size()
    assert (kept == per_entity.reindex(kept.index)).all()
    # Sampling picks rows, it changes no feature of a kept row.
    on = ["entity_id", "at"]
    same = full.merge(sampled[on], on=on).sort_values(on, ignore_index=True)
    pd.testing.assert_frame_equal(same, sampled.sort_values(on, ignore_index=True))
    # The same entities on every run; every row when the bound is not reached.
    again = training_frame(module_store, deal, funnel, max_rows=bound)
    assert again["entity_id"].tolist() == sampled["entity_id"].tolist()
    assert len(training_frame(module_store, deal, funnel, max_rows=len(full))) == len(full)
