"""The product on PostgreSQL gives DuckDB's answers: every command, run as a user runs it.

Two stores receive the same data through the command line — the demo company and the Olist
marketing funnel export — one a DuckDB file, one a database on a throw-away PostgreSQL server
(``tests/postgres_server.py``); each analysis must then print the same rows with the same
numbers on both (to 1e-9), and the same forecast for the same seed. Imports on PostgreSQL are
one transaction: a killed or failed import leaves nothing behind.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.metrics import load_catalogue
from revintel.store import open_store
from tests.postgres_server import PostgresServer
from tests.shared_data import shared_dataset

pytestmark = pytest.mark.postgres

MQLS = "olist_marketing_qualified_leads_dataset.csv"
DEALS = "olist_closed_deals_dataset.csv"
SEED = "11"
ATTRIBUTED_TO = ("--to", "mql", "--to", "opportunity_generated", "--to", "won")

runner = CliRunner()


@dataclass(frozen=True)
class Stores:
    """The same data in a DuckDB file and in a PostgreSQL database."""

    duckdb: str
    postgres: str
    olist: Path
    work: Path


def cli(*args: str) -> str:
    """Run ``revintel ARGS`` in this process; its output (fails the test on an error)."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, f"revintel {' '.join(args)}: {result.output}"
    return result.output


def both(stores: Stores, *args: str) -> tuple[str, str]:
    """Output of ``revintel ARGS --db …`` on the DuckDB store and on the PostgreSQL store."""
    return cli(*args, "--db", stores.duckdb), cli(*args, "--db", stores.postgres)


