"""API tokens for integrations: random secrets shown once, stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from revintel.auth._users import TOKENS_TABLE, USERS_TABLE, User, UserError, _row_to_user
from revintel.store import Store

TOKEN_PREFIX = "rvi_"


@dataclass(frozen=True)
class TokenInfo:
    """What is kept about a token: never the secret itself."""

    token_id: str
    username: str
    name: str
    created_at: datetime
    expires_at: datetime | None


def _digest(secret: str) -> str:
    # The secret carries 256 random bits, so a fast hash cannot be brute-forced.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    store: Store, username: str, name: str, *, valid_days: int | None = None
) -> tuple[str, TokenInfo]:
    """Issue a token for ``username``; returns the secret (shown once) and its record."""
    rows = store.execute_sql(
        f"SELECT 1 FROM {USERS_TABLE} WHERE username = ? AND active", [username]
    )
    if rows.num_rows == 0:
        raise UserError(f"no active user {username!r}")
    if not name.strip():
        raise UserError("a token needs a name that says what it is for")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC).replace(tzinfo=None)
    info = TokenInfo(
        token_id=secrets.token_hex(8),
        username=username,
        name=name.strip(),
        created_at=now,
        expires_at=None if valid_days is None else now + timedelta(days=valid_days),
    )
    store.execute_sql(
        f"INSERT INTO {TOKENS_TABLE} VALUES (?, ?, ?, ?, ?, ?, FALSE)",
        [info.token_id, username, info.name, _digest(secret), now, info.expires_at],
    )
    return secret, info


def user_for_token(store: Store, secret: str) -> User | None:
    """The active user owning the valid, unrevoked, unexpired token ``secret``."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    rows = store.execute_sql(
        f"""SELECT u.* FROM {TOKENS_TABLE} t JOIN {USERS_TABLE} u USING (username)
            WHERE t.token_hash = ? AND NOT t.revoked AND u.active
              AND (t.expires_at IS NULL OR t.expires_at > ?)""",
        [_digest(secret), datetime.now(UTC).replace(tzinfo=None)],
    ).to_pylist()
    return _row_to_user(rows[0]) if rows else None


def list_tokens(store: Store, username: str) -> list[TokenInfo]:
    """Unrevoked tokens of ``username``, newest first."""
    rows = store.execute_sql(
        f"""SELECT token_id, username, name, created_at, expires_at FROM {TOKENS_TABLE}
            WHERE username = ? AND NOT revoked ORDER BY created_at DESC""",
        [username],
    ).to_pylist()
    return [TokenInfo(**r) for r in rows]


def revoke_token(store: Store, username: str, token_id: str) -> bool:
    """Revoke ``token_id`` of ``username``; whether such a token existed."""
    found = store.execute_sql(
        f"SELECT 1 FROM {TOKENS_TABLE} WHERE token_id = ? AND username = ? AND NOT revoked",
        [token_id, username],
    )
    if found.num_rows == 0:
        return False
    store.execute_sql(f"UPDATE {TOKENS_TABLE} SET revoked = TRUE WHERE token_id = ?", [token_id])
    return True
