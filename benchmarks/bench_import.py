"""Import: a 1M-row opportunities CSV through ``revintel import``, next to DuckDB's ``read_csv``.

The file is written from the demo company's opportunities (resampled to one million rows with
fresh ids) together with its accounts. DuckDB's own CSV reader loading the same file into a
table is the reference; the target is at most three times its time and under 2 GB peak memory.
"""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from benchmarks._measure import timed, write_result
from revintel.ingest import import_files
from revintel.store import open_store
from revintel.synth import SynthConfig, generate

ROWS = 1_000_000
COLUMNS = (
    "opportunity_id", "name", "account_id", "amount", "currency", "list_price", "discount",
    "created_at", "expected_close_at", "closed_at", "stage", "lost_reason",
)  # fmt: skip


def write_export(folder: Path, rows: int = ROWS, seed: int = 42) -> tuple[Path, Path]:
    """Accounts and ``rows`` opportunities of the demo company as generic-preset CSV files."""
    result = generate(SynthConfig(seed=seed, leads=100_000))
    opportunities = result.tables["opportunities"].select(list(COLUMNS))
    picks = np.random.default_rng(seed).integers(0, opportunities.num_rows, rows)
    sample = opportunities.take(pa.array(picks))
    ids = pc.binary_join_element_wise("O", pc.cast(pa.array(np.arange(rows)), pa.string()), "")
    sample = sample.set_column(0, "opportunity_id", ids)
    for column in ("created_at", "expected_close_at", "closed_at"):
        index = sample.schema.get_field_index(column)
        seconds = pc.floor_temporal(sample[column], unit="second").cast(pa.timestamp("s"))
        sample = sample.set_column(index, column, pc.strftime(seconds, "%Y-%m-%d %H:%M:%S"))
    accounts = result.tables["accounts"].select(
        ["account_id", "name", "industry", "segment", "city"]
    )
    accounts_path, opportunities_path = folder / "accounts.csv", folder / "opportunities.csv"
    pacsv.write_csv(accounts, accounts_path)
    pacsv.write_csv(sample, opportunities_path)
    return accounts_path, opportunities_path


def _duckdb_read_csv(path: Path, folder: Path) -> dict[str, Any]:
    """DuckDB's own CSV reader loading the file into a table of a database file."""
    import duckdb

    def load() -> int:
        con = duckdb.connect(str(folder / "reference.duckdb"))
        con.execute(f"CREATE TABLE opportunities AS SELECT * FROM read_csv('{path}')")
        count = con.execute("SELECT count(*) FROM opportunities").fetchone()
        con.close()
        return int(count[0]) if count else 0

    count, seconds, peak = timed(load)

    def parse() -> None:
        # Every cell parsed and typed (the aggregate reads every column), nothing stored.
        duckdb.connect().execute(f"SELECT max(COLUMNS(*)) FROM read_csv('{path}')").fetchall()

    _, parse_seconds, _ = timed(parse)
    return {"rows": count, "seconds": seconds, "peak_mib": peak, "parse_seconds": parse_seconds}


_WRITTEN_TABLES = ("accounts", "opportunities", "milestones")


def _revintel_import(accounts: Path, opportunities: Path, folder: Path) -> dict[str, Any]:
    """``revintel import generic`` of the two files, then the same import again.

    Like the reference, the timing ends after the store is closed (DuckDB checkpoints then). The
    rows written are exported to Parquet for :func:`_duckdb_write_rows`.
    """
    path = folder / "bench.duckdb"
    steps: list[float] = []
    started = time.perf_counter()
    files = [accounts, opportunities]
    closed: list[float] = []

    def load() -> Any:
        store = open_store(path)
        report = import_files(
            store, "generic", files, progress=lambda _: steps.append(time.perf_counter())
        )
        committed = time.perf_counter()
        store.close()
        closed.append(time.perf_counter() - committed)
        return report

    report, seconds, peak = timed(load)
    store = open_store(path)
    again, reimport_seconds, _ = timed(lambda: import_files(store, "generic", files))
    for name in _WRITTEN_TABLES:
        store.execute_sql(f"COPY {name} TO '{folder / name}.parquet' (FORMAT parquet)")
    store.close()
    return {
        "seconds": seconds,
        "close_seconds": closed[0],
        "peak_mib": peak,
        "mapped_seconds": steps[0] - started,
        "accepted": report.rows_accepted,
        "rejected": report.rows_rejected,
        "written": report.written,
        "reimport_seconds": reimport_seconds,
        "reimport_written": sum(again.written.values()),
    }


