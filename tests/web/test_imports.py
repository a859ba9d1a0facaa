"""Uploading exports through the API and the Import page; the Data quality page shows the result."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from revintel.server import Settings
from tests.web.conftest import SECRET, LiveServer, browser_login, csrf_from, serve_in_thread
from tests.web.stores import build_store

ACCOUNTS = "account_id,name,country\nA7,Acme GmbH,DE\nA8,Globex AG,DE\n"
OPPORTUNITIES = """opportunity_id,account_id,amount,created_at,closed_at,stage
O7,A7,1000,2024-01-10,2024-03-01,won
O8,A9,500,2024-01-10,,offer_sent
O9,A8,abc,2024-01-10,,offer_sent
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: these tests write to the store."""
    db = tmp_path_factory.mktemp("imports") / "store.duckdb"
    tokens = build_store(db)
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)


def _files() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        ("files", ("accounts.csv", ACCOUNTS.encode(), "text/csv")),
        ("files", ("../../opportunities.csv", OPPORTUNITIES.encode(), "text/csv")),
    ]


def test_api_upload_imports_and_reports_rejections(server: LiveServer) -> None:
    client = server.client("marie")
    before = client.get("/api/v1/accounts").json()["total"]
    kept = {t["name"]: t["rows"] for t in client.get("/api/v1/store").json()["tables"]}
    response = client.post("/api/v1/imports", files=_files(), data={"preset": "generic"})
    assert response.status_code == 201, response.text
    body = response.json()
    by_file = {
        f["file"]: (f["rows_read"], f["rows_accepted"], f["rows_rejected"]) for f in body["files"]
    }
    assert by_file == {"accounts.csv": (2, 2, 0), "opportunities.csv": (3, 1, 2)}
    assert body["rejected_by_reason"] == {"unknown account": 1, "not a number": 1}
    # The result cache was cleared: the new accounts show at once.
    assert client.get("/api/v1/accounts").json()["total"] == before + 2
    # So were the kept API answers.
    rows = {t["name"]: t["rows"] for t in client.get("/api/v1/store").json()["tables"]}
    assert (rows["accounts"], rows["opportunities"]) == (
        kept["accounts"] + 2,
        kept["opportunities"] + 1,
    )
    batches = client.get("/api/v1/imports").json()["items"]
    assert batches[0]["import_batch_id"] == body["batch_id"]
    rejected = client.get("/api/v1/imports/rejections", params={"batch": body["batch_id"]}).json()[
        "items"
    ]
    assert [(r["file"], r["row_number"], r["reason"]) for r in rejected] == [
        ("opportunities.csv", 3, "unknown account"),
        ("opportunities.csv", 4, "not a number"),
    ]


def test_reps_may_not_import(server: LiveServer) -> None:
    response = server.client("anna").post("/api/v1/imports", files=_files())
    assert response.status_code == 403
    assert server.client("anna").get("/api/v1/imports").status_code == 403


def test_import_page_uploads_with_csrf(server: LiveServer) -> None:
    client = browser_login(server, "admin")
    form = client.get("/import")
    assert form.status_code == 200
    refused = client.post("/import", files=_files(), data={"csrf_token": "forged"})
    assert refused.status_code == 403
    response = client.post("/import", files=_files(), data={"csrf_token": csrf_from(form.text)})
    assert response.status_code == 200
    assert re.search(r'id="import-accepted">3<', response.text)
    assert re.search(r'id="import-rejected">2<', response.text)
    quality = client.get("/quality").text
    assert "unknown account" in quality and "not a number" in quality
    # The ingest package's quality report: the imported accounts lack the fields the CSV omits.
    gaps = quality.split('id="quality-completeness"', 1)[1].split("</table>", 1)[0]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in gaps.split("<tr>")[2:]]
    assert ["generic", "accounts", "industry", "2", "0", "0.0%"] in rows


def test_reps_see_no_import_or_quality_pages(server: LiveServer) -> None:
    client = browser_login(server, "ben")
    assert client.get("/quality").status_code == 403
    assert 'id="nav-import"' not in client.get("/").text
