"""``revintel serve`` (dashboard and REST API), ``revintel users`` and the demo's server."""

from __future__ import annotations

import errno
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import pandas as pd
import typer

from revintel.cli import app
from revintel.cli._common import DbOption, FormatOption, OutputFormat, console, emit, store_from
from revintel.cli._summary import DEMO_SERVERS
from revintel.store import Store, resolve_location

log = logging.getLogger(__name__)

DEFAULT_PORT = 8000

users_app = typer.Typer(help="Dashboard and API users.", no_args_is_help=True)
app.add_typer(users_app, name="users")

HostOption = Annotated[str, typer.Option(help="Address to listen on (loopback by default).")]
PortOption = Annotated[int, typer.Option(help="Port to listen on.")]
#: The application store: users, API tokens, sessions (default: the data store itself).
AppDbOption = Annotated[
    str | None,
    typer.Option(
        "--app-db",
        envvar="REVINTEL_APP_DB",
        help="Application store for users, tokens and sessions: a DuckDB file or a "
        "postgresql:// URL (default: $REVINTEL_APP_DB, else the data store itself; for a "
        "Spark store revintel-app.duckdb in its warehouse folder).",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Server processes (default: $REVINTEL_WORKERS or 1); more than one needs the data "
        "and the application store on PostgreSQL.",
    ),
]


def shown(location: str) -> str:
    """``location`` fit to print: a URL's password replaced by ``***``.

    Examples
    --------
    >>> shown("postgresql://anna:geheim@db:5432/revintel")
    'postgresql://anna:***@db:5432/revintel'
    >>> shown("demo.duckdb")
    'demo.duckdb'
    """
    scheme, found, rest = location.partition("://")
    if not found:
        return location
    credentials, at, host = rest.partition("@")
    user, colon, _ = credentials.partition(":")
    if not at or not colon:
        return location
    return f"{scheme}://{user}:***@{host}"


def _run(
    db: str | None,
    host: str,
    port: int,
    *,
    demo: bool,
    app_db: str | None = None,
    workers: int | None = None,
) -> None:
    from revintel.cli._bridge_runner import run_in_server
    from revintel.server import load_settings, run_server

    settings = load_settings(
        db=db, app_db=app_db, host=host, port=port, demo=demo or None, workers=workers
    )
    processes = f" with {settings.workers} processes" if settings.workers > 1 else ""
    users = (
        ""
        if settings.app_location == settings.data_location
        else f" (users in {shown(settings.app_location)})"
    )
    console.print(
        f"revintel serving {shown(settings.data_location)}{users} on http://{host}:{port}/"
        f"{processes}"
    )
    # Commands of the command line that find the DuckDB file held run in this server.
    run_server(settings, command_runner=run_in_server)


@app.command()
def serve(
    db: DbOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = DEFAULT_PORT,
    demo: Annotated[
        bool,
        typer.Option(
            help="Demo mode: a random secret key drawn at start and the demo logins; "
            "loopback addresses only."
        ),
    ] = False,
    app_db: AppDbOption = None,
    workers: WorkersOption = None,
) -> None:
    """Serve the dashboard and the REST API (docs at /api/docs).

    Outside demo mode the environment must provide REVINTEL_SECRET_KEY, a random key of 128+
    bits: python -c "import secrets; print(secrets.token_urlsafe(32))". Several processes
    (--workers) share sessions, the login throttle and data changes through PostgreSQL.
    """
    _run(db, host, port, demo=demo, app_db=app_db, workers=workers)


@contextmanager
def accounts_from(db: str | None, app_db: str | None, *, data: bool = False) -> Iterator[Store]:
    """The store the user commands work on: the application store of ``--db`` (``--app-db``),
    or with ``data`` the data store linked to it (to check rep ids against its reps)."""
    from revintel.auth import app_location, link_accounts, open_accounts

    data_location = resolve_location(db)
    location = app_location(data_location, app_db)
    if location == data_location:
        with store_from(db) as store:
            yield store
        return
    with open_accounts(location) as accounts:
        if not data:
            yield accounts
            return
        with store_from(db) as store:
            link_accounts(store, accounts)
            yield store


def _free_port(host: str, preferred: int) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, preferred))
            return preferred
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def ensure_demo_users(
    location: str, app_db: str | None = None
) -> list[tuple[str, str, str | None]]:
    """Create the demo logins (marked as demo accounts) when missing; returns (username, role,
    rep id) of each whose password is the published one."""
    from revintel.auth import DEMO_PASSWORD, DEMO_USERS, add_user, demo_accounts, get_user

    created = []
    with accounts_from(location, app_db, data=True) as store:
        reps = store.table("reps")
        first = reps.order_by(reps.rep_id).limit(1).rep_id.to_pyarrow().to_pylist()
        rep_id = str(first[0]) if first else None
        marked = demo_accounts(store)  # also creates the user tables on a fresh store
        for username, role in DEMO_USERS:
            if role == "sales_rep" and rep_id is None:
                continue
            if get_user(store, username) is None:
                rep = rep_id if role == "sales_rep" else None
                add_user(store, username, DEMO_PASSWORD, role, rep_id=rep, demo=True)
            elif username not in marked:
                continue  # a real user of that name, with a password of their own
            created.append((username, role, rep_id if role == "sales_rep" else None))
    return created


