"""Account potential and white space: spend read from a store, the cross-fitted quantile model
on a simulated market with known potentials, and its calibration."""

from __future__ import annotations

import doctest
from datetime import datetime
from importlib import import_module
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from revintel.allocation import (
    PotentialEstimate,
    account_spend,
    calibration_table,
    estimate_potential,
    exceed_share,
    fit_potential,
)
from revintel.store import Store, open_store

FAMILIES = ("Antriebe", "Sensorik", "Service", "Software")
FAMILY_SCALE = np.array([1.0, 0.5, 0.3, 0.8])
INDUSTRY_SCALE = {"Maschinenbau": 1.5, "Chemie": 1.0, "Handel": 0.6, "Automotive": 1.2}


def simulated_market(
    accounts: int = 1200, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """Profiles, spend, true potentials and spend as matrices of a market built like the demo's:
    potential grows with size and industry, spend = potential × share of wallet (0.15…0.8) for
    the families an account buys (six in ten)."""
    rng = np.random.default_rng(seed)
    industry = rng.choice(list(INDUSTRY_SCALE), accounts)
    region = rng.choice(["Nord", "Süd", "West", "Ost"], accounts)
    employees = np.clip(np.round(rng.lognormal(np.log(180), 1.3, accounts)), 5, 60_000)
    segment = np.where(
        employees >= 1000, "Enterprise", np.where(employees >= 50, "Mittelstand", "Klein")
    )
    scale = 300 * employees**0.8 * np.array([INDUSTRY_SCALE[i] for i in industry])
    potential = scale[:, None] * FAMILY_SCALE * rng.lognormal(0, 0.3, (accounts, 4))
    share_of_wallet = rng.uniform(0.15, 0.8, accounts)
    buys = rng.random((accounts, 4)) < 0.6
    spend = potential * share_of_wallet[:, None] * rng.lognormal(0, 0.1, (accounts, 4)) * buys
    ids = [f"A{i:05d}" for i in range(accounts)]
    profiles = pd.DataFrame(
        {"account_id": ids, "industry": industry, "segment": segment, "region": region,
         "employees": employees}
    )  # fmt: skip
    i, j = np.nonzero(spend > 0)
    rows = pd.DataFrame(
        {
            "account_id": np.asarray(ids)[i],
            "family": np.asarray(FAMILIES)[j],
            "revenue": spend[i, j],
        }
    )
    return profiles, rows, potential, spend


@pytest.fixture(scope="module")
def market() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    return simulated_market()


@pytest.fixture(scope="module")
def fitted(market: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]) -> PotentialEstimate:
    profiles, spend, _, _ = market
    return fit_potential(profiles, spend, quantile=0.8, folds=5, seed=0)


def test_potential_is_never_below_current_revenue_and_prospects_get_one(
    fitted: PotentialEstimate, market: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]
) -> None:
    frame = fitted.frame
    profiles, spend, _, bought = market
    assert len(frame) == len(profiles) * len(FAMILIES)
    assert (frame["potential"] >= frame["current_revenue"]).all()
    assert np.allclose(frame["white_space"], frame["potential"] - frame["current_revenue"])
    current = frame.set_index(["account_id", "family"])["current_revenue"]
    given = spend.set_index(["account_id", "family"])["revenue"]
    assert np.allclose(current.loc[given.index], given)
    assert float(current.sum()) == pytest.approx(float(bought.sum()))
    prospects = frame[frame["current_revenue"] == 0]
    assert len(prospects) == int((bought == 0).sum())
    assert (prospects["potential"] > 0).all()
    assert np.allclose(prospects["white_space"], prospects["potential"])


def test_returns_exceeding_the_orders_leave_the_whole_potential_as_white_space(
    market: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray],
) -> None:
    profiles, spend, _, _ = market
    returned = pd.DataFrame({"account_id": ["A00000"], "family": ["Antriebe"], "revenue": [-500.0]})
    rest = spend[~((spend["account_id"] == "A00000") & (spend["family"] == "Antriebe"))]
    frame = fit_potential(profiles, pd.concat([rest, returned])).frame
    row = frame[(frame["account_id"] == "A00000") & (frame["family"] == "Antriebe")].iloc[0]
    assert row["current_revenue"] == -500.0
    assert row["potential"] == row["estimate"] > 0
    assert row["white_space"] == row["potential"]


