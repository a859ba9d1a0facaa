"""Giving memory freed after a data change back to the operating system.

After an import the server computes its kept results again while still holding the ones of
before, then drops those. The freed memory stays with the allocators (the C library's per-thread
arenas, Arrow's memory pool, DuckDB's allocator) and the process grows import after import
although the memory it uses does not. :func:`release_freed_memory` hands it back after each
pass of the warmers; :func:`limit_duckdb_allocator` has DuckDB's allocator return memory after
large queries instead of keeping it for the next ones.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable
from functools import cache

import pyarrow as pa

from revintel.store import Store

logger = logging.getLogger(__name__)
#: Memory DuckDB's allocator keeps for later queries after a task, at most.
DUCKDB_FLUSH_THRESHOLD = "16MiB"


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """``malloc_trim`` of the C library, or ``None`` where it has none (not glibc)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def release_freed_memory() -> None:
    """Return memory freed by Arrow and the C library's allocators to the operating system."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def limit_duckdb_allocator(store: Store) -> None:
    """Have the DuckDB database of ``store`` give back freed memory after each task beyond
    :data:`DUCKDB_FLUSH_THRESHOLD` (no effect on other engines)."""
    if not store.is_duckdb:
        return
    try:
        store.backend.con.execute(f"SET allocator_flush_threshold = '{DUCKDB_FLUSH_THRESHOLD}'")
        store.backend.con.execute("SET allocator_background_threads = true")
    except Exception:  # an older DuckDB without these settings: memory is only kept longer
        logger.info("DuckDB's allocator settings are not available", exc_info=True)
