"""``revintel serve --workers 2`` on PostgreSQL: the processes share sessions, the login
throttle and data changes; and a DuckDB data file may keep its users in PostgreSQL.

The kernel hands each new connection to one of the worker processes; every request here opens
a connection of its own, and the test finds the process that answered through ``/proc`` (the
worker holding the server end of the connection), so it can tell both workers answered.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from revintel.auth import add_user, create_token, get_user, open_accounts
from revintel.server import Settings
from revintel.store import open_store
from tests.postgres_server import PostgresServer
from tests.web.conftest import SECRET, csrf_from, serve_in_thread, session_cookie
from tests.web.stores import PASSWORD, build_store

pytestmark = pytest.mark.slow

#: Failed sign-ins allowed per user name and address (across all workers together).
MAX_FAILURES = 3
ACCOUNTS_CSV = """account_id,name,domain,city
S1,Schmidt Anlagenbau GmbH,schmidt-anlagenbau.de,Hamm
S2,Weber Hydraulik KG,weber-hydraulik.de,Ulm
S3,Kraus Fördertechnik AG,kraus-foerdertechnik.de,Gera
"""


def _environment(**extra: str) -> dict[str, str]:
    """This process' environment without any ``REVINTEL_*`` setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVINTEL_")}
    return env | extra


def _revintel(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "revintel", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            children = (task / "children").read_text().split()
            todo.extend(int(c) for c in children)
            found.update(int(c) for c in children)
    return found


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server end of the loopback connection from ``client_port``."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == (
            client_port
        ):
            return fields[9]
    return None


