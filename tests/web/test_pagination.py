"""One page convention for every list: `limit`, an opaque `cursor`, `next_cursor` and `total`."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pandas as pd
import pytest

from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import build_store

KEYS = {"leads": "lead_id", "opportunities": "opportunity_id", "accounts": "account_id"}
ENVELOPE = {"items", "total", "limit", "next_cursor"}


def _walk(client: httpx.Client, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a list, page by page, checking the envelope of each page."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        response = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == ENVELOPE
        assert page["limit"] == params["limit"] and len(page["items"]) <= params["limit"]
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert len(page["items"]) == params["limit"]
    raise AssertionError(f"{path} did not end")


def _in_order(values: list[Any], descending: bool) -> bool:
    present = [v for v in values if v is not None]
    nulls_last = values[: len(present)] == present
    return nulls_last and present == sorted(present, reverse=descending)


@pytest.mark.parametrize(
    ("name", "sort", "order"),
    [
        ("leads", None, "desc"),
        ("leads", "created_at", "asc"),
        ("leads", "status", "desc"),
        ("leads", "channel", "asc"),
        ("leads", "score", "desc"),  # nobody scored yet: every value is null
        ("opportunities", "closed_at", "asc"),  # O2 has none: nulls come last
        ("opportunities", "closed_at", "desc"),
        ("opportunities", "amount", "desc"),
        ("accounts", "segment", "asc"),
        ("accounts", None, "desc"),
        ("accounts", "account_id", "desc"),  # the key itself
        ("leads", "lead_id", "asc"),
    ],
)
@pytest.mark.parametrize("user", ["admin", "anna"])
def test_walking_a_record_list_yields_each_row_once_in_order(
    live_server: LiveServer, user: str, name: str, sort: str | None, order: str
) -> None:
    client = live_server.client(user)
    params: dict[str, Any] = {"order": order, **({"sort": sort} if sort else {})}
    whole = client.get(f"/api/v1/{name}", params={**params, "limit": 500}).json()
    assert whole["next_cursor"] is None
    for limit in (1, 2, 5):
        walked = _walk(client, f"/api/v1/{name}", {**params, "limit": limit})
        keys = [row[KEYS[name]] for row in walked]
        assert len(keys) == len(set(keys)) == whole["total"]
        assert keys == [row[KEYS[name]] for row in whole["items"]]
        column = sort or "created_at"
        assert _in_order([row[column] for row in walked], order == "desc")


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The hand-made store with a tie and unscored leads: the default order is by score."""
    db = tmp_path_factory.mktemp("scored-pages") / "store.duckdb"
    tokens = build_store(db)
    scores = [("L03", 0.8), ("L05", 0.5), ("L09", 0.5), ("L10", 0.1), ("O2", 0.4)]
    rows = [
        {"score_id": f"S{i}", "model_id": "m", "kind": "deal_win" if key[0] == "O" else
         "lead_to_sql", "entity_type": "opportunity" if key[0] == "O" else "lead",
         "entity_id": key, "score": value, "scored_at": datetime(2024, 6, 30), "reasons": None}
        for i, (key, value) in enumerate(scores)
    ]  # fmt: skip
    with open_store(db) as store:
        store.insert("scores", pd.DataFrame(rows))
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("user", ["admin", "anna", "ben"])
def test_scored_lists_walk_by_score_then_key_with_unscored_rows_last(
    scored: LiveServer, user: str, order: str
) -> None:
    client = scored.client(user)
    whole = client.get("/api/v1/leads", params={"order": order, "limit": 500}).json()
    for limit in (1, 2, 3):
        walked = _walk(client, "/api/v1/leads", {"order": order, "limit": limit})
        assert [r["lead_id"] for r in walked] == [r["lead_id"] for r in whole["items"]]
        assert len(walked) == whole["total"]
        assert _in_order([r["score"] for r in walked], order == "desc")
    if user == "admin" and order == "desc":
        head = [r["lead_id"] for r in whole["items"][:5]]
        assert head == ["L03", "L05", "L09", "L10", "L01"]  # tie 0.5 by key, then unscored


def test_a_rep_walks_only_their_own_leads(live_server: LiveServer) -> None:
    walked = _walk(live_server.client("anna"), "/api/v1/leads", {"limit": 3, "order": "asc"})
    assert [row["lead_id"] for row in walked] == [f"L0{i}" for i in range(1, 8)]


def test_filters_and_dates_hold_across_pages(live_server: LiveServer) -> None:
    client = live_server.client("admin")
    params = {"limit": 2, "channel": "search", "created_from": "2024-01-01", "order": "asc"}
    walked = _walk(client, "/api/v1/leads", params)
    assert [row["lead_id"] for row in walked] == ["L01", "L02", "L03", "L04", "L08", "L09"]