def serve_demo(location: str) -> None:
    """Serve the demo store in demo mode and print the URL and the demo logins."""
    from revintel.auth import DEMO_PASSWORD

    logins = ensure_demo_users(location, os.environ.get("REVINTEL_APP_DB"))
    host = "127.0.0.1"  # the logins are published: never on an address others can reach
    port = _free_port(host, DEFAULT_PORT)
    console.print(f"[bold]dashboard:[/bold] http://{host}:{port}/  (API docs: /api/docs)")
    for username, role, rep in logins:
        extra = f", sees only rep {rep}'s rows" if rep else ""
        console.print(f"  login [bold]{username}[/bold] / {DEMO_PASSWORD}  ({role}{extra})")
    console.print(
        "  (demo accounts: refused when the store is served without --demo; "
        "remove them with `revintel users remove demo`)"
    )
    console.print("press Ctrl+C to stop")
    _run(location, host, port, demo=True)


DEMO_SERVERS.append(serve_demo)


#: A new password: prompted for twice when omitted, or read from ``$REVINTEL_PASSWORD``.
PasswordOption = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="REVINTEL_PASSWORD",
        help="Prompted for when omitted (or read from $REVINTEL_PASSWORD).",
    ),
]


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name (lower case).")],
    role: Annotated[str, typer.Option(help="admin, manager, marketing, team_lead or sales_rep.")],
    db: DbOption = None,
    rep_id: Annotated[
        str | None,
        typer.Option(
            "--rep-id",
            help="For sales_rep: the rep whose rows they see; for team_lead: a rep of the team "
            "(usually the lead's own) whose team's rows they see.",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password: PasswordOption = "",
    app_db: AppDbOption = None,
) -> None:
    """Create a user; the password is stored only as an Argon2id hash."""
    from revintel.auth import add_user

    with accounts_from(db, app_db, data=rep_id is not None) as store:
        user = add_user(store, username, password, role, rep_id=rep_id, display_name=name)
    console.print(f"created user {user.username} ({user.role.value})")


@users_app.command("list")
def users_list(
    db: DbOption = None, fmt: FormatOption = OutputFormat.table, app_db: AppDbOption = None
) -> None:
    """List the users with role and rep."""
    from revintel.auth import list_users

    with accounts_from(db, app_db) as store:
        users = list_users(store)
    frame = pd.DataFrame(
        [(u.username, u.display_name, u.role.value, u.rep_id) for u in users],
        columns=["username", "display_name", "role", "rep_id"],
    )
    emit(frame, fmt, title="users")


@users_app.command("token")
def users_token(
    username: Annotated[str, typer.Argument(help="Owner of the token.")],
    name: Annotated[str, typer.Option(help="What the token is for.")],
    db: DbOption = None,
    days: Annotated[
        int | None, typer.Option(help="Days until it expires (default: never).")
    ] = None,
    app_db: AppDbOption = None,
) -> None:
    """Issue an API token for an integration; it is printed once and stored only as a digest."""
    from revintel.auth import create_token

    with accounts_from(db, app_db) as store:
        secret, info = create_token(store, username, name, valid_days=days)
    console.print(f"token {info.token_id} for {username}: send 'Authorization: Bearer <token>'")
    typer.echo(secret)


UserArgument = Annotated[str, typer.Argument(help="Login name.")]


@users_app.command("passwd")
def users_passwd(
    username: UserArgument,
    db: DbOption = None,
    password: PasswordOption = "",
    app_db: AppDbOption = None,
) -> None:
    """Set a user's password; every session of theirs ends."""
    from revintel.auth import set_password

    with accounts_from(db, app_db) as store:
        set_password(store, username, password)
    console.print(f"new password for {username}; their sessions ended")


@users_app.command("disable")
def users_disable(username: UserArgument, db: DbOption = None, app_db: AppDbOption = None) -> None:
    """Disable a user: no sign-in, sessions ended, API tokens refused (the record stays)."""
    from revintel.auth import disable_user

    with accounts_from(db, app_db) as store:
        disable_user(store, username)
    console.print(f"disabled {username}; their sessions ended and tokens are refused")


@users_app.command("remove")
def users_remove(username: UserArgument, db: DbOption = None, app_db: AppDbOption = None) -> None:
    """Delete a user with their API tokens and sessions (e.g. the demo logins)."""
    from revintel.auth import remove_user

    with accounts_from(db, app_db) as store:
        remove_user(store, username)
    console.print(f"removed {username} with their tokens and sessions")


@users_app.command("sessions-revoke")
def users_sessions_revoke(
    username: UserArgument, db: DbOption = None, app_db: AppDbOption = None
) -> None:
    """End every dashboard session of a user (their API tokens stay valid)."""
    from revintel.auth import end_user_sessions

    with accounts_from(db, app_db) as store:
        ended = end_user_sessions(store, username)
    console.print(f"ended {ended} session{'s' if ended != 1 else ''} of {username}")
