"""Win rate and cycle time per rep × segment × product family, pooled toward team and company.

Closed deals are counted per cell (rep × account segment × product family). A cell of a few
deals says little about the rep, so its rate is pulled toward what is expected of it: the
rep's own rate (pulled toward the team's, pulled toward the company's) shifted by how the
company fares on that segment × family. Each level's pull is estimated from the data
(:mod:`revintel.allocation._rep_shrink`). Cycle times (days from created to closed) are pooled
alike: their medians, on the log scale. Per rep, the skill of the step model
(:mod:`revintel.allocation._rep_skill`) says how much better or worse the rep does than the
company on the same kind of deals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from revintel.allocation._rep_deals import rep_deals
from revintel.allocation._rep_fit import RepFit, fit_rep_fit
from revintel.allocation._rep_shrink import shrink_log_means, shrink_rates
from revintel.allocation._rep_skill import RepSkill, fit_rep_skill
from revintel.store import Store

CELL = ("rep_id", "segment", "family")
#: Columns of :attr:`RepPerformance.cells`.
CELL_COLUMNS = (
    "rep_id",
    "team",
    "segment",
    "family",
    "deals",
    "won",
    "win_rate",
    "win_rate_shrunk",
    "cycle_days",
    "cycle_days_shrunk",
)
#: Columns of :attr:`RepPerformance.reps`.
REP_COLUMNS = (
    "rep_id",
    "team",
    "deals",
    "won",
    "win_rate",
    "win_rate_shrunk",
    "expected_win_rate",
    "skill",
    "skill_sd",
    "skill_raw",
    "cycle_days",
    "cycle_days_shrunk",
    "open_deals",
)


@dataclass(frozen=True)
class RepPerformance:
    """What :func:`rep_performance` measured.

    ``cells`` (:data:`CELL_COLUMNS`) and ``reps`` (:data:`REP_COLUMNS`); ``strength`` holds the
    estimated prior strengths κ of each pooling level (``team``, ``rep``, ``mix``, ``cell`` for
    rates; ``cycle_*`` for cycle times); ``skill`` and ``fit`` the models behind the skill.
    """

    cells: pd.DataFrame
    reps: pd.DataFrame
    strength: dict[str, float]
    skill: RepSkill
    fit: RepFit


def rep_performance(store: Store, as_of: date | None = None) -> RepPerformance:
    """Win rates, cycle times and adjusted skill of every rep, as of ``as_of`` (default: all).

    Raises
    ------
    RepModelError
        The store holds too few closed deals to compare reps.
    """
    deals = rep_deals(store, as_of)
    skill = fit_rep_skill(deals)
    return performance_of(deals, skill, fit_rep_fit(deals, skill))


def performance_of(deals: pd.DataFrame, skill: RepSkill, fit: RepFit) -> RepPerformance:
    """:class:`RepPerformance` of a deal frame and its fitted models."""
    closed = deals[deals["status"].isin(["won", "lost"])].copy()
    closed["is_won"] = (closed["status"] == "won").astype(float)
    closed["log_days"] = np.log(closed["cycle_days"].clip(lower=0.5))
    strength: dict[str, float] = {}
    rates = _pooled_rates(closed, strength)
    cycles = _pooled_cycles(closed, strength)
    cells = rates.merge(cycles, on=list(CELL), how="left")
    reps = _rep_table(deals, closed, skill, rates, cycles)
    return RepPerformance(cells[list(CELL_COLUMNS)], reps, strength, skill, fit)


def _counts(closed: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return closed.groupby(keys, as_index=False).agg(deals=("is_won", "size"), won=("is_won", "sum"))


def _pooled_rates(closed: pd.DataFrame, strength: dict[str, float]) -> pd.DataFrame:
    company = float(closed["is_won"].mean())
    team = _counts(closed, ["team"])
    team["rate"], strength["team"] = _shrink(team, np.full(len(team), company))
    rep = _counts(closed, ["rep_id", "team"]).merge(team[["team", "rate"]], on="team")
    rep["rep_rate"], strength["rep"] = _shrink(rep, rep["rate"].to_numpy())
    mix = _counts(closed, ["segment", "family"])
    mix["mix_rate"], strength["mix"] = _shrink(mix, np.full(len(mix), company))
    cells = _counts(closed, [*CELL, "team"])
    cells = cells.merge(rep[["rep_id", "rep_rate"]], on="rep_id").merge(
        mix[["segment", "family", "mix_rate"]], on=["segment", "family"]
    )
    prior = expit(
        _logit(cells["rep_rate"]) + _logit(cells["mix_rate"]) - _logit(pd.Series(company))[0]
    )
    cells["win_rate"] = cells["won"] / cells["deals"]
    cells["win_rate_shrunk"], strength["cell"] = _shrink(cells, np.asarray(prior))
    cells["won"] = cells["won"].astype(int)
    return cells.drop(columns=["mix_rate"])


def _shrink(counts: pd.DataFrame, prior: np.ndarray) -> tuple[np.ndarray, float]:
    return shrink_rates(
        counts["won"].to_numpy(dtype=float), counts["deals"].to_numpy(dtype=float), prior
    )


def _logit(rate: pd.Series) -> np.ndarray:
    return np.asarray(logit(np.clip(rate.to_numpy(dtype=float), 1e-4, 1 - 1e-4)))


def _log_stats(closed: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    timed = closed.dropna(subset=["log_days"])
    stats = timed.groupby(keys, as_index=False).agg(
        n=("log_days", "size"),
        mean=("log_days", "median"),
        var=("log_days", "var"),
        cycle_days=("cycle_days", "median"),
    )
    # The median of n draws scatters like a mean of 2n / π draws.
    stats["var"] = stats["var"] * np.pi / 2
    return stats


def _pool_logs(stats: pd.DataFrame, prior: np.ndarray) -> tuple[np.ndarray, float]:
    return shrink_log_means(
        stats["mean"].to_numpy(), stats["var"].to_numpy(), stats["n"].to_numpy(float), prior
    )


def _pooled_cycles(closed: pd.DataFrame, strength: dict[str, float]) -> pd.DataFrame:
    timed = closed.dropna(subset=["log_days"])
    company = float(timed["log_days"].median()) if len(timed) else np.nan
    team = _log_stats(closed, ["team"])
    team["team_log"], strength["cycle_team"] = _pool_logs(team, np.full(len(team), company))
    rep = _log_stats(closed, ["rep_id", "team"]).merge(team[["team", "team_log"]], on="team")
    rep["rep_log"], strength["cycle_rep"] = _pool_logs(rep, rep["team_log"].to_numpy())
    mix = _log_stats(closed, ["segment", "family"])
    mix["mix_log"], strength["cycle_mix"] = _pool_logs(mix, np.full(len(mix), company))
    cells = _log_stats(closed, list(CELL))
    cells = cells.merge(rep[["rep_id", "rep_log"]], on="rep_id").merge(
        mix[["segment", "family", "mix_log"]], on=["segment", "family"]
    )
    prior = (cells["rep_log"] + cells["mix_log"] - company).to_numpy()
    shrunk, strength["cycle_cell"] = _pool_logs(cells, prior)
    cells["cycle_days_shrunk"] = np.exp(shrunk)
    self_rep = rep.assign(rep_cycle_shrunk=np.exp(rep["rep_log"]))
    out = cells[[*CELL, "cycle_days", "cycle_days_shrunk"]]
    return out.merge(
        self_rep[["rep_id", "cycle_days", "rep_cycle_shrunk"]].rename(
            columns={"cycle_days": "rep_cycle_days"}
        ),
        on="rep_id",
        how="left",
    )


def _rep_table(
    deals: pd.DataFrame,
    closed: pd.DataFrame,
    skill: RepSkill,
    rates: pd.DataFrame,
    cycles: pd.DataFrame,
) -> pd.DataFrame:
    fresh = closed.assign(depth=0)
    expected = skill.win_probability(fresh, np.full(len(fresh), ""))
    per_rep = (
        closed.assign(expected=expected)
        .groupby(["rep_id", "team"], as_index=False)
        .agg(
            deals=("is_won", "size"), won=("is_won", "sum"), expected_win_rate=("expected", "mean")
        )
    )
    per_rep["win_rate"] = per_rep["won"] / per_rep["deals"]
    per_rep["won"] = per_rep["won"].astype(int)
    shrunk = rates.drop_duplicates("rep_id")[["rep_id", "rep_rate"]]
    timing = cycles.drop_duplicates("rep_id")[["rep_id", "rep_cycle_days", "rep_cycle_shrunk"]]
    models = skill.reps.rename(columns={"raw": "skill_raw"})[
        ["rep_id", "skill", "skill_sd", "skill_raw"]
    ]
    open_deals = deals[deals["status"] == "open"].groupby("rep_id").size().rename("open_deals")
    table = (
        per_rep.merge(shrunk, on="rep_id", how="left")
        .merge(timing, on="rep_id", how="left")
        .merge(models, on="rep_id", how="left")
        .merge(open_deals, on="rep_id", how="left")
        .rename(
            columns={
                "rep_rate": "win_rate_shrunk",
                "rep_cycle_days": "cycle_days",
                "rep_cycle_shrunk": "cycle_days_shrunk",
            }
        )
    )
    table["open_deals"] = table["open_deals"].fillna(0).astype(int)
    return table[list(REP_COLUMNS)].sort_values("skill", ascending=False, ignore_index=True)
