"""Sessions kept on the server: the browser holds a random id, the store holds its digest.

A signed-in browser's cookie carries only the session's random id (signed, so forged values
cost no lookup); the table ``auth_sessions`` keeps the id's SHA-256 digest with the user and
when the session began and was last used. Signing out, an admin, a password change or a
disabled account therefore ends a session at once, and a session expires after being idle and
after an absolute lifetime, however often it is used. Before sign-in a browser holds an
anonymous session: a signed cookie with nothing but the CSRF token of the login form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa
from itsdangerous import BadSignature, URLSafeTimedSerializer

from revintel.auth._access import AccessDeniedError
from revintel.auth._accounts import accounts_of
from revintel.auth._users import SESSIONS_TABLE, USERS_TABLE, User, _row_to_user
from revintel.store import Store

SESSION_COOKIE = "revintel_session"
#: A session kept in memory is read from the store again after this many seconds, so that a
#: change made by another process (``revintel users sessions-revoke``) is seen within it.
SESSION_RECHECK_SECONDS = 30.0
#: ``last_seen_at`` is written at most this often per session (it is kept exactly in memory).
SESSION_TOUCH_SECONDS = 60.0
#: SQLSTATEs of writes that lost a race with another transaction (PostgreSQL).
_CONFLICT_STATES = frozenset({"40001", "40P01"})

Connect = Callable[[], AbstractContextManager[Store]]


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def write_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it was raised from) is a write that lost a race with
    another transaction: DuckDB's transaction conflicts, PostgreSQL's serialization failures
    and deadlocks."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, duckdb.TransactionException):
            return True
        if getattr(seen, "sqlstate", None) in _CONFLICT_STATES:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _digest(session_id: str) -> str:
    # The id carries 256 random bits, so a fast hash cannot be brute-forced.
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    """A browser's session: its CSRF token and, once signed in, the user and the session id.

    Attributes
    ----------
    csrf_token
        Every form and every state-changing API call made with the cookie must carry it.
    user
        The signed-in user (``None`` before sign-in).
    session_id
        The random id in the cookie of a signed-in session (never stored by the server).
    """

    csrf_token: str
    user: User | None = None
    session_id: str | None = field(default=None, repr=False)

    @classmethod
    def anonymous(cls) -> Session:
        """A fresh session with a new CSRF token and nobody signed in."""
        return cls(csrf_token=secrets.token_urlsafe(32))

    @property
    def username(self) -> str | None:
        """The signed-in user's name, or ``None``."""
        return None if self.user is None else self.user.username

    def csrf_matches(self, submitted: str | None) -> bool:
        """Whether a form's or header's CSRF token equals the session's (constant time)."""
        return bool(submitted) and hmac.compare_digest(self.csrf_token, str(submitted))


