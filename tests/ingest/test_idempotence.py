"""Nothing doubled, nothing half-done: re-imports, newer exports and a killed import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from revintel.ingest import import_files
from revintel.model import TABLES
from revintel.store import Store, open_store

from .conftest import WriteFile

NOW = datetime(2025, 1, 1)
ACCOUNTS = "account_id,name,country\nA1,Acme GmbH,DE\nA2,Globex AG,DE\n"
OPPORTUNITIES = """opportunity_id,account_id,amount,created_at,closed_at,stage
O1,A1,1000,2024-01-10,2024-03-01,won
O12,A2,250,2024-02-01,,offer_sent
"""
NEWER = """opportunity_id,account_id,amount,created_at,closed_at,stage
O1,A1,1000,2024-01-10,2024-03-01,won
O12,A2,300,2024-02-01,2024-06-01,won
O13,A1,80,2024-05-01,,offer_sent
"""


def _snapshot(store: Store) -> dict[str, list[dict[str, object]]]:
    data = {}
    for spec in TABLES:
        if spec.name in {"import_batches", "rejected_rows"}:
            continue
        key = spec.key[0]
        data[spec.name] = store.execute_sql(
            f'SELECT * FROM "{spec.name}" ORDER BY "{key}"'
        ).to_pylist()
    return data


def test_importing_the_same_files_twice_changes_nothing(
    store: Store, write_file: WriteFile
) -> None:
    files = [write_file("accounts.csv", ACCOUNTS), write_file("opps.csv", OPPORTUNITIES)]
    first = import_files(store, "generic", files, now=NOW)
    before = _snapshot(store)
    second = import_files(store, "generic", files, now=NOW)
    assert first.written == {"accounts": 2, "opportunities": 2, "milestones": 9}
    assert second.written == {"accounts": 0, "opportunities": 0, "milestones": 0}
    assert _snapshot(store) == before
    assert second.rows_accepted == 4


def test_a_newer_export_updates_changes_and_appends_events(
    store: Store, write_file: WriteFile
) -> None:
    accounts = write_file("accounts.csv", ACCOUNTS)
    import_files(store, "generic", [accounts, write_file("opps.csv", OPPORTUNITIES)], now=NOW)
    report = import_files(store, "generic", [accounts, write_file("newer.csv", NEWER)], now=NOW)
    assert report.written == {"accounts": 0, "opportunities": 2, "milestones": 6}
    o12 = store.execute_sql(
        "SELECT amount, status, closed_at FROM opportunities WHERE opportunity_id = 'generic:O12'"
    ).to_pylist()
    assert o12 == [{"amount": 300.0, "status": "won", "closed_at": datetime(2024, 6, 1)}]
    events = store.execute_sql(
        "SELECT milestone, inferred FROM milestones WHERE entity_id = 'generic:O12' ORDER BY 1"
    ).to_pylist()
    assert [(e["milestone"], e["inferred"]) for e in events] == [
        ("contract_negotiation", True),
        ("offer_discussed", True),
        ("offer_sent", True),
        ("opportunity_generated", True),
        ("opportunity_specified", True),
        ("won", False),
    ]


_KILLED_IMPORT = """
import sys, time
from pathlib import Path
from revintel.ingest import import_files
from revintel.store import open_store

marker = Path(sys.argv[2])

def pause(message):
    if "rows written" not in message:  # reading and mapping come before the transaction
        return
    partial = marker.with_suffix(".partial")
    partial.write_text(message)
    partial.rename(marker)
    time.sleep(120)

with open_store(sys.argv[1]) as store:
    import_files(store, "generic", sys.argv[3:], progress=pause)
"""


def test_killing_an_import_midway_leaves_the_store_as_before(
    tmp_path: Path, write_file: WriteFile
) -> None:
    db = tmp_path / "kill.duckdb"
    accounts = write_file("accounts.csv", ACCOUNTS)
    with open_store(db) as store:
        import_files(store, "generic", [accounts, write_file("o.csv", OPPORTUNITIES)], now=NOW)
        before = _snapshot(store)
        batches = store.row_counts()["import_batches"]
    changed = write_file(
        "accounts2.csv", ACCOUNTS.replace("Acme GmbH", "Acme SE") + "A3,Initech,DE\n"
    )
    marker = tmp_path / "inside-transaction"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _KILLED_IMPORT,
            str(db),
            str(marker),
            str(changed),
            str(write_file("n.csv", NEWER)),
        ],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import never reached its transaction"
            time.sleep(0.05)
        assert marker.read_text() == "accounts: 2 rows written"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
    with open_store(db) as store:
        assert _snapshot(store) == before
        assert store.row_counts()["import_batches"] == batches
