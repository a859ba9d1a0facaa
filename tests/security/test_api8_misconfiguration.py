"""API8:2023 Security Misconfiguration: the server sends protective headers, allows no foreign
origin, keeps its software version and tracebacks to itself, and refuses unsafe settings: it
does not start with a guessable secret key or as a demo reachable from other machines, and the
demo's published logins stay in the demo.

Tests of the secret key start with ``test_secret_key_``, those of demo mode with ``test_demo_``.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revintel.auth import (
    DEMO_PASSWORD,
    KEY_RECIPE,
    MIN_SECRET_BITS,
    add_user,
    create_token,
    secret_entropy_bits,
)
from revintel.cli import app as cli
from revintel.cli._serve import ensure_demo_users
from revintel.server import Settings, SettingsError, create_app, load_settings
from revintel.store import open_store
from tests.security._openapi import operations
from tests.security.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.conftest import csrf_from, session_cookie
from tests.web.stores import build_store


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REVINTEL_SECRET_KEY", "REVINTEL_DEMO", "REVINTEL_HOST"):
        monkeypatch.delenv(name, raising=False)


# --- The secret key ------------------------------------------------------------------------

WEAK_KEYS = {
    "one character 32 times": "a" * 32,
    "one character 64 times": "Z" * 64,
    "a word repeated": "password" * 4,
    "a word with digits": "Password1234567890Password1234567890",
    "a short pattern repeated": "abc123" * 8,
    "short": "x7#Kp2!qL9",
    "a known default": "changeme",
}


@pytest.mark.parametrize("key", WEAK_KEYS.values(), ids=WEAK_KEYS.keys())
def test_secret_key_guessable_is_refused_with_a_recipe(key: str, no_env: None) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(secret_key=key)
    message = str(refused.value)
    assert "REVINTEL_SECRET_KEY" in message and KEY_RECIPE in message
    assert f"at least {MIN_SECRET_BITS} bits" in message
    assert "\n" not in message


def test_secret_key_missing_is_refused_with_a_recipe(no_env: None) -> None:
    with pytest.raises(SettingsError, match="REVINTEL_SECRET_KEY must be set") as refused:
        load_settings()
    assert KEY_RECIPE in str(refused.value)


@pytest.mark.parametrize(
    "make", [lambda: secrets.token_urlsafe(32), lambda: secrets.token_urlsafe(48)]
)
def test_secret_key_made_by_the_recipe_is_accepted(make: object, no_env: None) -> None:
    for _ in range(200):
        key = make()  # type: ignore[operator]
        assert load_settings(secret_key=key).secret == key


def test_secret_key_estimate_counts_what_an_attacker_must_guess() -> None:
    assert secret_entropy_bits("a" * 32) == 0
    assert secret_entropy_bits("ab" * 32) == 2  # the pattern counts once
    assert secret_entropy_bits("password") == 0  # a common word adds nothing
    random_key = secrets.token_urlsafe(32)
    assert secret_entropy_bits(random_key) >= MIN_SECRET_BITS
    # Every 32-character key of one repeated character has no entropy at all.
    assert all(secret_entropy_bits(c * 32) == 0 for c in "aZ9!")


def test_secret_key_refused_by_the_command_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVINTEL_")}
    result = subprocess.run(
        [sys.executable, "-m", "revintel", "serve", "--db", str(tmp_path / "s.duckdb")],
        env={**env, "REVINTEL_SECRET_KEY": "a" * 32, "COLUMNS": "1000"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "REVINTEL_SECRET_KEY must be a random key" in result.stderr


# --- Demo mode ------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "revintel.example.com"])
def test_demo_refuses_a_host_other_machines_reach(host: str, no_env: None) -> None:
    with pytest.raises(SettingsError, match="demo mode serves on loopback only"):
        load_settings(demo=True, host=host)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_demo_serves_on_loopback(host: str, no_env: None) -> None:
    assert load_settings(demo=True, host=host).demo


def test_demo_command_refuses_0_0_0_0_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVINTEL_")}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "revintel", "serve", "--demo", "--host", "0.0.0.0"]
    result = subprocess.run(
        [*command, "--port", str(port), "--db", str(tmp_path / "s.duckdb")],
        env={**env, "COLUMNS": "1000"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(
        "error: invalid server settings: demo mode serves on loopback only"
    )


def _sign_in(server: LiveServer, user: str, password: str) -> tuple[int, str | None]:
    client = server.client()
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": user, "password": password, "csrf_token": csrf_from(form.text)},
        headers={"Cookie": f"revintel_session={session_cookie(form)}"},
    )
    return response.status_code, session_cookie(response) if response.status_code == 303 else None


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The hand-made store with the demo logins, and an API token of the demo admin."""
    db = tmp_path / "store.duckdb"
    build_store(db)
    ensure_demo_users(str(db))
    with open_store(db) as store:
        token = create_token(store, "demo", "made in the demo")[0]
    yield db, token


def _settings(db: Path, **extra: object) -> Settings:
    given = {"db": str(db), "secret_key": SECRET, "warm_up": False, "default_language": "en"}
    return Settings(**(given | extra))  # type: ignore[arg-type]


