"""Monte Carlo of the reverse funnel: entries each stage needs so the won deals reach a target.

Per draw, each group's step rates come from their Beta posteriors and its deal-size
distribution from a Bayesian bootstrap of its won amounts (Dirichlet weights); won deals are
drawn one by one until their amounts reach the target, each from a group with probability
proportional to the group's share of MQLs times its wins per MQL; each earlier stage of a
group needs its later entries plus a negative-binomial number of misses. So the
interval is predictive: it holds the uncertainty of the rates and deal sizes and the chance of
how many entries a given number of conversions takes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from revintel.alignment._plan_rates import STEPS, MeasuredFunnel

STEP_NAMES = tuple(f"{a}->{b}" for a, b in STEPS)


def rate_matrix(measured: MeasuredFunnel, group: str) -> tuple[np.ndarray, np.ndarray]:
    """Alpha and beta of the group's step rates, in funnel order."""
    rows = measured.rates[measured.rates["group"] == group].set_index("step").loc[list(STEP_NAMES)]
    return rows["alpha"].to_numpy(float), rows["beta"].to_numpy(float)


def point_rates(measured: MeasuredFunnel, group: str) -> np.ndarray:
    """The group's step rates as posterior means."""
    alpha, beta = rate_matrix(measured, group)
    return np.asarray(alpha / (alpha + beta), dtype=float)


def adjusted_shares(
    measured: MeasuredFunnel, channel_leads: Mapping[str, float]
) -> dict[str, float]:
    """MQL shares with the scenario's multipliers applied, normalised to one."""
    raw = {g: s * float(channel_leads.get(g, 1.0)) for g, s in measured.shares.items()}
    total = sum(raw.values())
    return {g: v / total for g, v in raw.items()} if total > 0 else dict(measured.shares)


def _with_scenario(rates: np.ndarray, mql_to_sal: float) -> np.ndarray:
    out = rates.copy()
    out[..., 0] = np.minimum(out[..., 0] * mql_to_sal, 1.0)
    return out


def expected_required(
    measured: MeasuredFunnel,
    target: float,
    shares: Mapping[str, float],
    mql_to_sal: float,
    deal_size: float,
) -> dict[str, np.ndarray]:
    """Expected entries per stage and group without any noise (group → five counts)."""
    rates = {g: _with_scenario(point_rates(measured, g), mql_to_sal) for g in measured.groups}
    sizes = {g: float(measured.amounts[g].mean()) * deal_size for g in measured.groups}
    return _walk_back(measured, target, shares, rates, sizes)


def _walk_back(
    measured: MeasuredFunnel,
    target: float,
    shares: Mapping[str, float],
    rates: Mapping[str, np.ndarray],
    sizes: Mapping[str, float],
) -> dict[str, np.ndarray]:
    value = {g: shares[g] * float(np.prod(rates[g])) * sizes[g] for g in measured.groups}
    total = sum(value.values())
    out = {}
    for g in measured.groups:
        won = target * measured.lead_share * value[g] / total / sizes[g] if total > 0 else 0.0
        counts = [won]
        for rate in rates[g][::-1]:
            counts.append(counts[-1] / rate if rate > 0 else np.inf)
        out[g] = np.array(counts[::-1])
    return out


def _deals_needed(
    pools: list[tuple[np.ndarray, np.ndarray]],
    win_shares: np.ndarray,
    goal: float,
    mean: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Won deals per group it takes, drawn one by one, until their amounts reach ``goal``.

    Each deal comes from a group with probability ``win_shares`` and takes an amount from that
    group's pool (amounts, cumulative weights); ``mean`` is the expected amount of a deal.
    Returns the count per group.
    """
    counts = np.zeros(len(pools))
    if goal <= 0:
        return counts
    size = int(np.ceil(2.0 * goal / mean + 20))
    while True:
        group = rng.choice(len(pools), size=size, p=win_shares)
        amount = np.empty(size)
        for j, (amounts, cdf) in enumerate(pools):
            picked = group == j
            index = np.searchsorted(cdf, rng.random(int(picked.sum())), side="right")
            amount[picked] = amounts[np.minimum(index, len(amounts) - 1)]
        running = np.cumsum(amount)
        if running[-1] >= goal:
            needed = int(np.searchsorted(running, goal)) + 1
            return np.bincount(group[:needed], minlength=len(pools)).astype(float)
        size *= 2


def simulate_required(
    measured: MeasuredFunnel,
    target: float,
    shares: Mapping[str, float],
    mql_to_sal: float,
    deal_size: float,
    draws: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Draws of the entries each stage needs, group → array (draws, stages)."""
    groups = measured.groups
    rates, weights, means = {}, {}, {}
    for g in groups:
        alpha, beta = rate_matrix(measured, g)
        rates[g] = _with_scenario(rng.beta(alpha, beta, size=(draws, len(alpha))), mql_to_sal)
        gamma = rng.gamma(1.0, size=(draws, len(measured.amounts[g])))
        weights[g] = np.cumsum(gamma, axis=1) / gamma.sum(axis=1, keepdims=True)
        means[g] = gamma @ measured.amounts[g] / gamma.sum(axis=1) * deal_size
    per_mql = np.stack([shares[g] * np.prod(rates[g], axis=1) for g in groups], axis=1)
    win_shares = per_mql / np.maximum(per_mql.sum(axis=1, keepdims=True), 1e-300)
    goal = target * measured.lead_share
    mean_deal = (win_shares * np.stack([means[g] for g in groups], axis=1)).sum(axis=1)
    won = np.zeros((draws, len(groups)))
    for i in range(draws):
        pools = [(measured.amounts[g] * deal_size, weights[g][i]) for g in groups]
        won[i] = _deals_needed(pools, win_shares[i], goal, float(mean_deal[i]), rng)
    out = {}
    for j, g in enumerate(groups):
        counts = [won[:, j]]
        for k in range(rates[g].shape[1] - 1, -1, -1):
            n = counts[-1]
            misses = rng.negative_binomial(np.maximum(n, 1.0), rates[g][:, k])
            counts.append(n + np.where(n > 0, misses, 0.0))
        out[g] = np.stack(counts[::-1], axis=1)
    return out


def entry_month_fractions(
    measured: MeasuredFunnel,
    period: tuple[float, float],
    month_edges: np.ndarray,
    rng: np.random.Generator,
    samples: int = 20_000,
) -> np.ndarray:
    """Share of each stage's entries falling in each month (stages × months).

    Won days are spread evenly over the period; an earlier stage's entry day is the won day
    minus independent draws of the measured lags of the steps in between.
    """
    won_day = rng.uniform(period[0], period[1], size=samples)
    lag = np.zeros(samples)
    rows = [np.histogram(won_day, bins=month_edges)[0]]
    for step in STEP_NAMES[::-1]:
        observed = measured.lags[step]
        lag = lag + (rng.choice(observed, size=samples) if len(observed) else 0.0)
        rows.append(np.histogram(won_day - lag, bins=month_edges)[0])
    counts = np.array(rows[::-1], dtype=float)
    return counts / samples


def feed_lag_days(
    measured: MeasuredFunnel, rng: np.random.Generator, samples: int = 20_000
) -> float:
    """Median days from MQL to won, as the sum of independent draws of the step lags."""
    total = np.zeros(samples)
    for step in STEP_NAMES:
        observed = measured.lags[step]
        if len(observed):
            total += rng.choice(observed, size=samples)
    return float(np.median(total))
