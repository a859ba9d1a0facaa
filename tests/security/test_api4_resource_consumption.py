"""API4:2023 Unrestricted Resource Consumption: no request can make the server use memory or
time without bound."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import xlsxwriter
from fastapi import FastAPI

from revintel.ingest._exclusive import BUSY_MESSAGE, exclusive_import
from revintel.server import ResultCache, Settings, create_app
from tests.security.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import build_store


@pytest.mark.parametrize(
    "what_if", ["lead_volume*10000", "win_rate*3000", "win_rate[segment=Enterprise]*1000"]
)
def test_what_if_factors_beyond_the_limit_are_refused(server: LiveServer, what_if: str) -> None:
    response = server.client("anna").get("/api/v1/forecast", params={"what_if": what_if})
    assert response.status_code == 422, response.text
    assert "a factor lies between 0 and 10" in response.json()["error"]["message"]


def test_a_spreadsheet_with_a_far_cell_is_refused_and_the_server_lives(
    server: LiveServer, tmp_path: pytest.TempPathFactory
) -> None:
    path = f"{tmp_path}/far.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write(0, 0, "name")
    sheet.write(1_048_575, 16_383, "x")
    book.close()
    with open(path, "rb") as handle:
        files = [("files", ("far.xlsx", handle.read(), "application/octet-stream"))]
    client = server.client("marie")
    response = client.post("/api/v1/imports", files=files, data={"preset": "odoo"})
    assert response.status_code == 400, response.text
    assert "declares the range A1:XFD1048576" in response.json()["error"]["message"]
    assert client.get("/api/v1/health").status_code == 200


# --- limits as configuration -------------------------------------------------------------------

BODY_LIMIT = 64 << 10
CELL_LIMIT = 1_000
REJECTION_LIMIT = 20


@pytest.fixture(scope="module")
def tight_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """A server application on the hand-made store with small limits."""
    db = tmp_path_factory.mktemp("limits") / "store.duckdb"
    tokens = build_store(db)
    app = create_app(tight_settings(db))
    app.state.tokens = tokens
    return app


@pytest.fixture(scope="module")
def tight(tight_app: FastAPI) -> Iterator[LiveServer]:
    """``tight_app`` served on loopback."""
    db = Path(tight_app.state.revintel.settings.db)
    for url in serve_in_thread(tight_app):
        yield LiveServer(url, db, tight_app.state.tokens)


def tight_settings(db: Path) -> Settings:
    """Settings with limits small enough to reach in a test."""
    return Settings(
        db=str(db),
        secret_key=SECRET,
        default_language="en",
        max_body_bytes=BODY_LIMIT,
        max_cell_chars=CELL_LIMIT,
        max_rejected_rows=REJECTION_LIMIT,
        max_simulations=1_000,
        max_what_if_factor=3.0,
        max_cache_bytes=1 << 20,
        import_wait_seconds=0.5,
    )


def _headers_only(url: str, path: str, headers: dict[str, str]) -> str:
    """Send a request's head but none of its body; the status line of the answer."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        answer = sock.recv(65536).decode("latin-1")
    return answer.split("\r\n", 1)[0]


def _upload_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("revintel-*")}


UPLOAD_HEAD = {
    "Content-Type": "multipart/form-data; boundary=xyz",
    "Content-Length": str(1_500_000_000),
}


def test_an_upload_without_credentials_gets_401_before_its_body_is_sent(
    server: LiveServer,
) -> None:
    before = _upload_folders()
    status = _headers_only(server.url, "/api/v1/imports", UPLOAD_HEAD)
    assert status.split()[1] == "401", status
    assert _upload_folders() == before


def test_an_upload_with_a_wrong_token_gets_401_before_its_body_is_sent(
    server: LiveServer,
) -> None:
    headers = {**UPLOAD_HEAD, "Authorization": "Bearer not-a-token"}
    status = _headers_only(server.url, "/api/v1/targets", headers)
    assert status.split()[1] == "401", status


def test_a_declared_body_beyond_the_limit_gets_413_before_it_is_sent(server: LiveServer) -> None:
    headers = {**UPLOAD_HEAD, "Authorization": f"Bearer {server.tokens['marie']}"}
    status = _headers_only(server.url, "/api/v1/imports", headers)
    assert status.split()[1] == "413", status


