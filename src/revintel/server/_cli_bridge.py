"""Commands of the command line run by the server that holds their DuckDB file.

DuckDB lets one process open a file for writing, and no other process open it at all while it
does. A server on a DuckDB file therefore writes a registration beside it
(``<file>.serve.json``, readable by its owner only: process id, loopback URL and a random
secret) and takes commands at an internal endpoint that is not part of the API: a command line
that finds the file locked sends its arguments there, and the server runs the command in its
own process, one at a time, on a connection of its pool, and answers with the command's output
and exit code. A command that opened the store for writing counts as a change of the data: the
server computes its kept results again, as after an import through the API.

The server knows no command: whoever builds the application passes the function that runs one
(:data:`CommandRunner`), so the server never imports the command line.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel, Field

from revintel.auth import accounts_of, is_duckdb_file, is_loopback, link_accounts
from revintel.server._errors import ApiError
from revintel.server._state import AppState, StoreProvider
from revintel.store import Store

logger = logging.getLogger(__name__)

#: The registration's file name is the store's with this added.
REGISTRATION_SUFFIX = ".serve.json"
#: Where the server takes commands (loopback clients with the secret only; not in the API).
BRIDGE_PATH = "/internal/cli"
#: The header carrying the registration's secret.
SECRET_HEADER = "X-Revintel-Bridge-Secret"
#: Headers a reverse proxy adds: a request carrying one did not come from this machine alone.
_PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


@dataclass(frozen=True)
class Registration:
    """How to reach the server that holds a store file.

    Attributes
    ----------
    store
        The store file, as an absolute path without symbolic links.
    pid
        The server's process id.
    url
        The server's loopback base URL.
    secret
        What a command line sends to prove it may read the registration.
    """

    store: str
    pid: int
    url: str
    secret: str


def registration_path(store: str | Path) -> Path:
    """The registration file beside the DuckDB file ``store``."""
    path = Path(os.path.realpath(str(store).removeprefix("duckdb://")))
    return path.with_name(path.name + REGISTRATION_SUFFIX)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's
        return True
    return True


def read_registration(store: str | Path) -> Registration | None:
    """The registration of the live server holding ``store``; ``None`` when there is none,
    it cannot be read, or its process has ended."""
    try:
        found = json.loads(registration_path(store).read_text(encoding="utf-8"))
        registration = Registration(
            store=str(found["store"]),
            pid=int(found["pid"]),
            url=str(found["url"]),
            secret=str(found["secret"]),
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return registration if _alive(registration.pid) else None


@contextmanager
def _registered(registration: Registration) -> Iterator[None]:
    """Keep ``registration`` beside its store (mode 0600) for the block."""
    path = registration_path(registration.store)
    spool = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        handle = os.open(spool, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(asdict(registration), out)
        os.replace(spool, path)
    except OSError as exc:  # serve all the same; only the command line cannot reach it
        logger.warning(
            "cannot write %s (%s): commands on the store need the server stopped", path, exc
        )
        spool.unlink(missing_ok=True)
        yield
        return
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


class CommandRequest(BaseModel):
    """A command line to run as its caller would have run it."""

    argv: list[str] = Field(max_length=1_000, description="the arguments after `revintel`")
    cwd: str = Field(description="the caller's working directory: relative paths start there")
    env: dict[str, str] = Field(
        default_factory=dict, description="the caller's REVINTEL_* and terminal variables"
    )
    columns: int | None = Field(default=None, ge=20, le=10_000, description="terminal width")
    terminal: bool = Field(default=False, description="whether the caller prints to a terminal")


class CommandResult(BaseModel):
    """What the command printed and how it ended."""

    exit_code: int
    stdout: str
    stderr: str


class _LentStore(Store):
    """A connection of the server's pool lent to a command: closing it leaves it open."""

    def close(self) -> None:
        """Keep the connection: the server gives it back to its pool after the command."""


