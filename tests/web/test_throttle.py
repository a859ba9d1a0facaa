"""Login throttling: 429 after too many failed sign-ins per user name (from one address, and
from all), per window; never per address alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from revintel.auth import SESSION_COOKIE, LoginThrottle
from revintel.server import Settings
from tests.web.conftest import SECRET, LiveServer, csrf_from, serve_in_thread, session_cookie
from tests.web.stores import PASSWORD, build_store


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Its own server (the shared one must keep accepting sign-ins): 3 failures per 5 minutes."""
    db: Path = tmp_path_factory.mktemp("throttle") / "store.duckdb"
    tokens = build_store(db)
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en", login_max_failures=3)
    for url in serve_in_thread(settings):
        yield LiveServer(url, db, tokens)


def _attempt(client: httpx.Client, user: str, password: str) -> httpx.Response:
    form = client.get("/login")
    return client.post(
        "/login",
        data={"username": user, "password": password, "csrf_token": csrf_from(form.text)},
        headers={"Cookie": f"{SESSION_COOKIE}={session_cookie(form)}"},
    )


def test_failed_sign_ins_lock_the_user_then_429(strict_server: LiveServer) -> None:
    client = strict_server.client()
    codes = [_attempt(client, "marie", "wrong password!").status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    refused = _attempt(client, "marie", PASSWORD)  # even the right password now
    assert refused.status_code == 429
    assert 290 <= int(refused.headers["Retry-After"]) <= 300
    assert "Too many failed sign-ins. Try again in 5 minutes." in refused.text
    assert _attempt(client, "MARIE", PASSWORD).status_code == 429  # names are case-insensitive


def test_other_users_at_the_same_address_may_still_sign_in(strict_server: LiveServer) -> None:
    # Every test client comes from 127.0.0.1, like every user behind a proxy.
    client = strict_server.client()
    assert [_attempt(client, "anna", "wrong password!").status_code for _ in range(3)] == [401] * 3
    assert _attempt(client, "anna", PASSWORD).status_code == 429
    assert _attempt(client, "ben", PASSWORD).status_code == 303


def test_one_user_is_limited_per_address_and_across_addresses() -> None:
    throttle = LoginThrottle(max_failures=3, window_seconds=300, max_failures_per_user=5)
    for user in ("a1", "a2", "a3"):
        throttle.fail(user, "10.0.0.9")
    assert throttle.retry_after("fresh", "10.0.0.9") == 0  # the address alone locks nobody
    for _ in range(3):
        throttle.fail("anna", "10.0.0.9")
    assert throttle.retry_after("anna", "10.0.0.9") > 0
    assert throttle.retry_after("anna", "10.0.0.10") == 0  # from elsewhere: 3 of 5 so far
    throttle.fail("anna", "10.0.0.11")
    throttle.fail("anna", "10.0.0.12")
    assert throttle.retry_after("anna", "10.0.0.10") > 0  # 5 from all addresses together


def test_the_window_slides_and_success_resets_the_user() -> None:
    now = [1000.0]
    throttle = LoginThrottle(max_failures=10, window_seconds=300, clock=lambda: now[0])
    for _ in range(10):
        throttle.fail("anna", None)
        now[0] += 10  # failures at 1000, 1010, ... 1090
    assert throttle.retry_after("anna", None) == 300 - 100  # until 1000 + 300, now is 1100
    now[0] = 1300.5
    assert throttle.retry_after("anna", None) == 0  # the first failure left the window
    throttle.fail("anna", None)
    assert throttle.retry_after("anna", None) > 0
    throttle.succeed("anna")
    assert throttle.retry_after("anna", None) == 0
