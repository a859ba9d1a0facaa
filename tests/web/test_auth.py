"""Sign-in, cookies, CSRF, settings and the domain functions behind them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from revintel.auth import (
    Role,
    Session,
    SessionCodec,
    SessionStore,
    User,
    UserError,
    add_user,
    authenticate,
    hash_password,
    restrict,
    verify_password,
)
from revintel.server import Settings, SettingsError, load_settings
from revintel.store import Store, open_store
from tests.web.conftest import SECRET, LiveServer, browser_login, csrf_from, session_cookie
from tests.web.stores import PASSWORD, build_store


def test_login_sets_a_hardened_cookie(live_server: LiveServer) -> None:
    client = live_server.client()
    form = client.get("/login")
    cookie = session_cookie(form)
    response = client.post(
        "/login",
        data={"username": "anna", "password": PASSWORD, "csrf_token": csrf_from(form.text)},
        headers={"Cookie": f"revintel_session={cookie}"},
    )
    assert response.status_code == 303
    header = next(h for h in response.headers.get_list("set-cookie") if "revintel_session" in h)
    flags = {part.strip().lower() for part in header.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags


def test_login_without_matching_csrf_token_is_refused(live_server: LiveServer) -> None:
    client = live_server.client()
    cookie = session_cookie(client.get("/login"))
    response = client.post(
        "/login",
        data={"username": "anna", "password": PASSWORD, "csrf_token": "forged"},
        headers={"Cookie": f"revintel_session={cookie}"},
    )
    assert response.status_code == 403
    fresh = session_cookie(response)  # a new anonymous session, nobody signed in
    me = live_server.client().get("/api/v1/me", headers={"Cookie": f"revintel_session={fresh}"})
    assert me.status_code == 401


def test_wrong_password_is_refused(live_server: LiveServer) -> None:
    client = live_server.client()
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "anna",
            "password": "wrong-password!",
            "csrf_token": csrf_from(form.text),
        },
        headers={"Cookie": f"revintel_session={session_cookie(form)}"},
    )
    assert response.status_code == 401
    assert "login-error" in response.text


def test_cookie_session_needs_csrf_header_to_change_state(live_server: LiveServer) -> None:
    client = browser_login(live_server, "anna")
    assert client.get("/api/v1/me").json()["username"] == "anna"
    assert client.post("/api/v1/tokens", json={"name": "x"}).status_code == 403
    token = csrf_from(client.get("/").text)
    created = client.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": token})
    assert created.status_code == 201


def test_logout_needs_csrf_and_ends_the_session(live_server: LiveServer) -> None:
    client = browser_login(live_server, "ben")
    assert client.post("/logout", data={"csrf_token": "nope"}).status_code == 403
    response = client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    assert response.status_code == 303
    client.headers["Cookie"] = f"revintel_session={session_cookie(response)}"
    assert client.get("/api/v1/me").status_code == 401


def test_pages_redirect_anonymous_visitors_to_login(live_server: LiveServer) -> None:
    response = live_server.client().get("/deals?status=open")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fdeals%3Fstatus%3Dopen"


@pytest.mark.parametrize("secret", [None, "changeme", "short-secret"])
def test_settings_refuse_default_or_weak_secret(
    secret: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REVINTEL_SECRET_KEY", raising=False)
    monkeypatch.delenv("REVINTEL_DEMO", raising=False)
    with pytest.raises(SettingsError, match="REVINTEL_SECRET_KEY"):
        load_settings(secret_key=secret)


def test_demo_mode_draws_a_random_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVINTEL_SECRET_KEY", raising=False)
    first, second = load_settings(demo=True), load_settings(demo=True)
    assert len(first.secret) >= 48
    assert first.secret != second.secret
    monkeypatch.setenv("REVINTEL_SECRET_KEY", SECRET)
    assert Settings().secret == SECRET


def test_session_cookies_are_signed_and_expire() -> None:
    codec = SessionCodec(SECRET, max_age_seconds=3600)
    anonymous = Session.anonymous()
    value = codec.dumps(anonymous)
    assert codec.loads(value) == ("anonymous", anonymous.csrf_token)
    signed_in = Session("unused", User("anna", "Anna", Role.sales_rep, "r1"), "random-id")
    assert codec.loads(codec.dumps(signed_in)) == ("session", "random-id")
    assert SessionCodec(SECRET[::-1], 3600).loads(value) is None
    assert codec.loads(value[:-2] + "xx") is None
    assert SessionCodec(SECRET, max_age_seconds=-1).loads(value) is None
    # A signed-in session's CSRF token is derived from its id with the secret key.
    assert codec.csrf_for("random-id") == codec.csrf_for("random-id")
    assert codec.csrf_for("random-id") != SessionCodec(SECRET[::-1], 3600).csrf_for("random-id")
    assert anonymous.csrf_matches(anonymous.csrf_token) and not anonymous.csrf_matches("")


def test_a_session_ends_when_idle_or_too_old_however_used(tmp_path: Path) -> None:
    build_store(tmp_path / "s.duckdb")
    now = [datetime(2025, 1, 1, 8, 0)]
    with open_store(tmp_path / "s.duckdb") as store:

        @contextmanager
        def connect() -> Iterator[Store]:
            yield store

        sessions = SessionStore(
            connect, SECRET, idle_seconds=1800, absolute_seconds=4 * 3600, clock=lambda: now[0]
        )
        anna = User("anna", "Anna", Role.sales_rep, "r1")
        cookie = sessions.cookie(sessions.start(anna))
        for _ in range(8):  # used every 29 minutes: never idle, but 4 hours is the end
            now[0] += timedelta(minutes=29)
            assert sessions.read(cookie) is not None
        now[0] += timedelta(minutes=29)
        assert sessions.read(cookie) is None
        idle = sessions.cookie(sessions.start(anna))
        now[0] += timedelta(minutes=31)
        assert sessions.read(idle) is None
        # The store keeps only digests of the ids.
        stored = store.execute_sql("SELECT session_hash FROM auth_sessions").to_pylist()
        assert all(len(r["session_hash"]) == 64 for r in stored)


def test_passwords_are_argon2id_hashed() -> None:
    encoded = hash_password("correct-horse")
    assert encoded.startswith("$argon2id$")
    assert verify_password(encoded, "correct-horse")
    assert not verify_password(encoded, "correct-horsf")
    assert not verify_password("not a hash", "correct-horse")


def test_user_rules(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        with pytest.raises(UserError, match="needs --rep-id"):
            add_user(store, "rep", PASSWORD, "sales_rep")
        with pytest.raises(UserError, match="rep 'r9' is not in the reps table"):
            add_user(store, "rep", PASSWORD, "sales_rep", rep_id="r9")
        with pytest.raises(UserError, match="at least 12 characters"):
            add_user(store, "boss", "short", "admin")
        with pytest.raises(UserError, match="unknown role 'king'"):
            add_user(store, "boss", PASSWORD, "king")
        add_user(store, "boss", PASSWORD, "manager")
        with pytest.raises(UserError, match="exists already"):
            add_user(store, "boss", PASSWORD, "admin")
        assert authenticate(store, "boss", PASSWORD) == User("boss", "boss", Role.manager)
        assert authenticate(store, "boss", PASSWORD + "x") is None
        assert authenticate(store, "nobody", PASSWORD) is None


def test_restrict_filters_owner_column(tmp_path: Path) -> None:
    build_store(tmp_path / "s.duckdb")
    with open_store(tmp_path / "s.duckdb", read_only=True) as store:
        leads = store.table("leads")
        rep = User("x", "x", Role.sales_rep, rep_id="r2")
        assert int(restrict(rep, "leads", leads).count().execute()) == 5
        orphan = User("y", "y", Role.sales_rep)
        assert int(restrict(orphan, "accounts", store.table("accounts")).count().execute()) == 0
        manager = User("z", "z", Role.manager)
        assert int(restrict(manager, "leads", leads).count().execute()) == 12


def test_every_setting_is_documented() -> None:
    # In the dashboard's settings table, or in the pages it sends the resource limits and
    # operations settings to.
    docs = Path(__file__).resolve().parents[2] / "docs"
    pages = ("dashboard.md", "limits.md", "production.md")
    doc = "\n".join((docs / p).read_text("utf-8") for p in pages if (docs / p).exists())
    for name in Settings.model_fields:
        assert f"`REVINTEL_{name.upper()}`" in doc, name
