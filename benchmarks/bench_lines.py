"""Line-level orders: a 1M-line shop export through the ``order_lines`` preset into four tables.

The export (about 40,000 orders of 5,000 customers over 4,000 products, with credit notes,
guest orders and the same product twice in some orders) is generated here. ``revintel import
order_lines`` loads it into accounts, products, orders and order lines in one transaction; the
reference is DuckDB alone storing the rows the import wrote, read back from Parquet. The target
is at most twice that time and a peak under 2 GB (this process and its children).
"""

from __future__ import annotations

import argparse
import multiprocessing
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

LINES = 1_000_000
ORDERS = 40_000
CUSTOMERS = 5_000
PRODUCTS = 4_000
#: Shares of the orders that are credit notes ("C…", negative quantities) and guest orders.
RETURN_SHARE = 0.03
GUEST_SHARE = 0.04
#: Import and reference are each run this many times, in turns; medians are reported.
PAIRS = 3
_TABLES = ("accounts", "products", "orders", "order_lines")
_COUNTRIES = np.array(["Germany", "Austria", "Switzerland", "France", "United Kingdom"])


def write_export(path: Path, lines: int = LINES, seed: int = 7) -> dict[str, Any]:
    """Write a line-level export of ``lines`` lines (orders scale with it) as CSV."""
    rng = np.random.default_rng(seed)
    orders = max(1, round(ORDERS * lines / LINES))
    order_of_line = np.sort(rng.integers(0, orders, lines))
    is_return = rng.random(orders) < RETURN_SHARE
    is_guest = rng.random(orders) < GUEST_SHARE
    customer = rng.integers(0, CUSTOMERS, orders)
    seconds = rng.integers(0, 2 * 365 * 86_400, orders)
    # a few popular products, many rare ones, as in real shops
    product = np.minimum(rng.zipf(1.3, lines), PRODUCTS) - 1
    price = np.round(np.exp(rng.normal(2.0, 0.8, PRODUCTS)), 2)
    quantity = rng.integers(1, 13, lines)
    sign = np.where(is_return[order_of_line], -1, 1)
    invoice = np.char.add(np.where(is_return, "C", ""), (500_000 + np.arange(orders)).astype(str))
    customer_id = np.where(is_guest, "", (10_000 + customer).astype(str))
    stamps = np.datetime64("2023-01-01T08:00:00") + seconds.astype("timedelta64[s]")
    table = pa.table(
        {
            "Invoice": invoice[order_of_line],
            "StockCode": np.char.add("P", (10_000 + product).astype(str)),
            "Description": np.char.add("Article ", product.astype(str)),
            "Quantity": quantity * sign,
            "Price": price[product],
            "InvoiceDate": pc.strftime(pa.array(stamps[order_of_line]), format="%Y-%m-%d %H:%M:%S"),
            "Customer ID": customer_id[order_of_line],
            "Country": _COUNTRIES[customer % len(_COUNTRIES)][order_of_line],
        }
    )
    pacsv.write_csv(table, path)
    return {"lines": lines, "orders": orders, "returns": int(is_return.sum())}


def _revintel_import(export: Path, folder: Path) -> dict[str, Any]:
    """``revintel import order_lines`` into a fresh store; then the written tables to Parquet.

    Like the reference, the timing ends after the store is closed (DuckDB checkpoints then).
    """
    import ibis

    ibis.duckdb  # noqa: B018 -- load the backend's modules before the clock starts, as the reference imports duckdb first
    path = folder / "bench.duckdb"
    mapped: list[float] = []
    started = time.perf_counter()

    def note(message: object) -> None:
        if "mapped" in str(message) and not mapped:
            mapped.append(time.perf_counter())

    def load() -> Any:
        store = open_store(path)
        report = import_files(store, "order_lines", [export], progress=note)
        store.close()
        return report

    report, seconds, peak = timed(load)
    store = open_store(path)
    for name in _TABLES:
        store.execute_sql(f"COPY {name} TO '{folder / name}.parquet' (FORMAT parquet)")
    store.close()
    return {
        "seconds": seconds,
        "peak_mib": peak,
        "mapped_seconds": mapped[0] - started if mapped else None,
        "read": report.rows_read,
        "accepted": report.rows_accepted,
        "rejected": report.rows_rejected,
        "written": report.written,
        "guest_orders": report.guest_orders,
    }


