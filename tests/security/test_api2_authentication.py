"""API2:2023 Broken Authentication: sessions end when they should, tokens expire and cannot
outlive the token that made them, and failed sign-ins lock out the guessed name only.

The servers here run like ``revintel serve`` runs uvicorn: without uvicorn's own reading of
``X-Forwarded-For`` (the application reads it from ``REVINTEL_TRUSTED_PROXIES`` only).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from typer.testing import CliRunner

from revintel.auth import SESSION_COOKIE, SessionCodec, TokenCache, create_token, token_grant
from revintel.cli import app as cli
from revintel.server import Settings
from revintel.store import open_store, store_now
from tests.security.conftest import PASSWORD, SECRET, LiveServer, serve_in_thread
from tests.web.conftest import browser_login, csrf_from, session_cookie
from tests.web.stores import build_store

BERLIN = ZoneInfo("Europe/Berlin")  # the test stores' zone (the default)


@pytest.fixture(autouse=True, scope="module")
def _no_uvicorn_proxy_headers() -> Iterator[None]:
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told otherwise; `revintel serve`
    # switches that off, and so do these servers (uvicorn reads the variable at start).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FORWARDED_ALLOW_IPS", "")
        yield


def _serve(db: Path, **settings: object) -> Iterator[str]:
    given = {"db": str(db), "secret_key": SECRET, "default_language": "en", "warm_up": False}
    return serve_in_thread(Settings(**(given | settings)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The hand-made store on a server of this module's own."""
    db = tmp_path_factory.mktemp("api2") / "store.duckdb"
    tokens = build_store(db)
    for url in _serve(db):
        yield LiveServer(url, db, tokens)


def _cookie_client(server: LiveServer, cookie: str) -> httpx.Client:
    client = server.client()
    client.headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
    return client


def _cookie_of(client: httpx.Client) -> str:
    return client.headers["Cookie"].split("=", 1)[1]


def _attempt(
    server: LiveServer, user: str, password: str, forwarded_for: str | None = None
) -> httpx.Response:
    client = server.client()
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = client.get("/login", headers=headers)
    return client.post(
        "/login",
        data={"username": user, "password": password, "csrf_token": csrf_from(form.text)},
        headers={**headers, "Cookie": f"{SESSION_COOKIE}={session_cookie(form)}"},
    )


# --- Sessions ------------------------------------------------------------------------------


def test_logout_ends_the_session_so_a_stolen_cookie_is_refused(server: LiveServer) -> None:
    browser = browser_login(server, "anna")
    stolen = _cookie_client(server, _cookie_of(browser))
    assert stolen.get("/api/v1/me").json()["username"] == "anna"
    logout = browser.post("/logout", data={"csrf_token": csrf_from(browser.get("/").text)})
    assert logout.status_code == 303
    assert stolen.get("/api/v1/me").status_code == 401
    page = stolen.get("/deals")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_the_session_cookie_is_set_at_sign_in_only(server: LiveServer) -> None:
    browser = browser_login(server, "marie")
    for path in ("/", "/deals", "/api/v1/me", "/", "/login"):
        response = browser.get(path)
        assert response.status_code == 200, path
        assert not any(
            h.startswith(f"{SESSION_COOKIE}=") for h in response.headers.get_list("set-cookie")
        ), path


def test_a_new_sign_in_replaces_the_browser_s_session(server: LiveServer) -> None:
    browser = browser_login(server, "ben")
    before = _cookie_client(server, _cookie_of(browser))
    form = browser.get("/login")  # signed in already: the form carries this session's token
    again = browser.post(
        "/login", data={"username": "ben", "password": PASSWORD, "csrf_token": csrf_from(form.text)}
    )
    assert again.status_code == 303
    after = _cookie_client(server, session_cookie(again))
    assert after.get("/api/v1/me").status_code == 200
    assert before.get("/api/v1/me").status_code == 401