def test_white_space_ranks_accounts_like_the_true_white_space(
    fitted: PotentialEstimate, market: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]
) -> None:
    profiles, _, potential, spend = market
    totals = fitted.by_account().set_index("account_id").loc[profiles["account_id"]]
    rho = spearmanr(totals["white_space"], (potential - spend).sum(axis=1)).statistic
    assert rho > 0.85  # 0.93 measured


@pytest.mark.parametrize(("quantile", "tolerance"), [(0.8, 0.05), (0.5, 0.06)])
def test_current_spend_exceeds_the_estimate_about_one_minus_quantile_of_the_time(
    market: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray],
    quantile: float,
    tolerance: float,
) -> None:
    profiles, spend, _, _ = market
    result = fit_potential(profiles, spend, quantile=quantile)
    assert exceed_share(result) == pytest.approx(1 - quantile, abs=tolerance)


def test_a_higher_quantile_gives_higher_potentials(
    fitted: PotentialEstimate, market: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]
) -> None:
    profiles, spend, _, _ = market
    median = fit_potential(profiles, spend, quantile=0.5)
    ratio = fitted.frame["estimate"] / median.frame["estimate"]
    # Given what the model sees, spend is a known level × lognormal(0, 0.3) (the potential's own
    # spread) × lognormal(0, 0.1) × uniform(0.15, 0.8) (the share of wallet): the ratio of its
    # 80th to its 50th percentile, by simulation, is 1.54
    rng = np.random.default_rng(0)
    draws = rng.lognormal(0, 0.3, 10**6) * rng.lognormal(0, 0.1, 10**6)
    draws *= rng.uniform(0.15, 0.8, 10**6)
    expected = np.quantile(draws, 0.8) / np.quantile(draws, 0.5)
    assert expected == pytest.approx(1.54, abs=0.01)
    assert float(np.median(ratio)) == pytest.approx(expected, abs=0.1)
    assert float((ratio > 1).mean()) > 0.9


def test_an_account_never_informs_its_own_potential(
    market: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray],
) -> None:
    profiles, spend, _, _ = market
    before = fit_potential(profiles, spend, seed=3)
    account = spend["account_id"].iloc[0]
    own = spend["account_id"] == account
    changed = spend.assign(revenue=np.where(own, spend["revenue"] * 5, spend["revenue"]))
    after = fit_potential(profiles, changed, seed=3)
    mine = before.frame["account_id"] == account
    assert np.array_equal(before.frame.loc[mine, "estimate"], after.frame.loc[mine, "estimate"])
    fold = before.frame.loc[mine, "fold"].iloc[0]
    same_fold = (before.frame["fold"] == fold).to_numpy()
    assert np.array_equal(
        before.frame.loc[same_fold, "estimate"], after.frame.loc[same_fold, "estimate"]
    )
    # ... while it does inform the accounts of the other folds
    assert not np.array_equal(
        before.frame.loc[~same_fold, "estimate"], after.frame.loc[~same_fold, "estimate"]
    )
    # its potential still covers what it now spends
    assert (after.frame.loc[mine, "potential"] >= after.frame.loc[mine, "current_revenue"]).all()


def test_peers_count_buyers_of_the_family_in_other_folds_with_industry_and_segment(
    fitted: PotentialEstimate, market: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]
) -> None:
    profiles = market[0].set_index("account_id")
    frame = fitted.frame.join(profiles[["industry", "segment"]], on="account_id")
    row = frame.iloc[7]
    peers = frame[
        (frame["family"] == row["family"])
        & (frame["industry"] == row["industry"])
        & (frame["segment"] == row["segment"])
        & (frame["fold"] != row["fold"])
        & (frame["current_revenue"] > 0)
    ]
    assert row["peers"] == len(peers) > 0


