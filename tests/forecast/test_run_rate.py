"""Repeat and direct orders: the seasonal run-rate, its range and its backtest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from revintel.forecast import (
    DIRECT,
    ForecastSettings,
    History,
    RunRateParams,
    backtest,
    backtest_direct,
    choose_run_rate,
    direct_orders,
    fit_run_rate,
    forecast,
    load_history,
    month_ends,
    simulate_run_rate,
    split_origins,
)
from revintel.forecast._direct_backtest import variant_name
from revintel.forecast._run_rate import month_index, point_forecast, seasonal_factors
from revintel.ingest import import_files
from revintel.model import load_funnel
from revintel.store import Store, open_store
from tests.shared_data import shared_dataset

#: A year of month-of-year factors with a December peak and a summer dip (mean 1).
SEASON = np.array([0.8, 0.9, 1.0, 1.0, 1.1, 0.9, 0.7, 0.8, 1.1, 1.2, 1.2, 1.3])


def _orders(monthly: np.ndarray, first: date = date(2020, 1, 1)) -> pd.DataFrame:
    """One order on the 10th of each month, of the month's amount."""
    months = np.arange(len(monthly)) + (first.year - 1970) * 12 + first.month - 1
    days = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + 9.0
    return pd.DataFrame({"at": days, "amount": monthly})


def test_seasonal_factors_recover_a_known_pattern() -> None:
    series = 1_000.0 * np.tile(SEASON, 4)
    factors = seasonal_factors(series, first=(2020 - 1970) * 12, prior=0.0)
    np.testing.assert_allclose(factors, SEASON, rtol=0.01)
    # one pseudo-year pulls three measured years a quarter of the way back to 1
    shrunk = seasonal_factors(series, first=(2020 - 1970) * 12, prior=1.0)
    assert shrunk[11] == pytest.approx(1 + 0.75 * 0.3, rel=0.01)


def test_point_forecast_carries_season_and_damped_trend() -> None:
    first = (2020 - 1970) * 12
    flat = 1_000.0 * np.tile(SEASON, 3)
    december = first + 36 + 11
    seasonal = point_forecast(flat, first, np.array([december]), RunRateParams(seasonal_prior=0))
    assert seasonal[0] == pytest.approx(1_300.0, rel=0.01)
    growing = 1_000.0 * 1.02 ** np.arange(36)
    target = np.array([first + 36])
    undamped = point_forecast(growing, first, target, RunRateParams(seasonal=False, damping=1))
    none = point_forecast(growing, first, target, RunRateParams(seasonal=False, damping=0))
    damped = point_forecast(growing, first, target, RunRateParams(seasonal=False, damping=0.5))
    assert undamped[0] == pytest.approx(1_000.0 * 1.02**36, rel=0.01)
    assert none[0] == pytest.approx(growing[-12:].mean())
    assert none[0] < damped[0] < undamped[0]


def test_the_default_chooses_the_variant_from_the_past_alone() -> None:
    rng = np.random.default_rng(2)
    seasonal = 1_000.0 * np.tile(SEASON, 4) * rng.lognormal(0, 0.03, 48)
    flat = 1_000.0 * rng.lognormal(0, 0.3, 48)
    cut = date(2023, 12, 31)
    assert fit_run_rate(_orders(seasonal), cut).params.seasonal
    assert fit_run_rate(_orders(flat), cut).params == RunRateParams(seasonal=False, damping=0.0)
    # too short to replay a single origin: the plain trailing mean
    short = fit_run_rate(_orders(seasonal[:14]), date(2021, 2, 28))
    assert short.params == RunRateParams(seasonal=False, damping=0.0)
    assert short.level_sigma == pytest.approx(0.3)


def test_bad_parameters_are_named() -> None:
    with pytest.raises(ValueError, match="damping must lie in"):
        RunRateParams(damping=1.5)
    with pytest.raises(ValueError, match="seasonal_prior"):
        RunRateParams(seasonal_prior=-1)
    with pytest.raises(ValueError, match="at least one origin"):
        backtest_direct(_orders(np.ones(30)), [])


def test_a_part_month_gets_its_share_and_the_draws_average_the_run_rate() -> None:
    orders = _orders(np.full(36, 3_000.0))
    model = fit_run_rate(orders, date(2022, 12, 31), RunRateParams(seasonal=False))
    assert model.expected(np.array([0.0, 31.0, 59.0])) == pytest.approx([3_000.0, 3_000.0])
    mid = fit_run_rate(orders, date(2022, 12, 15), RunRateParams(seasonal=False))
    # 16 of December's 31 days are left after the 15th
    assert mid.expected(np.array([0.0, 16.0]))[0] == pytest.approx(3_000.0 * 16 / 31)
    edges = np.array([0.0, 31.0, 59.0, 90.0])
    draws = simulate_run_rate(
        model, edges, np.zeros(len(model.pool), np.int64), 1, 20_000, np.random.default_rng(5)
    )
    assert draws.mean() == pytest.approx(3_000.0, rel=0.02)
    assert month_index(np.array([model.cut]))[0] == (2023 - 1970) * 12