def _duckdb_store_rows(folder: Path) -> dict[str, Any]:
    """DuckDB alone storing the rows the import wrote, from Parquet, in one transaction."""
    import duckdb

    def load() -> int:
        con = duckdb.connect(str(folder / "rows-only.duckdb"))
        con.execute("BEGIN")
        for name in _TABLES:
            con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{folder / name}.parquet')"
            )
        con.execute("COMMIT")
        count = 0
        for name in _TABLES:
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


def run(results_dir: Path, lines: int = LINES, pairs: int = PAIRS) -> dict[str, Any]:
    """Generate the export; ``pairs`` times import it and store its rows with DuckDB alone,
    one after the other, so that both see the same state of a shared machine; record the
    median of each and of the ratio, with the ratios' range."""
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        export = folder / "order_lines.csv"
        shape = write_export(export, lines)
        size_mib = export.stat().st_size / 2**20
        for _ in range(pairs):
            for old in folder.glob("*.duckdb*"):
                old.unlink()
            ours = _in_fresh_process(_revintel_import, export, folder)
            reference = _in_fresh_process(_duckdb_store_rows, folder)
            runs.append((ours, reference))
    ours = runs[-1][0]
    ratios = [o["seconds"] / r["seconds"] for o, r in runs]
    figures = {
        "benchmark": "lines",
        **shape,
        "file_mib": round(size_mib, 1),
        "rows_accepted": ours["accepted"],
        "rows_rejected": ours["rejected"],
        "rows_written": ours["written"],
        "guest_orders": ours["guest_orders"],
        "pairs": pairs,
        "import_seconds": round(float(np.median([o["seconds"] for o, _ in runs])), 2),
        "read_shape_check_seconds": round(
            float(np.median([o["mapped_seconds"] or 0.0 for o, _ in runs])), 2
        ),
        "import_lines_per_second": round(lines / float(np.median([o["seconds"] for o, _ in runs]))),
        "import_peak_mib": round(max(o["peak_mib"] for o, _ in runs)),
        "duckdb_store_written_rows": runs[-1][1]["rows"],
        "duckdb_store_written_rows_seconds": round(
            float(np.median([r["seconds"] for _, r in runs])), 2
        ),
        "import_vs_storing_its_rows": round(float(np.median(ratios)), 2),
        "import_vs_storing_its_rows_range": [round(min(ratios), 2), round(max(ratios), 2)],
        "runs": [
            {"import_seconds": round(o["seconds"], 2), "duckdb_seconds": round(r["seconds"], 2)}
            for o, r in runs
        ],
        "target": "import at most 2x DuckDB storing the rows it writes, peak under 2048 MiB",
    }
    write_result(results_dir, "lines", figures)
    return figures


def _ratio(figures: dict[str, Any]) -> str:
    """The median ratio, with the range over the runs when there were several."""
    median = f"{figures['import_vs_storing_its_rows']}"
    low_high = figures.get("import_vs_storing_its_rows_range")
    if not low_high or figures.get("pairs", 1) < 2:
        return median
    return f"{median} (runs {low_high[0]}–{low_high[1]})"


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The block of docs/import-order-lines.md, rendered from ``lines.json``."""
    written = figures["rows_written"]
    machine = figures.get("machine", {})
    rows = [
        ("lines in the export", f"{figures['lines']:,} ({figures['file_mib']} MiB CSV)"),
        ("orders / of them credit notes", f"{figures['orders']:,} / {figures['returns']:,}"),
        (
            "rows written",
            ", ".join(f"{written.get(t, 0):,} {t}" for t in _TABLES),
        ),
        (
            f"import (one transaction, store closed; median of {figures.get('pairs', 1)})",
            f"{figures['import_seconds']} s",
        ),
        ("of it reading, shaping and checking", f"{figures['read_shape_check_seconds']} s"),
        ("peak memory (with children)", f"{figures['import_peak_mib']:,} MiB"),
        (
            "DuckDB storing the same rows from Parquet",
            f"{figures['duckdb_store_written_rows_seconds']} s",
        ),
        ("import ÷ DuckDB (target ≤ 2)", _ratio(figures)),
    ]
    table = "| | |\n|---|---:|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    note = (
        f"\nMeasured {machine.get('measured_at', '?')[:10]} on {machine.get('cpus', '?')} cores, "
        f"{machine.get('memory_gib', '?')} GiB, Python {machine.get('python', '?')}.\n"
    )
    return {"lines": table + "\n" + note}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", nargs="?", default="benchmarks/results", type=Path)
    parser.add_argument("--lines", type=int, default=LINES, help="lines in the export")
    parser.add_argument("--pairs", type=int, default=PAIRS, help="runs of import and reference")
    arguments = parser.parse_args()
    print(run(arguments.results_dir, arguments.lines, arguments.pairs))
