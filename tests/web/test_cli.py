"""``revintel serve`` and ``revintel users`` from the command line."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.cli._serve import ensure_demo_users, serve_demo
from revintel.cli._summary import DEMO_SERVERS
from tests.web.stores import PASSWORD, build_store

REVINTEL = [sys.executable, "-m", "revintel"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVINTEL_")}
    return {**env, **extra}


def test_serve_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    result = subprocess.run(
        [*REVINTEL, "serve", "--db", str(tmp_path / "s.duckdb"), "--port", str(_free_port())],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert "invalid server settings: REVINTEL_SECRET_KEY must be set" in message


def test_serve_answers_on_loopback(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    tokens = build_store(db)
    port = _free_port()
    server = subprocess.Popen(
        [*REVINTEL, "serve", "--db", str(db), "--port", str(port)],
        env=_env(REVINTEL_SECRET_KEY=secrets.token_urlsafe(32)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=60).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {tokens['ben']}"}
        body = httpx.get(f"{url}/api/v1/opportunities", headers=headers, timeout=60).json()
        assert [o["opportunity_id"] for o in body["items"]] == ["O3"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_users_add_and_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "s.duckdb")
    build_store(tmp_path / "s.duckdb")
    monkeypatch.setenv("REVINTEL_PASSWORD", PASSWORD)
    runner = CliRunner()
    added = runner.invoke(
        app, ["users", "add", "carla", "--role", "sales_rep", "--rep-id", "r2", "--db", db]
    )
    assert added.exit_code == 0, added.output
    assert "created user carla (sales_rep)" in added.output
    refused = runner.invoke(app, ["users", "add", "dora", "--role", "sales_rep", "--db", db])
    assert refused.exit_code != 0
    listed = runner.invoke(app, ["users", "list", "--db", db, "--format", "json"])
    rows = json.loads(listed.output)
    assert [(r["username"], r["role"], r["rep_id"]) for r in rows] == [
        ("admin", "admin", None),
        ("anna", "sales_rep", "r1"),
        ("ben", "sales_rep", "r2"),
        ("carla", "sales_rep", "r2"),
        ("marie", "marketing", None),
    ]
    token = runner.invoke(app, ["users", "token", "carla", "--name", "bi export", "--db", db])
    assert token.exit_code == 0
    assert token.output.strip().splitlines()[-1].startswith("rvi_")


def test_demo_registers_its_server_and_users(tmp_path: Path) -> None:
    assert serve_demo in DEMO_SERVERS
    build_store(tmp_path / "s.duckdb")
    logins = ensure_demo_users(str(tmp_path / "s.duckdb"))
    assert logins == [("demo", "admin", None), ("demo-rep", "sales_rep", "r1")]
    assert ensure_demo_users(str(tmp_path / "s.duckdb")) == logins