def test_direct_orders_are_net_and_leave_deal_orders_out(demo_store: Store) -> None:
    orders = demo_store.table("orders").to_pandas()
    is_return = orders["kind"] == "return"
    direct = direct_orders(demo_store)
    expected = (
        orders.loc[orders["opportunity_id"].isna() & ~is_return, "amount"].sum()
        - orders.loc[is_return, "amount"].abs().sum()
    )
    assert direct["amount"].sum() == pytest.approx(expected)
    assert len(direct) == int((orders["opportunity_id"].isna() | is_return).sum())
    assert (direct["amount"] < 0).sum() == int(is_return.sum()) > 0


def test_direct_orders_do_not_depend_on_the_row_order(
    generated: dict[str, pa.Table], demo_store: Store
) -> None:
    reversed_orders = generated["orders"].take(
        pa.array(range(generated["orders"].num_rows - 1, -1, -1))
    )
    with open_store(":memory:") as store:
        for name, table in generated.items():
            store.insert(name, reversed_orders if name == "orders" else table)
        pd.testing.assert_frame_equal(direct_orders(store), direct_orders(demo_store))


def test_the_forecast_lists_the_source_and_sums_it_into_the_total(history: History) -> None:
    settings = ForecastSettings(months=3, simulations=2_000, seed=4)
    frame = forecast(history, date(2024, 9, 30), settings).frame
    quarter = frame[frame["grain"] == "quarter"].set_index("source")
    assert quarter.loc[DIRECT, "p10"] < quarter.loc[DIRECT, "p50"] < quarter.loc[DIRECT, "p90"]
    means = quarter["mean"]
    parts = means["open pipeline"] + means["not yet created"] + means[DIRECT]
    assert means["total"] == pytest.approx(parts, abs=0.05)
    without = forecast(
        history,
        date(2024, 9, 30),
        ForecastSettings(months=3, simulations=2_000, seed=4, direct_orders=False),
    ).frame
    assert DIRECT not in set(without["source"])


def test_total_actual_is_net_order_intake_without_double_counting(
    history: History, demo_store: Store
) -> None:
    result = backtest(history, [date(2024, 6, 30)], ForecastSettings(months=3, simulations=200))
    orders = demo_store.table("orders").to_pandas()
    inside = (orders["ordered_at"] > "2024-06-30 23:59:59.999") & (
        orders["ordered_at"] < "2024-10-01"
    )
    sign = np.where(orders["kind"] == "return", -1.0, 1.0)
    net = float((sign * orders["amount"].abs())[inside].sum())
    row = result.points[result.points["window"] == "next 3 months"].iloc[0]
    assert row["total_actual"] == pytest.approx(net)
    assert row["actual"] < row["total_actual"]


#: Small demo companies whose direct orders are backtested: the fixture's seed and the first four.
#: With about 20 orders a month of widely spread sizes, one company's six reported origins move
#: a WAPE by ±0.1, so a claim is made on the mean over the seeds and its standard error.
DEMO_SEEDS = (7, 1, 2, 3, 4)


def _seed_history(seed: int) -> History:
    """The history of the small demo company (as the ``generated`` fixture) at ``seed``."""
    from revintel.synth import SynthConfig, generate

    config = SynthConfig(seed=seed, leads=5_000, accounts=400, reps=10, start=date(2020, 1, 1))
    with open_store(":memory:") as store:
        for name, table in generate(config).tables.items():
            store.insert(name, table)
        return load_history(store, load_funnel())


def _seed_scores(seed: int, history: History) -> pd.DataFrame:
    """The chosen run-rate on the reported origins, and the total on every origin, of one seed."""
    ends = month_ends(history.last_event, 18, 3)
    tuning, reported = split_origins(ends, 12)
    chosen, _ = choose_run_rate(history.direct_orders, tuning, 3)
    direct = backtest_direct(history.direct_orders, ends, 3, chosen, simulations=300)
    # The total's parameters were tuned on another company, so every origin is out of sample;
    # every second one suffices, as the three-month windows of consecutive month-ends overlap.
    spaced = ends[::2]
    settings = ForecastSettings(months=3, simulations=200)
    totals = backtest(history, spaced, settings).score_totals(spaced)
    return pd.concat([direct.score(reported), totals]).assign(seed=seed)


