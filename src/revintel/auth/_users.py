"""Dashboard users, kept in the table ``auth_users`` of the application store.

Their API tokens (``auth_tokens``), signed-in sessions (``auth_sessions``) and recent failed
sign-ins (``auth_login_failures``) live beside them; a user whose password changes, who is
disabled or removed loses every session at once. The application store is the data store by
default (see :mod:`revintel.auth._accounts`); every statement here runs on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from revintel.auth._accounts import accounts_of, require_sql
from revintel.auth._passwords import (
    MIN_PASSWORD_LENGTH,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from revintel.auth._roles import Permission, Role, has_permission
from revintel.store import Store, store_now

USERS_TABLE = "auth_users"
TOKENS_TABLE = "auth_tokens"
SESSIONS_TABLE = "auth_sessions"
FAILURES_TABLE = "auth_login_failures"
#: What a user name looks like (also the API's documented pattern).
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9_.@-]{1,63}$"
_USERNAME = re.compile(USERNAME_PATTERN)

_DDL = {
    USERS_TABLE: f"""CREATE TABLE IF NOT EXISTS {USERS_TABLE} (
        username VARCHAR PRIMARY KEY,
        display_name VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        rep_id VARCHAR,
        password_hash VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        active BOOLEAN NOT NULL
    )""",
    TOKENS_TABLE: f"""CREATE TABLE IF NOT EXISTS {TOKENS_TABLE} (
        token_id VARCHAR PRIMARY KEY,
        username VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        token_hash VARCHAR NOT NULL UNIQUE,
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP,
        revoked BOOLEAN NOT NULL
    )""",
    # A session is found by the SHA-256 digest of its random id; the id itself is only in the
    # browser's cookie, so reading this table does not let anyone sign in.
    SESSIONS_TABLE: f"""CREATE TABLE IF NOT EXISTS {SESSIONS_TABLE} (
        session_hash VARCHAR PRIMARY KEY,
        username VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        last_seen_at TIMESTAMP NOT NULL
    )""",
    # Failed sign-ins of the last window, shared by every server process of the store: the
    # SHA-256 digest of what was counted (user name, client address) and when, in seconds
    # since the epoch.
    FAILURES_TABLE: f"""CREATE TABLE IF NOT EXISTS {FAILURES_TABLE} (
        key_hash VARCHAR NOT NULL,
        failed_at DOUBLE NOT NULL
    )""",
}
#: Columns added to ``auth_users`` after its first version, with their definitions.
_ADDED_USER_COLUMNS = {"demo": "BOOLEAN DEFAULT FALSE"}


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class User:
    """A signed-in person or integration.

    Attributes
    ----------
    username
        Unique login name.
    display_name
        Name shown in the dashboard.
    role
        The user's role.
    rep_id
        For sales reps, the ``reps.rep_id`` whose rows the user may see.
    demo
        A login of the demo company, whose password is published: accepted in demo mode only.
    """

    username: str
    display_name: str
    role: Role
    rep_id: str | None = None
    demo: bool = False

    def can(self, permission: Permission) -> bool:
        """Whether the user's role grants ``permission``."""
        return has_permission(self.role, permission)


def ensure_auth_tables(store: Store) -> None:
    """Create the tables of users, tokens, sessions and failed sign-ins in the application
    store of ``store`` when missing, and add the columns that later versions gave
    ``auth_users``.

    Raises
    ------
    StoreError
        The application store does not run SQL (a Spark data store without ``--app-db``).
    """
    accounts = accounts_of(store)
    require_sql(accounts)
    existing = set(accounts.engine.list_tables())
    for name, ddl in _DDL.items():
        if name not in existing:
            accounts.execute_sql(ddl)
    present = set(accounts.execute_sql(f"SELECT * FROM {USERS_TABLE} LIMIT 0").column_names)
    for column, definition in _ADDED_USER_COLUMNS.items():
        if column not in present:
            accounts.execute_sql(f"ALTER TABLE {USERS_TABLE} ADD COLUMN {column} {definition}")