def test_demo_logins_are_refused_when_served_without_demo_mode(
    demo_db: tuple[Path, str], caplog: pytest.LogCaptureFixture
) -> None:
    db, token = demo_db
    cookie = None
    for url in serve_in_thread(_settings(db, demo=True)):
        server = LiveServer(url, db, {"demo": token})
        status, cookie = _sign_in(server, "demo", DEMO_PASSWORD)
        assert status == 303
        assert server.client("demo").get("/api/v1/me").status_code == 200
    assert cookie is not None
    with caplog.at_level(logging.WARNING, logger="revintel"):
        app = create_app(_settings(db))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("revintel users remove demo " in w for w in warnings), warnings
    assert any("revintel users remove demo-rep " in w for w in warnings), warnings
    for url in serve_in_thread(app):
        server = LiveServer(url, db, {"demo": token})
        assert _sign_in(server, "demo", DEMO_PASSWORD)[0] == 401
        assert _sign_in(server, "demo-rep", DEMO_PASSWORD)[0] == 401
        assert server.client("demo").get("/api/v1/me").status_code == 401
        kept = server.client()
        kept.headers["Cookie"] = f"revintel_session={cookie}"
        assert kept.get("/api/v1/me").status_code == 401
        assert _sign_in(server, "admin", "correct-horse-battery")[0] == 303


def test_demo_logins_made_before_they_were_marked_are_recognised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "store.duckdb"
    build_store(db)
    with open_store(db) as store:  # as `revintel demo` made them before
        add_user(store, "demo", DEMO_PASSWORD, "admin")
        add_user(store, "demo-rep", "a-password-of-her-own", "sales_rep", rep_id="r1")
    with caplog.at_level(logging.WARNING, logger="revintel"):
        app = create_app(_settings(db))
    warnings = " ".join(r.getMessage() for r in caplog.records)
    assert "revintel users remove demo " in warnings
    assert "demo-rep" not in warnings  # her password is not the published one
    for url in serve_in_thread(app):
        server = LiveServer(url, db, {})
        assert _sign_in(server, "demo", DEMO_PASSWORD)[0] == 401
        assert _sign_in(server, "demo-rep", "a-password-of-her-own")[0] == 303


def test_demo_logins_go_with_users_remove(demo_db: tuple[Path, str]) -> None:
    db, _ = demo_db
    for name in ("demo", "demo-rep"):
        result = CliRunner().invoke(cli, ["users", "remove", name, "--db", str(db)])
        assert result.exit_code == 0, result.output
    with open_store(db) as store:
        names = store.execute_sql("SELECT username FROM auth_users").column("username")
        tokens = store.execute_sql("SELECT username FROM auth_tokens").column("username")
    assert "demo" not in names.to_pylist() and "demo" not in tokens.to_pylist()


#: A page, an API read, the API docs, a static file and an error: every kind of response.
SAMPLED = ("/login", "/api/v1/health", "/api/docs", "/api/openapi.json", "/no-such-page")


@pytest.mark.parametrize("path", SAMPLED)
def test_every_response_carries_the_security_headers(server: LiveServer, path: str) -> None:
    response = server.client().get(path)
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp or "default-src 'none'" in csp, csp
    assert "frame-ancestors 'none'" in csp or headers["X-Frame-Options"] == "DENY"
    assert not any(c.isdigit() for c in headers.get("server", "")), headers.get("server")
    assert "x-powered-by" not in headers


@pytest.mark.parametrize("method", ["OPTIONS", "GET"])
def test_no_foreign_origin_is_allowed(server: LiveServer, method: str) -> None:
    headers = {
        "Origin": "https://evil.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    response = server.client("admin").request(method, "/api/v1/leads", headers=headers)
    allowed = response.headers.get("Access-Control-Allow-Origin")
    assert allowed not in ("*", "https://evil.example"), allowed
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/leads/%00", None),
        ("GET", "/api/v1/leads?limit=-1", None),
        ("GET", "/api/v1/kpis/values?kpi=nope", None),
        ("POST", "/api/v1/tokens", "{not json"),
        ("DELETE", "/api/v1/leads", None),
        ("GET", "/api/v1/funnel/nope", None),
    ],
)
def test_error_bodies_carry_no_traceback_or_internals(
    server: LiveServer, method: str, path: str, body: str | None
) -> None:
    response = server.client("anna").request(
        method, path, content=body, headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    for mark in ("Traceback", 'File "', "site-packages", "/src/revintel", "duckdb", "ibis"):
        assert mark not in response.text, (path, mark)


def test_no_path_parameter_makes_an_operation_fail(server: LiveServer) -> None:
    # A NUL byte or quote in a path parameter must be refused or not found, never reach the
    # database as SQL text that breaks the query.
    client = server.client("admin")
    for op in operations(client):
        if not op.path_params:
            continue
        for value in ("%00", "%27", "x%0A"):
            url = op.url(dict.fromkeys(op.path_params, value))
            response = client.request(op.method, url, json={} if op.has_body else None)
            assert response.status_code < 500, (op.path, value, response.text)
