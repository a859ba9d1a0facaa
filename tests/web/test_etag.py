"""Conditional GET: kept answers carry a strong ETag; a matching If-None-Match gets 304."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from revintel.server import Settings
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import build_store

ACCOUNTS = "account_id,name,country\nA7,Acme GmbH,DE\nA8,Globex AG,DE\n"
ANALYTICAL = ["/api/v1/store", "/api/v1/kpis", "/api/v1/funnel", "/api/v1/alerts"]
LISTS = ["/api/v1/leads?limit=3", "/api/v1/accounts", "/api/v1/opportunities/O1"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: a test here imports data."""
    db = tmp_path_factory.mktemp("etag") / "store.duckdb"
    tokens = build_store(db)
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)


@pytest.mark.parametrize("path", ANALYTICAL + LISTS)
def test_answers_carry_a_strong_tag_of_their_body(server: LiveServer, path: str) -> None:
    response = server.client("admin").get(path)
    assert response.status_code == 200, response.text
    tag = response.headers["ETag"]
    assert tag == '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    assert response.headers["Cache-Control"] == "private, no-cache"
    again = server.client("admin").get(path)
    assert again.headers["ETag"] == tag and again.content == response.content


@pytest.mark.parametrize("path", ANALYTICAL + LISTS)
def test_a_matching_if_none_match_gets_304_without_body(server: LiveServer, path: str) -> None:
    client = server.client("admin")
    tag = client.get(path).headers["ETag"]
    for header in (tag, f'"stale", {tag}', "*", f"W/{tag}"):
        response = client.get(path, headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response.headers["ETag"] == tag
    stale = client.get(path, headers={"If-None-Match": '"0123", "4567"'})
    assert stale.status_code == 200 and stale.headers["ETag"] == tag and stale.content


def test_each_scope_has_its_own_tag(server: LiveServer) -> None:
    admin = server.client("admin").get("/api/v1/leads").headers["ETag"]
    anna = server.client("anna").get("/api/v1/leads")
    assert anna.headers["ETag"] != admin
    refused = server.client("anna").get("/api/v1/leads", headers={"If-None-Match": admin})
    assert refused.status_code == 200 and refused.json()["total"] == 7


def test_an_import_changes_the_body_and_the_tag(server: LiveServer) -> None:
    client = server.client("admin")
    before = {p: client.get(p) for p in ("/api/v1/store", "/api/v1/accounts")}
    files = [("files", ("accounts.csv", ACCOUNTS.encode(), "text/csv"))]
    assert client.post("/api/v1/imports", files=files).status_code == 201
    for path, old in before.items():
        response = client.get(path, headers={"If-None-Match": old.headers["ETag"]})
        assert response.status_code == 200, path
        assert response.headers["ETag"] != old.headers["ETag"]
        assert response.content != old.content
    assert client.get("/api/v1/accounts").json()["total"] == 5


def test_the_openapi_document_declares_304_and_if_none_match(server: LiveServer) -> None:
    spec = server.client().get("/api/openapi.json").json()
    for path in ("/api/v1/leads", "/api/v1/leads/{lead_id}", "/api/v1/accounts"):
        operation = spec["paths"][path]["get"]
        assert "304" in operation["responses"], path
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert headers == ["If-None-Match"], path
