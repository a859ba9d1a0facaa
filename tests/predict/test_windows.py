"""Windows chosen from the data: horizon from the time to outcome, evaluation windows by
conversions, strictly ordered with a horizon between them, and a refusal naming the minimum."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from revintel.predict import MIN_WINDOW_POSITIVES, choose_windows, plan_windows, round_horizon


def _history(
    days: int, per_day: int, rate: float, delay_days: float, seed: int = 0
) -> pd.DataFrame:
    """``per_day`` snapshots a day; a share ``rate`` converts after an exponential delay."""
    rng = np.random.default_rng(seed)
    at = pd.Timestamp("2022-01-01") + pd.to_timedelta(np.repeat(np.arange(days), per_day), unit="D")
    converts = rng.random(len(at)) < rate
    delay = pd.to_timedelta(rng.exponential(delay_days, len(at)), unit="D")
    outcome = pd.Series(at + delay).where(converts)
    return pd.DataFrame({"at": at, "outcome_at": outcome})


def test_horizons_round_up_to_weeks_then_months() -> None:
    assert [round_horizon(d) for d in (0.5, 7, 8, 28, 29, 95)] == [7, 7, 14, 28, 30, 120]


def test_windows_are_ordered_with_a_horizon_between_them() -> None:
    frame = _history(days=900, per_day=20, rate=0.2, delay_days=20)
    as_of = datetime(2024, 7, 1)
    windows, how = choose_windows("toy", frame, as_of, None)
    # the 90th percentile of an exponential delay with mean 20 is 46 days: rounded up to 60
    assert windows.horizon_days == 60
    gap = pd.Timedelta(days=60)
    assert windows.train_to + gap == windows.validation_from
    assert windows.validation_to + gap == windows.test_from
    assert windows.test_to <= as_of - gap
    assert "horizon 60 days" in how and "90th percentile" in how
    labels = (frame["outcome_at"] <= frame["at"] + gap).astype(int)
    in_test = frame["at"].between(windows.test_from, windows.test_to)
    assert labels[in_test].sum() >= MIN_WINDOW_POSITIVES


def test_too_few_conversions_are_refused_with_the_minimum_named() -> None:
    frame = _history(days=400, per_day=2, rate=0.05, delay_days=10)
    with pytest.raises(ValueError) as refused:
        choose_windows("toy", frame, datetime(2023, 3, 1), None)
    message = str(refused.value)
    assert message.startswith("toy: an honest out-of-time evaluation needs at least 90 conversions")
    assert "; found " in message and "conversions within" in message


def test_given_lengths_that_do_not_fit_the_history_are_refused() -> None:
    with pytest.raises(ValueError, match="needs more than 1095 days"):
        plan_windows(datetime(2023, 1, 1), datetime(2025, 1, 1), 365, 0, 0)