def test_a_streamed_body_beyond_the_limit_gets_413(tight: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.csv"\r\n\r\n'
        for _ in range(2 * BODY_LIMIT // 1024):
            yield b"x" * 1024

    headers = {"Content-Type": "multipart/form-data; boundary=xyz"}
    response = tight.client("marie").post("/api/v1/imports", content=chunks(), headers=headers)
    assert response.status_code == 413, response.text
    assert f"{BODY_LIMIT:,} bytes" in response.json()["error"]["message"]


def _import(server: LiveServer, name: str, text: str) -> httpx.Response:
    files = [("files", (name, text.encode("utf-8", "surrogatepass"), "text/csv"))]
    return server.client("marie").post("/api/v1/imports", files=files, data={"preset": "generic"})


def _rejections(server: LiveServer, batch: str) -> list[dict[str, object]]:
    response = server.client("marie").get("/api/v1/imports/rejections", params={"batch": batch})
    assert response.status_code == 200, response.text
    rows: list[dict[str, object]] = response.json()["items"]
    return rows


def _stored_names(app: FastAPI) -> list[str]:
    with app.state.revintel.stores.borrow() as store:
        names: list[str] = store.execute_sql("SELECT name FROM accounts")["name"].to_pylist()
    return names


def _raw_rejections(app: FastAPI, batch: str) -> list[str]:
    """The source rows kept with a batch's rejections, as stored."""
    with app.state.revintel.stores.borrow() as store:
        sql = "SELECT raw FROM rejected_rows WHERE import_batch_id = ?"
        raws: list[str] = store.execute_sql(sql, [batch])["raw"].to_pylist()
    return raws


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("Nul\x00GmbH", "name: a control character or an undecodable byte"),
        ("Bell\x07AG", "name: a control character or an undecodable byte"),
        ("Stray\x81KG", "name: a control character or an undecodable byte"),
        ("y" * (CELL_LIMIT + 1), f"name: longer than {CELL_LIMIT:,} characters"),
    ],
)
def test_an_unstorable_cell_rejects_its_row_naming_the_column(
    tight: LiveServer, tight_app: FastAPI, cell: str, reason: str
) -> None:
    response = _import(tight, "accounts.csv", f"account_id,name\nZ1,Fine GmbH\nZ2,{cell}\n")
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["files"][0]["rows_rejected"] == 1
    [rejected] = _rejections(tight, result["batch_id"])
    assert rejected["column"] == "name" and rejected["reason"] == reason
    [raw] = _raw_rejections(tight_app, result["batch_id"])
    for kept in (raw, str(rejected["value"])):
        assert len(kept) < CELL_LIMIT
        assert not any(c in kept for c in "\x00\x07\x81")
    assert not any(n.startswith(cell[:4]) for n in _stored_names(tight_app) if n)


def test_a_tab_or_newline_inside_a_quoted_cell_is_kept(
    tight: LiveServer, tight_app: FastAPI
) -> None:
    response = _import(tight, "accounts.csv", 'account_id,name\nZ3,"Two\nLines\tGmbH"\n')
    assert response.status_code == 201, response.text
    assert response.json()["files"][0]["rows_rejected"] == 0
    assert "Two\nLines\tGmbH" in _stored_names(tight_app)


def test_a_file_with_more_rejected_rows_than_the_limit_fails_naming_file_and_limit(
    tight: LiveServer, tight_app: FastAPI
) -> None:
    # Every row bad (an employee count that is no number); a NUL in every row instead would
    # make the file look like binary data, refused before any row is read.
    rows = "".join(f"R{i},Bad {i},many\n" for i in range(REJECTION_LIMIT * 5))
    response = _import(tight, "flood.csv", "account_id,name,employees\n" + rows)
    assert response.status_code == 400, response.text
    message = response.json()["error"]["message"]
    assert message.startswith("flood.csv: 100 rows rejected")
    assert f"more than the limit of {REJECTION_LIMIT}" in message
    history = tight.client("marie").get("/api/v1/imports").json()["items"]
    latest = history[0]
    assert latest["status"] == "failed" and latest["rows_rejected"] == 100
    assert latest["files"] == "flood.csv"
    assert not any(n.startswith("Bad") for n in _stored_names(tight_app) if n)


def test_an_import_while_another_runs_gets_409_and_is_recorded(
    tight: LiveServer, tight_app: FastAPI
) -> None:
    with exclusive_import(str(tight.db), 60):
        response = _import(tight, "accounts.csv", "account_id,name\nZ9,Waiting GmbH\n")
    assert response.status_code == 409, response.text
    assert "another import is running" in response.json()["error"]["message"]
    latest = tight.client("marie").get("/api/v1/imports").json()["items"][0]
    assert latest["status"] == "failed" and latest["files"] == "accounts.csv"
    reasons = {r["reason"] for r in _rejections(tight, latest["import_batch_id"])}
    assert reasons == {BUSY_MESSAGE}
    assert "Waiting GmbH" not in _stored_names(tight_app)


