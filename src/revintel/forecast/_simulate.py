"""Monte Carlo of order intake: open opportunities won or not, and when, plus new business.

Each open opportunity gets a probability of being won in each forecast month (and a remainder for
"not won within the horizon"); one uniform draw per opportunity and simulation picks the outcome.
Business not yet in the pipeline arrives as a Poisson number of wins per month whose amounts and
attributes are drawn from recently won deals. Everything is vectorised with NumPy and seeded.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

#: Opportunities per block of the open-pipeline simulation; bounds memory at large sizes.
BLOCK_CELLS = 8_000_000


@dataclass(frozen=True)
class Simulation:
    """Simulated order intake, shape ``(simulations, periods, groups)``, by source."""

    open_pipeline: np.ndarray
    not_yet_created: np.ndarray
    groups: tuple[str, ...]
    repeat_and_direct: np.ndarray | None = None

    @property
    def won_deals(self) -> np.ndarray:
        """Intake through opportunities: open pipeline and not yet created."""
        return self.open_pipeline + self.not_yet_created

    @property
    def total(self) -> np.ndarray:
        """Every source together (repeat and direct orders drawn independently of deals)."""
        if self.repeat_and_direct is None:
            return self.won_deals
        return self.won_deals + self.repeat_and_direct


def _divide_by_kind(draws: np.ndarray, shock: np.ndarray, kinds: np.ndarray) -> None:
    """Divide each column of ``draws`` by the factor of its (sorted) kind, in place."""
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(kinds)) + 1, [len(kinds)]))
    for lo, hi in itertools.pairwise(bounds):
        if hi > lo:
            draws[:, lo:hi] /= shock[:, kinds[lo], None].astype(np.float32)


def simulate_open(
    probabilities: np.ndarray,
    amounts: np.ndarray,
    group_index: np.ndarray,
    n_groups: int,
    simulations: int,
    rng: np.random.Generator,
    shock: np.ndarray | None = None,
    shock_index: np.ndarray | None = None,
) -> np.ndarray:
    """Won amount per simulation, period and group from per-period win probabilities.

    ``probabilities`` has one row per opportunity and one column per period (rows sum to at
    most 1); ``shock`` optionally scales every probability of one simulation by a common factor
    (shape ``(simulations,)``), or, with shape ``(simulations, kinds)``, by the factor of each
    opportunity's kind ``shock_index``. Returns an array of shape ``(simulations, periods,
    n_groups)``.

    Examples
    --------
    >>> p = np.array([[0.5, 0.5], [0.0, 0.0]])
    >>> out = simulate_open(p, np.array([10.0, 99.0]), np.array([0, 0]), 1, 2000,
    ...                     np.random.default_rng(1))
    >>> out.shape, float(out.sum(axis=1).max()), round(float(out[:, 0].mean()), 0)
    ((2000, 2, 1), 10.0, 5.0)
    """
    n, periods = probabilities.shape
    kinds = None
    if shock is not None and shock.ndim == 2:
        # Deals of one kind side by side, so each kind's factor divides a contiguous slice.
        kinds = np.zeros(n, np.int64) if shock_index is None else np.asarray(shock_index)
        order = np.argsort(kinds, kind="stable")
        probabilities, amounts, kinds = probabilities[order], amounts[order], kinds[order]
        group_index = group_index[order]
    cumulative = np.cumsum(probabilities, axis=1, dtype=np.float64).astype(np.float32)
    # Period thresholds one row per period, so each comparison gathers from one contiguous row.
    thresholds = np.ascontiguousarray(cumulative[:, :-1].T)
    out = np.zeros(simulations * periods * n_groups)
    block = max(1, BLOCK_CELLS // max(simulations, 1))
    for start in range(0, n, block):
        stop = min(n, start + block)
        width = stop - start
        draws = rng.random((simulations, width), dtype=np.float32)
        if shock is not None and kinds is not None:
            _divide_by_kind(draws, shock, kinds[start:stop])
        elif shock is not None:
            draws /= shock[:, None].astype(np.float32)
        # Only wins contribute: find them first, then place each in its period.
        hits = np.flatnonzero(draws < cumulative[start:stop, -1])
        sim = hits // width
        opp = hits - sim * width
        won = draws.ravel()[hits]
        period = np.zeros(len(won), dtype=np.int64)
        for k in range(periods - 1):
            period += won >= thresholds[k, start:stop][opp]
        keys = (sim * periods + period) * n_groups + group_index[start:stop][opp]
        out += np.bincount(keys, amounts[start:stop][opp], minlength=out.size)
    return out.reshape(simulations, periods, n_groups)


def simulate_new(
    rates: np.ndarray,
    pool_amounts: np.ndarray,
    pool_weights: np.ndarray,
    pool_groups: np.ndarray,
    n_groups: int,
    simulations: int,
    rng: np.random.Generator,
    shock: np.ndarray | None = None,
) -> np.ndarray:
    """Won amount of business not yet in the pipeline: Poisson wins, amounts from a pool.

    ``rates[k]`` is the expected number of such wins in period ``k`` (times ``shock`` of the
    simulation, if given); each win takes the amount and group of a pool deal drawn with
    probability proportional to ``pool_weights``.

    Examples
    --------
    >>> out = simulate_new(np.array([2.0]), np.array([5.0]), np.array([1.0]), np.array([0]), 1,
    ...                    4000, np.random.default_rng(3))
    >>> round(float(out.mean()), 0)
    10.0
    """
    periods = len(rates)
    out = np.zeros((simulations, periods, n_groups))
    if len(pool_amounts) == 0 or not np.any(rates > 0):
        return out
    scale = np.ones(simulations) if shock is None else shock
    counts = rng.poisson(scale[:, None] * rates[None, :])
    total = int(counts.sum())
    chosen = rng.choice(len(pool_amounts), size=total, p=pool_weights / pool_weights.sum())
    cell = np.repeat(np.arange(simulations * periods, dtype=np.int64), counts.ravel())
    keys = cell * n_groups + pool_groups[chosen]
    flat = np.bincount(keys, pool_amounts[chosen], minlength=out.size)
    return flat.reshape(out.shape)


def quantiles(totals: np.ndarray, levels: tuple[float, ...] = (0.1, 0.5, 0.9)) -> np.ndarray:
    """Quantiles over the simulation axis (axis 0), one row per level."""
    return np.quantile(totals, levels, axis=0)
