"""Targets set, changed and removed one at a time: the row, its audit row, and the actuals.

The store is the web tests' hand-made one: rep r1 (team Nord) won O1 for 12,345.67 EUR on
2024-03-15; L01 reached MQL, SAL and SQL in January 2024, L08 reached MQL on 2024-03-13 and an
opportunity on 2024-04-02 (rep r2, team Süd).
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.metrics import (
    TargetsError,
    UnknownTargetError,
    delete_target,
    import_targets,
    set_target,
    target_attainment,
    target_changes,
    target_period,
)
from revintel.store import Store, open_store
from tests.web.stores import build_store

Q1 = {"period_start": date(2024, 1, 1), "period_end": date(2024, 3, 31)}


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("targets_hand") / "store.duckdb"
    build_store(db)
    return db


@pytest.fixture
def store(hand_db: Path, tmp_path: Path) -> Store:
    db = tmp_path / "store.duckdb"
    shutil.copy(hand_db, db)
    with open_store(db) as opened:
        yield opened  # type: ignore[misc]


def _targets(store: Store) -> pd.DataFrame:
    return store.table("targets").to_pandas()


def test_periods() -> None:
    assert target_period("2027-Q1") == (date(2027, 1, 1), date(2027, 3, 31))
    assert target_period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert target_period(" 2026 ") == (date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(TargetsError, match=r"^period: '2026-13'"):
        target_period("2026-13")


def test_create_update_delete_write_one_audit_row_each(store: Store) -> None:
    created = set_target(store, actor="chef", amount=10_000, team="Nord", **Q1)
    assert created.action == "create" and created.before is None
    assert created.after == {
        "target_id": created.target_id,
        "period_start": "2024-01-01",
        "period_end": "2024-03-31",
        "team": "Nord",
        "rep_id": None,
        "segment": None,
        "amount": 10_000.0,
        "currency": "EUR",
        "measure": "order_intake",
    }
    # the same keys again update the same target
    updated = set_target(store, actor="boss", amount=12_000, team="Nord", note="mehr", **Q1)
    assert updated.target_id == created.target_id and updated.action == "update"
    assert updated.before == created.after
    assert updated.after is not None and updated.after["amount"] == 12_000.0
    stored = _targets(store)
    assert len(stored) == 1 and stored["amount"].tolist() == [12_000.0]
    assert stored["source_system"].tolist() == ["revintel"]

    deleted = delete_target(store, created.target_id, actor="chef", note="weg")
    assert deleted.before == updated.after and deleted.after is None
    assert _targets(store).empty

    trail = target_changes(store)
    assert trail["action"].tolist() == ["delete", "update", "create"]
    assert trail["actor"].tolist() == ["chef", "boss", "chef"]
    assert trail["note"].tolist()[:2] == ["weg", "mehr"]
    assert json.loads(trail["before"][1])["amount"] == 10_000.0
    assert json.loads(trail["after"][1])["amount"] == 12_000.0
    assert pd.isna(trail["after"][0]) and pd.isna(trail["before"][2])
    assert len(target_changes(store, target_id="other")) == 0
    assert len(target_changes(store, since=datetime(2100, 1, 1))) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": 0}, "^amount: 0 is not a positive amount"),
        ({"amount": float("inf")}, "^amount: inf"),
        ({"amount": 5, "period_end": date(2023, 12, 31)}, "^period_end: 2023-12-31 is before"),
        ({"amount": 5, "measure": "revenue"}, "^measure: 'revenue' is not one of"),
        ({"amount": 5, "measure": "mqls", "currency": "EUR"}, "^currency: a target of mqls"),
        ({"amount": 5, "currency": "EURO"}, "^currency: unknown currency"),
        ({"amount": 5, "rep_id": "r9"}, "^rep_id: no rep 'r9' in the store"),
        ({"amount": 5, "actor": " "}, "^actor: "),
    ],
)
def test_a_refused_change_leaves_store_and_audit_unchanged(
    store: Store, fields: dict[str, object], message: str
) -> None:
    set_target(store, actor="chef", amount=10_000, team="Nord", **Q1)
    before, trail = _targets(store), target_changes(store)
    given = {"actor": "chef", "team": "Nord", **Q1, **fields}
    with pytest.raises(TargetsError, match=message):
        set_target(store, **given)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(_targets(store), before)
    pd.testing.assert_frame_equal(target_changes(store), trail)
    with pytest.raises(UnknownTargetError, match="no target 'nope'"):
        delete_target(store, "nope", actor="chef")
    assert len(target_changes(store)) == 1


def test_a_failing_audit_write_takes_the_target_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert = store.insert

    def failing(name: str, data: object) -> int:
        if name == "target_changes":
            raise OSError("disk full")
        return insert(name, data)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "insert", failing)
    with pytest.raises(OSError, match="disk full"):
        set_target(store, actor="chef", amount=10_000, team="Nord", **Q1)
    monkeypatch.undo()
    assert _targets(store).empty and target_changes(store).empty


def test_import_writes_one_import_row_per_target(store: Store, tmp_path: Path) -> None:
    csv = tmp_path / "plan.csv"
    csv.write_text(
        "target_id,period_start,period_end,team,amount,currency\n"
        "N1,2024-01-01,2024-03-31,Nord,10000,EUR\n"
        "S1,2024-01-01,2024-03-31,Süd,8000,EUR\n",
        encoding="utf-8",
    )
    assert import_targets(store, csv) == 2  # the old signature: by the command line
    assert import_targets(store, csv, actor="marie") == 2
    trail = target_changes(store)
    assert trail["action"].tolist() == ["import"] * 4
    assert sorted(trail["actor"]) == ["cli", "cli", "marie", "marie"]
    again = trail[trail["actor"] == "marie"].set_index("target_id")
    assert json.loads(again.loc["S1", "before"])["amount"] == 8000.0
    assert trail[trail["actor"] == "cli"]["before"].isna().all()
    assert set(trail["note"]) == {"plan.csv"}


def test_attainment_counts_won_intake_and_milestones(store: Store) -> None:
    set_target(store, actor="chef", amount=10_000, team="Nord", **Q1)
    set_target(store, actor="chef", amount=5_000, rep_id="r2", **Q1)
    set_target(store, actor="chef", amount=4, measure="mqls", team="Marketing", **Q1)
    set_target(store, actor="chef", amount=2, measure="sals", **Q1)
    set_target(store, actor="chef", amount=1, measure="sqls", rep_id="r1", **Q1)
    q2 = {"period_start": date(2024, 4, 1), "period_end": date(2024, 6, 30)}
    set_target(store, actor="chef", amount=2, measure="opportunities", team="Süd", **q2)
    set_target(store, actor="chef", amount=3, measure="mqls", segment="Enterprise", **Q1)

    frame = target_attainment(store, date(2024, 1, 1), date(2024, 12, 31))
    got = {
        (r.measure, r.team or r.rep_id or r.segment): (r.target, r.actual)
        for r in frame.itertuples()
    }
    assert got == {
        ("order_intake", "Nord"): (10_000.0, 12_345.67),  # O1, won by r1 of team Nord
        ("order_intake", "r2"): (5_000.0, 0.0),  # r2's O3 was lost
        ("mqls", "Marketing"): (4.0, 2.0),  # L01 and L08: Marketing counts the whole company
        ("sals", None): (2.0, 1.0),  # L01
        ("sqls", "r1"): (1.0, 1.0),  # L01
        ("opportunities", "Süd"): (2.0, 1.0),  # L08's O3 in April
        ("mqls", "Enterprise"): (3.0, 0.0),  # no MQL of an Enterprise account
    }
    nord = frame[frame["team"] == "Nord"].iloc[0]
    assert nord["attainment"] == pytest.approx(1.234567) and nord["currency"] == "EUR"
    assert frame[frame["measure"] == "mqls"]["currency"].isna().all()
    # only targets overlapping the period asked for
    assert len(target_attainment(store, date(2024, 5, 1), date(2024, 5, 31))) == 1
    with pytest.raises(ValueError, match="before start"):
        target_attainment(store, date(2024, 5, 1), date(2024, 4, 1))


def test_cli_set_list_history_delete(store: Store) -> None:
    db = str(store.location)
    store.close()
    runner = CliRunner()
    args = ["targets", "set", "--db", db, "--period", "2024-Q1", "--amount", "10000"]
    result = runner.invoke(app, [*args, "--team", "Nord", "--note", "Plan"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("created target T")
    target_id = result.output.split()[2]
    listed = runner.invoke(app, ["targets", "list", "--db", db, "--format", "json"])
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert (row["target"], row["actual"], row["team"]) == (10_000.0, 12_345.67, "Nord")
    refused = runner.invoke(app, [*args[:-1], "-1"])
    assert refused.exit_code != 0
    assert str(refused.exception).startswith("amount: -1.0 is not a positive amount")
    gone = runner.invoke(app, ["targets", "delete", "--db", db, target_id])
    assert gone.exit_code == 0 and target_id in gone.output
    history = runner.invoke(app, ["targets", "history", "--db", db, "--format", "csv"])
    lines = history.output.strip().splitlines()
    assert lines[0].startswith("change_id,target_id,action,actor")
    assert [line.split(",")[2] for line in lines[1:]] == ["delete", "create"]
    assert all(line.split(",")[3].startswith("cli:") for line in lines[1:])
