"""A Spark store (``spark:///FOLDER``) through the command line gives DuckDB's results.

One local Spark session (``local[2]``) serves every in-process command; subprocesses prove that
the catalog persists across processes and that a killed import leaves nothing visible.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.store import open_store
from revintel.store._spark import SparkLocation, parse_spark_url

pytestmark = [
    pytest.mark.spark,
    # PySpark 4.0's pandas conversion passes ``copy=``, which pandas 3 deprecates.
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

runner = CliRunner()
SYNTH = ("--seed", "11", "--leads", "1000", "--accounts", "200", "--years", "3", "--reps", "8")
ACCOUNTS_CSV = "account_id,name,industry,country,employees\n" + "".join(
    f"X{i},Firma {i} GmbH,Maschinenbau,DE,{10 + i}\n" for i in range(1, 41)
)


@dataclass(frozen=True)
class Stores:
    """The same company in a Spark store and in a DuckDB store."""

    spark: str
    duck: str
    folder: Path


def cli(*args: str) -> str:
    """Run ``revintel ARGS`` in this process; its output, failing the test on a non-zero exit."""
    result = runner.invoke(app, list(args))
    if result.exit_code != 0:
        raise AssertionError(f"revintel {' '.join(args)} failed: {result.output}") from (
            result.exception
        )
    return result.stdout


def csv_frame(*args: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(cli(*args, "--format", "csv")))


def assert_same(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    assert len(duck) > 0
    pd.testing.assert_frame_equal(
        duck.reset_index(drop=True),
        spark.reset_index(drop=True),
        check_dtype=False,
        check_exact=False,
        rtol=1e-9,
        atol=1e-9,
    )


def on_both(stores: Stores, *args: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``revintel ARGS --format csv`` on the DuckDB store and on the Spark store."""
    return csv_frame(*args, "--db", stores.duck), csv_frame(*args, "--db", stores.spark)


#: Run in a second process: one import that completes, then one that is killed while it writes.
_TWO_IMPORTS = """
import sys
from revintel.cli import app

def run(*args):
    try:
        app(list(args), standalone_mode=False)
    except SystemExit:
        pass

small, big, url = sys.argv[1:]
run("import", "generic", small, "--db", url)
print("FIRST IMPORT DONE", flush=True)
run("import", "generic", big, "--db", url)
"""


def _versions(warehouse: Path) -> set[str]:
    return {p.name for p in warehouse.iterdir() if "__v" in p.name} if warehouse.is_dir() else set()


@dataclass(frozen=True)
class KilledImport:
    """A store written by another process, whose second import was killed while writing."""

    folder: Path
    staged: set[str]


