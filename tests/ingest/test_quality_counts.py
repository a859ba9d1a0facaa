"""Rejection counts are the same in the CLI, the API and the Data quality page, and honest.

A file imported twice counts once (the earlier batch's rejections are superseded), an undone
import counts no more, and an import that accepts no row fails visibly everywhere.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.auth import create_token
from revintel.cli import app
from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, LiveServer, browser_login, serve_in_thread
from tests.web.stores import build_store

ACCOUNTS = "account_id,name,country\nK1,Kessel GmbH,DE\nK2,Pumpen AG,AT\n"
# Each bad row has exactly one problem: two negative amounts, one text amount, one unknown account.
OPPORTUNITIES = """opportunity_id,account_id,amount,created_at,stage
Q1,K1,1000,2024-01-10,offer_sent
Q2,K1,-50,2024-01-11,offer_sent
Q3,K2,zwölf,2024-01-12,offer_sent
Q4,K9,80,2024-01-13,offer_sent
Q5,K2,-1,2024-01-14,offer_sent
Q6,K2,10,2024-01-15,offer_sent
"""
ALL_BAD = "opportunity_id,account_id,amount,created_at,stage\nZ1,K1,-3,2024-01-10,offer_sent\n"


def bad_rows(opportunities: str = OPPORTUNITIES, accounts: str = ACCOUNTS) -> dict[str, int]:
    """The file's bad rows by reason, computed with pandas from the files' text."""
    opps = pd.read_csv(io.StringIO(opportunities), dtype=str)
    known = set(pd.read_csv(io.StringIO(accounts), dtype=str)["account_id"])
    amount = pd.to_numeric(opps["amount"], errors="coerce")
    return {
        "negative amount": int((amount < 0).sum()),
        "not a number": int((amount.isna() & opps["amount"].notna()).sum()),
        "unknown account": int((~opps["account_id"].isin(known)).sum()),
    }


def imported_twice(folder: Path) -> Path:
    """A store with users, the accounts and opportunities imported twice through the CLI."""
    (folder / "accounts.csv").write_text(ACCOUNTS)
    (folder / "opps.csv").write_text(OPPORTUNITIES)
    db = folder / "store.duckdb"
    build_store(db)
    files = [str(folder / "accounts.csv"), str(folder / "opps.csv")]
    for _ in range(2):
        code, output, _ = _cli("import", "generic", *files, "--db", str(db), "--format", "json")
        assert code == 0, output
    return db


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of its own over a store into which the files were imported twice."""
    db = imported_twice(tmp_path)
    with open_store(db) as store:
        tokens = {u: create_token(store, u, "counts")[0] for u in ("admin", "marie")}
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en")
    for url in serve_in_thread(settings):
        yield LiveServer(url, db, tokens)