def test_the_store_keeps_only_a_digest_of_the_session_id(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    for url in _serve(db):
        cookie = _cookie_of(browser_login(LiveServer(url, db, tokens), "anna"))
    found = SessionCodec(SECRET, 3600).loads(cookie)
    assert found is not None and found[0] == "session"
    session_id = found[1]
    with open_store(db) as store:
        rows = store.execute_sql("SELECT * FROM auth_sessions").to_pylist()
    assert [r["username"] for r in rows] == ["anna"]
    assert rows[0]["session_hash"] == hashlib.sha256(session_id.encode()).hexdigest()
    assert all(session_id not in str(value) for value in rows[0].values())


def test_csrf_token_is_bound_to_the_server_side_session(server: LiveServer) -> None:
    anna, ben = browser_login(server, "anna"), browser_login(server, "ben")
    anna_token = csrf_from(anna.get("/").text)
    body = {"name": "csrf check"}
    assert anna.post("/api/v1/tokens", json=body).status_code == 403
    assert (
        ben.post("/api/v1/tokens", json=body, headers={"X-CSRF-Token": anna_token}).status_code
        == 403
    )
    created = anna.post("/api/v1/tokens", json=body, headers={"X-CSRF-Token": anna_token})
    assert created.status_code == 201
    # The form of the sign-out is checked too.
    assert ben.post("/logout", data={"csrf_token": anna_token}).status_code == 403


def test_an_admin_ends_every_session_of_a_user(server: LiveServer) -> None:
    first, second = browser_login(server, "marie"), browser_login(server, "marie")
    other = browser_login(server, "ben")
    assert server.client("anna").delete("/api/v1/users/marie/sessions").status_code == 403
    assert server.client("admin").delete("/api/v1/users/nobody/sessions").status_code == 404
    assert server.client("admin").delete("/api/v1/users/marie/sessions").status_code == 204
    assert first.get("/api/v1/me").status_code == 401
    assert second.get("/api/v1/me").status_code == 401
    assert other.get("/api/v1/me").status_code == 200
    assert server.client("marie").get("/api/v1/me").status_code == 200  # tokens stay
    # An admin signed in by cookie needs the CSRF header for it, like any change.
    admin = browser_login(server, "admin")
    assert admin.delete("/api/v1/users/ben/sessions").status_code == 403
    token = csrf_from(admin.get("/").text)
    ended = admin.delete("/api/v1/users/ben/sessions", headers={"X-CSRF-Token": token})
    assert ended.status_code == 204
    assert other.get("/api/v1/me").status_code == 401


def test_sessions_expire_when_idle_and_after_their_lifetime(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    # 4 s idle, 9 s in all.
    for url in _serve(db, session_idle_minutes=4 / 60, session_hours=9 / 3600):
        server = LiveServer(url, db, tokens)
        idle = browser_login(server, "anna")
        used = browser_login(server, "ben")
        started = time.monotonic()
        while time.monotonic() - started < 6:
            assert used.get("/api/v1/me").status_code == 200  # used every second
            time.sleep(1)
        assert idle.get("/api/v1/me").status_code == 401  # unused for 6 s
        while time.monotonic() - started < 9.5:
            time.sleep(0.5)
            used.get("/api/v1/me")
        assert used.get("/api/v1/me").status_code == 401  # never idle, but 9 s old


def _users(db: Path, *args: str, password: str | None = None) -> str:
    env = {"REVINTEL_PASSWORD": password} if password else {}
    result = CliRunner().invoke(cli, ["users", *args, "--db", str(db)], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_sessions_survive_a_restart_but_not_a_new_password_or_disabling(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    cookies = {}
    for url in _serve(db):
        server = LiveServer(url, db, tokens)
        cookies = {u: _cookie_of(browser_login(server, u)) for u in ("anna", "ben", "marie")}
    # The server is stopped: the users commands may open the store.
    _users(db, "passwd", "anna", password="a-new-password-1")
    _users(db, "disable", "ben")
    assert "ended 1 session of marie" in _users(db, "sessions-revoke", "marie")
    admin_cookie = ""
    for url in _serve(db):
        server = LiveServer(url, db, tokens)
        for user in ("anna", "ben", "marie"):
            assert _cookie_client(server, cookies[user]).get("/api/v1/me").status_code == 401
        assert _attempt(server, "anna", "a-new-password-1").status_code == 303
        assert _attempt(server, "ben", PASSWORD).status_code == 401
        assert server.client("ben").get("/api/v1/me").status_code == 401  # tokens refused
        admin_cookie = _cookie_of(browser_login(server, "admin"))
    for url in _serve(db):  # nothing changed: the admin's session goes on
        server = LiveServer(url, db, tokens)
        assert _cookie_client(server, admin_cookie).get("/api/v1/me").status_code == 200


# --- Tokens --------------------------------------------------------------------------------


def test_an_expired_token_is_refused_while_the_server_runs(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    with open_store(db) as store:
        secret, info = create_token(store, "anna", "short-lived", valid_days=1)
        expires = store_now(store) + timedelta(seconds=4)  # times are the store zone's clock
        store.execute_sql(
            "UPDATE auth_tokens SET expires_at = ? WHERE token_id = ?", [expires, info.token_id]
        )
    for url in _serve(db):
        client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"})
        assert client.get("/api/v1/me").status_code == 200  # looked up and kept
        while datetime.now(BERLIN).replace(tzinfo=None) < expires + timedelta(seconds=0.5):
            time.sleep(0.25)
        assert client.get("/api/v1/me").status_code == 401
        assert LiveServer(url, db, tokens).client("anna").get("/api/v1/me").status_code == 200


def test_a_kept_token_look_up_never_outlives_the_token(tmp_path: Path) -> None:
    build_store(tmp_path / "s.duckdb")
    with open_store(tmp_path / "s.duckdb") as store:
        now = [store_now(store)]
        secret, _ = create_token(store, "anna", "x", valid_days=1)
        cache = TokenCache(recheck_seconds=3600, clock=lambda: now[0])
        assert cache.grant(store, secret) is not None
        now[0] += timedelta(days=1, seconds=1)
        assert cache.grant(store, secret) is None  # the store's own clock says valid still
        assert token_grant(store, secret) is not None


def test_a_revoked_token_is_refused_at_once(server: LiveServer) -> None:
    owner = server.client("marie")
    created = owner.post("/api/v1/tokens", json={"name": "to revoke", "valid_days": 5}).json()
    token = server.client()
    token.headers["Authorization"] = f"Bearer {created['token']}"
    assert token.get("/api/v1/me").status_code == 200
    assert owner.delete(f"/api/v1/tokens/{created['token_id']}").status_code == 204
    assert token.get("/api/v1/me").status_code == 401


def _expiry(body: dict[str, object]) -> datetime | None:
    value = body["expires_at"]
    return None if value is None else datetime.fromisoformat(str(value))


def test_a_token_cannot_make_a_token_that_lives_longer(server: LiveServer) -> None:
    forever = server.client("ben")  # the fixture's tokens never expire
    refused = forever.post("/api/v1/tokens", json={"name": "forever too"})
    assert refused.status_code == 403
    assert "valid_days" in refused.json()["error"]["message"]
    short = forever.post("/api/v1/tokens", json={"name": "one day", "valid_days": 1})
    assert short.status_code == 201
    limit = _expiry(short.json())
    assert limit is not None
    child = server.client()
    child.headers["Authorization"] = f"Bearer {short.json()['token']}"
    longer = child.post("/api/v1/tokens", json={"name": "ten years", "valid_days": 3650})
    assert longer.status_code == 201 and _expiry(longer.json()) == limit
    unlimited = child.post("/api/v1/tokens", json={"name": "no expiry"})
    assert unlimited.status_code == 201 and _expiry(unlimited.json()) == limit
    # A signed-in browser (a password was given) may make a token that never expires.
    browser = browser_login(server, "ben")
    csrf = {"X-CSRF-Token": csrf_from(browser.get("/").text)}
    made = browser.post("/api/v1/tokens", json={"name": "integration"}, headers=csrf)
    assert made.status_code == 201 and made.json()["expires_at"] is None


# --- Login throttling ----------------------------------------------------------------------


def test_ten_failures_behind_a_proxy_lock_out_that_user_only(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    for url in _serve(db):  # default: 10 failures; every request comes from 127.0.0.1
        server = LiveServer(url, db, tokens)
        codes = [_attempt(server, "anna", "wrong password!").status_code for _ in range(10)]
        assert codes == [401] * 10
        refused = _attempt(server, "anna", PASSWORD)
        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= 300
        assert _attempt(server, "ben", PASSWORD).status_code == 303
        assert _attempt(server, "marie", PASSWORD).status_code == 303


def test_forwarded_for_counts_only_from_a_trusted_proxy(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    for url in _serve(db, login_max_failures=3):  # no trusted proxy
        server = LiveServer(url, db, tokens)
        # A client inventing a new address per attempt is still one client.
        for i in range(3):
            assert _attempt(server, "anna", "wrong!!", f"198.51.100.{i}").status_code == 401
        assert _attempt(server, "anna", PASSWORD, "198.51.100.99").status_code == 429
    for url in _serve(db, login_max_failures=3, trusted_proxies="127.0.0.1, 10.0.0.0/8"):
        server = LiveServer(url, db, tokens)
        for _ in range(3):
            assert _attempt(server, "anna", "wrong!!", "203.0.113.5").status_code == 401
        assert _attempt(server, "anna", PASSWORD, "203.0.113.5").status_code == 429
        # The same user elsewhere, and another user at that address, may sign in.
        assert _attempt(server, "anna", PASSWORD, "203.0.113.6").status_code == 303
        assert _attempt(server, "ben", PASSWORD, "203.0.113.5").status_code == 303
        # The address left of the proxy's own entry was written by the client: ignored.
        spoofed = "203.0.113.77, 203.0.113.5"
        assert _attempt(server, "anna", PASSWORD, spoofed).status_code == 429


def test_many_addresses_together_still_lock_one_user_name(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    for url in _serve(db, login_max_failures=2, trusted_proxies="127.0.0.1"):
        server = LiveServer(url, db, tokens)
        for i in range(10):  # five times the per-address limit, each address under it
            assert _attempt(server, "marie", "wrong!!", f"192.0.2.{i}").status_code == 401
        assert _attempt(server, "marie", PASSWORD, "192.0.2.200").status_code == 429
        assert _attempt(server, "anna", PASSWORD, "192.0.2.200").status_code == 303
