"""Results of read queries, kept until the server next writes data.

While the server runs it holds the DuckDB file's write lock, so no other process can change the
data: a result stays valid until an import through this server, which calls :meth:`clear`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from revintel.auth import Permission, User
from revintel.store import Store

R = TypeVar("R")


def scope(user: User) -> str:
    """The rows a user sees: everything, or one rep's rows (the cache shares results by scope)."""
    return "*" if user.can(Permission.view_all_rows) else f"rep:{user.rep_id}"


class ResultCache:
    """A bounded, thread-safe least-recently-used cache of query results.

    A result is computed once however many requests ask for it at the same time (the others
    wait for it), and a result computed from data that changed meanwhile is not kept.

    Parameters
    ----------
    max_entries
        Results kept; the least recently used ones are dropped beyond it.
    """

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple[str, ...], threading.Lock] = {}
        self._generation = 0

    def call(self, fn: Callable[..., R], store: Store, user: User | None, *args: Any) -> R:
        """``fn(store, user, *args)`` (or ``fn(store, *args)`` without a user), cached.

        Results are shared between users of the same :func:`scope`; they must not be mutated.
        """
        key = (fn.__qualname__, "" if user is None else scope(user), repr(args))
        if user is None:
            return self.remember(key, lambda: fn(store, *args))
        return self.remember(key, lambda: fn(store, user, *args))

    def remember(self, key: tuple[str, ...], compute: Callable[[], R]) -> R:
        """The value kept under ``key``, computed by ``compute()`` (outside the lock) if absent.

        Callers asking for a key that is being computed wait for that computation.
        """
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    return self._entries[key]
                generation = self._generation
            try:
                result = compute()
            finally:
                with self._lock:
                    if self._computing.get(key) is computing:
                        del self._computing[key]
            with self._lock:
                if generation == self._generation:
                    self._entries[key] = result
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
        return result

    def peek(self, key: tuple[str, ...]) -> Any | None:
        """The value kept under ``key``, or ``None``."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def clear(self) -> None:
        """Forget every result (after the data changed), and any being computed meanwhile."""
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def __len__(self) -> int:
        return len(self._entries)
