"""A throw-away PostgreSQL server for the tests, started from the installed binaries.

``postgres_server`` (one per test session) runs ``initdb`` into a fresh folder and starts
``postgres`` listening on a unix socket in that folder and on a free TCP port of 127.0.0.1;
``postgres_url`` creates an empty database per test and yields its ``postgres://`` URL.

PostgreSQL refuses to run as root, so under root the server runs as the unprivileged user
``nobody``. The binaries are looked up in ``$REVINTEL_PG_BIN``, on ``PATH`` and in Debian's
``/usr/lib/postgresql/<version>/bin``. Without them the tests skip, and fail instead when the
``CI`` environment variable is set (CI must always have them). Register the fixtures with
``pytest_plugins = ["tests.postgres_server"]`` (``tests/conftest.py`` does).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BIN_ENV_VAR = "REVINTEL_PG_BIN"
#: The server's superuser; every connection is trusted (the server listens only locally).
SUPERUSER = "revintel"
#: The unprivileged account the server runs as when the tests run as root.
UNPRIVILEGED_USER = "nobody"
START_TIMEOUT_S = 30.0


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def find_postgres_bin() -> Path | None:
    """The folder holding ``initdb`` and ``postgres``, or ``None`` when PostgreSQL is absent."""
    candidates: list[Path] = []
    configured = os.environ.get(BIN_ENV_VAR)
    if configured:
        candidates.append(Path(configured))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class PostgresServer:
    """A running test server: where it listens and how to reach a database on it."""

    root: Path
    socket_dir: Path
    port: int
    user: str = SUPERUSER

    def url(self, database: str = "postgres") -> str:
        """``postgres://USER@127.0.0.1:PORT/DATABASE`` (over TCP)."""
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def socket_url(self, database: str = "postgres") -> str:
        """``postgres://USER@/DATABASE?host=SOCKET_DIR&port=PORT`` (over the unix socket)."""
        return f"postgres://{self.user}@/{database}?host={self.socket_dir}&port={self.port}"

    def create_database(self) -> str:
        """Create an empty database with a fresh name and return the name."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, ending the sessions still connected to it."""
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.socket_dir), port=self.port, user=self.user, dbname="postgres",
            autocommit=True,
        ) as con:  # fmt: skip
            con.execute(statement)  # type: ignore[arg-type]


class _ServerProcess:
    """initdb, start and stop of one server in its own folder."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="revintel-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.log = self.root / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.as_user = UNPRIVILEGED_USER if os.geteuid() == 0 else None
        if self.as_user is not None:
            account = pwd.getpwnam(self.as_user)
            os.chown(self.root, account.pw_uid, account.pw_gid)

    def _run_kwargs(self) -> dict[str, object]:
        if self.as_user is None:
            return {}
        account = pwd.getpwnam(self.as_user)
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def initdb(self) -> None:
        command = [
            str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
            "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, cwd=self.root, check=False, **self._run_kwargs()
        )  # type: ignore[call-overload]
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr.decode(errors='replace')}")

    def start(self) -> None:
        command = [
            str(self.bin_dir / "postgres"), "-D", str(self.data),
            "-k", str(self.root), "-h", "127.0.0.1", "-p", str(self.port),
            # A test server: speed over durability.
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=100", "-c", "shared_buffers=64MB",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # type: ignore[call-overload]
                command, stdout=log, stderr=subprocess.STDOUT, cwd=self.root,
                **self._run_kwargs(),
            )  # fmt: skip
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        socket_file = self.root / f".s.PGSQL.{self.port}"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited at start: {self.log.read_text()}")
            if socket_file.exists() and self._accepts_connections():
                return
            time.sleep(0.1)
        raise RuntimeError(f"postgres did not start within {START_TIMEOUT_S:.0f} s")

    def _accepts_connections(self) -> bool:
        import psycopg

        try:
            psycopg.connect(
                host=str(self.root), port=self.port, user=SUPERUSER, dbname="postgres",
                connect_timeout=2,
            ).close()  # fmt: skip
        except psycopg.OperationalError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # SIGINT is PostgreSQL's "fast" shutdown: end sessions, then stop.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a throw-away server (skipping, or failing under CI, without PostgreSQL)."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        _missing(
            f"PostgreSQL binaries (initdb, postgres) not found; install Debian's postgresql "
            f"package or set ${BIN_ENV_VAR}"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing('psycopg is not installed: pip install -e ".[postgres]"')
    assert bin_dir is not None
    server = _ServerProcess(bin_dir)
    try:
        server.initdb()
        server.start()
        yield PostgresServer(root=server.root, socket_dir=server.root, port=server.port)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the test session."""
    with running_postgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """``postgres://USER@127.0.0.1:PORT/DATABASE`` of an empty database made for this test."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)
