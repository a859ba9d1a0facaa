"""What a running server holds: its settings, the store and the session codec."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import ibis

from revintel.api._cache import ResultCache
from revintel.api._settings import Settings
from revintel.auth import LoginThrottle, SessionCodec, ensure_auth_tables
from revintel.model import FunnelDefinition, load_funnel
from revintel.store import Store, open_store


class _PooledStore(Store):
    """A store whose table expressions are looked up once: the schema is fixed while serving."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tables: dict[str, ibis.Table] = {}

    def table(self, name: str) -> ibis.Table:
        found = self._tables.get(name)
        if found is None:
            found = self._tables[name] = super().table(name)
        return found


class StoreProvider:
    """A pool of store connections, all on the same database.

    A DuckDB connection must not be used by two threads at once, and FastAPI may run a request's
    dependencies and handler on different worker threads; so each request borrows a cursor of
    the connection opened at start-up and returns it when the response is sent.
    """

    def __init__(self, location: str | None) -> None:
        self.root = open_store(location)
        ensure_auth_tables(self.root)
        self._idle: queue.SimpleQueue[Store] = queue.SimpleQueue()

    def acquire(self) -> Store:
        """A store connection for the caller's exclusive use until :meth:`release`."""
        if not self.root.is_duckdb:
            return self.root
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            cursor = self.root.backend.con.cursor()
            return _PooledStore(
                ibis.duckdb.from_connection(cursor), self.root.location, migrate_schema=False
            )

    def release(self, store: Store) -> None:
        """Give a connection back to the pool."""
        if store is not self.root:
            self._idle.put(store)

    @contextmanager
    def borrow(self) -> Iterator[Store]:
        """A store connection for the duration of the block."""
        store = self.acquire()
        try:
            yield store
        finally:
            self.release(store)

    def close(self) -> None:
        """Close the database."""
        self.root.close()


@dataclass
class AppState:
    """Everything request handlers share."""

    settings: Settings
    stores: StoreProvider
    codec: SessionCodec
    funnel: FunnelDefinition = field(default_factory=load_funnel)
    cache: ResultCache = field(default_factory=ResultCache)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)

    @classmethod
    def start(cls, settings: Settings) -> AppState:
        """Open the store named by ``settings`` and prepare the session codec."""
        codec = SessionCodec(settings.secret, int(settings.session_hours * 3600))
        throttle = LoginThrottle(settings.login_max_failures, settings.login_window_seconds)
        return cls(
            settings=settings, stores=StoreProvider(settings.db), codec=codec, throttle=throttle
        )
