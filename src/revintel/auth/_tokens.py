"""API tokens for integrations: random secrets shown once, stored only as SHA-256 digests.

A running server checks a token on every request: :class:`TokenCache` keeps what a look-up
found, but never past the token's expiry, and forgets a revoked token at once.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from revintel.auth._access import AccessDeniedError
from revintel.auth._accounts import accounts_of
from revintel.auth._users import TOKENS_TABLE, USERS_TABLE, User, UserError, _row_to_user
from revintel.store import Store, store_now

TOKEN_PREFIX = "rvi_"


@dataclass(frozen=True)
class TokenInfo:
    """What is kept about a token: never the secret itself."""

    token_id: str
    username: str
    name: str
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class TokenGrant:
    """A valid token: whom it authenticates, and its record."""

    user: User
    token: TokenInfo


class TokenLifetimeError(AccessDeniedError):
    """A token would outlive the token that asked for it."""


def _digest(secret: str) -> str:
    # The secret carries 256 random bits, so a fast hash cannot be brute-forced.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    store: Store,
    username: str,
    name: str,
    *,
    valid_days: int | None = None,
    parent: TokenInfo | None = None,
) -> tuple[str, TokenInfo]:
    """Issue a token for ``username``; returns the secret (shown once) and its record.

    Parameters
    ----------
    valid_days
        Days until the token expires; ``None``: never (or as ``parent``).
    parent
        The token that authenticated the request asking for this one. The new token then
        expires no later than ``parent`` (``valid_days`` is shortened to it, and a missing
        ``valid_days`` means ``parent``'s expiry); a token without expiry cannot be made so.

    Raises
    ------
    TokenLifetimeError
        ``parent`` never expires and no ``valid_days`` was given.
    """
    rows = accounts_of(store).execute_sql(
        f"SELECT 1 FROM {USERS_TABLE} WHERE username = ? AND active", [username]
    )
    if rows.num_rows == 0:
        raise UserError(f"no active user {username!r}")
    if not name.strip():
        raise UserError("a token needs a name that says what it is for")
    now = store_now(store)
    expires_at = None if valid_days is None else now + timedelta(days=valid_days)
    if parent is not None:
        expires_at = _not_after(expires_at, parent.expires_at)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    info = TokenInfo(
        token_id=secrets.token_hex(8),
        username=username,
        name=name.strip(),
        created_at=now,
        expires_at=expires_at,
    )
    accounts_of(store).execute_sql(
        f"INSERT INTO {TOKENS_TABLE} VALUES (?, ?, ?, ?, ?, ?, FALSE)",
        [info.token_id, username, info.name, _digest(secret), now, info.expires_at],
    )
    return secret, info


def _not_after(wanted: datetime | None, limit: datetime | None) -> datetime | None:
    if limit is None:
        if wanted is None:
            raise TokenLifetimeError(
                "a token without expiry can only be created after signing in to the dashboard "
                "or with `revintel users token`: give valid_days"
            )
        return wanted
    return limit if wanted is None else min(wanted, limit)


def token_grant(store: Store, secret: str, now: datetime | None = None) -> TokenGrant | None:
    """The user and record of the token ``secret`` if it is unrevoked, unexpired at ``now``
    (default: the current time) and of an active user, else ``None``."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    rows = (
        accounts_of(store)
        .execute_sql(
            f"""SELECT u.*, t.token_id, t.name AS token_name, t.created_at AS token_created_at,
                   t.expires_at
            FROM {TOKENS_TABLE} t JOIN {USERS_TABLE} u USING (username)
            WHERE t.token_hash = ? AND NOT t.revoked AND u.active
              AND (t.expires_at IS NULL OR t.expires_at > ?)""",
            [_digest(secret), now or store_now(store)],
        )
        .to_pylist()
    )
    if not rows:
        return None
    row = rows[0]
    info = TokenInfo(
        token_id=str(row["token_id"]),
        username=str(row["username"]),
        name=str(row["token_name"]),
        created_at=row["token_created_at"],
        expires_at=row["expires_at"],
    )
    return TokenGrant(_row_to_user(row), info)


