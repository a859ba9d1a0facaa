"""The whole KPI catalogue gives the same numbers on DuckDB and on Ibis' PySpark backend."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from typing import Any

import ibis
import pandas as pd
import pytest

from revintel.attribution._credits import store_credits
from revintel.metrics import (
    MetricCatalogue,
    MetricQuery,
    MetricSources,
    evaluate_kpi,
    funnel_report,
    parse_filter,
    stalled_entries,
)
from revintel.model import table as model_table
from revintel.store import Store, open_store

pytestmark = [
    pytest.mark.spark,
    # PySpark 4.0's pandas conversion passes ``copy=``, which pandas 3 deprecates.
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

TABLES = (
    "accounts",
    "reps",
    "campaigns",
    "leads",
    "milestones",
    "opportunities",
    "touchpoints",
    "targets",
    "orders",
    "fx_rates",
    "marketing_costs",
    "products",
    "order_lines",
    "price_adjustments",
)
#: Milestones of the catalogue's attributed KPIs, whose credits (by markov) are stored first.
ATTRIBUTED_MILESTONES = ("mql", "opportunity_generated", "won")


def _session() -> Any:
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName("revintel-parity")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    try:
        return builder.getOrCreate()
    except Exception:  # the JVM gateway occasionally fails its first start on a busy machine
        return builder.getOrCreate()


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (java on PATH)")
    session = _session()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def credited(
    demo: tuple[Store, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """A copy of the demo company's tables with the attribution credits stored."""
    store = open_store(tmp_path_factory.mktemp("parity") / "credited.duckdb")
    for name in TABLES:
        store.insert(name, demo[0].table(name).to_pandas())
    store_credits(store, models=("markov",), milestones=ATTRIBUTED_MILESTONES)
    # one price band holding every deal, for the band KPIs
    band = {"band_id": "B1", "fit_id": "F1", "segment": "all", "floor": 0.88, "target": 0.92}
    store.insert(
        "price_bands",
        pd.DataFrame([band]).assign(
            stretch=0.96, won_deals=1, fitted_at=pd.Timestamp("2025-01-01")
        ),
    )
    deals = store.table("opportunities").select("opportunity_id").to_pandas()
    store.insert("price_band_deals", deals.assign(fit_id="F1", band_id="B1"))
    # lead scores at creation for two leads of three, for the quality-weighted KPIs
    leads = store.table("leads").select("lead_id", "created_at").to_pandas()
    leads = leads.sort_values("lead_id", ignore_index=True)
    leads = leads[leads.index % 3 != 0]
    store.insert(
        "scores",
        pd.DataFrame(
            {
                "score_id": "S" + leads["lead_id"],
                "model_id": "M1",
                "kind": "lead_to_sql",
                "entity_type": "lead",
                "entity_id": leads["lead_id"],
                "score": (leads.index * 37 % 100 + 1) / 101,
                "scored_at": leads["created_at"],
            }
        ),
    )
    yield store
    store.close()


@pytest.fixture(scope="module")
def backends(
    spark: Any, demo: tuple[Store, dict[str, Any]], credited: Store
) -> tuple[MetricSources, MetricSources]:
    """The same demo company read from DuckDB and from Spark temporary views."""
    from ibis.backends.pyspark.datatypes import PySparkSchema

    store, truth = credited, demo[1]
    names = (*TABLES, "attribution_credits", "price_bands", "price_band_deals", "scores")
    for name in names:
        schema = PySparkSchema.from_ibis(model_table(name).ibis_schema())
        frame = store.table(name).to_pandas()
        spark.createDataFrame(frame, schema=schema).createOrReplaceTempView(name)
    con = ibis.pyspark.connect(spark)
    as_of = date.fromisoformat(truth["as_of"])
    on_spark = MetricSources({name: con.table(name) for name in names}, as_of=as_of)
    return MetricSources.from_store(store, as_of=as_of), on_spark.materialize()


def _same(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    assert len(duck) > 0
    pd.testing.assert_frame_equal(
        duck.reset_index(drop=True),
        spark.reset_index(drop=True),
        check_dtype=False,
        check_exact=False,
        rtol=1e-9,
        atol=1e-9,
    )


def test_every_kpi_matches(
    backends: tuple[MetricSources, MetricSources], catalogue: MetricCatalogue
) -> None:
    duck, spark = backends
    for spec in catalogue.kpis:
        a = evaluate_kpi(duck, spec, MetricQuery(), catalogue.settings)
        b = evaluate_kpi(spark, spec, MetricQuery(), catalogue.settings)
        try:
            _same(a, b)
        except AssertionError as exc:
            raise AssertionError(f"KPI {spec.id} differs between DuckDB and Spark: {exc}") from None


@pytest.mark.parametrize(
    "kpi",
    [
        "mql_sal_acceptance",
        "win_rate_value",
        "lvr",
        "lvr_quality_weighted",
        "repeat_purchase_rate",
        "cohort_retention",
    ],
)
def test_breakdowns_filters_and_comparisons_match(
    backends: tuple[MetricSources, MetricSources], catalogue: MetricCatalogue, kpi: str
) -> None:
    duck, spark = backends
    query = MetricQuery(
        grain="quarter",
        by=("segment",),
        where=(parse_filter("segment!=Kleinunternehmen"),),
        start=date(2023, 1, 1),
        compare=True,
    )
    spec = catalogue.get(kpi)
    _same(
        evaluate_kpi(duck, spec, query, catalogue.settings),
        evaluate_kpi(spark, spec, query, catalogue.settings),
    )


def test_stalled_opportunities_match(backends: tuple[MetricSources, MetricSources]) -> None:
    duck, spark = backends
    a = stalled_entries(duck, 0.9, ("industry",))
    b = stalled_entries(spark, 0.9, ("industry",))
    key = ["stage", "lead_id"]
    _same(a.sort_values(key, ignore_index=True), b.sort_values(key, ignore_index=True))


def test_funnel_report_matches(backends: tuple[MetricSources, MetricSources]) -> None:
    duck, spark = backends
    a = funnel_report(duck).to_pandas()
    b = funnel_report(spark).to_pandas()
    a["cohort"], b["cohort"] = pd.to_datetime(a["cohort"]), pd.to_datetime(b["cohort"])
    _same(a, b)