def assert_same_rows(
    duck_csv: str, pg_csv: str, *, rtol: float = 1e-9, ignore: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The two CSV outputs hold the same rows (in any order) with numbers equal to ``rtol``.

    ``ignore`` names columns that differ by design (ids made of the time of the run).
    """
    duck = pd.read_csv(io.StringIO(duck_csv)).drop(columns=list(ignore))
    pg = pd.read_csv(io.StringIO(pg_csv)).drop(columns=list(ignore))
    assert list(duck.columns) == list(pg.columns)
    assert len(duck) == len(pg) > 0
    numeric = [c for c in duck.columns if pd.api.types.is_float_dtype(duck[c])]
    keys = [c for c in duck.columns if c not in numeric]
    duck = duck.sort_values(keys, kind="stable").reset_index(drop=True)
    pg = pg.sort_values(keys, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(duck[keys], pg[keys], check_dtype=False)
    for column in numeric:
        np.testing.assert_allclose(
            pg[column].astype(float), duck[column].astype(float), rtol=rtol, atol=1e-9,
            err_msg=column,
        )  # fmt: skip
    return duck


@pytest.fixture(scope="module")
def stores(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stores]:
    olist = shared_dataset("olist_marketing_funnel")
    work = tmp_path_factory.mktemp("engines")
    database = postgres_server.create_database()
    made = Stores(str(work / "store.duckdb"), postgres_server.url(database), olist, work)
    for db in (made.duckdb, made.postgres):
        cli("init", "--db", db)
        cli("synth", "--db", db, "--seed", "7", "--leads", "2000", "--accounts", "400")
        cli("import", "olist", str(olist / MQLS), str(olist / DEALS), "--db", db)
        # the attributed KPIs read stored credits: those of the catalogue's model and milestones
        cli("attribution", "store", "--db", db, "--models", "markov", *ATTRIBUTED_TO)
        # the band KPIs read stored price bands
        cli("pricing", "bands", "--store", "--db", db)
    try:
        yield made
    finally:
        postgres_server.drop_database(database)


def test_the_stores_hold_the_same_rows(stores: Stores) -> None:
    with open_store(stores.duckdb) as duck, open_store(stores.postgres) as pg:
        counts = duck.row_counts()
        assert pg.row_counts() == counts
        assert counts["leads"] == 2000 + 8000
        # The same rows, not only as many: the Olist opportunities with their milestones.
        columns = ["opportunity_id", "lead_id", "account_id", "amount", "status", "closed_at"]
        frames = [
            s.table("opportunities").select(*columns).to_pandas().sort_values("opportunity_id")
            for s in (duck, pg)
        ]
        pd.testing.assert_frame_equal(
            frames[0].reset_index(drop=True), frames[1].reset_index(drop=True), check_dtype=False
        )


def test_importing_the_same_export_again_writes_nothing(stores: Stores) -> None:
    files = (str(stores.olist / MQLS), str(stores.olist / DEALS))
    for out in both(stores, "import", "olist", *files, "-f", "json"):
        report = json.loads(out)
        assert report["rows_accepted"] == 8842
        assert report["written"] == {"leads": 0, "opportunities": 0, "milestones": 0}


def test_an_updated_export_writes_only_the_changed_rows(stores: Stores) -> None:
    deals = pd.read_csv(stores.olist / DEALS, dtype=str, keep_default_na=False)
    deals.loc[:24, "business_segment"] = "renamed segment"
    updated = stores.work / DEALS
    deals.to_csv(updated, index=False)
    for out in both(stores, "import", "olist", str(updated), "-f", "json"):
        assert json.loads(out)["written"] == {"opportunities": 25, "milestones": 0}


def test_funnel_and_every_kpi_agree(stores: Stores) -> None:
    assert_same_rows(*both(stores, "funnel", "--by", "channel", "-f", "csv"))
    kpis = assert_same_rows(*both(stores, "kpi", "--format", "csv"))
    assert kpis["kpi"].nunique() == len(load_catalogue().kpis)
    assert_same_rows(*both(stores, "alerts", "-f", "csv"))


def test_forecast_and_backtest_are_identical_for_the_same_seed(stores: Stores) -> None:
    options = ("--seed", SEED, "--simulations", "400", "-f", "csv")
    duck, pg = both(stores, "forecast", "--horizon", "2Q", "--by", "team", *options)
    assert duck == pg
    duck, pg = both(stores, "forecast", "backtest", "--origins", "2", *options)
    assert duck == pg


def test_scores_train_apply_and_explain_agree(stores: Stores) -> None:
    trained = assert_same_rows(
        *both(stores, "score", "train", "deals", "-f", "csv"), ignore=("model_id",)
    )
    assert set(trained["algorithm"]) >= {"lightgbm", "milestone_prior"}
    applied = assert_same_rows(*both(stores, "score", "apply", "-f", "csv"), ignore=("model_id",))
    assert applied.set_index("kind").loc["deal_win", "scored"] > 0
    with open_store(stores.duckdb) as duck:
        scores = duck.table("scores")
        entity = scores.filter(scores.entity_type == "opportunity").entity_id.min().execute()
    assert_same_rows(*both(stores, "score", "explain", str(entity), "-f", "csv"))


def test_quality_dedupe_and_report_agree(stores: Stores) -> None:
    assert_same_rows(*both(stores, "quality", "-f", "csv"))
    pairs = assert_same_rows(*both(stores, "dedupe", "-f", "csv"))
    pair = str(pairs["pair_id"].iloc[0])
    both(stores, "dedupe", "--accept", pair)
    decided = []
    for db in (stores.duckdb, stores.postgres):
        with open_store(db) as store:
            decisions = store.table("account_match_decisions").select("pair_id", "decision")
            decided.append(decisions.to_pyarrow().to_pylist())
    assert decided[0] == decided[1] == [{"pair_id": pair, "decision": "accepted"}]
    for db, name in ((stores.duckdb, "duck"), (stores.postgres, "pg")):
        cli("report", "--db", db, "--out", str(stores.work / f"{name}.html"), "--lang", "en")
    assert (stores.work / "pg.html").stat().st_size > 10_000


def test_url_forms_tcp_postgresql_scheme_and_unix_socket(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    user, port = postgres_server.user, postgres_server.port
    socket_dir = postgres_server.socket_dir
    for url in (
        postgres_url,
        f"postgresql://{user}@127.0.0.1:{port}/{database}",
        f"postgres://{user}@/{database}?host={socket_dir}&port={port}",
        f"postgresql://{user}@{str(socket_dir).replace('/', '%2F')}:{port}/{database}",
    ):
        with open_store(url) as store:
            assert store.schema_version is not None, url
            assert store.engine.name == "postgres"


def test_a_transaction_commits_at_its_end_and_rolls_back_on_error(postgres_url: str) -> None:
    rep = {"rep_id": ["R1"], "name": ["Anna"], "team": ["Nord"], "source_system": ["test"]}
    with open_store(postgres_url) as writer, open_store(postgres_url) as reader:
        with writer.transaction():
            writer.insert("reps", pd.DataFrame(rep))
            # Ibis' own statements inside the block do not commit it.
            assert writer.table("reps").count().execute() == 1
            assert reader.table("reps").count().execute() == 0
        assert reader.table("reps").count().execute() == 1
        with pytest.raises(RuntimeError, match="boom"), writer.transaction():
            writer.delete_keys("reps", pd.DataFrame({"rep_id": ["R1"]}))
            writer.insert("reps", pd.DataFrame({**rep, "rep_id": ["R2"]}))
            assert writer.table("reps").rep_id.execute().tolist() == ["R2"]
            raise RuntimeError("boom")
        assert reader.table("reps").rep_id.execute().tolist() == ["R1"]


def test_inserted_rows_come_back_unchanged(postgres_url: str) -> None:
    import pyarrow as pa

    from revintel.model import table
    from revintel.store import conform

    text = ["plain", "", None, 'quote " comma , newline \n end', "ümlaut €"]
    rows = pa.table(
        {
            "touchpoint_id": [f"T{i}" for i in range(5)],
            "channel": text,
            "digital": [True, False, None, True, False],
            "cost": [0.1, None, 1e-300, -2.5, 1234567.891],
            "occurred_at": pa.array(
                [0, 1_700_000_000_123_456, None, -86_400_000_000, 1], pa.timestamp("us")
            ),
            "source_system": ["s"] * 5,
        }
    )
    with open_store(postgres_url) as store:
        store.insert("touchpoints", rows)
        back = store.table("touchpoints").to_pyarrow().sort_by("touchpoint_id")
        expected = conform(table("touchpoints"), rows)
        for column in rows.column_names:
            assert back[column].to_pylist() == expected[column].to_pylist(), column


def test_sql_in_duckdb_dialect_with_parameters(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        store.execute_sql("CREATE TABLE notes (id VARCHAR PRIMARY KEY, body VARCHAR, n DOUBLE)")
        store.execute_sql("INSERT INTO notes VALUES (?, ?, ?)", ["a", "100% sure", 1.5])
        rows = store.execute_sql(
            "SELECT id, body, n, body LIKE '%sure' AS sure FROM notes WHERE id = ?", ["a"]
        )
        assert rows.to_pylist() == [{"id": "a", "body": "100% sure", "n": 1.5, "sure": True}]
        empty = store.execute_sql("SELECT * FROM notes WHERE id = ?", ["none"])
        assert empty.num_rows == 0 and empty.column_names == ["id", "body", "n"]
        assert empty.schema.field("n").type == "double"
        deleted = store.execute_sql("DELETE FROM notes WHERE id = ? RETURNING id", ["a"])
        assert deleted.to_pylist() == [{"id": "a"}]


def _big_export(folder: Path, rows: int) -> Path:
    """The Olist MQL export repeated to ``rows`` rows with new ids (a long import)."""
    mqls = pd.read_csv(folder / MQLS, dtype=str)
    copies = -(-rows // len(mqls))
    big = pd.concat([mqls.assign(mql_id=mqls["mql_id"] + f"-{i}") for i in range(copies)])
    path = folder.parent / "big" / MQLS
    path.parent.mkdir(exist_ok=True)
    big.head(rows).to_csv(path, index=False)
    return path


def _in_transaction(server: PostgresServer, database: str, application: str) -> bool:
    import psycopg

    with psycopg.connect(
        host=str(server.socket_dir), port=server.port, user=server.user, dbname=database,
        autocommit=True,
    ) as con:  # fmt: skip
        row = con.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = %s AND xact_start IS NOT NULL",
            [application],
        ).fetchone()
    return bool(row and row[0])


def test_a_killed_import_leaves_no_rows(
    postgres_server: PostgresServer, postgres_url: str, tmp_path: Path
) -> None:
    olist = shared_dataset("olist_marketing_funnel")
    cli("synth", "--db", postgres_url, "--seed", "3", "--leads", "300", "--accounts", "60")
    with open_store(postgres_url) as store:
        before = store.row_counts()
    copied = tmp_path / "olist"
    copied.mkdir()
    (copied / MQLS).write_bytes((olist / MQLS).read_bytes())
    export = _big_export(copied, 150_000)
    database = postgres_url.rsplit("/", 1)[1]
    application = "revintel-killed-import"
    process = subprocess.Popen(
        [sys.executable, "-m", "revintel", "import", "olist", str(export),
         "--db", f"{postgres_url}?application_name={application}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not _in_transaction(postgres_server, database, application):
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    with open_store(postgres_url) as store:
        assert store.row_counts() == before


def test_a_failed_import_leaves_the_store_as_it_was(postgres_url: str, tmp_path: Path) -> None:
    olist = shared_dataset("olist_marketing_funnel")
    cli("synth", "--db", postgres_url, "--seed", "3", "--leads", "300", "--accounts", "60")
    with open_store(postgres_url) as store:
        before = store.row_counts()
    bad = tmp_path / "deals.csv"
    bad.write_text("this,is\nnot,an export\n", encoding="utf-8")
    failed = runner.invoke(
        app, ["import", "olist", str(olist / MQLS), str(bad), "--db", postgres_url]
    )
    assert failed.exit_code == 1
    assert "match no olist export" in str(failed.exception)
    # A file read whole but with one row rejected: --strict loads nothing of it.
    deals = (olist / DEALS).read_text(encoding="utf-8").splitlines()
    broken = tmp_path / DEALS
    broken.write_text("\n".join([*deals[:50], "x,y,z,not a date"]) + "\n", encoding="utf-8")
    strict = runner.invoke(
        app, ["import", "olist", str(olist / MQLS), str(broken), "--strict", "--db", postgres_url]
    )
    assert strict.exit_code != 0, strict.output
    with open_store(postgres_url) as store:
        after = store.row_counts()
        # Only the refused batch is on record, with the row that made it fail.
        assert after == {
            **before,
            "import_batches": before["import_batches"] + 1,
            "rejected_rows": 1,
        }
        batches = store.table("import_batches").to_pandas()
        assert batches.sort_values("started_at")["status"].iloc[-1] == "failed"
