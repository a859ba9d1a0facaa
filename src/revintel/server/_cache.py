"""Results of read queries, kept until the server next writes data.

While the server runs it holds the DuckDB file's write lock, so no other process can change the
data: a result stays valid until an import through this server. Then the server either forgets
every result (:meth:`ResultCache.clear`) or refreshes them: :meth:`ResultCache.begin_refresh`
keeps the results as of before the change for other readers while the server computes the new
ones (reads inside :func:`fresh_reads` never see the old ones), and
:meth:`ResultCache.end_refresh` drops whatever old result was not recomputed.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import pandas as pd
import pyarrow as pa

from revintel.auth import Permission, User
from revintel.store import Store

R = TypeVar("R")
#: A kept result's key: the function or page and what it was asked with.
Key = tuple[str, ...]
#: Bytes kept at most by default (``REVINTEL_MAX_CACHE_BYTES``).
DEFAULT_MAX_BYTES = 256 << 20
# Share of the budget one result may take; a larger one is returned but not kept.
_LARGEST_SHARE = 4
# Set while the server recomputes results after a change: such reads never take an old result.
_FRESH_ONLY: ContextVar[bool] = ContextVar("revintel_fresh_only", default=False)
# Set while a warmer runs: the keys of every result it computed or read.
_RECORDING: ContextVar[set[Key] | None] = ContextVar("revintel_recording", default=None)


@contextmanager
def fresh_reads() -> Iterator[None]:
    """Within this block (and tasks and worker threads started from it) no old result is used."""
    token = _FRESH_ONLY.set(True)
    try:
        yield
    finally:
        _FRESH_ONLY.reset(token)


@contextmanager
def recording_keys() -> Iterator[set[Key]]:
    """The keys of the results looked up within this block (and tasks and worker threads
    started from it), filled in as they are looked up."""
    keys: set[Key] = set()
    token = _RECORDING.set(keys)
    try:
        yield keys
    finally:
        _RECORDING.reset(token)


def estimate_size(value: object) -> int:
    """Approximate bytes ``value`` holds (tables, frames, containers and their items)."""
    if isinstance(value, pa.Table | pa.Array | pa.ChunkedArray | pa.RecordBatch):
        return int(value.nbytes)
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(deep=True).sum())
    if isinstance(value, pd.Series):
        return int(value.memory_usage(deep=True))
    if isinstance(value, str | bytes):
        return sys.getsizeof(value)
    if isinstance(value, Mapping):
        return sys.getsizeof(value) + sum(
            estimate_size(k) + estimate_size(v) for k, v in value.items()
        )
    if isinstance(value, list | tuple | set | frozenset):
        return sys.getsizeof(value) + sum(estimate_size(v) for v in value)
    fields = getattr(value, "__dict__", None)
    if fields is not None:
        return sys.getsizeof(value) + estimate_size(fields)
    slots = getattr(type(value), "__slots__", None)
    if slots:
        return sys.getsizeof(value) + sum(estimate_size(getattr(value, s, None)) for s in slots)
    return sys.getsizeof(value)


def scope(user: User) -> str:
    """The rows a user sees: everything, one rep's rows or one team's (the cache shares results
    by scope)."""
    if user.can(Permission.view_all_rows):
        return "*"
    return f"{user.role.value}:{user.rep_id}"


class ResultCache:
    """A bounded, thread-safe least-recently-used cache of query results.

    A result is computed once however many requests ask for it at the same time (the others
    wait for it), and a result computed from data that changed meanwhile is not kept.

    Parameters
    ----------
    max_entries
        Results kept; the least recently used ones are dropped beyond it.
    max_bytes
        Estimated bytes kept (:func:`estimate_size`); the least recently used results are
        dropped beyond it, and a result larger than a quarter of it is not kept at all.
    """

    def __init__(self, max_entries: int = 2048, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._sizes: dict[Key, int] = {}
        # Seconds each kept result took to compute (what recomputing it ahead would save).
        self._costs: dict[Key, float] = {}
        self._entries: OrderedDict[Key, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Key, threading.Lock] = {}
        self._generation = 0
        # Results as of before the last change, answered while their successors are computed.
        self._previous: OrderedDict[Key, Any] = OrderedDict()
        # Results computed ahead by slow pages' warmers: whether a reader asked for each since.
        self._watched: dict[Key, bool] = {}
        #: Lookups answered from the cache and lookups that computed (read by the metrics).
        self.hits = 0
        self.misses = 0
        #: Lookups answered with a result as of before the last change, during a refresh.
        self.previous_hits = 0

    def call(self, fn: Callable[..., R], store: Store, user: User | None, *args: Any) -> R:
        """``fn(store, user, *args)`` (or ``fn(store, *args)`` without a user), cached.

        Results are shared between users of the same :func:`scope`; they must not be mutated.
        """
        key = (fn.__qualname__, "" if user is None else scope(user), repr(args))
        if user is None:
            return self.remember(key, lambda: fn(store, *args))
        return self.remember(key, lambda: fn(store, user, *args))

    def remember(self, key: Key, compute: Callable[[], R]) -> R:
        """The value kept under ``key``, computed by ``compute()`` (outside the lock) if absent.

        Callers asking for a key that is being computed wait for that computation.
        """
        with self._lock:
            found = self._lookup(key)
            if found is not None:
                return found
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                found = self._lookup(key)
                if found is not None:
                    return found
                self.misses += 1
                generation = self._generation
            started = time.perf_counter()
            try:
                result = compute()
            finally:
                with self._lock:
                    if self._computing.get(key) is computing:
                        del self._computing[key]
            size = estimate_size(result)
            with self._lock:
                if generation == self._generation and size * _LARGEST_SHARE <= self.max_bytes:
                    self._keep(key, result, size)
                    self._costs[key] = time.perf_counter() - started
        return result

    def _lookup(self, key: Key) -> Any | None:
        """The current result under ``key``, else (outside :func:`fresh_reads`) the previous
        one, else ``None`` (locked)."""
        recording = _RECORDING.get()
        if recording is not None:
            recording.add(key)
        if key in self._watched and not _FRESH_ONLY.get():
            self._watched[key] = True
        found = self._entries.get(key)
        if found is not None:
            self.hits += 1
            self._entries.move_to_end(key)
            return found
        if not _FRESH_ONLY.get():
            found = self._previous.get(key)
            if found is not None:
                self.previous_hits += 1
        return found

    def _keep(self, key: Key, result: Any, size: int) -> None:
        """Store ``result`` and drop least recently used entries beyond the bounds (locked)."""
        self.bytes += size - self._sizes.get(key, 0)
        self._entries[key] = result
        self._sizes[key] = size
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            dropped, _ = self._entries.popitem(last=False)
            self.bytes -= self._sizes.pop(dropped)
            if dropped not in self._previous:
                self._costs.pop(dropped, None)

    def peek(self, key: Key) -> Any | None:
        """The value kept under ``key``, or ``None``."""
        with self._lock:
            return self._lookup(key)

    def clear(self) -> None:
        """Forget every result (after the data changed), and any being computed meanwhile."""
        with self._lock:
            self._entries.clear()
            self._previous.clear()
            self._sizes.clear()
            self._costs.clear()
            self.bytes = 0
            self._generation += 1

    def begin_refresh(self) -> None:
        """The data changed: current results become previous ones, answered outside
        :func:`fresh_reads` until :meth:`end_refresh`; results being computed are not kept."""
        with self._lock:
            self._previous.update(self._entries)
            self._entries.clear()
            self._sizes.clear()
            self.bytes = 0
            self._generation += 1

    @property
    def generation(self) -> int:
        """A number that changes with every data change (:meth:`clear`, :meth:`begin_refresh`)."""
        with self._lock:
            return self._generation

    @property
    def refreshing(self) -> bool:
        """Whether results as of before the last change are being answered meanwhile."""
        with self._lock:
            return bool(self._previous)

    def computed(self) -> list[tuple[Key, Any, float]]:
        """Every kept result with the seconds it took to compute."""
        with self._lock:
            return [(key, value, self._costs.get(key, 0.0)) for key, value in self._entries.items()]

    def adopt(self, results: Iterable[tuple[Key, Any, float]], generation: int) -> int:
        """Keep ``results`` (key, value, seconds) computed elsewhere from the data of
        ``generation``; none when the data changed since. Results already kept stay. The count
        kept."""
        kept = 0
        with self._lock:
            if generation != self._generation:
                return 0
            for key, value, seconds in results:
                size = estimate_size(value)
                if key in self._entries or size * _LARGEST_SHARE > self.max_bytes:
                    continue
                self._keep(key, value, size)
                self._costs[key] = seconds
                kept += 1
        return kept

    def previous_keys(self, min_seconds: float = 0.0) -> list[Key]:
        """Keys of the previous results that took at least ``min_seconds`` to compute, most
        recently used first."""
        with self._lock:
            return [
                key for key in reversed(self._previous) if self._costs.get(key, 0.0) >= min_seconds
            ]

    def end_refresh(self) -> None:
        """Drop the previous results: from now on only results of the current data are used."""
        with self._lock:
            for key in self._previous:
                if key not in self._entries:
                    self._costs.pop(key, None)
            self._previous.clear()

    def watch(self, keys: Iterable[Key], replacing: Iterable[Key] = ()) -> None:
        """Note from now on whether a reader (outside :func:`fresh_reads`) asks for ``keys``,
        instead of ``replacing``."""
        with self._lock:
            for key in replacing:
                self._watched.pop(key, None)
            self._watched.update(dict.fromkeys(keys, False))

    def requested(self, keys: Iterable[Key]) -> bool:
        """Whether a reader asked for any of the watched ``keys`` since :meth:`watch`."""
        with self._lock:
            return any(self._watched.get(key, False) for key in keys)

    def __len__(self) -> int:
        return len(self._entries)
