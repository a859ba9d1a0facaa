"""The forecast and its backtest on the public Maven CRM export, imported with its preset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from revintel.forecast import ForecastSettings, History, backtest, forecast, load_history
from revintel.ingest import import_files
from revintel.model import load_funnel
from revintel.store import open_store, set_store_currency
from tests.shared_data import shared_dataset

FILES = ("accounts.csv", "products.csv", "sales_teams.csv", "sales_pipeline.csv")


@pytest.fixture(scope="module")
def maven(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    folder = shared_dataset("maven_crm_sales_opportunities")
    store = open_store(Path(tmp_path_factory.mktemp("maven")) / "maven.duckdb")
    set_store_currency(store, "USD")  # the dataset's deals are in US dollars
    import_files(store, "maven", [folder / name for name in FILES])
    yield load_history(store, load_funnel())
    store.close()


def test_maven_forecast_and_backtest(maven: History) -> None:
    result = forecast(maven, settings=ForecastSettings(months=3, simulations=300, by="product"))
    total = result.frame[(result.frame["source"] == "total") & (result.frame["product"] == "all")]
    quarter = total[total["grain"] == "quarter"].iloc[0]
    assert quarter["period"] == "2018-Q1"
    # Open Maven deals have no amount; they are valued like won deals of their product.
    assert result.simulation.open_pipeline.sum() > 0
    assert 0 < quarter["p10"] < quarter["p50"] < quarter["p90"]
    scores = backtest(maven, origins=3, settings=ForecastSettings(months=3, simulations=300))
    p50 = scores.summary[scores.summary["method"] == "forecast P50"]
    assert len(scores.points) == 6
    assert (p50["wape"] < 1.0).all()