def _cli(*args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output, result.exception


def cli_counts(db: Path) -> dict[str, int]:
    code, output, _ = _cli("quality", "--db", str(db), "--format", "json")
    assert code == 0, output
    counts: Counter[str] = Counter()
    for row in json.loads(output)["rejected rows by reason"]:
        counts[row["reason"]] += row["rows"]
    return dict(counts)


def api_counts(server: LiveServer) -> dict[str, int]:
    body = server.client("marie").get("/api/v1/quality").json()
    counts: Counter[str] = Counter()
    for row in body["rejections"]:
        counts[row["reason"]] += row["rows"]
    return dict(counts)


def page_counts(server: LiveServer) -> dict[str, int]:
    html = browser_login(server, "marie").get("/quality").text
    table = html.split('id="reasons"', 1)[1].split("</table>", 1)[0]
    # each reason's stored code stands beside its label
    cells = re.findall(
        r"<tr><td [^>]*data-code=\"([^\"]+)\">.*?</td><td class=\"num\">([0-9.]+)</td></tr>", table
    )
    return {reason: int(count.replace(".", "")) for reason, count in cells}


def test_counts_agree_and_equal_the_files_bad_rows(tmp_path: Path) -> None:
    expected = bad_rows()
    assert expected == {"negative amount": 2, "not a number": 1, "unknown account": 1}
    db = imported_twice(tmp_path)
    assert cli_counts(db) == expected
    with open_store(db, read_only=True) as store:
        rejected = store.table("rejected_rows").to_pyarrow().to_pandas()
    # Both imports keep their rejections; only the latest import's count.
    assert len(rejected) == 2 * sum(expected.values())
    assert int((~rejected["superseded"].astype(bool)).sum()) == sum(expected.values())


def test_api_and_page_show_the_cli_counts(server: LiveServer) -> None:
    expected = bad_rows()
    assert api_counts(server) == expected
    assert page_counts(server) == expected
    # A third import, uploaded under the same file names, still counts once.
    upload = [
        ("files", ("accounts.csv", ACCOUNTS.encode(), "text/csv")),
        ("files", ("opps.csv", OPPORTUNITIES.encode(), "text/csv")),
    ]
    response = server.client("marie").post("/api/v1/imports", files=upload)
    assert response.status_code == 201, response.text
    # Uploads are named by their base name, CLI imports by their path: other files.
    assert api_counts(server) == {k: 2 * v for k, v in expected.items()}
    again = server.client("marie").post("/api/v1/imports", files=upload)
    assert again.status_code == 201, again.text
    assert api_counts(server) == {k: 2 * v for k, v in expected.items()}
    assert page_counts(server) == api_counts(server)


def test_an_import_that_accepts_nothing_fails_everywhere(server: LiveServer) -> None:
    upload = [("files", ("nothing.csv", ALL_BAD.encode(), "text/csv"))]
    client = server.client("marie")
    before = api_counts(server)
    response = client.post("/api/v1/imports", files=upload)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert error["message"].startswith("nothing imported, all 1 rows rejected: negative amount (1)")
    latest = client.get("/api/v1/imports").json()["items"][0]
    assert (latest["status"], latest["rows_read"], latest["rows_accepted"]) == ("failed", 1, 0)
    assert latest["files"] == "nothing.csv"
    # Its rejected row is kept and counted: it explains the failure.
    assert api_counts(server)["negative amount"] == before["negative amount"] + 1


def test_the_cli_exits_1_with_the_reasons(tmp_path: Path) -> None:
    db = str(tmp_path / "alone.duckdb")
    nothing = tmp_path / "nothing.csv"
    nothing.write_text(ALL_BAD)
    code, output, exception = _cli("import", "generic", str(nothing), "--db", db)
    assert code == 1
    assert "negative amount" in output  # the reasons table is printed before the error
    # Alone in this store, the row has two problems: its amount and its unknown account.
    said = "nothing imported, all 1 rows rejected: negative amount (1), unknown account (1)"
    assert said in str(exception)
    empty = tmp_path / "empty.csv"
    empty.write_text("account_id,name\n")
    code, _, exception = _cli("import", "generic", str(empty), "--db", db)
    assert code == 1
    assert "nothing imported, the files hold no data rows" in str(exception)
    with open_store(db, read_only=True) as store:
        batches = store.table("import_batches").to_pyarrow().to_pandas()
        assert sorted(batches["status"]) == ["failed", "failed"]
        assert store.table("rejected_rows").count().execute() == 2
        assert store.row_counts()["opportunities"] == 0


def test_undo_through_the_api_is_for_admins_and_uncounts(server: LiveServer) -> None:
    marie, admin = server.client("marie"), server.client("admin")
    upload = [("files", ("late.csv", OPPORTUNITIES.replace("Q", "R").encode(), "text/csv"))]
    created = marie.post("/api/v1/imports", files=upload)
    assert created.status_code == 201, created.text
    batch = created.json()["batch_id"]
    before = api_counts(server)
    assert marie.delete(f"/api/v1/imports/{batch}").status_code == 403
    assert admin.delete("/api/v1/imports/no-such-batch").json()["error"]["code"] == "not_found"
    undone = admin.delete(f"/api/v1/imports/{batch}")
    assert undone.status_code == 200, undone.text
    body = undone.json()
    assert (body["batch_id"], body["status"], body["restored"]) == (batch, "undone", {})
    assert body["removed"]["opportunities"] == 2 and set(body["removed"]) == {
        "opportunities",
        "milestones",
    }
    late = bad_rows(OPPORTUNITIES.replace("Q", "R"))
    assert api_counts(server) == {k: v - late[k] for k, v in before.items()}
    again = admin.delete(f"/api/v1/imports/{batch}")
    assert again.status_code == 400
    listed = {b["import_batch_id"]: b for b in marie.get("/api/v1/imports").json()["items"]}
    assert listed[batch]["status"] == "undone" and listed[batch]["undone_at"] is not None