class SessionCodec:
    """Signs what a session cookie holds and reads it back.

    A cookie holds either an anonymous session's CSRF token (``{"c": token}``) or a signed-in
    session's id (``{"s": id}``); a signed-in session's CSRF token is derived from its id with
    the secret key, so it is bound to the session without being stored anywhere.

    Parameters
    ----------
    secret_key
        Server secret; a cookie signed with another key is rejected.
    max_age_seconds
        Cookies signed longer ago than this are rejected.
    """

    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="revintel.session")
        self._csrf_key = hashlib.sha256(f"revintel.csrf:{secret_key}".encode()).digest()
        self.max_age_seconds = max_age_seconds

    def dumps(self, session: Session) -> str:
        """The signed cookie value for ``session``."""
        if session.session_id is not None:
            return self._serializer.dumps({"s": session.session_id})
        return self._serializer.dumps({"c": session.csrf_token})

    def loads(self, value: str | None) -> tuple[str, str] | None:
        """``("anonymous", csrf token)`` or ``("session", id)`` from a cookie value, or ``None``
        if missing, forged or too old."""
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age_seconds)
        except BadSignature:
            return None
        if isinstance(data, dict) and isinstance(data.get("s"), str):
            return "session", data["s"]
        if isinstance(data, dict) and isinstance(data.get("c"), str):
            return "anonymous", data["c"]
        return None

    def csrf_for(self, session_id: str) -> str:
        """The CSRF token of the signed-in session ``session_id``."""
        mac = hmac.new(self._csrf_key, session_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


@dataclass
class _Kept:
    """A signed-in session as kept in memory."""

    user: User
    created_at: datetime
    last_seen: datetime
    stored_seen: datetime
    checked: float


class SessionStore:
    """Signed-in sessions in the store's ``auth_sessions`` table, with a cache in memory.

    Every change goes through the table first; the memory only saves reading it on each
    request and is updated with it, so a session ended here is refused by the next request.
    The time of last use is kept exactly in memory and written at most once a minute.

    Parameters
    ----------
    connect
        Gives a store connection for the duration of a ``with`` block.
    secret_key
        Signs cookies and derives the CSRF tokens.
    idle_seconds
        A session unused for longer ends.
    absolute_seconds
        A session older than this ends however it is used.
    allow_demo
        Accept sessions of demo accounts (:attr:`User.demo`): demo mode only.
    clock
        The current time as a naive UTC datetime (replaceable for tests of expiry).
    max_kept
        Sessions kept in memory; the least recently used beyond it are read again when used.
    recheck_seconds
        Longest time a session kept in memory is used without reading the store again
        (:data:`SESSION_RECHECK_SECONDS`, or a quarter of the idle time when shorter); ``0``
        reads it at every request, so that a session ended by another process (several
        server processes on one application store) is refused at once.
    """

    def __init__(
        self,
        connect: Connect,
        secret_key: str,
        *,
        idle_seconds: float,
        absolute_seconds: float,
        allow_demo: bool = False,
        clock: Callable[[], datetime] = _utc_now,
        max_kept: int = 100_000,
        recheck_seconds: float | None = None,
    ) -> None:
        self._connect = connect
        self.codec = SessionCodec(secret_key, int(absolute_seconds))
        self.idle = timedelta(seconds=idle_seconds)
        self.absolute = timedelta(seconds=absolute_seconds)
        self.allow_demo = allow_demo
        self._clock = clock
        self._max_kept = max_kept
        default_recheck = min(SESSION_RECHECK_SECONDS, idle_seconds / 4)
        self._recheck = default_recheck if recheck_seconds is None else recheck_seconds
        self._touch = timedelta(seconds=min(SESSION_TOUCH_SECONDS, idle_seconds / 4))
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._lock = threading.Lock()
        # Raised by every ending, so that a look-up racing with it does not keep what it read.
        self._endings = 0

    @property
    def max_age_seconds(self) -> int:
        """How long a browser keeps the cookie: the absolute lifetime."""
        return int(self.absolute.total_seconds())

    def cookie(self, session: Session) -> str:
        """The cookie value of ``session``."""
        return self.codec.dumps(session)

    def read(self, value: str | None) -> Session | None:
        """The session in a cookie value, or ``None`` if missing, forged, ended or expired.

        Reading a signed-in session counts as using it (it resets the idle time).
        """
        found = self.codec.loads(value)
        if found is None:
            return None
        kind, payload = found
        if kind == "anonymous":
            return Session(csrf_token=payload)
        kept = self._current(_digest(payload))
        if kept is None:
            return None
        return Session(self.codec.csrf_for(payload), kept.user, payload)

    def admits(self, user: User) -> bool:
        """Whether ``user`` may hold a session here (demo accounts in demo mode only)."""
        return self.allow_demo or not user.demo

    def start(self, user: User, replacing: Session | None = None) -> Session:
        """A new signed-in session of ``user`` (ending ``replacing``, the browser's old one).

        A new id is drawn at every sign-in, so an id planted in a browser before it signs in
        never becomes a signed-in session.

        Raises
        ------
        AccessDeniedError
            ``user`` is a demo account outside demo mode.
        """
        if not self.admits(user):
            raise AccessDeniedError(f"demo account {user.username!r} is refused outside demo mode")
        if replacing is not None:
            self.end(replacing)
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        # Expired sessions are swept here (the stored time of last use may lag by one touch
        # interval); one being touched meanwhile waits for the next sweep.
        self._write(
            f"DELETE FROM {SESSIONS_TABLE} WHERE last_seen_at < ? OR created_at < ?",
            [now - self.idle - self._touch, now - self.absolute],
            attempts=1,
        )
        self._write(
            f"INSERT INTO {SESSIONS_TABLE} VALUES (?, ?, ?, ?)",
            [_digest(session_id), user.username, now, now],
        )
        with self._lock:
            self._keep(_digest(session_id), _Kept(user, now, now, now, time.monotonic()))
        return Session(self.codec.csrf_for(session_id), user, session_id)

    def end(self, session: Session) -> None:
        """End ``session`` (signing out); an anonymous session has nothing to end."""
        if session.session_id is None:
            return
        self._expire(_digest(session.session_id))

    def end_all(self, username: str) -> int:
        """End every session of ``username``; how many the store held."""
        ended = self._write(
            f"DELETE FROM {SESSIONS_TABLE} WHERE username = ? RETURNING session_hash", [username]
        )
        # Forgotten after the store, so that a look-up reading the row meanwhile is not kept.
        with self._lock:
            self._endings += 1
            for key in [k for k, v in self._kept.items() if v.user.username == username]:
                del self._kept[key]
        return 0 if ended is None else ended.num_rows

    def _current(self, key: str) -> _Kept | None:
        """The live session under ``key``, its use recorded; ``None`` when gone or expired."""
        now = self._clock()
        with self._lock:
            kept = self._kept.get(key)
            endings = self._endings
        if kept is None or time.monotonic() - kept.checked >= self._recheck:
            kept = self._load(key, kept, endings)
            if kept is None:
                return None
        if now - kept.last_seen > self.idle or now - kept.created_at > self.absolute:
            self._expire(key)
            return None
        with self._lock:
            kept.last_seen = max(kept.last_seen, now)
            due = now - kept.stored_seen >= self._touch
            if due:
                kept.stored_seen = now
        if due:  # best effort: the exact time stays in memory, the store's is a minute behind
            self._write(
                f"UPDATE {SESSIONS_TABLE} SET last_seen_at = ? WHERE session_hash = ?",
                [now, key],
                attempts=1,
            )
        return kept

    def _load(self, key: str, kept: _Kept | None, endings: int) -> _Kept | None:
        with self._connect() as store:
            rows = (
                accounts_of(store)
                .execute_sql(
                    f"""SELECT s.created_at AS session_created_at, s.last_seen_at, u.*
                    FROM {SESSIONS_TABLE} s JOIN {USERS_TABLE} u USING (username)
                    WHERE s.session_hash = ? AND u.active""",
                    [key],
                )
                .to_pylist()
            )
        user = _row_to_user(rows[0]) if rows else None
        with self._lock:
            if user is None or not self.admits(user):
                self._kept.pop(key, None)
                return None
            stored: datetime = rows[0]["last_seen_at"]
            seen = stored if kept is None else max(kept.last_seen, stored)
            loaded = _Kept(user, rows[0]["session_created_at"], seen, stored, time.monotonic())
            # A session ended while it was read is answered this once (the request came
            # first) but not kept.
            if endings == self._endings:
                self._keep(key, loaded)
        return loaded

    def _keep(self, key: str, kept: _Kept) -> None:
        self._kept[key] = kept
        self._kept.move_to_end(key)
        while len(self._kept) > self._max_kept:
            self._kept.popitem(last=False)

    def _expire(self, key: str) -> None:
        self._write(f"DELETE FROM {SESSIONS_TABLE} WHERE session_hash = ?", [key])
        with self._lock:
            self._endings += 1
            self._kept.pop(key, None)

    def _write(self, sql: str, params: list[object], attempts: int = 5) -> pa.Table | None:
        """Run a write, again when it conflicted with another one on the same session.

        With ``attempts=1`` a conflict is ignored (for writes that may be skipped); otherwise
        the last conflict is raised.
        """
        for attempt in range(attempts):
            try:
                with self._connect() as store:
                    return accounts_of(store).execute_sql(sql, params)
            except Exception as exc:  # each engine raises its own error type
                if not write_conflict(exc):
                    raise
                if attempts == 1:
                    return None
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        return None
