"""Fitting on a bounded sample: cost stops growing with history, evaluation still sees every row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revintel.predict import train_score
from revintel.predict._training import bounded_sample
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