@dataclass
class Workers:
    """A running ``revintel serve --workers 2``: its URL, process and an admin's API token."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    token: str
    answered_by: list[int] = field(default_factory=list)

    def worker_of(self, client_port: int) -> int:
        """The worker process holding the server end of the connection from ``client_port``."""
        inode = _socket_inode(self.port, client_port)
        assert inode is not None, "the connection is not open"
        for pid in _descendants(self.process.pid):
            try:
                fds = list(Path(f"/proc/{pid}/fd").iterdir())
            except FileNotFoundError:
                continue
            for fd in fds:
                try:
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
                except FileNotFoundError:
                    continue
        raise AssertionError("no worker holds the connection")

    def call(self, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, int]:
        """The answer to one request on a connection of its own, and the worker that gave it."""
        with httpx.Client(base_url=self.url, timeout=60) as client:
            response = client.request(method, path, **kwargs)
            stream = response.extensions["network_stream"]
            worker = self.worker_of(int(stream.get_extra_info("client_addr")[1]))
        self.answered_by.append(worker)
        return response, worker

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _start(env: dict[str, str], url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "revintel", "serve", "--db", url, "--workers", "2"]
    command += ["--port", str(port)]
    with log.open("wb") as output:  # a file: a pipe nobody reads would fill and stop the server
        return subprocess.Popen(
            command,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its workers
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def workers(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workers]:
    """A small demo company in PostgreSQL, an admin, and two server processes serving it."""
    database = postgres_server.create_database()
    url = postgres_server.url(database)
    env = _environment(
        REVINTEL_SECRET_KEY=SECRET,
        REVINTEL_PASSWORD=PASSWORD,
        REVINTEL_WARM_UP="false",
        REVINTEL_LOGIN_MAX_FAILURES=str(MAX_FAILURES),
    )
    _revintel(env, "init", "--db", url)
    _revintel(env, "synth", "--db", url, "--leads", "400", "--accounts", "40", "--reps", "3")
    _revintel(env, "users", "add", "root", "--role", "admin", "--db", url)
    token = _revintel(env, "users", "token", "root", "--name", "tests", "--db", url)
    port = _free_port()
    log = tmp_path_factory.mktemp("workers") / "serve.log"
    process = _start(env, url, port, log)
    server = Workers(f"http://127.0.0.1:{port}", port, process, token.strip().splitlines()[-1])
    try:
        deadline = time.monotonic() + 60
        while len(_descendants(process.pid)) < 2 or not _answers(server.url):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the workers did not start within 60 s"
            time.sleep(0.2)
        yield server
    finally:
        _stop(process)
        postgres_server.drop_database(database)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/v1/health", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def _until_both(workers: Workers, method: str, path: str, **kwargs: Any) -> list[tuple[int, int]]:
    """(status, worker) of requests sent until both workers answered (at most 60)."""
    answers = []
    for _ in range(60):
        response, worker = workers.call(method, path, **kwargs)
        answers.append((response.status_code, worker))
        if len({w for _, w in answers}) == 2:
            return answers
    raise AssertionError(f"one worker answered all of {len(answers)} requests")


def test_a_session_works_on_both_workers_and_ends_on_both(workers: Workers) -> None:
    form, _ = workers.call("GET", "/login")
    cookie = {"Cookie": f"revintel_session={session_cookie(form)}"}
    fields = {"username": "root", "password": PASSWORD, "csrf_token": csrf_from(form.text)}
    signed_in, _ = workers.call("POST", "/login", data=fields, headers=cookie)
    assert signed_in.status_code == 303, signed_in.text
    session = {"Cookie": f"revintel_session={session_cookie(signed_in)}"}
    assert {status for status, _ in _until_both(workers, "GET", "/api/v1/me", headers=session)} == {
        200
    }
    page, _ = workers.call("GET", "/import", headers=session)
    logout = {"csrf_token": csrf_from(page.text)}
    out, _ = workers.call("POST", "/logout", data=logout, headers=session)
    assert out.status_code == 303
    # Refused at once by the worker that signed out and by the other one.
    assert {status for status, _ in _until_both(workers, "GET", "/api/v1/me", headers=session)} == {
        401
    }


def test_failed_sign_ins_are_counted_by_both_workers_together(workers: Workers) -> None:
    form, _ = workers.call("GET", "/login")
    cookie = {"Cookie": f"revintel_session={session_cookie(form)}"}
    fields = {
        "username": "mallory",
        "password": "wrong-password",
        "csrf_token": csrf_from(form.text),
    }
    statuses = [
        workers.call("POST", "/login", data=fields, headers=cookie)[0].status_code
        for _ in range(MAX_FAILURES)
    ]
    assert statuses == [401] * MAX_FAILURES
    # However the failures were spread, at least one worker saw fewer than the limit itself:
    # its 429 shows it counted the other's failures too.
    refused = _until_both(workers, "POST", "/login", data=fields, headers=cookie)
    assert {status for status, _ in refused} == {429}


def test_an_import_through_one_worker_reaches_the_other_within_seconds(workers: Workers) -> None:
    def accounts() -> tuple[int, int]:
        response, worker = workers.call("GET", "/api/v1/store", headers=workers.bearer())
        rows = {t["name"]: t["rows"] for t in response.json()["tables"]}
        return rows["accounts"], worker

    before: dict[int, int] = {}  # each worker keeps the count it computed
    for _ in range(60):
        found, worker = accounts()
        before[worker] = found
        if len(before) == 2:
            break
    [count] = set(before.values())
    files = [("files", ("crm-accounts.csv", ACCOUNTS_CSV.encode(), "text/csv"))]
    imported, importer = workers.call(
        "POST", "/api/v1/imports", files=files, headers=workers.bearer()
    )
    assert imported.status_code == 201, imported.text
    done = time.monotonic()
    assert accounts()[0] in (count, count + 3)
    seen: list[tuple[float, int, int]] = []
    while time.monotonic() - done < 3.0:
        found, worker = accounts()
        seen.append((time.monotonic() - done, found, worker))
    others = [(t, found) for t, found, worker in seen if worker != importer]
    assert others, "the other worker answered none of the requests"
    # Every worker answers with the imported accounts at the latest 2 s after the import.
    assert all(found == count + 3 for t, found, _ in seen if t >= 2.0)
    assert all(found == count + 3 for _, found, worker in seen if worker == importer)
    assert any(found == count + 3 for _, found in others)


def test_a_duckdb_data_store_keeps_its_users_in_postgresql(
    postgres_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "data.duckdb"
    build_store(data)
    with open_accounts(postgres_url) as accounts:
        add_user(accounts, "paula", PASSWORD, "manager")
        token = create_token(accounts, "paula", "tests")[0]
    settings = Settings(db=str(data), app_db=postgres_url, secret_key=SECRET, warm_up=False)
    for url in serve_in_thread(settings):
        headers = {"Authorization": f"Bearer {token}"}
        me = httpx.get(f"{url}/api/v1/me", headers=headers, timeout=60)
        assert me.status_code == 200 and me.json()["role"] == "manager"
        tables = httpx.get(f"{url}/api/v1/store", headers=headers, timeout=60).json()["tables"]
        assert {t["name"]: t["rows"] for t in tables}["leads"] == 12  # from the DuckDB file
        made = httpx.post(
            f"{url}/api/v1/tokens",
            json={"name": "bi", "valid_days": 7},
            headers=headers,
            timeout=60,
        )
        assert made.status_code == 201
    with open_accounts(postgres_url) as accounts:
        assert accounts.execute_sql("SELECT name FROM auth_tokens ORDER BY name").column(
            "name"
        ).to_pylist() == ["bi", "tests"]
    with open_store(data) as store:
        assert get_user(store, "paula") is None