def test_calibration_table_bins_buyers_into_deciles_against_the_truth(
    fitted: PotentialEstimate, market: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]
) -> None:
    profiles, _, potential, spend = market
    truth = {
        account: dict(zip(FAMILIES, map(float, row), strict=True))
        for account, row in zip(profiles["account_id"], potential, strict=True)
    }
    table = calibration_table(fitted, truth)
    assert list(table["decile"]) == list(range(1, 11))
    assert int(table["rows"].sum()) == int((spend > 0).sum())
    assert table["rows"].max() - table["rows"].min() <= 1
    overall = float((table["exceed_share"] * table["rows"]).sum() / table["rows"].sum())
    assert overall == pytest.approx(exceed_share(fitted))
    assert table["mean_estimate"].is_monotonic_increasing
    true_means = table["mean_true_potential"].to_numpy()
    assert true_means[-1] > 10 * true_means[0]
    assert spearmanr(true_means, np.arange(10)).statistic > 0.95
    everyone = calibration_table(fitted, buyers_only=False)
    assert int(everyone["rows"].sum()) == len(fitted.frame)
    assert "mean_true_potential" not in everyone.columns
    with pytest.raises(ValueError, match=r"no potential for account A00000 in family"):
        calibration_table(fitted, {"A00000": {}})


def test_bad_input_is_refused_with_a_clear_message(
    market: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray],
) -> None:
    profiles, spend, _, _ = market
    with pytest.raises(ValueError, match="quantile must lie strictly between 0 and 1"):
        fit_potential(profiles, spend, quantile=1.0)
    with pytest.raises(ValueError, match="folds must be a whole number of at least 2"):
        fit_potential(profiles, spend, folds=1)
    with pytest.raises(ValueError, match="lack the column"):
        fit_potential(profiles.drop(columns="region"), spend)
    with pytest.raises(ValueError, match="name accounts twice: A00000"):
        fit_potential(pd.concat([profiles, profiles.head(1)]), spend)
    with pytest.raises(ValueError, match="no product family has 10 buying accounts"):
        fit_potential(profiles, spend.head(5))


# --- spend read from a store --------------------------------------------------------------------

LINEAGE = {"source_system": "erp", "import_batch_id": "b1"}


