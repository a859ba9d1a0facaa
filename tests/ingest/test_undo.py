"""``revintel import undo``: the store is exactly as before the batch, or the undo is refused."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.ingest import UndoRefusedError, import_files, undo_import
from revintel.model import ALL_TABLES
from revintel.store import Store, open_store

from .conftest import WriteFile

NOW = datetime(2025, 1, 1)
ACCOUNTS = "account_id,name,country\nA1,Acme GmbH,DE\nA2,Globex AG,AT\n"
OPPORTUNITIES = """opportunity_id,account_id,amount,created_at,closed_at,stage
O1,A1,1000,2024-01-10,2024-03-01,won
O2,A2,250.5,2024-01-12,,offer_sent
"""
# The next export: A1 moved country, A3 is new, O2 grew, O3 is new on the new account, and the
# history dates events the first import could only infer from the stage.
ACCOUNTS_LATER = "account_id,name,country\nA1,Acme GmbH,CH\nA2,Globex AG,AT\nA3,Initech,DE\n"
OPPORTUNITIES_LATER = """opportunity_id,account_id,amount,created_at,closed_at,stage
O1,A1,1000,2024-01-10,2024-03-01,won
O2,A2,300,2024-01-12,,offer_sent
O3,A3,-7,2024-02-01,,offer_sent
O4,A3,80,2024-02-01,,offer_sent
"""
HISTORY = """entity_id,milestone,occurred_at
O2,opportunity_generated,2024-01-12
O2,offer_sent,2024-01-20
"""
#: Bookkeeping of the imports themselves, compared separately.
_BOOKKEEPING = {"import_batches", "rejected_rows"}


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted (bookkeeping tables left out)."""
    out = {}
    for spec in ALL_TABLES:
        if spec.name in _BOOKKEEPING:
            continue
        rows = store.table(spec.name).to_pyarrow().to_pylist()
        out[spec.name] = sorted((tuple(sorted(r.items())) for r in rows), key=repr)
    return out


def _rejections(store: Store) -> dict[str, bool | None]:
    rows = store.table("rejected_rows").to_pyarrow().to_pylist()
    return {r["rejected_row_id"]: bool(r["superseded"]) for r in rows}


def _status(store: Store, batch: str) -> tuple[str, bool]:
    t = store.table("import_batches")
    row = t.filter(t.import_batch_id == batch).to_pyarrow().to_pylist()[0]
    return row["status"], row["undone_at"] is not None


def test_undo_of_a_first_import_leaves_every_table_as_it_was(
    store: Store, write_file: WriteFile
) -> None:
    empty = snapshot(store)
    files = [write_file("accounts.csv", ACCOUNTS), write_file("opps.csv", OPPORTUNITIES)]
    report = import_files(store, "generic", files, now=NOW)
    assert store.row_counts()["opportunities"] == 2
    undone = undo_import(store, report.batch_id)
    assert undone.removed["accounts"] == 2 and undone.removed["opportunities"] == 2
    assert snapshot(store) == empty
    assert _status(store, report.batch_id) == ("undone", True)


def test_undo_restores_the_rows_a_batch_replaced_exactly(
    store: Store, write_file: WriteFile
) -> None:
    first = [write_file("accounts.csv", ACCOUNTS), write_file("opps.csv", OPPORTUNITIES)]
    import_files(store, "generic", first, now=NOW)
    before, rejections_before = snapshot(store), _rejections(store)
    inferred = [r for r in before["milestones"] if dict(r)["inferred"]]
    assert inferred  # the first import inferred events from stages; the next one dates them
    later = [
        write_file("accounts.csv", ACCOUNTS_LATER),
        write_file("opps.csv", OPPORTUNITIES_LATER),
        write_file("history.csv", HISTORY),
    ]
    report = import_files(store, "generic", later, now=NOW)
    assert report.written["accounts"] == 2  # A1 changed, A3 new; A2 unchanged
    assert report.written["opportunities"] == 2  # O2 changed, O4 new; O3 rejected
    replaced = store.table("replaced_rows").to_pyarrow()
    assert sum(replaced["row_count"].to_pylist()) == 1 + 1 + 2  # A1, O2, two inferred events
    assert snapshot(store) != before
    undone = undo_import(store, report.batch_id)
    assert undone.restored["accounts"] == 1 and undone.restored["opportunities"] == 1
    assert snapshot(store) == before
    # Its rejection is kept (it explains the batch) but no longer counts as current.
    after = _rejections(store)
    assert {k: v for k, v in after.items() if k.startswith(report.batch_id)} == {
        f"{report.batch_id}:1": False
    }
    assert {k: v for k, v in after.items() if not k.startswith(report.batch_id)} == (
        rejections_before
    )


def test_undo_is_refused_while_a_later_batch_depends_on_it(
    store: Store, write_file: WriteFile
) -> None:
    base = import_files(store, "generic", [write_file("accounts.csv", ACCOUNTS)], now=NOW)
    deals = write_file("deals.csv", "opportunity_id,account_id,amount,created_at,stage\n")
    deals.write_text(deals.read_text() + "O9,A2,10,2024-05-01,offer_sent\n")
    later = import_files(store, "generic", [deals], now=NOW)
    kept = snapshot(store)
    with pytest.raises(UndoRefusedError, match=rf"import {later.batch_id} wrote opportunities"):
        undo_import(store, base.batch_id)
    changed = write_file("accounts2.csv", "account_id,name,country\nA1,Acme SE,DE\n")
    change = import_files(store, "generic", [changed], now=NOW)
    with pytest.raises(UndoRefusedError, match=rf"import {change.batch_id} changed rows it"):
        undo_import(store, base.batch_id)
    assert _status(store, base.batch_id) == ("committed", False)
    # Undone from the newest back, each undo succeeds and the store ends empty.
    undo_import(store, change.batch_id)
    assert snapshot(store) == kept
    undo_import(store, later.batch_id)
    undo_import(store, base.batch_id)
    assert sum(store.row_counts()[t] for t in ("accounts", "opportunities", "milestones")) == 0
    with pytest.raises(UndoRefusedError, match="is undone: only a committed import"):
        undo_import(store, base.batch_id)
    with pytest.raises(UndoRefusedError, match="no import batch nope"):
        undo_import(store, "nope")


def test_import_list_and_undo_commands(tmp_path: Path, write_file: WriteFile) -> None:
    db = str(tmp_path / "cli.duckdb")
    runner = CliRunner()
    files = [str(write_file("accounts.csv", ACCOUNTS)), str(write_file("opps.csv", OPPORTUNITIES))]
    first = runner.invoke(app, ["import", "generic", *files, "--db", db, "--format", "json"])
    assert first.exit_code == 0, first.output
    batch = json.loads(first.output)["batch"]
    listed = runner.invoke(app, ["import", "list", "--db", db, "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["batch"], r["status"], r["read"], r["accepted"], r["rejected"]) for r in rows] == [
        (batch, "committed", 4, 4, 0)
    ]
    assert rows[0]["files"] == ", ".join(files)
    assert rows[0]["time"].count(".") == 2  # dd.mm.yyyy HH:MM in the store's zone
    undone = runner.invoke(app, ["import", "undo", batch, "--db", db])
    assert undone.exit_code == 0, undone.output
    said = " ".join(undone.output.split())
    assert f"import {batch} undone: removed 2 accounts, 2 opportunities, 9 milestones" in said
    again = runner.invoke(app, ["import", "undo", batch, "--db", db])
    assert again.exit_code == 1
    assert "only a committed import can be undone" in str(again.exception)
    with open_store(db) as store:
        assert store.row_counts()["accounts"] == 0
