"""KPIs on the imported Olist and Maven datasets equal plain pandas calculations on their CSVs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.ingest import import_files
from revintel.metrics import KpiSettings, MetricCatalogue, MetricQuery, MetricSources, evaluate_kpi
from revintel.store import open_store
from tests.shared_data import shared_dataset

MQLS = "olist_marketing_qualified_leads_dataset.csv"
DEALS = "olist_closed_deals_dataset.csv"


@pytest.fixture(scope="module")
def olist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MetricSources, Path]]:
    folder = shared_dataset("olist_marketing_funnel")
    store = open_store(tmp_path_factory.mktemp("olist") / "olist.duckdb")
    import_files(store, "olist", [folder / MQLS, folder / DEALS])
    yield MetricSources.from_store(store), folder
    store.close()


def _run(sources: MetricSources, cat: MetricCatalogue, kpi: str, **query: object) -> pd.DataFrame:
    settings = KpiSettings(maturity_days=0)
    return evaluate_kpi(sources, cat.get(kpi), MetricQuery(**query), settings)  # type: ignore[arg-type]


def _pandas_mqls_per_month(folder: Path) -> pd.Series:
    mqls = pd.read_csv(folder / MQLS, parse_dates=["first_contact_date"])
    return mqls.groupby(mqls["first_contact_date"].dt.to_period("M")).size()


def test_mqls_per_month(olist: tuple[MetricSources, Path], catalogue: MetricCatalogue) -> None:
    sources, folder = olist
    expected = _pandas_mqls_per_month(folder)
    frame = _run(sources, catalogue, "mqls")
    got = pd.Series(frame["value"].to_numpy(), index=pd.PeriodIndex(frame["period"], freq="M"))
    assert got.to_dict() == expected.astype(float).to_dict()
    assert got.sum() == 8000


def test_lvr_per_month(olist: tuple[MetricSources, Path], catalogue: MetricCatalogue) -> None:
    sources, folder = olist
    counts = _pandas_mqls_per_month(folder).astype(float)
    expected = (counts - counts.shift(1)) / counts.shift(1)
    frame = _run(sources, catalogue, "lvr")
    got = pd.Series(frame["value"].to_numpy(), index=pd.PeriodIndex(frame["period"], freq="M"))
    np.testing.assert_allclose(got.to_numpy(), expected.reindex(got.index).to_numpy(), rtol=1e-12)
    assert np.isnan(got.iloc[0])


def test_mql_to_won_per_origin(
    olist: tuple[MetricSources, Path], catalogue: MetricCatalogue
) -> None:
    sources, folder = olist
    mqls = pd.read_csv(folder / MQLS)
    deals = pd.read_csv(folder / DEALS)
    # The import reads "unknown" and an empty origin as no channel.
    mqls["origin"] = mqls["origin"].replace({"unknown": np.nan})
    mqls["won"] = mqls["mql_id"].isin(deals["mql_id"])
    expected = mqls.groupby("origin", dropna=False)["won"].agg(["sum", "size"])
    frame = _run(sources, catalogue, "win_probability", by=("channel",))
    frame = frame[frame["step"] == "mql"]
    assert len(frame) == len(expected)
    for row in frame.itertuples():
        key = np.nan if pd.isna(row.channel) else row.channel
        want = (
            expected.loc[key] if isinstance(key, str) else expected[expected.index.isna()].iloc[0]
        )
        assert (row.numerator, row.denominator) == (want["sum"], want["size"]), row.channel
        assert row.value == pytest.approx(want["sum"] / want["size"])
    assert frame["numerator"].sum() == 842


def test_maven_win_rate_per_quarter_equals_pandas(
    tmp_path: Path, catalogue: MetricCatalogue
) -> None:
    folder = shared_dataset("maven_crm_sales_opportunities")
    files = [f for f in sorted(folder.glob("*.csv")) if f.name != "data_dictionary.csv"]
    with open_store(tmp_path / "maven.duckdb") as store:
        import_files(store, "maven", files)
        frame = _run(MetricSources.from_store(store), catalogue, "win_rate")
    deals = pd.read_csv(folder / "sales_pipeline.csv", parse_dates=["close_date"])
    closed = deals[deals["deal_stage"].isin(["Won", "Lost"])]
    quarter = closed["close_date"].dt.to_period("Q")
    expected = (closed["deal_stage"] == "Won").groupby(quarter).mean()
    got = pd.Series(frame["value"].to_numpy(), index=pd.PeriodIndex(frame["period"], freq="Q"))
    np.testing.assert_allclose(got.to_numpy(), expected.reindex(got.index).to_numpy())
    assert frame["denominator"].sum() == len(closed)
