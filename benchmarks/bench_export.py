"""Bulk export of a million leads through ``revintel serve``: time, size and the server's memory.

The leads table is written with one DuckDB statement (the synthetic company generator would take
far longer for a million leads); the server then streams ``/api/v1/export/leads`` as Parquet and
as CSV to disk while the server's resident memory is sampled.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pyarrow.parquet as pq

from benchmarks._measure import write_result
from benchmarks.bench_web import PASSWORD, _server
from revintel.auth import add_user, create_token
from revintel.store import open_store

LEADS = 1_000_000
REPS = 40
#: Largest growth of the server's resident memory during a stream that counts as flat: over its
#: memory before the stream, and (after the first export) over its memory once the first tenth
#: of the file was sent.
TARGETS = {"rss_growth_mib": 100, "rss_growth_after_first_tenth_mib": 25}

_LEADS_SQL = f"""
INSERT INTO leads BY NAME
SELECT
    printf('L%08d', i) AS lead_id,
    printf('A%06d', i % 50000) AS account_id,
    printf('C%08d', i) AS contact_id,
    printf('r%02d', i % {REPS}) AS rep_id,
    (['search', 'events', 'partner', 'outbound', 'webinar'])[1 + i % 5] AS channel,
    printf('K%03d', i % 300) AS campaign_id,
    TIMESTAMP '2022-01-01' + to_seconds(i * 90) AS created_at,
    (['open', 'converted', 'disqualified'])[1 + i % 3] AS status,
    CASE WHEN i % 3 = 2 THEN 'no budget' END AS disqualified_reason,
    'bench' AS source_system,
    CAST(i AS VARCHAR) AS source_id,
    'B1' AS import_batch_id
FROM range({LEADS}) AS r(i)
"""


def _prepare(db: Path) -> str:
    """A store with a million leads and a manager's API token."""
    with open_store(db) as store:
        store.execute_sql(_LEADS_SQL)
        add_user(store, "bench", PASSWORD, "manager")
        return create_token(store, "bench", "benchmark")[0]


def _rss(process: psutil.Process) -> int:
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return int(total)


def _stream(url: str, token: str, server: psutil.Process, fmt: str, target: Path) -> dict[str, Any]:
    """Download one export to ``target`` while sampling the server's memory every 20 ms.

    Besides the peak over the whole download, the growth after the first tenth of the file has
    arrived is recorded: memory that grows with the file would show there, while one-time
    allocations (the store's buffer pool, the writers) happen at the start.
    """
    before = _rss(server)
    samples: list[tuple[int, int]] = []  # (bytes received, resident bytes)
    received = 0
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            samples.append((received, _rss(server)))
            done.wait(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/export/leads?format={fmt}"
    try:
        with httpx.stream("GET", url + path, headers=headers, timeout=600) as response:
            response.raise_for_status()
            with target.open("wb") as out:
                for chunk in response.iter_bytes(1 << 20):
                    out.write(chunk)
                    received += len(chunk)
    finally:
        seconds = time.perf_counter() - started
        done.set()
        watcher.join()
    size = target.stat().st_size
    peak = max([before] + [rss for _, rss in samples])
    early = max([before] + [rss for got, rss in samples if got < size / 10])
    return {
        "seconds": round(seconds, 2),
        "bytes": size,
        "mib": round(size / 2**20, 1),
        "mib_per_second": round(size / 2**20 / seconds, 1),
        "rss_before_mib": round(before / 2**20, 1),
        "rss_peak_mib": round(peak / 2**20, 1),
        "rss_growth_mib": round((peak - before) / 2**20, 1),
        "rss_growth_after_first_tenth_mib": round((peak - early) / 2**20, 1),
        "samples": len(samples),
    }


def _csv_rows(path: Path) -> int:
    with path.open("rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 24), b"")) - 1


def run(results_dir: Path) -> dict[str, Any]:
    """Serve a store of a million leads and stream its lead export as Parquet (twice: the first
    export after start, then again), then as CSV."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "export.duckdb"
        started = time.perf_counter()
        token = _prepare(db)
        built = time.perf_counter() - started
        with _server(db, with_process=True) as (url, process):
            server = psutil.Process(process.pid)
            httpx.get(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            # The first export after start also fills the store's buffer pool with the table.
            first = _stream(url, token, server, "parquet", folder / "leads.parquet")
            parquet = _stream(url, token, server, "parquet", folder / "leads.parquet")
            parquet["rows"] = pq.ParquetFile(folder / "leads.parquet").metadata.num_rows
            csv = _stream(url, token, server, "csv", folder / "leads.csv")
            csv["rows"] = _csv_rows(folder / "leads.csv")
    flat = all(r["rss_growth_mib"] < TARGETS["rss_growth_mib"] for r in (first, parquet, csv))
    bound = TARGETS["rss_growth_after_first_tenth_mib"]
    flat = flat and all(r["rss_growth_after_first_tenth_mib"] < bound for r in (parquet, csv))
    figures = {
        "benchmark": "export",
        "leads": LEADS,
        "store_build_seconds": round(built, 1),
        "parquet_first_after_start": first,
        "parquet": parquet,
        "csv": csv,
        "targets": TARGETS,
        "flat_memory": flat,
    }
    write_result(results_dir, "export", figures)
    return figures


if __name__ == "__main__":
    print(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results")))
