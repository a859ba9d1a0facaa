"""``revintel handover``: the queue and decisions from the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from revintel.cli import app
from tests.alignment.handover_store import Handover

runner = CliRunner()


def test_the_operator_decides_and_exports_for_the_crm(
    handover_db: Handover, tmp_path: Path
) -> None:
    db, waiting = handover_db
    listed = runner.invoke(
        app, ["handover", "queue", "--db", str(db), "-f", "json", "--limit", "5"]
    )
    assert listed.exit_code == 0, listed.output
    assert [r["lead_id"] for r in json.loads(listed.output)] == waiting[:5]

    accepted = runner.invoke(
        app, ["handover", "accept", waiting[0], "--db", str(db), "--lang", "de"]
    )
    assert accepted.exit_code == 0 and f"Lead {waiting[0]} angenommen" in accepted.output
    wrong = runner.invoke(
        app, ["handover", "reject", waiting[1], "--reason", "bored", "--db", str(db)]
    )
    assert wrong.exit_code != 0 and "allowed: no_budget" in str(wrong.exception)
    rejected = runner.invoke(
        app, ["handover", "reject", waiting[1], "--reason", "no_need", "--db", str(db)]
    )
    assert rejected.exit_code == 0, rejected.output
    again = runner.invoke(app, ["handover", "recycle", waiting[1], "--db", str(db)])
    assert again.exit_code != 0 and "not waiting" in str(again.exception)
    moved = runner.invoke(
        app, ["handover", "reassign", waiting[2], "--rep", "R003", "--db", str(db)]
    )
    assert moved.exit_code == 0, moved.output

    out = tmp_path / "decisions.csv"
    exported = runner.invoke(app, ["handover", "decisions", "--db", str(db), "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")), delimiter=";"))
    # newest first; decisions of the same second may come in any order
    assert sorted((r["lead_id"], r["action"], r["reason"]) for r in rows) == sorted(
        [
            (waiting[2], "reassign", ""),
            (waiting[1], "reject", "no_need"),
            (waiting[0], "accept", ""),
        ]
    )
    assert [r["decided_at"] for r in rows] == sorted((r["decided_at"] for r in rows), reverse=True)
    assert {r["actor"] for r in rows} == {rows[0]["actor"]} and rows[0]["actor"].startswith("cli:")
    left = runner.invoke(
        app, ["handover", "queue", "--db", str(db), "-f", "json", "--limit", "1000"]
    )
    assert len(json.loads(left.output)) == len(waiting) - 2


def test_the_reasons_list_in_german() -> None:
    result = runner.invoke(app, ["handover", "reasons", "--lang", "de"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "no_budget\tKein Budget"
    assert len(result.output.splitlines()) == 7