@pytest.fixture(scope="module")
def demo_seed_scores(history: History) -> pd.DataFrame:
    """WAPE, bias and coverage per seed, window and method (the seed-7 company is the fixture)."""
    frames = [_seed_scores(7, history)]
    frames += [_seed_scores(s, _seed_history(s)) for s in DEMO_SEEDS if s != 7]
    return pd.concat(frames, ignore_index=True)


def _paired(scores: pd.DataFrame, window: str, method: str, other: str) -> np.ndarray:
    """Per seed, ``method``'s WAPE minus ``other``'s in ``window``."""
    wape = scores[scores["window"] == window].pivot(index="seed", columns="method", values="wape")
    return (wape[method] - wape[other]).to_numpy()


def _sem(values: np.ndarray) -> float:
    return float(values.std(ddof=1) / np.sqrt(len(values)))


def test_demo_run_rate_choice_is_the_best_tuning_score(history: History) -> None:
    tuning, _ = split_origins(month_ends(history.last_event, 18, 3), 12)
    chosen, table = choose_run_rate(history.direct_orders, tuning, 3)
    assert len(table) == 7 and table["score"].is_monotonic_increasing
    assert table["variant"].iloc[0] == variant_name(chosen)


@pytest.mark.slow
def test_demo_run_rate_against_both_baselines_over_seeds(demo_seed_scores: pd.DataFrame) -> None:
    scores = demo_seed_scores
    assert sorted(set(scores["seed"])) == sorted(DEMO_SEEDS)
    # next month: clearly better than the same month last year (mean gain > 2 standard errors)
    gain = _paired(scores, "next month", "run-rate P50", "same period last year")
    assert gain.mean() + 2 * _sem(gain) < 0
    # The demo's direct orders have no season: the flat run-rate is the trailing mean, and a
    # seasonal or trending variant chosen on twelve noisy tuning origins does not beat it. The
    # run-rate is not worse than the trailing mean beyond two standard errors in either window.
    for window in ("next month", "next 3 months"):
        excess = _paired(scores, window, "run-rate P50", "trailing 12-month mean")
        assert excess.mean() - 2 * _sem(excess) < 0
    band = scores.loc[scores["method"] == "run-rate P50", "coverage_p10_p90"]
    assert 0.6 <= band.mean() <= 0.95  # the P10-P90 band, pooled over seeds and windows


@pytest.mark.slow
def test_direct_orders_make_the_demo_total_miss_less_over_seeds(
    demo_seed_scores: pd.DataFrame,
) -> None:
    scores = demo_seed_scores
    gain = _paired(scores, "next 3 months", "total with repeat and direct orders", "won deals only")
    assert gain.mean() + 2 * _sem(gain) < 0
    quarter = scores[scores["window"] == "next 3 months"].set_index(["seed", "method"])["bias"]
    deals_only = quarter.xs("won deals only", level="method")
    with_direct = quarter.xs("total with repeat and direct orders", level="method")
    # without them the intake is missed at every seed; with them the bias is far smaller
    assert (deals_only < 0).all()
    assert with_direct.abs().mean() < deals_only.abs().mean() / 2


@pytest.fixture(scope="module")
def superstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    export = shared_dataset("superstore_orders") / "Sample - Superstore.csv"
    store = open_store(Path(tmp_path_factory.mktemp("superstore")) / "store.duckdb")
    import_files(store, "order_lines", [export])
    yield store
    store.close()


def test_superstore_backtest_beats_both_baselines(superstore: Store) -> None:
    history = load_history(superstore, load_funnel())
    assert history.last_event == date(2022, 12, 30)  # no funnel: the last order dates the store
    orders = history.direct_orders
    assert orders["amount"].sum() == pytest.approx(2_326_534.3543)
    ends = month_ends(date(2022, 12, 31), 24, 3)
    tuning, reported = split_origins(ends, 12)
    chosen, _ = choose_run_rate(orders, tuning, 3)
    assert chosen == RunRateParams(seasonal=True, damping=0.9)
    scores = backtest_direct(orders, ends, 3, chosen).score(reported)
    wape = scores.set_index(["window", "method"])["wape"]
    assert wape[("next month", "run-rate P50")] == pytest.approx(0.181, abs=0.005)
    assert wape[("next 3 months", "run-rate P50")] == pytest.approx(0.149, abs=0.005)
    for window in ("next month", "next 3 months"):
        best_baseline = min(
            wape[(window, "same period last year")], wape[(window, "trailing 12-month mean")]
        )
        assert wape[(window, "run-rate P50")] < best_baseline - 0.04
    # without a funnel the whole forecast is this source
    frame = forecast(history, date(2022, 9, 30), ForecastSettings(months=3, simulations=500)).frame
    quarter = frame[frame["grain"] == "quarter"].set_index("source")
    assert quarter.loc["total", "p50"] == quarter.loc[DIRECT, "p50"] > 0
