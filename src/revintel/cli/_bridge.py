"""The command line beside a running server on the same DuckDB file.

DuckDB lets no second process open a file that ``revintel serve`` holds. A command that finds
its store so opens nothing: it sends its arguments, working directory, terminal width and
``REVINTEL_*`` variables to that server (found through the registration the server keeps
beside the file, see :mod:`revintel.server._cli_bridge`), which runs the command on a
connection of its own and answers with what it printed and its exit code; the command line
prints that and exits with the same code. The server then shows what a command wrote.

In the server, a command runs with :data:`LENDER` set (:mod:`revintel.cli._bridge_runner`):
every store it opens on the served file is then lent from the server's pool.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from contextvars import ContextVar
from typing import TYPE_CHECKING, NoReturn

# Typer carries its own copy of click: its contexts, prompts and errors are those.
from typer._click.core import Context, ParameterSource
from typer._click.globals import get_current_context

from revintel.store import Store, StoreError, StoreLockedError, open_store, resolve_location

if TYPE_CHECKING:
    from revintel.server import CommandRequest, Registration, StoreLender

#: Commands that cannot run inside the server: one serves already, the others rebuild the store.
NOT_THROUGH_SERVER = frozenset({("serve",), ("demo",), ("synth",)})
#: Variables of the caller besides ``REVINTEL_*`` that a command run for it reads.
CALLER_VARIABLES = frozenset(
    {"COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "USER", "LOGNAME", "USERNAME"}
    | {"LC_ALL", "LC_MESSAGES", "LANG"}  # the language of the command line
)
#: Seconds a command line keeps trying a server that does not accept connections yet.
CONNECT_SECONDS = 10.0
STOP_SERVER = "stop the server first (Ctrl+C in its terminal)"

#: The server's connections lent to the command running in the server, if one is.
LENDER: ContextVar[StoreLender | None] = ContextVar("revintel_cli_lender", default=None)


class ServedByServer(BaseException):
    """The store is held by a server that takes commands: run this one there.

    A ``BaseException``, like ``KeyboardInterrupt``, so that no command's own error handling
    stops it on its way to :func:`revintel.cli.main`.
    """

    def __init__(self, registration: Registration) -> None:
        super().__init__(registration.url)
        self.registration = registration


def forwarded(name: str) -> bool:
    """Whether the caller's variable ``name`` goes with a command to the server."""
    return (name.startswith("REVINTEL_") and name != "REVINTEL_SECRET_KEY") or (
        name in CALLER_VARIABLES
    )


def open_beside_server(db: str | None, *, read_only: bool = False) -> Store:
    """Open the store named by ``--db``; when a server holds it, hand the command over.

    Raises
    ------
    ServedByServer
        A live server holds the file and can run the command.
    StoreLockedError
        Another program holds the file (or a server that cannot be reached from here).
    StoreError
        A server holds the file and the command cannot run through it.
    """
    location = resolve_location(db)
    lender = LENDER.get()
    if lender is not None and lender.serves(location):
        context = get_current_context(silent=True)
        problem = _not_through_server(context)
        if problem is not None:
            raise StoreError(f"store {location} is served by `revintel serve`, and {problem}")
        return lender.lend(location, write=not read_only)
    try:
        return open_store(location, read_only=read_only)
    except StoreLockedError as exc:
        if lender is not None:
            raise  # a second locked file, inside the server: nothing to hand over to
        _hand_over(exc)


def _command_path(context: Context) -> tuple[str, ...]:
    names = []
    found: Context | None = context
    while found is not None and found.parent is not None:
        names.append(found.info_name or "")
        found = found.parent
    return tuple(reversed(names))


def _not_through_server(context: Context | None) -> str | None:
    """Why the command of ``context`` cannot run through the server and what to do instead,
    or ``None`` when it can."""
    if context is None:
        return None
    path = _command_path(context)
    shown = " ".join(("revintel", *path))
    if path in NOT_THROUGH_SERVER:
        return f"`{shown}` cannot run through it: {STOP_SERVER}, or use another store file (--db)"
    prompted = []
    found: Context | None = context
    while found is not None:
        for param in found.command.params:
            if param.name and found.get_parameter_source(param.name) is ParameterSource.PROMPT:
                variable = param.envvar if isinstance(param.envvar, str) else None
                prompted.append(param.opts[0] + (f" or ${variable}" if variable else ""))
        found = found.parent
    if prompted:
        given = "; ".join(prompted)
        return (
            f"`{shown}` asked for input at a prompt, which a command run through it cannot "
            f"answer: give {given} instead, or {STOP_SERVER}"
        )
    return None


def _hand_over(locked: StoreLockedError) -> NoReturn:
    from revintel.server import read_registration

    registration = read_registration(locked.path)
    if registration is None:
        raise locked
    problem = _not_through_server(get_current_context(silent=True))
    if problem is not None:
        raise StoreError(
            f"store {locked.path} is served by `revintel serve` at {registration.url}, and "
            f"{problem}"
        ) from None
    raise ServedByServer(registration) from None


def explain_locked(locked: StoreLockedError) -> StoreError:
    """``locked`` said better when a running server holds the file: a command that opens the
    file by itself (``backup``, ``serve`` …) cannot hand itself over."""
    from revintel.server import read_registration

    registration = read_registration(locked.path)
    if registration is None or locked.pid not in (None, registration.pid):
        return locked
    return StoreError(
        f"store {locked.path} is served by `revintel serve` (process {registration.pid}) at "
        f"{registration.url}, and this command cannot run through it: {STOP_SERVER}, then run "
        "it again"
    )


def _request(argv: list[str]) -> CommandRequest:
    from revintel.server import CommandRequest

    return CommandRequest(
        argv=argv,
        cwd=os.getcwd(),
        env={k: v for k, v in os.environ.items() if forwarded(k)},
        columns=max(shutil.get_terminal_size().columns, 20),
        terminal=sys.stdout.isatty(),
    )


def forward(registration: Registration, argv: list[str]) -> int:
    """Run ``revintel ARGV`` in the server of ``registration``: print what it printed and
    return its exit code.

    Raises
    ------
    StoreError
        The server did not run the command.
    """
    from revintel.server import BRIDGE_PATH, SECRET_HEADER, CommandResult

    request = urllib.request.Request(
        registration.url + BRIDGE_PATH,
        data=_request(argv).model_dump_json().encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json", SECRET_HEADER: registration.secret},
    )
    # Never through a proxy of the environment: the server listens on this machine only.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            with opener.open(request) as response:
                answer = response.read()
            break
        except urllib.error.HTTPError as exc:
            raise StoreError(
                f"the server at {registration.url} did not run the command (HTTP {exc.code}): "
                f"{STOP_SERVER} and run it again"
            ) from None
        except urllib.error.URLError:
            if time.monotonic() < deadline:  # a server starting writes its registration first
                time.sleep(0.2)
                continue
            raise StoreError(
                f"store {registration.store} is held by `revintel serve` (process "
                f"{registration.pid}), which does not answer at {registration.url}: "
                f"{STOP_SERVER}, or work on a copy of the file"
            ) from None
    result = CommandResult.model_validate_json(answer)
    sys.stdout.write(result.stdout)
    sys.stdout.flush()
    sys.stderr.write(result.stderr)
    sys.stderr.flush()
    return result.exit_code
