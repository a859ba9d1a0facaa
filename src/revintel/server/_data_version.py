"""The data version: how server processes sharing a store learn that another one changed data.

Each server process keeps the results it computed (:class:`~revintel.server.ResultCache`) until
the data changes. A change made through one process raises a counter in the application store
(:meth:`DataVersion.bump`); every process on the same store compares it with the value it last
saw at most once a second (:class:`FollowDataChanges`, a middleware) and, when it moved, drops
its kept results and computes its views ahead again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from revintel.auth import accounts_of
from revintel.store import Store

logger = logging.getLogger(__name__)

VERSION_TABLE = "revintel_data_version"
_NAME = "data"
#: Seconds between two looks at the shared data version, at most once per process.
CHECK_SECONDS = 1.0

Connect = Callable[[], AbstractContextManager[Store]]


def ensure_version_table(store: Store) -> None:
    """Create the data version's table and row in the application store of ``store``."""
    accounts = accounts_of(store)
    if VERSION_TABLE not in accounts.engine.list_tables():
        accounts.execute_sql(
            f"""CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (
                name VARCHAR PRIMARY KEY,
                version BIGINT NOT NULL
            )"""
        )
    found = accounts.execute_sql(f"SELECT version FROM {VERSION_TABLE} WHERE name = ?", [_NAME])
    if found.num_rows == 0:
        accounts.execute_sql(f"INSERT INTO {VERSION_TABLE} VALUES (?, 0)", [_NAME])


class DataVersion:
    """The shared data version as this process knows it.

    Parameters
    ----------
    connect
        Gives a connection to the application store (or a data store linked to it) for the
        duration of a ``with`` block.
    check_seconds
        Least time between two reads of the shared version by :meth:`moved`.
    """

    def __init__(self, connect: Connect, check_seconds: float = CHECK_SECONDS) -> None:
        self._connect = connect
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._checking = False
        self._checked = time.monotonic()
        self.seen = self._read()

    def _read(self) -> int:
        with self._connect() as store:
            rows = accounts_of(store).execute_sql(
                f"SELECT version FROM {VERSION_TABLE} WHERE name = ?", [_NAME]
            )
        return int(rows.column("version")[0].as_py())

    def bump(self) -> int:
        """Record a change of the data made by this process; the new version."""
        with self._connect() as store:
            rows = accounts_of(store).execute_sql(
                f"UPDATE {VERSION_TABLE} SET version = version + 1 WHERE name = ? "
                "RETURNING version",
                [_NAME],
            )
        version = int(rows.column("version")[0].as_py())
        with self._lock:
            # This process refreshes its own results after its change (which came after any
            # change it has not seen yet), so it need not follow the ones before.
            self.seen = max(self.seen, version)
        return version

    def due(self) -> bool:
        """Whether the shared version should be read again (and no read is under way)."""
        with self._lock:
            return not self._checking and time.monotonic() - self._checked >= self.check_seconds

    def moved(self) -> bool:
        """Read the shared version; whether another process changed the data since last seen."""
        with self._lock:
            if self._checking:
                return False
            self._checking = True
        try:
            current = self._read()
        finally:
            with self._lock:
                self._checking = False
                self._checked = time.monotonic()
        with self._lock:
            changed = current > self.seen
            self.seen = max(self.seen, current)
        return changed


class FollowDataChanges:
    """Middleware: before a request, at most once a second, look whether another server
    process changed the data, and if so have this one drop its kept results
    (:meth:`revintel.server.AppState.data_changed_elsewhere`)."""

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        versions: DataVersion | None = self.state.versions
        if scope["type"] == "http" and versions is not None and versions.due():
            try:
                moved = await anyio.to_thread.run_sync(versions.moved)
            except Exception:  # the store answers the request itself, or its error does
                logger.warning("reading the shared data version failed", exc_info=True)
                moved = False
            if moved:
                await anyio.to_thread.run_sync(self.state.data_changed_elsewhere)
        await self.app(scope, receive, send)
