"""One import at a time per store: a second one waits a bounded time, then is refused.

Two transactions updating the same rows conflict in DuckDB and one of them fails half-way, so
imports into one store take turns; a conflicting write that still happens (another kind of
writer) is reported the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from revintel.ingest._reading import IngestError

#: Seconds an import waits for a running one by default.
DEFAULT_WAIT_SECONDS = 5.0

_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


class ImportBusyError(IngestError):
    """Another import into the same store is running; nothing was loaded."""


BUSY_MESSAGE = "another import is running; try again when it has finished"


@contextmanager
def exclusive_import(location: str, wait_seconds: float) -> Iterator[None]:
    """Hold the store's import turn; :class:`ImportBusyError` after ``wait_seconds``."""
    with _guard:
        lock = _locks.setdefault(location, threading.Lock())
    if not lock.acquire(timeout=wait_seconds):
        raise ImportBusyError(BUSY_MESSAGE)
    try:
        yield
    finally:
        lock.release()


def is_write_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` is DuckDB refusing a write that conflicts with another transaction."""
    return isinstance(exc, duckdb.TransactionException) and "Conflict" in str(exc)
