"""Login throttling: too many failed sign-ins for one user name are refused.

Failures are counted in a sliding window per key — in the server's memory
(:class:`LoginThrottle`), or in the application store (:class:`StoredLoginThrottle`) so that
several server processes on one store count them together: per user name and
client address (``user+ip:<name>|<address>``, the tight limit) and per user name from all
addresses together (``user:<name>``, a wider one). Never per address alone: behind a proxy that
is not trusted to name the client, every request comes from the proxy, and one user's typos
would lock everybody out. A key that reached its limit is refused until its oldest failure
leaves the window.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from contextlib import AbstractContextManager

from revintel.auth._accounts import accounts_of
from revintel.auth._users import FAILURES_TABLE
from revintel.store import Store


def throttle_keys(
    username: str, address: str | None, max_failures: int, max_failures_per_user: int
) -> list[tuple[str, int]]:
    """The keys a sign-in of ``username`` from ``address`` is counted under, with their limits."""
    name = username.strip().lower()
    return [
        (f"user+ip:{name}|{address or ''}", max_failures),
        (f"user:{name}", max_failures_per_user),
    ]


class LoginThrottle:
    """Counts failed sign-ins per user name, and per user name and client address.

    Parameters
    ----------
    max_failures
        Failures allowed for one user name from one address within ``window_seconds``; the
        next attempt is refused.
    max_failures_per_user
        Failures allowed for one user name from all addresses together (default: five times
        ``max_failures``), against guessing one password from many addresses.
    window_seconds
        Length of the sliding window.
    clock
        Seconds as a monotonic float (replaceable for tests of the window itself).
    max_keys
        Keys remembered; the least recently failed ones are forgotten beyond it.

    Examples
    --------
    >>> throttle = LoginThrottle(max_failures=2, window_seconds=60)
    >>> throttle.fail("anna", "10.0.0.1"); throttle.fail("anna", "10.0.0.1")
    >>> throttle.retry_after("anna", "10.0.0.1") > 0
    True
    >>> throttle.retry_after("ben", "10.0.0.1")  # the address alone locks nobody else
    0
    """

    def __init__(
        self,
        max_failures: int = 10,
        window_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
        max_failures_per_user: int | None = None,
    ) -> None:
        self.max_failures = max_failures
        self.max_failures_per_user = max_failures_per_user or 5 * max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _keys(self, username: str, address: str | None) -> list[tuple[str, int]]:
        return throttle_keys(username, address, self.max_failures, self.max_failures_per_user)

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.get(key, deque())
        while stamps and stamps[0] <= now - self.window_seconds:
            stamps.popleft()
        return stamps

    def retry_after(self, username: str, address: str | None) -> int:
        """Seconds until ``username`` may try again from ``address`` (0: may try now)."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key, limit in self._keys(username, address):
                stamps = self._recent(key, now)
                if len(stamps) >= limit:
                    wait = max(wait, stamps[-limit] + self.window_seconds - now)
        return math.ceil(wait) if wait > 0 else 0

    def fail(self, username: str, address: str | None) -> None:
        """Record a failed sign-in of ``username`` from ``address``."""
        now = self._clock()
        with self._lock:
            for key, limit in self._keys(username, address):
                stamps = self._recent(key, now)
                stamps.append(now)
                while len(stamps) > limit:  # older failures no longer decide the wait
                    stamps.popleft()
                self._failures[key] = stamps
                self._failures.move_to_end(key)
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def succeed(self, username: str, address: str | None = None) -> None:
        """Forget ``username``'s failures after a successful sign-in from ``address``."""
        with self._lock:
            for key, _ in self._keys(username, address):
                self._failures.pop(key, None)


class StoredLoginThrottle:
    """Counts failed sign-ins like :class:`LoginThrottle`, in the application store's table
    ``auth_login_failures``, so that every server process on the store counts them together.

    A key is kept only as its SHA-256 digest (a user name typed wrongly may be a password),
    with the time of each failure in seconds since the epoch; failures older than the window
    are deleted as new ones are recorded.

    Parameters
    ----------
    connect
        Gives a store connection (the application store, or a data store linked to it) for
        the duration of a ``with`` block.
    max_failures, max_failures_per_user, window_seconds
        As for :class:`LoginThrottle`.
    clock
        Seconds since the epoch (the processes sharing the store share this clock).
    """

    def __init__(
        self,
        connect: Callable[[], AbstractContextManager[Store]],
        max_failures: int = 10,
        window_seconds: float = 300.0,
        max_failures_per_user: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._connect = connect
        self.max_failures = max_failures
        self.max_failures_per_user = max_failures_per_user or 5 * max_failures
        self.window_seconds = window_seconds
        self._clock = clock

    def _keys(self, username: str, address: str | None) -> list[tuple[str, int]]:
        keys = throttle_keys(username, address, self.max_failures, self.max_failures_per_user)
        return [(hashlib.sha256(key.encode()).hexdigest(), limit) for key, limit in keys]

    def retry_after(self, username: str, address: str | None) -> int:
        """Seconds until ``username`` may try again from ``address`` (0: may try now)."""
        now = self._clock()
        wait = 0.0
        with self._connect() as store:
            accounts = accounts_of(store)
            for key, limit in self._keys(username, address):
                recent = accounts.execute_sql(
                    f"""SELECT failed_at FROM {FAILURES_TABLE}
                        WHERE key_hash = ? AND failed_at > ?
                        ORDER BY failed_at DESC LIMIT {int(limit)}""",
                    [key, now - self.window_seconds],
                ).column("failed_at")
                if len(recent) >= limit:
                    # The limit-th most recent failure leaves the window first.
                    oldest = float(recent[limit - 1].as_py())
                    wait = max(wait, oldest + self.window_seconds - now)
        return math.ceil(wait) if wait > 0 else 0

    def fail(self, username: str, address: str | None) -> None:
        """Record a failed sign-in of ``username`` from ``address``."""
        now = self._clock()
        with self._connect() as store:
            accounts = accounts_of(store)
            accounts.execute_sql(
                f"DELETE FROM {FAILURES_TABLE} WHERE failed_at <= ?", [now - self.window_seconds]
            )
            for key, _ in self._keys(username, address):
                accounts.execute_sql(f"INSERT INTO {FAILURES_TABLE} VALUES (?, ?)", [key, now])

    def succeed(self, username: str, address: str | None = None) -> None:
        """Forget ``username``'s failures after a successful sign-in from ``address``."""
        with self._connect() as store:
            accounts = accounts_of(store)
            for key, _ in self._keys(username, address):
                accounts.execute_sql(f"DELETE FROM {FAILURES_TABLE} WHERE key_hash = ?", [key])
