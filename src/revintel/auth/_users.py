"""Dashboard users, kept in the table ``auth_users`` beside the data model in the same store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from revintel.auth._passwords import (
    MIN_PASSWORD_LENGTH,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from revintel.auth._roles import Permission, Role, has_permission
from revintel.store import Store, StoreError

USERS_TABLE = "auth_users"
TOKENS_TABLE = "auth_tokens"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.@-]{1,63}$")

_DDL = (
    f"""CREATE TABLE IF NOT EXISTS {USERS_TABLE} (
        username VARCHAR PRIMARY KEY,
        display_name VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        rep_id VARCHAR,
        password_hash VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        active BOOLEAN NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {TOKENS_TABLE} (
        token_id VARCHAR PRIMARY KEY,
        username VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        token_hash VARCHAR NOT NULL UNIQUE,
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP,
        revoked BOOLEAN NOT NULL
    )""",
)


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
    """

    username: str
    display_name: str
    role: Role
    rep_id: str | None = None

    def can(self, permission: Permission) -> bool:
        """Whether the user's role grants ``permission``."""
        return has_permission(self.role, permission)


def ensure_auth_tables(store: Store) -> None:
    """Create ``auth_users`` and ``auth_tokens`` in ``store`` when missing (DuckDB stores)."""
    if not store.is_duckdb:
        raise StoreError("users and tokens are kept in a DuckDB store only")
    for ddl in _DDL:
        store.execute_sql(ddl)


def _row_to_user(row: dict[str, object]) -> User:
    return User(
        username=str(row["username"]),
        display_name=str(row["display_name"]),
        role=Role(str(row["role"])),
        rep_id=None if row["rep_id"] is None else str(row["rep_id"]),
    )


def _check_new_user(
    store: Store, username: str, password: str, role: Role, rep_id: str | None
) -> None:
    if not _USERNAME.match(username):
        raise UserError(
            f"username {username!r} must be 2-64 characters: lower-case letters, digits, _ . @ -"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if role is Role.sales_rep and not rep_id:
        raise UserError("a sales_rep user needs --rep-id: the rep whose rows they may see")
    if rep_id is not None:
        reps = store.table("reps")
        if int(reps.filter(reps.rep_id == rep_id).count().execute()) == 0:
            raise UserError(f"rep {rep_id!r} is not in the reps table of {store.location}")
    if get_user(store, username) is not None:
        raise UserError(f"user {username!r} exists already")


def add_user(
    store: Store,
    username: str,
    password: str,
    role: Role | str,
    *,
    rep_id: str | None = None,
    display_name: str | None = None,
) -> User:
    """Create a user with an Argon2id-hashed password.

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
    user = User(username, display_name or username, role, rep_id)
    store.execute_sql(
        f"INSERT INTO {USERS_TABLE} VALUES (?, ?, ?, ?, ?, ?, TRUE)",
        [username, user.display_name, role.value, rep_id, hash_password(password), _now()],
    )
    return user


def get_user(store: Store, username: str) -> User | None:
    """The active user ``username`` or ``None``."""
    rows = store.execute_sql(
        f"SELECT * FROM {USERS_TABLE} WHERE username = ? AND active", [username]
    ).to_pylist()
    return _row_to_user(rows[0]) if rows else None


def list_users(store: Store) -> list[User]:
    """All active users, by name."""
    ensure_auth_tables(store)
    rows = store.execute_sql(f"SELECT * FROM {USERS_TABLE} WHERE active ORDER BY username")
    return [_row_to_user(r) for r in rows.to_pylist()]


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The user if ``password`` is theirs, else ``None`` (same work either way)."""
    rows = store.execute_sql(
        f"SELECT * FROM {USERS_TABLE} WHERE username = ? AND active", [username]
    ).to_pylist()
    encoded = str(rows[0]["password_hash"]) if rows else dummy_hash()
    if not verify_password(encoded, password) or not rows:
        return None
    if needs_rehash(encoded):
        store.execute_sql(
            f"UPDATE {USERS_TABLE} SET password_hash = ? WHERE username = ?",
            [hash_password(password), username],
        )
    return _row_to_user(rows[0])


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
