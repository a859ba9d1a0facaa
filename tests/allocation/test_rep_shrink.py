"""Partial pooling of rep win rates and cycle times, on numbers and on a hand-made store.

The store: one segment, one product family, all deals closed, no milestone log. Team ``Nord``:
``n1`` with 2 deals (both won, 200 days each), ``n2`` with 500 deals (300 won, 20 days),
``n3``–``n6`` with 100 deals each (25, 30, 35, 40 won); team ``Süd``: ``s1``–``s4`` with 100
deals each (40, 45, 50, 55 won). Cycle times other than ``n1``'s and ``n2``'s are 60 days;
every deal's days are multiplied by a fixed lognormal factor (sd 0.3, seeded).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.allocation import (
    SUGGESTION_COLUMNS,
    RepModelError,
    RepPerformance,
    rep_performance,
    suggest_owners,
)
from revintel.allocation._rep_shrink import (
    beta_binomial_strength,
    pool_two_levels,
    shrink_log_means,
    shrink_rates,
)
from revintel.store import Store, open_store

LINEAGE = {"source_system": "test", "import_batch_id": "b1"}
START = datetime(2023, 1, 2, 9)
#: rep → (team, deals, won, base cycle days)
REPS = {
    "n1": ("Nord", 2, 2, 200.0),
    "n2": ("Nord", 500, 300, 20.0),
    "n3": ("Nord", 100, 25, 60.0),
    "n4": ("Nord", 100, 30, 60.0),
    "n5": ("Nord", 100, 35, 60.0),
    "n6": ("Nord", 100, 40, 60.0),
    "s1": ("Süd", 100, 40, 60.0),
    "s2": ("Süd", 100, 45, 60.0),
    "s3": ("Süd", 100, 50, 60.0),
    "s4": ("Süd", 100, 55, 60.0),
}


def _frame(rows: list[dict[str, object]], key: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["source_id"] = frame[key]
    for column, value in LINEAGE.items():
        frame[column] = value
    return frame


def _write(store: Store, reps: dict[str, tuple[str, int, int, float]]) -> None:
    noise = np.exp(np.random.default_rng(3).normal(0.0, 0.3, sum(r[1] for r in reps.values())))
    opps, k = [], 0
    for rep, (_, deals, won, days) in reps.items():
        for i in range(deals):
            created = START + timedelta(days=k % 300)
            opps.append({
                "opportunity_id": f"O{k:05d}", "account_id": "A1", "rep_id": rep,
                "product_id": "P1", "amount": 1000.0, "currency": "EUR", "list_price": 1000.0,
                "discount": 0.0, "created_at": created,
                "closed_at": created + timedelta(days=float(days * noise[k])),
                "status": "won" if i < won else "lost", "stage": "won" if i < won else "lost",
            })  # fmt: skip
            k += 1
    rep_rows = [
        {"rep_id": r, "name": r.upper(), "team": team, "capacity_hours_per_week": 40.0}
        for r, (team, *_) in reps.items()
    ]
    with store.transaction():
        store.insert("reps", _frame(rep_rows, "rep_id"))
        store.insert("accounts", _frame([{"account_id": "A1", "name": "Muster GmbH",
                                          "segment": "Mittelstand", "industry": "Chemie"}],
                                        "account_id"))  # fmt: skip
        store.insert("products", _frame([{"product_id": "P1", "name": "Ventil",
                                          "family": "Ventiltechnik", "list_price": 1000.0}],
                                        "product_id"))  # fmt: skip
        store.insert("opportunities", _frame(opps, "opportunity_id"))


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory: pytest.TempPathFactory) -> tuple[RepPerformance, pd.DataFrame]:
    path = tmp_path_factory.mktemp("rep_shrink") / "store.duckdb"
    with open_store(path) as store:
        _write(store, REPS)
        return rep_performance(store), suggest_owners(store)


@pytest.fixture(scope="module")
def performance(hand_made: tuple[RepPerformance, pd.DataFrame]) -> RepPerformance:
    return hand_made[0]


def test_without_stage_history_or_open_deals(
    hand_made: tuple[RepPerformance, pd.DataFrame],
) -> None:
    performance, suggestions = hand_made
    assert performance.skill.steps == 1  # one trial per closed deal: won or lost
    assert performance.fit.effect == 0.0  # no industry varies: nothing to tell specialists by
    assert suggestions.empty and tuple(suggestions.columns) == SUGGESTION_COLUMNS


def test_strength_by_the_method_of_moments() -> None:
    # Two groups of 20 at 2 and 18 won around 0.5: Σ n (p̂ - m)² - m (1 - m) = 2 (3.2 - 0.25)
    # = 5.9, Σ m (1 - m)(n - 1) = 9.5, so 1 / (κ + 1) = 5.9 / 9.5.
    won, deals, prior = np.array([2.0, 18.0]), np.array([20.0, 20.0]), np.array([0.5, 0.5])
    assert beta_binomial_strength(won, deals, prior) == pytest.approx(9.5 / 5.9 - 1)
    # No more scatter than binomial noise: full pooling.
    assert beta_binomial_strength(np.array([5.0, 5.0]), np.array([10.0, 10.0]), prior) == 1e4
    rates, _ = shrink_rates(np.array([1.0, 90.0]), np.array([2.0, 100.0]), np.array([0.3, 0.3]), 8)
    assert rates == pytest.approx([(1 + 8 * 0.3) / 10, (90 + 8 * 0.3) / 108])


def test_log_means_pool_by_the_variance_ratio() -> None:
    means, variances = np.array([1.0, 3.0]), np.array([2.0, 2.0])
    counts, prior = np.array([10.0, 10.0]), np.array([2.0, 2.0])
    shrunk, k = shrink_log_means(means, variances, counts, prior)
    # within 2.0; between Σ n (m - prior)² / Σ n - within · groups / Σ n = 1 - 0.2 = 0.8
    assert k == pytest.approx(2.0 / 0.8)
    assert shrunk == pytest.approx(prior + (means - prior) * 10 / (10 + 2.5))


def test_two_level_pooling_keeps_precise_reps_and_pulls_vague_ones() -> None:
    estimate = np.array([0.4, 0.2, 0.0, -0.4, -0.2, 0.0, 0.9])
    se = np.array([0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 2.0])
    team = np.array(["a", "a", "a", "b", "b", "b", "a"])
    post, sd, tau2, _ = pool_two_levels(estimate, se, team)
    assert tau2 > 0.01
    assert post[:6] == pytest.approx(estimate[:6], abs=0.02)  # se² ≪ τ²: barely moved
    assert abs(post[6] - post[:3].mean()) < 0.15  # se ≫ τ: near the team's mean
    assert sd[6] < se[6]


def test_a_rep_with_two_deals_sits_near_the_team_rate(performance: RepPerformance) -> None:
    reps = performance.reps.set_index("rep_id")
    nord = reps.loc[reps["team"] == "Nord"]
    team_rate = nord["won"].sum() / nord["deals"].sum()  # 432 / 902 = 0.479
    assert team_rate == pytest.approx(432 / 902)
    assert reps.loc["n1", "win_rate"] == 1.0
    assert abs(reps.loc["n1", "win_rate_shrunk"] - team_rate) < 0.06
    # κ of the rep level: the pull on two deals is κ / (2 + κ), by the moment estimate
    k = performance.strength["rep"]
    assert 5 < k < 100
    assert reps.loc["n1", "win_rate_shrunk"] < 1.0 - 0.85 * (1.0 - team_rate)
    # The chain by hand: company 622 / 1302, the team pulled toward it with κ_team, the rep
    # toward the pooled team rate with κ_rep.
    company = 622 / 1302
    k_team = performance.strength["team"]
    team_pooled = (432 + k_team * company) / (902 + k_team)
    assert reps.loc["n1", "win_rate_shrunk"] == pytest.approx((2 + k * team_pooled) / (2 + k))
    assert reps.loc["n1", "win_rate_shrunk"] == pytest.approx(0.531, abs=0.001)


def test_a_rep_with_500_deals_sits_near_its_own_rate(performance: RepPerformance) -> None:
    n2 = performance.reps.set_index("rep_id").loc["n2"]
    assert n2["deals"] == 500 and n2["won"] == 300
    assert n2["win_rate"] == pytest.approx(0.6)
    assert abs(n2["win_rate_shrunk"] - 0.6) < 0.015
    k = performance.strength["rep"]
    assert abs(n2["win_rate_shrunk"] - 0.6) < (k / (500 + k)) * (0.6 - 0.45) + 1e-9


def test_cycle_times_pool_alike(performance: RepPerformance) -> None:
    reps = performance.reps.set_index("rep_id")
    # n1's two deals took ~200 days; the team's median is ~60 (n2: ~20)
    assert reps.loc["n1", "cycle_days"] > 120
    assert reps.loc["n1", "cycle_days_shrunk"] < 0.6 * reps.loc["n1", "cycle_days"]
    assert reps.loc["n2", "cycle_days"] == pytest.approx(20.0, rel=0.1)
    assert reps.loc["n2", "cycle_days_shrunk"] == pytest.approx(
        reps.loc["n2", "cycle_days"], rel=0.05
    )


def test_cells_add_up_to_the_reps(performance: RepPerformance) -> None:
    cells = performance.cells
    assert len(cells) == len(REPS)  # one segment × one family each
    assert cells["deals"].sum() == sum(r[1] for r in REPS.values())
    assert cells["won"].sum() == sum(r[2] for r in REPS.values())
    assert ((cells["win_rate_shrunk"] > 0) & (cells["win_rate_shrunk"] < 1)).all()


def test_too_few_closed_deals_is_a_clear_error(tmp_path: Path) -> None:
    with open_store(tmp_path / "few.duckdb") as store:
        _write(store, {"n1": ("Nord", 5, 2, 30.0)})
        with pytest.raises(RepModelError, match="at least 20 closed deals; the store has 5"):
            rep_performance(store)