def test_concurrent_imports_of_the_same_rows_never_answer_500(server: LiveServer) -> None:
    texts = [
        "account_id,name\n" + "".join(f"C{i},Concurrent {i} {n}\n" for i in range(3_000))
        for n in range(4)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda t: _import(server, "same.csv", t), texts))
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, [a.text for a in answers]


# --- targets upload ----------------------------------------------------------------------------

TARGET_HEADER = "period_start,period_end,amount,team\n"


def _targets(server: LiveServer, text: str) -> httpx.Response:
    files = {"file": ("targets.csv", text.encode(), "text/csv")}
    return server.client("marie").post("/api/v1/targets", files=files)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TARGET_HEADER, "targets.csv: no target rows"),
        (
            TARGET_HEADER + "2025-01-01,2025-03-31,100," + "t" * 2_000 + "\n",
            "targets.csv: row 2: column team: 2,000 characters",
        ),
        (TARGET_HEADER + "2025-01-01,2025-03-31,inf,\n", "row 2: column amount: 'inf' is not"),
        (TARGET_HEADER + "2025-01-01,2025-03-31,nan,\n", "row 2: column amount: 'nan' is not"),
        (TARGET_HEADER + "2025-01-01,2025-03-31,-5,\n", "row 2: column amount: '-5' is not"),
        (TARGET_HEADER + "2025-01-01,2025-03-31,0,\n", "row 2: column amount: '0' is not"),
    ],
)
def test_a_bad_targets_file_gets_400_and_writes_nothing(
    tight: LiveServer, text: str, expected: str
) -> None:
    before = tight.client("admin").get("/api/v1/targets").json()
    if text != TARGET_HEADER:
        # A good row first: nothing of the file may be written when a later row is bad.
        text = text.replace(TARGET_HEADER, TARGET_HEADER + "2024-01-01,2024-03-31,500,North\n")
        expected = expected.replace("row 2", "row 3")
    response = _targets(tight, text)
    assert response.status_code == 400, response.text
    assert expected in response.json()["error"]["message"]
    assert tight.client("admin").get("/api/v1/targets").json() == before


def test_a_targets_cell_beyond_the_csv_readers_own_limit_gets_400(server: LiveServer) -> None:
    text = TARGET_HEADER + "2025-01-01,2025-03-31,100," + "t" * 140_000 + "\n"
    response = _targets(server, text)
    assert response.status_code == 400, response.text
    message = response.json()["error"]["message"]
    assert message.startswith("targets.csv: row 2: column team: longer than 32,767 characters")


# --- forecast bounds and the result cache ------------------------------------------------------


def test_forecast_bounds_come_from_the_settings(tight: LiveServer) -> None:
    client = tight.client("anna")
    response = client.get("/api/v1/forecast", params={"what_if": "lead_volume*4"})
    assert response.status_code == 400, response.text
    assert "a factor lies between 0 and 3" in response.json()["error"]["message"]
    response = client.get("/api/v1/forecast", params={"simulations": 2_000})
    assert response.status_code == 422, response.text
    assert "at most 1,000" in response.json()["error"]["message"]


def test_the_result_cache_is_bounded_by_bytes() -> None:
    cache = ResultCache(max_bytes=1 << 20)
    for seed in range(200):
        cache.remember(("forecast", str(seed)), lambda: "x" * (50 << 10))
    assert cache.bytes <= 1 << 20
    assert 0 < len(cache) < 30
    assert cache.peek(("forecast", "199")) is not None
    assert cache.peek(("forecast", "0")) is None
    big = cache.remember(("page", "huge"), lambda: "y" * (1 << 20))
    assert len(big) == 1 << 20 and cache.peek(("page", "huge")) is None


def test_many_forecast_seeds_stay_within_the_cache_bound(
    tight: LiveServer, tight_app: FastAPI
) -> None:
    client = tight.client("admin")
    for seed in range(8):
        response = client.get("/api/v1/forecast", params={"seed": seed, "simulations": 100})
        assert response.status_code == 200, response.text
    cache = tight_app.state.revintel.cache
    assert 0 < cache.bytes <= cache.max_bytes == 1 << 20