@pytest.fixture(scope="module")
def killed_import(tmp_path_factory: pytest.TempPathFactory) -> KilledImport:
    """Before this process starts Spark (the embedded metastore admits one process at a time)."""
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (java on PATH)")
    base = tmp_path_factory.mktemp("spark-store")
    folder = base / "lake"
    small, big = base / "accounts.csv", base / "many.csv"
    small.write_text(ACCOUNTS_CSV, encoding="utf-8")
    big.write_text(
        "account_id,name,employees\n"
        + "".join(f"K{i},Kunde {i},{i % 500}\n" for i in range(20_000)),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-c", _TWO_IMPORTS, str(small), str(big), f"spark://{folder}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "FIRST IMPORT DONE" in line:
            break
    else:
        pytest.fail(f"the first import failed: {process.communicate()[1]}")
    warehouse = folder / "warehouse"
    before = _versions(warehouse)
    deadline = time.monotonic() + 120
    while not (_versions(warehouse) - before) and process.poll() is None:
        assert time.monotonic() < deadline, "the second import never started writing"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    _, stderr = process.communicate()
    assert process.returncode == -signal.SIGKILL, "the second import ended before it was killed"
    # The terminal stays quiet: Spark's and the JVM's own messages go to the store's log.
    assert stderr.strip() == "", stderr
    return KilledImport(folder, _versions(warehouse) - before)


@pytest.fixture(scope="module")
def stores(killed_import: KilledImport) -> Iterator[Stores]:
    folder = killed_import.folder
    found = Stores(
        spark=f"spark://{folder}", duck=str(folder.parent / "duck.duckdb"), folder=folder
    )
    for db in (found.duck, found.spark):
        cli("synth", "--db", db, *SYNTH)
    yield found


def test_local_and_cluster_urls() -> None:
    assert parse_spark_url("spark:///data/rev%20intel", {}) == SparkLocation(
        "local[2]", "/data/rev intel/warehouse", folder=Path("/data/rev intel")
    )
    assert parse_spark_url("spark:///data/x", {"REVINTEL_SPARK_MASTER": "local[*]"}).master == (
        "local[*]"
    )
    assert parse_spark_url("spark://m:7077/lake/rev?metastore=thrift://hms:9083") == (
        SparkLocation("spark://m:7077", "/lake/rev", metastore="thrift://hms:9083")
    )
    cluster = parse_spark_url("spark://m:7077?metastore=thrift://h:9083&warehouse=s3a://b/rev")
    assert (cluster.warehouse, cluster.folder) == ("s3a://b/rev", None)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("spark://", "name the store's folder"),
        ("spark:///", "name the store's folder"),
        ("spark://data/lake", "three slashes"),
        ("spark://m:7077/lake", "needs the Hive metastore"),
        ("spark://m:7077?metastore=thrift://h:9083", "name the warehouse"),
        ("spark:///data/x?metastore=thrift://h:9083", "takes no parameters"),
        ("spark:///data/x?master=local", "unknown parameter"),
    ],
)
def test_bad_urls_are_refused_naming_the_problem(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_spark_url(url, {})


def test_another_process_wrote_the_catalog_and_its_killed_import_left_nothing(
    killed_import: KilledImport,
) -> None:
    assert killed_import.staged, "the killed import had written a version"
    shown = json.loads(cli("info", "--db", f"spark://{killed_import.folder}", "-f", "json"))
    assert shown["tables"]["accounts"] == 40
    assert shown["tables"]["import_batches"] == 1
    # Opening the store dropped what the killed import had staged.
    assert not killed_import.staged & _versions(killed_import.folder / "warehouse")


def test_init_keeps_catalog_and_warehouse_in_the_folder(stores: Stores) -> None:
    assert (stores.folder / "metastore_db").is_dir()
    assert (stores.folder / "warehouse").is_dir()
    assert not Path("metastore_db").exists() and not Path("spark-warehouse").exists()
    assert "up to date" in cli("init", "--db", stores.spark)


def test_synth_writes_the_same_rows(stores: Stores) -> None:
    with open_store(stores.duck) as duck:
        expected = duck.row_counts()
    with open_store(stores.spark) as spark:
        assert spark.row_counts() == expected
    assert expected["leads"] == 1000


def test_funnel_and_kpis_equal_duckdb(stores: Stores) -> None:
    assert_same(*on_both(stores, "funnel"))
    # A cross-section of the catalogue (tests/metrics/test_spark_parity.py compares all of it).
    kpis = ("mqls", "lvr", "mql_sal_acceptance", "win_rate", "sales_cycle", "weighted_pipeline")
    duck, spark = on_both(stores, "kpi", *kpis, "--grain", "quarter")
    assert_same(duck, spark)
    assert set(duck["kpi"]) == set(kpis)


def test_alerts_equal_duckdb(stores: Stores) -> None:
    assert_same(*on_both(stores, "alerts", "--columns", "all"))


def test_forecast_and_backtest_equal_duckdb(stores: Stores) -> None:
    assert_same(*on_both(stores, "forecast", "--seed", "5", "--simulations", "300"))
    backtest = ("forecast", "backtest", "--origins", "2", "--simulations", "200", "--seed", "5")
    assert_same(*on_both(stores, *backtest))


def test_allocation_plan_and_portfolio_equal_duckdb(stores: Stores) -> None:
    # potential (cross-fitted LightGBM), rep skill, the response curve and the MIP, all read
    # through Ibis: the same assignments with the same reasons
    # (Spark sums in another order: money may differ in the last cent)
    duck, spark = on_both(stores, "allocate")
    assert len(duck) == len(spark) > 0 and duck["hours_per_week"].sum() > 0
    ids = ["rep_id", "account_id", "opportunity_id", "hours_per_week"]
    pd.testing.assert_frame_equal(duck[ids], spark[ids])
    assert (duck["expected_gain"] - spark["expected_gain"]).abs().max() <= 0.02
    words = [r.str.replace(r"[\d.,]+", "#", regex=True) for r in (duck["reason"], spark["reason"])]
    assert words[0].tolist() == words[1].tolist()
    duck, spark = on_both(stores, "allocate", "portfolio")
    pd.testing.assert_frame_equal(duck, spark, check_dtype=False, rtol=1e-6, atol=0.02)


def test_quality_equals_duckdb(stores: Stores) -> None:
    duck = json.loads(cli("quality", "--db", stores.duck, "--format", "json"))
    spark = json.loads(cli("quality", "--db", stores.spark, "--format", "json"))
    assert spark == duck


def test_scores_train_apply_and_explain(stores: Stores) -> None:
    trained = {
        db: csv_frame("score", "train", "deals", "--db", db) for db in (stores.duck, stores.spark)
    }
    assert len(trained[stores.spark]) > 0
    applied = {db: csv_frame("score", "apply", "--db", db) for db in (stores.duck, stores.spark)}
    assert applied[stores.spark].shape == applied[stores.duck].shape
    with open_store(stores.spark) as spark:
        scores = spark.table("scores").to_pandas()
        opportunity = scores.loc[scores.entity_type == "opportunity", "entity_id"].iloc[0]
    with open_store(stores.duck) as duck:
        assert duck.table("scores").count().execute() == len(scores)
    reasons = json.loads(cli("score", "explain", opportunity, "--db", stores.spark, "-f", "json"))
    assert reasons and {"kind", "score", "reason_de", "reason_en"} <= set(reasons[0])
    assert reasons[0]["score"] == pytest.approx(
        float(scores.loc[scores.entity_id == opportunity, "score"].iloc[0])
    )


def test_report_is_written(stores: Stores, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    cli("report", "--db", stores.spark, "--out", str(out), "--months", "3", "--lang", "en")
    assert out.stat().st_size > 10_000


def test_file_import_and_dedupe_equal_duckdb(stores: Stores, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(ACCOUNTS_CSV, encoding="utf-8")
    for db in (stores.duck, stores.spark):
        cli("import", "generic", str(accounts), "--db", db)
        # The same file again writes nothing.
        again = json.loads(cli("import", "generic", str(accounts), "--db", db, "-f", "json"))
        assert again["written"] == {"accounts": 0, "import_batches": 1} or again["written"] == {
            "accounts": 0
        }
    with open_store(stores.spark) as spark:
        names = spark.table("accounts").filter(lambda t: t.account_id.startswith("generic:X"))
        assert names.count().execute() == 40
    assert_same(*on_both(stores, "dedupe", "--threshold", "0.5"))


def test_import_from_a_table_of_the_engine(stores: Stores, tmp_path: Path) -> None:
    extract = pa.table(
        {
            "account_id": [f"T{i}" for i in range(1, 6)],
            "name": [f"Lakehouse {i} AG" for i in range(1, 6)],
            "employees": pa.array([100, 200, 300, 400, None], pa.int64()),
        }
    )
    mapping = tmp_path / "crm.yaml"
    mapping.write_text(
        "system: crm\nobjects:\n  extract:\n    table: accounts\n    id: account_id\n"
        "    source: {query: \"SELECT * FROM crm.accounts_extract WHERE account_id <> 'T5'\"}\n"
        "    fields: {name: name, employees: employees}\n",
        encoding="utf-8",
    )
    for db in (stores.duck, stores.spark):
        with open_store(db) as store:
            store.backend.create_database("crm", force=True)
            store.backend.create_table("accounts_extract", extract, database="crm", overwrite=True)
        report = json.loads(
            cli("import", "generic", "--table", "crm.accounts_extract", "--db", db, "-f", "json")
        )
        assert report["files"][0]["file"] == "table crm.accounts_extract"
        assert report["written"]["accounts"] == 5
        declared = json.loads(
            cli("import", "generic", "--mapping", str(mapping), "--db", db, "-f", "json")
        )
        assert declared["written"]["accounts"] == 4
        with open_store(db) as store:
            t = store.table("accounts")
            rows = t.filter(t.source_id.isin(["T1", "T4"])).order_by("account_id").to_pandas()
        assert list(rows["account_id"]) == ["crm:T1", "crm:T4", "generic:T1", "generic:T4"]
        assert list(rows["employees"]) == [100, 400, 100, 400]


def test_a_second_process_is_refused_clearly_while_the_store_is_open(stores: Stores) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "revintel", "info", "--db", stores.spark],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert "another process has the Spark store" in message
    assert "one process at a time" in message


def test_batches_publish_together_roll_back_and_reshape_tables(stores: Stores) -> None:
    with open_store(stores.spark) as store:
        engine = store.engine
        with store.transaction():
            engine.create_table("scratch", ibis.schema({"k": "string"}))
            engine.insert("scratch", pa.table({"k": ["a", "b"]}))
        versions = _versions(stores.folder / "warehouse")
        with pytest.raises(RuntimeError, match="boom"), store.transaction():
            engine.insert("scratch", pa.table({"k": ["c"]}))
            assert engine.table("scratch").count().execute() == 3  # the batch sees its writes
            raise RuntimeError("boom")
        assert engine.table("scratch").count().execute() == 2
        assert _versions(stores.folder / "warehouse") == versions  # the staged one is dropped
        # What a migration does: add a column, then fill it for the stored rows.
        engine.evolve("scratch", ibis.schema({"k": "string", "flag": "boolean"}))
        t = engine.table("scratch")
        engine.replace_rows("scratch", t.mutate(flag=t.flag.fill_null(False)))
        rows = engine.table("scratch").order_by("k").to_pyarrow().to_pylist()
    assert rows == [{"k": "a", "flag": False}, {"k": "b", "flag": False}]