def _row_to_user(row: dict[str, object]) -> User:
    return User(
        username=str(row["username"]),
        display_name=str(row["display_name"]),
        role=Role(str(row["role"])),
        rep_id=None if row["rep_id"] is None else str(row["rep_id"]),
        demo=bool(row.get("demo")),
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def _check_new_user(
    store: Store, username: str, password: str, role: Role, rep_id: str | None
) -> None:
    if not _USERNAME.match(username):
        raise UserError(
            f"username {username!r} must be 2-64 characters: lower-case letters, digits, _ . @ -"
        )
    _check_password(password)
    if role in (Role.sales_rep, Role.team_lead) and not rep_id:
        raise UserError(
            f"a {role.value} user needs --rep-id: the rep whose rows (sales_rep) or whose "
            "team's rows (team_lead) they may see"
        )
    if rep_id is not None:
        reps = store.table("reps")
        if int(reps.filter(reps.rep_id == rep_id).count().execute()) == 0:
            raise UserError(f"rep {rep_id!r} is not in the reps table of {store.location}")
    if _exists(store, username):
        raise UserError(f"user {username!r} exists already")


def add_user(
    store: Store,
    username: str,
    password: str,
    role: Role | str,
    *,
    rep_id: str | None = None,
    display_name: str | None = None,
    demo: bool = False,
) -> User:
    """Create a user with an Argon2id-hashed password (``demo``: a demo company's login).

    Raises
    ------
    UserError
        The name is taken or malformed, the password too short, or a rep user lacks a known rep.
    """
    ensure_auth_tables(store)
    try:
        role = Role(role)
    except ValueError:
        raise UserError(
            f"unknown role {role!r}; roles: {', '.join(r.value for r in Role)}"
        ) from None
    _check_new_user(store, username, password, role, rep_id)
    user = User(username, display_name or username, role, rep_id, demo)
    accounts_of(store).execute_sql(
        f"""INSERT INTO {USERS_TABLE} (username, display_name, role, rep_id, password_hash,
            created_at, active, demo) VALUES (?, ?, ?, ?, ?, ?, TRUE, ?)""",
        [
            username,
            user.display_name,
            role.value,
            rep_id,
            hash_password(password),
            store_now(store),
            demo,
        ],
    )
    return user


def get_user(store: Store, username: str) -> User | None:
    """The active user ``username`` or ``None``."""
    rows = (
        accounts_of(store)
        .execute_sql(f"SELECT * FROM {USERS_TABLE} WHERE username = ? AND active", [username])
        .to_pylist()
    )
    return _row_to_user(rows[0]) if rows else None


def list_users(store: Store) -> list[User]:
    """All active users, by name."""
    ensure_auth_tables(store)
    rows = accounts_of(store).execute_sql(
        f"SELECT * FROM {USERS_TABLE} WHERE active ORDER BY username"
    )
    return [_row_to_user(r) for r in rows.to_pylist()]


def authenticate(
    store: Store, username: str, password: str, *, allow_demo: bool = False
) -> User | None:
    """The user if ``password`` is theirs, else ``None`` (same work either way).

    A demo account (see :attr:`User.demo`) signs in only with ``allow_demo`` (demo mode).
    """
    rows = (
        accounts_of(store)
        .execute_sql(f"SELECT * FROM {USERS_TABLE} WHERE username = ? AND active", [username])
        .to_pylist()
    )
    encoded = str(rows[0]["password_hash"]) if rows else dummy_hash()
    if not verify_password(encoded, password) or not rows:
        return None
    if rows[0].get("demo") and not allow_demo:
        return None
    if needs_rehash(encoded):
        accounts_of(store).execute_sql(
            f"UPDATE {USERS_TABLE} SET password_hash = ? WHERE username = ?",
            [hash_password(password), username],
        )
    return _row_to_user(rows[0])


def end_user_sessions(store: Store, username: str) -> int:
    """Delete every session of ``username`` from the store; how many there were.

    A running server also forgets them at once when this goes through its session store
    (:meth:`revintel.auth.SessionStore.end_all`), and so does a server on a shared (PostgreSQL)
    application store, which reads every session from it; another process's server on a
    DuckDB file within :data:`revintel.auth.SESSION_RECHECK_SECONDS`.
    """
    ensure_auth_tables(store)
    ended = accounts_of(store).execute_sql(
        f"DELETE FROM {SESSIONS_TABLE} WHERE username = ? RETURNING session_hash", [username]
    )
    return ended.num_rows


def set_password(store: Store, username: str, password: str) -> None:
    """Give the active user ``username`` a new password and end all their sessions.

    Raises
    ------
    UserError
        No such active user, or the password is too short.
    """
    _check_password(password)
    if get_user(store, username) is None:
        raise UserError(f"no active user {username!r}")
    accounts_of(store).execute_sql(
        f"UPDATE {USERS_TABLE} SET password_hash = ?, demo = FALSE WHERE username = ?",
        [hash_password(password), username],
    )
    end_user_sessions(store, username)


def disable_user(store: Store, username: str) -> None:
    """Disable ``username``: no more sign-ins, sessions ended, tokens refused (kept for audit).

    Raises
    ------
    UserError
        No such active user.
    """
    if get_user(store, username) is None:
        raise UserError(f"no active user {username!r}")
    accounts_of(store).execute_sql(
        f"UPDATE {USERS_TABLE} SET active = FALSE WHERE username = ?", [username]
    )
    end_user_sessions(store, username)


def remove_user(store: Store, username: str) -> None:
    """Delete ``username`` (active or disabled) with their API tokens and sessions.

    Raises
    ------
    UserError
        No such user.
    """
    ensure_auth_tables(store)
    if not _exists(store, username):
        raise UserError(f"no user {username!r}")
    end_user_sessions(store, username)
    accounts_of(store).execute_sql(f"DELETE FROM {TOKENS_TABLE} WHERE username = ?", [username])
    accounts_of(store).execute_sql(f"DELETE FROM {USERS_TABLE} WHERE username = ?", [username])


def _exists(store: Store, username: str) -> bool:
    """Whether ``username`` is taken (by an active or a disabled user)."""
    rows = accounts_of(store).execute_sql(
        f"SELECT 1 FROM {USERS_TABLE} WHERE username = ?", [username]
    )
    return rows.num_rows > 0