def _duckdb_write_rows(folder: Path) -> dict[str, Any]:
    """DuckDB alone storing the rows the import wrote, read back from Parquet: no parsing,
    typing, checking or deriving; the least any importer writing them into this model needs."""
    import duckdb

    def load() -> int:
        con = duckdb.connect(str(folder / "rows-only.duckdb"))
        con.execute("BEGIN")
        for name in _WRITTEN_TABLES:
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM '{folder / name}.parquet'")
        con.execute("COMMIT")
        count = 0
        for name in _WRITTEN_TABLES:
            row = con.execute(f"SELECT count(*) FROM {name}").fetchone()
            count += int(row[0]) if row else 0
        con.close()
        return count

    count, seconds, peak = timed(load)
    return {"rows": count, "seconds": seconds, "peak_mib": peak}


def _in_fresh_process(function: Any, *args: Path) -> dict[str, Any]:
    """Run ``function(*args)`` in a new interpreter so its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return dict(pool.apply(function, args))


def run(results_dir: Path) -> dict[str, Any]:
    """Write the export, load it with DuckDB and with revintel; record time and peak memory.

    Each load runs in its own fresh process, so neither inherits the other's memory.
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        accounts, opportunities = write_export(folder)
        size_mib = opportunities.stat().st_size / 2**20
        duck = _in_fresh_process(_duckdb_read_csv, opportunities, folder)
        ours = _in_fresh_process(_revintel_import, accounts, opportunities, folder)
        rows_only = _in_fresh_process(_duckdb_write_rows, folder)
    figures = {
        "benchmark": "import",
        "rows": ROWS,
        "file_mib": round(size_mib, 1),
        "rows_accepted": ours["accepted"],
        "rows_rejected": ours["rejected"],
        "rows_written": ours["written"],
        "import_seconds": round(ours["seconds"], 2),
        "import_rows_per_second": round(ROWS / ours["seconds"]),
        "read_type_validate_seconds": round(ours["mapped_seconds"], 2),
        # Implied milestones are derived on a second thread while the opportunities are written.
        "derive_and_write_seconds": round(ours["seconds"] - ours["mapped_seconds"], 2),
        "import_peak_mib": round(ours["peak_mib"]),
        "reimport_seconds": round(ours["reimport_seconds"], 2),
        "reimport_rows_written": ours["reimport_written"],
        "duckdb_read_csv_rows": duck["rows"],
        "duckdb_read_csv_seconds": round(duck["seconds"], 2),
        "duckdb_read_csv_rows_per_second": round(ROWS / duck["seconds"]),
        "duckdb_read_csv_peak_mib": round(duck["peak_mib"]),
        "duckdb_parse_only_seconds": round(duck["parse_seconds"], 2),
        "import_vs_duckdb": round(ours["seconds"] / duck["seconds"], 2),
        "import_close_seconds": round(ours["close_seconds"], 2),
        "duckdb_store_written_rows": rows_only["rows"],
        "duckdb_store_written_rows_seconds": round(rows_only["seconds"], 2),
        "duckdb_store_written_rows_vs_read_csv": round(rows_only["seconds"] / duck["seconds"], 2),
        "import_vs_storing_its_rows": round(ours["seconds"] / rows_only["seconds"], 2),
        "target": "import at most 3x DuckDB read_csv, peak memory under 2048 MiB",
    }
    write_result(results_dir, "import", figures)
    return figures


if __name__ == "__main__":
    print(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results")))
