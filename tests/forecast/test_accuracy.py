"""Out of time, the forecast beats its baselines on a demo company and its band covers honestly.

The demo company is the default one of ``revintel synth`` (60,000 leads, five years), backtested
as of 24 month-ends with 300 simulations per origin.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from revintel.forecast import Backtest, ForecastSettings, backtest, load_history
from revintel.model import load_funnel
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

ORIGINS = 24
SETTINGS = ForecastSettings(months=3, simulations=300)
WINDOWS = ("next month", "next 3 months")
P50 = "forecast P50"


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    store = open_store(Path(tmp_path_factory.mktemp("accuracy")) / "demo.duckdb")
    write_demo_company(store, SynthConfig())
    history = load_history(store, load_funnel())
    store.close()
    result: Backtest = backtest(history, ORIGINS, SETTINGS)
    return result.summary.set_index(["window", "method"])


@pytest.mark.slow
@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("baseline", ["run-rate", "weighted pipeline (default)"])
def test_p50_has_a_lower_wape_than_the_baseline(
    summary: pd.DataFrame, window: str, baseline: str
) -> None:
    assert summary.loc[(window, P50), "origins"] == ORIGINS
    assert summary.loc[(window, P50), "wape"] < summary.loc[(window, baseline), "wape"]


@pytest.mark.slow
@pytest.mark.parametrize("window", WINDOWS)
def test_p10_p90_band_covers_between_65_and_95_percent(summary: pd.DataFrame, window: str) -> None:
    coverage = summary.loc[(window, P50), "coverage_p10_p90"]
    assert 0.65 <= coverage <= 0.95