class StoreLender:
    """Connections to the served store lent to one command.

    Parameters
    ----------
    stores
        The server's pool.
    path
        The served file (absolute, without symbolic links).
    """

    def __init__(self, stores: StoreProvider, path: str) -> None:
        self.path = path
        #: Whether the command opened the store for writing.
        self.wrote = False
        self._stores = stores
        self._borrowed: list[Store] = []

    def serves(self, location: str) -> bool:
        """Whether ``location`` (relative to the working directory) names the served file."""
        return is_duckdb_file(location) and self.path == os.path.realpath(
            location.removeprefix("duckdb://")
        )

    def lend(self, location: str, *, write: bool) -> Store:
        """A connection to the served store, shown as ``location``."""
        pooled = self._stores.acquire()
        self._borrowed.append(pooled)
        self.wrote = self.wrote or write
        lent = _LentStore(pooled.backend, location, migrate_schema=False, engine=pooled.engine)
        link_accounts(lent, accounts_of(pooled))
        return lent

    def give_back(self) -> None:
        """Return every lent connection to the pool."""
        borrowed, self._borrowed = self._borrowed, []
        for store in borrowed:
            self._stores.release(store)


#: Runs one command with the store lent by the server; installed by whoever builds the app.
CommandRunner = Callable[[CommandRequest, StoreLender], CommandResult]


def bridge_url(host: str, port: int) -> str | None:
    """The loopback URL a command line on this machine reaches a server on ``host`` at, or
    ``None`` when it listens on one other address only.

    Examples
    --------
    >>> bridge_url("0.0.0.0", 8000), bridge_url("::1", 8001), bridge_url("10.0.0.5", 80)
    ('http://127.0.0.1:8000', 'http://[::1]:8001', None)
    """
    address = host.strip().strip("[]")
    if address in ("", "0.0.0.0"):
        address = "127.0.0.1"
    elif address == "::":
        address = "::1"
    elif not is_loopback(address):
        return None
    return f"http://[{address}]:{port}" if ":" in address else f"http://{address}:{port}"


def _refuse_outsiders(request: Request, secret: str) -> None:
    peer = request.client.host if request.client else ""
    proxied = any(name in request.headers for name in _PROXY_HEADERS)
    given = request.headers.get(SECRET_HEADER, "")
    if proxied or not is_loopback(peer) or not hmac.compare_digest(given, secret):
        raise ApiError(403, "commands are taken from this machine's command line only")


def install_cli_bridge(
    app: FastAPI, state: AppState, runner: CommandRunner
) -> AbstractContextManager[None]:
    """Take commands at :data:`BRIDGE_PATH` when the server holds a DuckDB file and listens on
    a loopback address; the registration this returns is kept while the block runs (the
    application's lifespan)."""
    settings = state.settings
    location = settings.data_location
    url = bridge_url(settings.host, settings.port)
    if not is_duckdb_file(location) or location.endswith(":memory:") or url is None:
        return nullcontext()
    path = os.path.realpath(location.removeprefix("duckdb://"))
    registration = Registration(path, os.getpid(), url, secrets.token_urlsafe(32))
    one_at_a_time = threading.Lock()

    async def refuse_outsiders(request: Request) -> None:
        # A dependency: it answers before the body is checked against CommandRequest.
        _refuse_outsiders(request, registration.secret)

    def run_command(body: CommandRequest) -> CommandResult:
        with one_at_a_time:
            lender = StoreLender(state.stores, path)
            try:
                result = runner(body, lender)
            finally:
                lender.give_back()
        if lender.wrote:
            state.data_changed()
        # Not the arguments: they may hold a password.
        logger.info("ran a command of the command line (exit code %d)", result.exit_code)
        return result

    app.add_api_route(
        BRIDGE_PATH,
        run_command,
        methods=["POST"],
        dependencies=[Depends(refuse_outsiders)],
        response_model=CommandResult,
        include_in_schema=False,
    )
    return _registered(registration)
