"""The command line beside a running ``revintel serve`` on the same DuckDB file: commands run
through the server, writes show up in its API, and no DuckDB lock message ever reaches a user.

One real server runs in a subprocess for the whole module on the hand-made store; commands run
as users run them, in subprocesses, except the refusals, which the test process runs itself
(it is another process than the server all the same).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from revintel.cli import app, run
from revintel.server import BRIDGE_PATH, SECRET_HEADER, read_registration, registration_path
from tests.web.conftest import SECRET
from tests.web.stores import build_store

#: What DuckDB says about a file another process holds; never shown to a user.
LOCK_WORDS = ("Could not set lock", "Conflicting lock")
#: A read command whose output does not depend on the terminal.
FUNNEL = ("funnel", "--maturity-days", "0", "--format", "json")


@dataclass
class Served:
    """The running server, its store (relative to ``folder``) and what was printed before."""

    process: subprocess.Popen[str]
    folder: Path
    db: Path
    url: str
    tokens: dict[str, str]
    funnel_without_server: str

    def api(self, path: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens['admin']}"}
        return httpx.get(self.url + path, headers=headers, timeout=60)


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVINTEL_")}
    return env | {"COLUMNS": "100"} | extra


def revintel(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``revintel ARGS`` run in ``cwd`` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "revintel", *args],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(process: subprocess.Popen[str], url: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server ended: {log.read_text(encoding='utf-8')[-2000:]}")
        try:
            if httpx.get(url + "/api/v1/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not answer within 90 s")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("beside-server")
    db = folder / "store.duckdb"
    tokens = build_store(db)
    # What the command prints on the file when no server holds it: computed on a copy taken
    # before the server starts, while it starts.
    unserved = tmp_path_factory.mktemp("unserved") / db.name
    for name in (db.name, db.name + ".wal"):
        if (folder / name).exists():
            shutil.copyfile(folder / name, unserved.with_name(name))
    port = _free_port()
    log_path = folder / "serve.log"
    log = log_path.open("w", encoding="utf-8")  # a pipe nobody reads could fill
    process = subprocess.Popen(
        [sys.executable, "-m", "revintel", "serve", "--db", db.name, "--port", str(port)],
        cwd=folder,
        env=_environment(REVINTEL_SECRET_KEY=SECRET, REVINTEL_WARM_UP="false"),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        before = CliRunner().invoke(app, [*FUNNEL, "--db", str(unserved)])
        assert before.exit_code == 0, before.output
        _wait_until_up(process, url, log_path)
        yield Served(process, folder, db, url, tokens, before.stdout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def test_the_server_registers_itself_beside_the_store_for_its_owner_only(served: Served) -> None:
    path = registration_path(served.db)
    assert path == served.folder / "store.duckdb.serve.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    found = read_registration(served.db)
    assert found is not None
    assert (found.pid, found.url, found.store) == (
        served.process.pid,
        served.url,
        str(served.db.resolve()),
    )


def test_a_read_command_prints_what_it_prints_without_the_server(served: Served) -> None:
    result = revintel(*FUNNEL, "--db", "store.duckdb", cwd=served.folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout == served.funnel_without_server
    rows = {row["milestone"]: row for row in json.loads(result.stdout)}
    # the hand-made store: L01 and L08 became MQLs and opportunities, one of the two was won
    reached = (rows["mql"]["reached"], rows["opportunity_generated"]["reached"])
    assert (*reached, rows["mql"]["p_won"]) == (2, 2, 0.5)
    assert not any(word in result.stdout + result.stderr for word in LOCK_WORDS)


def test_a_write_goes_through_and_the_server_shows_it(served: Served) -> None:
    def nord_targets() -> list[dict[str, object]]:
        response = served.api("/api/v1/targets")
        assert response.status_code == 200, response.text
        return [t for t in response.json()["items"] if t["team"] == "Nord"]

    assert nord_targets() == []  # and now kept by the server
    inner = served.folder / "elsewhere"
    inner.mkdir()
    # A relative path starts in the caller's directory, not the server's.
    result = revintel(
        "targets", "set", "--period", "2025-Q1", "--team", "Nord", "--amount", "450000",
        "--db", "../store.duckdb", cwd=inner,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("created target T")
    assert not any(word in result.stdout + result.stderr for word in LOCK_WORDS)
    [target] = nord_targets()
    assert target["amount"] == 450_000
    assert (target["period_start"], target["period_end"]) == ("2025-01-01", "2025-03-31")
    assert target["measure"] == "order_intake"


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert not any(word in text for word in LOCK_WORDS)
    return lines[0]


@pytest.mark.filterwarnings("ignore::getpass.GetPassWarning")
def test_commands_that_cannot_run_through_the_server_are_refused_in_one_line(
    served: Served, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(served.db)
    assert run(["demo", "--db", db]) == 1
    line = _one_line(capsys.readouterr().err)
    assert f"store {served.db.resolve()} is served by `revintel serve` at {served.url}" in line
    assert "`revintel demo` cannot run through it: stop the server first (Ctrl+C" in line
    monkeypatch.delenv("REVINTEL_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("kennwort-1234567\nkennwort-1234567\n"))
    assert run(["users", "add", "zoe", "--role", "manager", "--db", db]) == 1
    # the prompt answered, then the one line
    line = _one_line(capsys.readouterr().err.split("Password input may be echoed.")[-1])
    assert "asked for input at a prompt" in line
    assert "give --password or $REVINTEL_PASSWORD instead" in line
    # A command that opens the file by itself is told the same way.
    assert run(["backup", str(served.folder / "backup"), "--db", db]) == 1
    line = _one_line(capsys.readouterr().err)
    assert f"is served by `revintel serve` (process {served.process.pid})" in line
    assert "cannot run through it: stop the server first (Ctrl+C in its terminal)" in line
    users = served.api("/api/v1/users")
    assert users.status_code == 200
    assert "zoe" not in {u["username"] for u in users.json()["items"]}


def test_only_the_registration_secret_from_this_machine_runs_a_command(served: Served) -> None:
    registration = read_registration(served.db)
    assert registration is not None
    body = {"argv": ["info", "--db", str(served.db)], "cwd": str(served.folder)}
    for headers in (
        {},
        {SECRET_HEADER: "not-the-secret"},
        {SECRET_HEADER: registration.secret, "X-Forwarded-For": "203.0.113.9"},
    ):
        answer = httpx.post(served.url + BRIDGE_PATH, json=body, headers=headers, timeout=60)
        assert answer.status_code == 403, headers
    answer = httpx.post(
        served.url + BRIDGE_PATH,
        json={**body, "argv": ["serve", "--db", str(served.db)]},
        headers={SECRET_HEADER: registration.secret},
        timeout=60,
    )
    assert answer.status_code == 200
    assert answer.json()["exit_code"] == 1
    assert "`revintel serve` cannot run through the server" in answer.json()["stderr"]
    schema = httpx.get(served.url + "/api/openapi.json", timeout=60).json()
    assert not any(path.startswith("/internal") for path in schema["paths"])


def test_a_file_another_program_holds_is_named_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time; c = duckdb.connect({str(db)!r}); print('held', "
            "flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        expected = (
            f"error: store {db} is in use by another program (process {holder.pid}): stop that "
            "program, or work on a copy of the file"
        )
        assert run(["kpi", "mqls", "--db", str(db)]) == 1
        assert _one_line(capsys.readouterr().err) == expected
        # A registration left by a server that was killed changes nothing.
        registration_path(db).write_text(
            json.dumps(
                {"store": str(db), "pid": 2**22 + 1, "url": "http://127.0.0.1:9", "secret": "x"}
            )
        )
        assert read_registration(db) is None
        assert run(["targets", "list", "--db", str(db)]) == 1
        assert _one_line(capsys.readouterr().err) == expected
    finally:
        holder.communicate("", timeout=30)


def test_once_the_server_stops_its_registration_is_gone_and_the_file_opens_directly(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    served.process.send_signal(signal.SIGINT)
    served.process.wait(timeout=60)
    assert not registration_path(served.db).exists()
    assert run(["targets", "list", "--format", "json", "--db", str(served.db)]) == 0
    [target] = json.loads(capsys.readouterr().out)
    assert (target["team"], target["target"]) == ("Nord", 450_000)
    assert target["period_start"] == date(2025, 1, 1).isoformat()