def _rows(columns: str, *values: tuple[object, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(list(values), columns=columns.split())
    return frame.assign(source_id=frame.iloc[:, 0], **LINEAGE)


def write_small_store(store: Store) -> None:
    """Three accounts (one a guest placeholder), two families, an order from before the
    twelve months, a return, an order in US dollars and a won deal returned in part."""
    accounts = _rows(
        "account_id name industry placeholder",
        ("K1", "Alpha GmbH", "Chemie", False),
        ("K2", "Beta AG", "Handel", None),
        ("G", "Gäste", None, True),
    )
    products = _rows(
        "product_id name family",
        ("P1", "Ventil", "Ventiltechnik"),
        ("P2", "Sensor", "Sensorik"),
        ("P3", "Muster", None),
    )
    orders = _rows(
        "order_id account_id ordered_at kind amount currency opportunity_id original_order_id",
        ("O1", "K1", datetime(2024, 3, 1), "order", 1500.0, "EUR", None, None),
        ("O2", "K1", datetime(2024, 4, 1), "return", -200.0, "EUR", None, "O1"),
        ("O3", "K1", datetime(2023, 6, 30, 12), "order", 9999.0, "EUR", None, None),  # too early
        ("O4", "K2", datetime(2024, 6, 30, 23), "order", 100.0, "USD", None, None),
        ("O5", "G", datetime(2024, 5, 1), "order", 800.0, "EUR", None, None),  # a guest
        ("O6", "K2", datetime(2024, 7, 1), "order", 50.0, "EUR", None, None),  # after as_of
        ("O7", "K2", datetime(2024, 2, 1), "order", 5000.0, "EUR", "D1", None),  # a won deal
        ("O8", "K2", datetime(2024, 2, 9), "return", -1000.0, "EUR", None, "O7"),
    )
    lines = _rows(
        "order_line_id order_id product_id net_amount currency",
        ("L1", "O1", "P1", 1000.0, "EUR"),
        ("L2", "O1", "P2", 400.0, "EUR"),
        ("L3", "O1", "P3", 100.0, "EUR"),  # no family
        ("L4", "O2", "P1", 200.0, "EUR"),  # a return written with a positive amount
        ("L5", "O3", "P1", 9999.0, "EUR"),
        ("L6", "O4", "P2", 100.0, "USD"),
        ("L7", "O5", "P1", 800.0, "EUR"),
        ("L8", "O6", "P2", 50.0, "EUR"),
        ("L9", "O7", "P1", 5000.0, "EUR"),
        ("L10", "O8", "P1", -1000.0, "EUR"),
    )
    rates = _rows("currency valid_from rate", ("USD", datetime(2024, 1, 1).date(), 0.9))
    with store.transaction():
        for name, frame in (
            ("accounts", accounts),
            ("products", products),
            ("orders", orders),
            ("order_lines", lines),
            ("fx_rates", rates),
        ):
            store.insert(name, frame)


def test_account_spend_nets_returns_of_the_recurring_business_in_the_store_currency(
    tmp_path: Path,
) -> None:
    with open_store(tmp_path / "spend.duckdb") as store:
        write_small_store(store)
        spend = account_spend(store, "2024-06-30")
        latest = account_spend(store)
        with_deals = account_spend(store, "2024-06-30", deals=True)
    assert spend.to_dict("records") == [
        {"account_id": "K1", "family": "Sensorik", "revenue": 400.0},
        {"account_id": "K1", "family": "Ventiltechnik", "revenue": 800.0},
        {"account_id": "K2", "family": "Sensorik", "revenue": pytest.approx(90.0)},
    ]
    # by default the twelve months end with the latest order (1 July 2024): O3 drops out
    assert latest.set_index(["account_id", "family"])["revenue"].to_dict() == {
        ("K1", "Sensorik"): 400.0,
        ("K1", "Ventiltechnik"): 800.0,
        ("K2", "Sensorik"): pytest.approx(140.0),
    }
    # the won deal (5,000) and its return (1,000) count only when deals are asked for
    assert with_deals.set_index(["account_id", "family"])["revenue"].to_dict() == {
        ("K1", "Sensorik"): 400.0,
        ("K1", "Ventiltechnik"): 800.0,
        ("K2", "Sensorik"): pytest.approx(90.0),
        ("K2", "Ventiltechnik"): 4000.0,
    }


def test_estimate_potential_names_a_store_without_enough_history(tmp_path: Path) -> None:
    with open_store(tmp_path / "thin.duckdb") as store:
        write_small_store(store)
        with pytest.raises(ValueError, match="2 accounts cannot be split into 5 folds"):
            estimate_potential(store, "2024-06-30")
        with pytest.raises(ValueError, match="no product family has 10 buying accounts"):
            estimate_potential(store, "2024-06-30", folds=2)
        with pytest.raises(ValueError, match="as_of must be a date like 2024-12-31"):
            estimate_potential(store, "30.06.2024")


@pytest.mark.parametrize("module", ["_potential", "_potential_features"])
def test_the_examples_in_the_docstrings_run(module: str) -> None:
    results = doctest.testmod(import_module(f"revintel.allocation.{module}"))
    assert results.attempted > 0
    assert results.failed == 0


@pytest.mark.postgres
def test_account_spend_on_postgresql_gives_duckdb_s_answer(
    tmp_path: Path, postgres_url: str
) -> None:
    frames = []
    for location in (str(tmp_path / "duck.duckdb"), postgres_url):
        with open_store(location) as store:
            write_small_store(store)
            frames.append(account_spend(store, "2024-06-30", deals=True))
    assert len(frames[0]) == 4
    pd.testing.assert_frame_equal(frames[0], frames[1], check_dtype=False, atol=1e-9)
