"""``revintel serve`` (dashboard and REST API), ``revintel users`` and the demo's server."""

from __future__ import annotations

import errno
import logging
import socket
from typing import Annotated

import pandas as pd
import typer

from revintel.cli import app
from revintel.cli._common import DbOption, FormatOption, OutputFormat, console, emit, store_from
from revintel.cli._summary import DEMO_SERVERS

log = logging.getLogger(__name__)

DEFAULT_PORT = 8000

users_app = typer.Typer(help="Dashboard and API users.", no_args_is_help=True)
app.add_typer(users_app, name="users")

HostOption = Annotated[str, typer.Option(help="Address to listen on (loopback by default).")]
PortOption = Annotated[int, typer.Option(help="Port to listen on.")]


def _run(db: str | None, host: str, port: int, *, demo: bool) -> None:
    import uvicorn

    from revintel.server import create_app, load_settings

    settings = load_settings(db=db, host=host, port=port, demo=demo or None)
    server_app = create_app(settings)
    console.print(f"revintel serving {settings.db or 'the default store'} on http://{host}:{port}/")
    # The application itself reads X-Forwarded-For, from REVINTEL_TRUSTED_PROXIES only.
    uvicorn.run(server_app, host=host, port=port, log_level="warning", proxy_headers=False)


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
) -> None:
    """Serve the dashboard and the REST API (docs at /api/docs).

    Outside demo mode the environment must provide REVINTEL_SECRET_KEY, a random key of 128+
    bits: python -c "import secrets; print(secrets.token_urlsafe(32))".
    """
    _run(db, host, port, demo=demo)


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


def ensure_demo_users(location: str) -> list[tuple[str, str, str | None]]:
    """Create the demo logins (marked as demo accounts) when missing; returns (username, role,
    rep id) of each whose password is the published one."""
    from revintel.auth import DEMO_PASSWORD, DEMO_USERS, add_user, demo_accounts, get_user

    created = []
    with store_from(location) as store:
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

    logins = ensure_demo_users(location)
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
    role: Annotated[str, typer.Option(help="admin, manager, marketing or sales_rep.")],
    db: DbOption = None,
    rep_id: Annotated[
        str | None, typer.Option("--rep-id", help="For sales_rep: the rep whose rows they see.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password: PasswordOption = "",
) -> None:
    """Create a user; the password is stored only as an Argon2id hash."""
    from revintel.auth import add_user

    with store_from(db) as store:
        user = add_user(store, username, password, role, rep_id=rep_id, display_name=name)
    console.print(f"created user {user.username} ({user.role.value})")


@users_app.command("list")
def users_list(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """List the users with role and rep."""
    from revintel.auth import list_users

    with store_from(db) as store:
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
) -> None:
    """Issue an API token for an integration; it is printed once and stored only as a digest."""
    from revintel.auth import create_token

    with store_from(db) as store:
        secret, info = create_token(store, username, name, valid_days=days)
    console.print(f"token {info.token_id} for {username}: send 'Authorization: Bearer <token>'")
    typer.echo(secret)


UserArgument = Annotated[str, typer.Argument(help="Login name.")]


@users_app.command("passwd")
def users_passwd(
    username: UserArgument,
    db: DbOption = None,
    password: PasswordOption = "",
) -> None:
    """Set a user's password; every session of theirs ends."""
    from revintel.auth import set_password

    with store_from(db) as store:
        set_password(store, username, password)
    console.print(f"new password for {username}; their sessions ended")


@users_app.command("disable")
def users_disable(username: UserArgument, db: DbOption = None) -> None:
    """Disable a user: no sign-in, sessions ended, API tokens refused (the record stays)."""
    from revintel.auth import disable_user

    with store_from(db) as store:
        disable_user(store, username)
    console.print(f"disabled {username}; their sessions ended and tokens are refused")


@users_app.command("remove")
def users_remove(username: UserArgument, db: DbOption = None) -> None:
    """Delete a user with their API tokens and sessions (e.g. the demo logins)."""
    from revintel.auth import remove_user

    with store_from(db) as store:
        remove_user(store, username)
    console.print(f"removed {username} with their tokens and sessions")


@users_app.command("sessions-revoke")
def users_sessions_revoke(username: UserArgument, db: DbOption = None) -> None:
    """End every dashboard session of a user (their API tokens stay valid)."""
    from revintel.auth import end_user_sessions

    with store_from(db) as store:
        ended = end_user_sessions(store, username)
    console.print(f"ended {ended} session{'s' if ended != 1 else ''} of {username}")
