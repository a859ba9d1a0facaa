"""Wilson intervals against SciPy's implementation and the z-test against a hand computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from revintel.metrics import two_proportion_z_test, wilson_interval


@given(st.integers(1, 5_000), st.data(), st.sampled_from([0.9, 0.95, 0.99]))
def test_wilson_matches_scipy(n: int, data: st.DataObject, confidence: float) -> None:
    k = data.draw(st.integers(0, n))
    lo, hi = wilson_interval(k, n, confidence)
    ref = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    assert float(lo) == pytest.approx(ref.low, abs=1e-12)
    assert float(hi) == pytest.approx(ref.high, abs=1e-12)


def test_wilson_is_vectorised_and_nan_without_trials() -> None:
    lo, hi = wilson_interval(np.array([0, 5]), np.array([0, 10]))
    assert np.isnan(lo[0]) and np.isnan(hi[0])
    assert lo[1] == pytest.approx(0.2366, abs=1e-4)
    assert hi[1] == pytest.approx(0.7634, abs=1e-4)


def test_two_proportion_z_test_by_hand() -> None:
    # 30 of 100 against 300 of 600: pooled p = 330/700.
    pooled = 330 / 700
    z = (0.3 - 0.5) / math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 600))
    result = two_proportion_z_test(30, 100, 300, 600)
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(0.5 * math.erfc(-z / math.sqrt(2)))
    assert two_proportion_z_test(50, 100, 50, 100).p_value == pytest.approx(0.5)
