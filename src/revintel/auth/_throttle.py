"""Login throttling: too many failed sign-ins for one user or from one address are refused.

Failures are counted in a sliding window per key (``user:<name>`` and ``ip:<address>``), in the
server's memory; a key that reached the limit is refused until its oldest failure leaves the
window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class LoginThrottle:
    """Counts failed sign-ins per user and per client address.

    Parameters
    ----------
    max_failures
        Failures allowed per key within ``window_seconds``; the next attempt is refused.
    window_seconds
        Length of the sliding window.
    clock
        Seconds as a monotonic float (replaceable for tests of the window itself).
    max_keys
        Keys remembered; the least recently failed ones are forgotten beyond it.

    Examples
    --------
    >>> throttle = LoginThrottle(max_failures=2, window_seconds=60)
    >>> throttle.fail("anna", "10.0.0.1"); throttle.fail("anna", "10.0.0.2")
    >>> throttle.retry_after("anna", "10.0.0.3") > 0
    True
    >>> throttle.retry_after("ben", "10.0.0.3")
    0
    """

    def __init__(
        self,
        max_failures: int = 10,
        window_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str | None) -> list[str]:
        keys = [f"user:{username.strip().lower()}"]
        return [*keys, f"ip:{address}"] if address else keys

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
            for key in self._keys(username, address):
                stamps = self._recent(key, now)
                if len(stamps) >= self.max_failures:
                    wait = max(wait, stamps[-self.max_failures] + self.window_seconds - now)
        return math.ceil(wait) if wait > 0 else 0

    def fail(self, username: str, address: str | None) -> None:
        """Record a failed sign-in of ``username`` from ``address``."""
        now = self._clock()
        with self._lock:
            for key in self._keys(username, address):
                stamps = self._recent(key, now)
                stamps.append(now)
                self._failures[key] = stamps
                self._failures.move_to_end(key)
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def succeed(self, username: str) -> None:
        """Forget ``username``'s failures after a successful sign-in (not the address's)."""
        with self._lock:
            self._failures.pop(self._keys(username, None)[0], None)