def user_for_token(store: Store, secret: str) -> User | None:
    """The active user owning the valid, unrevoked, unexpired token ``secret``."""
    grant = token_grant(store, secret)
    return None if grant is None else grant.user


def list_tokens(store: Store, username: str) -> list[TokenInfo]:
    """Unrevoked tokens of ``username``, newest first."""
    rows = (
        accounts_of(store)
        .execute_sql(
            f"""SELECT token_id, username, name, created_at, expires_at FROM {TOKENS_TABLE}
            WHERE username = ? AND NOT revoked ORDER BY created_at DESC""",
            [username],
        )
        .to_pylist()
    )
    return [TokenInfo(**r) for r in rows]


def revoke_token(store: Store, username: str, token_id: str) -> bool:
    """Revoke ``token_id`` of ``username``; whether such a token existed."""
    found = accounts_of(store).execute_sql(
        f"SELECT 1 FROM {TOKENS_TABLE} WHERE token_id = ? AND username = ? AND NOT revoked",
        [token_id, username],
    )
    if found.num_rows == 0:
        return False
    accounts_of(store).execute_sql(
        f"UPDATE {TOKENS_TABLE} SET revoked = TRUE WHERE token_id = ?", [token_id]
    )
    return True


class TokenCache:
    """Token look-ups of a running server, kept briefly and never past a token's expiry.

    A kept look-up is used while the token has not expired and for at most
    ``recheck_seconds`` (after which the store is asked again, so a change made by another
    process counts within that time); :meth:`forget` drops a revoked token at once.

    Parameters
    ----------
    allow_demo
        Accept tokens of demo accounts (:attr:`User.demo`): demo mode only.
    recheck_seconds
        Longest time a look-up is used without asking the store again.
    max_entries
        Look-ups kept; the least recently used beyond it are dropped.
    clock
        The current time as the store keeps times (default: the store's wall clock, see
        :func:`revintel.store.store_now`; replaceable for tests of expiry).
    """

    def __init__(
        self,
        *,
        allow_demo: bool = False,
        recheck_seconds: float = 30.0,
        max_entries: int = 10_000,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.allow_demo = allow_demo
        self.recheck_seconds = recheck_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._kept: OrderedDict[str, tuple[TokenGrant, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._forgets = 0

    def grant(self, store: Store, secret: str) -> TokenGrant | None:
        """What the token ``secret`` grants now, or ``None`` (unknown, expired or revoked)."""
        key = _digest(secret)
        with self._lock:
            kept = self._kept.get(key)
            forgets = self._forgets
        now = self._clock() if self._clock is not None else store_now(store)
        if kept is not None:
            grant, checked = kept
            expires = grant.token.expires_at
            if time.monotonic() - checked <= self.recheck_seconds and (
                expires is None or now < expires
            ):
                return grant
        found = token_grant(store, secret, now)
        if found is not None and found.user.demo and not self.allow_demo:
            found = None
        with self._lock:
            if found is None:
                self._kept.pop(key, None)
            elif forgets == self._forgets:  # not when a token was revoked meanwhile
                self._kept[key] = (found, time.monotonic())
                self._kept.move_to_end(key)
                while len(self._kept) > self.max_entries:
                    self._kept.popitem(last=False)
        return found

    def forget(self, token_id: str) -> None:
        """Drop the look-up of ``token_id`` (after it was revoked)."""
        self._forget(lambda grant: grant.token.token_id == token_id)

    def forget_user(self, username: str) -> None:
        """Drop the look-ups of every token of ``username``."""
        self._forget(lambda grant: grant.user.username == username)

    def _forget(self, matches: Callable[[TokenGrant], bool]) -> None:
        with self._lock:
            self._forgets += 1
            for key in [k for k, (g, _) in self._kept.items() if matches(g)]:
                del self._kept[key]
