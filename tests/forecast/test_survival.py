"""Close curves: Kaplan–Meier and the cumulative incidence of winning, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from revintel.forecast import close_curve, kaplan_meier, shrink


def test_kaplan_meier_matches_hand_computation() -> None:
    # 5 deals: closes on days 2, 3, 3 and 6; one censored on day 4.
    survival = kaplan_meier(
        np.array([2.0, 3, 3, 4, 6]), np.array([True, True, True, False, True]), 7
    )
    assert survival[1] == 1.0
    assert survival[2] == pytest.approx(4 / 5)
    assert survival[3] == pytest.approx(4 / 5 * 2 / 4)
    assert survival[5] == pytest.approx(0.4)  # the censored deal leaves the risk set unharmed
    assert survival[6] == pytest.approx(0.0)


def test_censoring_keeps_win_probability_unbiased() -> None:
    # Wins close fast, losses slowly: among deals closed so far, wins are over-represented.
    rng = np.random.default_rng(0)
    n = 40_000
    won = rng.random(n) < 0.3
    days = np.where(won, rng.exponential(30.0, n), rng.exponential(90.0, n))
    censor = np.where(rng.random(n) < 0.5, rng.uniform(0, 120, n), 2_000.0)
    observed = days <= censor
    event = np.where(observed, np.where(won, 1, 2), 0)
    curve = close_curve(np.minimum(days, censor), event, 1_000)
    naive = won[observed].mean()
    assert naive > 0.33
    assert curve.win_probability == pytest.approx(0.3, abs=0.01)
    # Open after 60 days, a deal is most likely a slow loser: P(win later) = 0.3 e^-2 / S(60).
    alive = 0.3 * np.exp(-2.0) + 0.7 * np.exp(-60 / 90)
    later = curve.win_between(np.array([60.0]), np.array([60.0]), np.array([np.inf]))
    assert later[0] == pytest.approx(0.3 * np.exp(-2.0) / alive, abs=0.02)


def test_shrinkage_pulls_small_segments_to_the_default() -> None:
    assert shrink(0.9, 0, 0.2, 30.0) == pytest.approx(0.2)
    assert shrink(0.9, 30, 0.2, 30.0) == pytest.approx(0.55)
    assert shrink(0.9, 30_000, 0.2, 30.0) == pytest.approx(0.9, abs=0.001)
