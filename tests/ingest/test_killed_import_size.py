"""A killed import leaves no dead weight: the store file is as large as before once reopened."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from revintel.ingest import import_files
from revintel.store import open_store

from .conftest import WriteFile

_KILLED_IMPORT = """
import sys, time
from pathlib import Path
from revintel.ingest import import_files
from revintel.store import open_store

marker = Path(sys.argv[2])

def pause(message):
    if "written" in message:
        marker.with_suffix(".partial").write_text(message)
        marker.with_suffix(".partial").rename(marker)
        time.sleep(120)

with open_store(sys.argv[1]) as store:
    import_files(store, "generic", sys.argv[3:], progress=pause)
"""


def _kill_midway(db: Path, marker: Path, export: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_IMPORT, str(db), str(marker), str(export)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import never reached its transaction"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)


def test_a_killed_import_does_not_leave_the_store_file_larger(
    tmp_path: Path, write_file: WriteFile
) -> None:
    db = tmp_path / "kill.duckdb"
    with open_store(db) as store:
        import_files(store, "generic", [write_file("a.csv", "account_id,name\nA1,Acme GmbH\n")])
    before = db.stat().st_size
    rows = "".join(f"B{i},Name {i} {'x' * 40},DE\n" for i in range(300_000))
    export = write_file("big.csv", "account_id,name,country\n" + rows)
    _kill_midway(db, tmp_path / "inside-transaction", export)
    assert db.stat().st_size > 2 * before, "the killed import wrote nothing to the file"
    with open_store(db) as store:
        assert store.row_counts()["accounts"] == 1
        report = import_files(store, "generic", [write_file("b.csv", "account_id,name\nA2,B\n")])
        assert report.written["accounts"] == 1
    assert db.stat().st_size <= 2 * before
    with open_store(db) as store:
        assert store.row_counts()["accounts"] == 2