@pytest.mark.parametrize(
    ("path", "user", "expected", "key"),
    [
        ("/api/v1/users", "admin", {"admin", "anna", "ben", "marie"}, "username"),
        ("/api/v1/tokens", "anna", set(), "token_id"),
        ("/api/v1/imports", "admin", set(), "import_batch_id"),
        ("/api/v1/targets", "admin", set(), "target_id"),
    ],
)
def test_small_lists_walk_with_cursors_too(
    live_server: LiveServer, path: str, user: str, expected: set[str], key: str
) -> None:
    # Other tests of the session may add rows (a token, a user), never remove these.
    client = live_server.client(user)
    whole = client.get(path).json()
    assert set(whole) == ENVELOPE and whole["limit"] == 50
    walked = _walk(client, path, {"limit": 1})
    keys = [row[key] for row in walked]
    assert len(keys) == len(set(keys)) == whole["total"]
    assert keys == [row[key] for row in whole["items"]]
    assert expected <= set(keys)


@pytest.mark.parametrize("path", ["/api/v1/leads", "/api/v1/users"])
def test_an_empty_cursor_asks_for_the_first_page(live_server: LiveServer, path: str) -> None:
    client = live_server.client("admin")
    first = client.get(path, params={"limit": 2})
    empty = client.get(path, params={"limit": 2, "cursor": ""})
    assert empty.status_code == 200 and empty.json() == first.json()


def test_the_last_possible_day_bounds_nothing(live_server: LiveServer) -> None:
    body = live_server.client("admin").get("/api/v1/leads", params={"created_to": "9999-12-31"})
    assert body.status_code == 200 and body.json()["total"] == 12


def test_a_cursor_is_bound_to_its_filters_and_sort(live_server: LiveServer) -> None:
    client = live_server.client("admin")
    first = client.get("/api/v1/leads", params={"limit": 2, "channel": "search"}).json()
    cursor = first["next_cursor"]
    assert isinstance(cursor, str)
    for other in (
        {"channel": "email"},
        {},
        {"channel": "search", "order": "asc"},
        {"channel": "search", "sort": "status"},
        {"channel": "search", "created_to": "2024-12-31"},
    ):
        response = client.get("/api/v1/leads", params={**other, "cursor": cursor})
        assert response.status_code == 400, other
        error = response.json()["error"]
        assert "other filters or another sort" in error["message"] and error["field"] == "cursor"
    elsewhere = client.get("/api/v1/accounts", params={"cursor": cursor})
    assert elsewhere.status_code == 400
    # The page size may change between pages.
    again = client.get("/api/v1/leads", params={"channel": "search", "limit": 50, "cursor": cursor})
    assert again.status_code == 200 and again.json()["total"] == 6
    assert len(again.json()["items"]) == 4


def _forged(cursor: str, change: dict[str, Any]) -> str:
    data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    text = json.dumps({**data, **change}).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def test_malformed_cursors_are_refused(live_server: LiveServer) -> None:
    client = live_server.client("admin")
    cursor = client.get("/api/v1/leads", params={"limit": 2}).json()["next_cursor"]
    users_cursor = client.get("/api/v1/users", params={"limit": 1}).json()["next_cursor"]
    for bad, where in (
        ("not a cursor", "/api/v1/leads"),
        ("eyJ4IjoxfQ", "/api/v1/leads"),  # {"x":1}
        (_forged(cursor, {"v": "yesterday"}), "/api/v1/leads"),
        (_forged(cursor, {"k": 7}), "/api/v1/leads"),
        (_forged(users_cursor, {"o": -3}), "/api/v1/users"),
        (_forged(users_cursor, {"o": 10**30}), "/api/v1/users"),
        (_forged(cursor, {"v": float("inf")}), "/api/v1/leads"),
    ):
        response = client.get(where, params={"limit": 2, "cursor": bad})
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["error"]["field"] == "cursor"
    # Longer than any cursor the server makes: the document's limit, so 422.
    too_long = client.get("/api/v1/leads", params={"cursor": "x" * 1001})
    assert too_long.status_code == 422


def test_the_openapi_document_lists_each_lists_sort_keys(live_server: LiveServer) -> None:
    spec = live_server.client().get("/api/openapi.json").json()

    def sort_keys(path: str) -> set[str]:
        [sort] = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "sort"]
        [option] = [o for o in sort["schema"]["anyOf"] if "$ref" in o]
        return set(spec["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]["enum"])

    assert {"score", "created_at", "channel", "lead_id"} <= sort_keys("/api/v1/leads")
    assert {"amount", "closed_at", "score"} <= sort_keys("/api/v1/opportunities")
    accounts = sort_keys("/api/v1/accounts")
    assert {"segment", "created_at"} <= accounts and "score" not in accounts
    for path, methods in spec["paths"].items():
        names = {p["name"] for p in methods.get("get", {}).get("parameters", [])}
        assert not names & {"page", "page_size"}, path
