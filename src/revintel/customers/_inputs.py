"""Checking and preparing the customer histories that the repeat-purchase models are fitted on."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from revintel.customers._likelihood import FloatArray


def as_float_array(values: ArrayLike, name: str) -> FloatArray:
    """``values`` as a 1-d float array; ValueError naming ``name`` if empty or not finite."""
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: at least one customer is needed")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains missing or infinite values")
    return array


def fit_weights(weights: ArrayLike | None, size: int) -> FloatArray:
    """Per-row weights (ones by default), checked to be non-negative and of length ``size``."""
    if weights is None:
        return np.ones(size)
    array = as_float_array(weights, "weights")
    if array.size != size:
        raise ValueError(f"weights has {array.size} values but there are {size} customers")
    if np.any(array < 0) or not np.any(array > 0):
        raise ValueError("weights must be non-negative with at least one positive weight")
    return array


def group_identical_rows(
    columns: Sequence[FloatArray], weights: FloatArray
) -> tuple[list[FloatArray], FloatArray]:
    """Collapse identical rows of ``columns`` into one row each, summing their ``weights``.

    With day units many customers share (x, t_x, T); evaluating each pattern once makes the
    likelihood cost grow with the number of patterns, not customers.
    """
    order = np.lexsort(columns[::-1])
    ordered = [np.asarray(column)[order] for column in columns]
    changes = np.zeros(len(order), dtype=bool)
    changes[0] = True
    for column in ordered:
        changes[1:] |= column[1:] != column[:-1]
    starts = np.flatnonzero(changes)
    summed = np.add.reduceat(np.asarray(weights, dtype=float)[order], starts)
    return [column[starts] for column in ordered], summed


def validate_recency_frequency(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Check (x, t_x, T) of a continuous-time model and return them as float arrays.

    Raises
    ------
    ValueError
        Naming the problem: empty input, differing lengths, negative values, a repeat buyer
        without recency (x > 0 with t_x = 0), recency after the end of observation (t_x > T),
        or a one-time buyer with recency (x = 0 with t_x > 0).
    """
    x = as_float_array(frequency, "frequency")
    t_x = as_float_array(recency, "recency")
    big_t = as_float_array(age, "T (customer age)")
    if not x.size == t_x.size == big_t.size:
        raise ValueError(
            f"frequency, recency and T differ in length ({x.size}, {t_x.size}, {big_t.size})"
        )
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be a non-negative whole number of repeat purchases")
    if np.any(t_x < 0):
        raise ValueError("recency is negative for some customers")
    if np.any(big_t < 0):
        raise ValueError("T (customer age) is negative for some customers")
    if np.any(t_x > big_t + 1e-9):
        raise ValueError("recency exceeds T: the last purchase lies after the end of observation")
    if np.any((x > 0) & (t_x == 0)):
        raise ValueError("frequency > 0 with recency 0: a repeat purchase needs a positive recency")
    if np.any((x == 0) & (t_x > 0)):
        raise ValueError("frequency 0 with positive recency: recency must be 0 without repeats")
    return x, t_x, big_t
