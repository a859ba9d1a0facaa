"""What a running server holds: its settings, the store, sessions, token look-ups, throttle."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import ibis

from revintel.auth import (
    LoginThrottle,
    SessionStore,
    TokenCache,
    TrustedProxies,
    demo_accounts,
    end_user_sessions,
    ensure_auth_tables,
)
from revintel.model import FunnelDefinition, load_funnel
from revintel.server._cache import ResultCache, fresh_reads
from revintel.server._settings import Settings
from revintel.server._timezone import serve_zone
from revintel.store import DEFAULT_TIMEZONE, Store, open_store, store_timezone

logger = logging.getLogger(__name__)


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


class _Warming:
    """Runs the warmers on one background thread; a request while it runs queues one more pass."""

    def __init__(self) -> None:
        self.warmers: list[Callable[[], None]] = []
        #: Called after a pass when no other pass is queued.
        self.on_settled: Callable[[], None] = lambda: None
        self._lock = threading.Lock()
        self._running = False
        self._again = False
        self._thread: threading.Thread | None = None
        #: Seconds the last complete pass took (``None`` before the first).
        self.last_seconds: float | None = None
        self.cancelled = threading.Event()
        self.idle = threading.Event()
        self.idle.set()

    def request(self) -> None:
        with self._lock:
            if not self.warmers or self.cancelled.is_set():
                return
            self._again = True
            if self._running:
                return
            self._running = True
            self.idle.clear()
            self._thread = threading.Thread(target=self._run, name="revintel-warm-up", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._again or self.cancelled.is_set():
                    self.on_settled()
                    self._running = False
                    self.idle.set()
                    return
                self._again = False
            started = time.monotonic()
            with fresh_reads():
                for warmer in self.warmers:
                    if self.cancelled.is_set():
                        break
                    try:
                        warmer()
                    except Exception:  # a failed warm-up only means a slower first visit
                        logger.warning("computing the views ahead failed", exc_info=True)
            self.last_seconds = time.monotonic() - started

    def stop(self, timeout: float) -> None:
        self.cancelled.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)


@dataclass
class AppState:
    """Everything request handlers share."""

    settings: Settings
    stores: StoreProvider
    sessions: SessionStore
    funnel: FunnelDefinition = field(default_factory=load_funnel)
    cache: ResultCache = field(default_factory=ResultCache)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    tokens: TokenCache = field(default_factory=TokenCache)
    proxies: TrustedProxies = field(default_factory=TrustedProxies)
    #: The store's time zone, read at start: responses state times with its offset.
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    _warming: _Warming = field(default_factory=_Warming)

    @classmethod
    def start(cls, settings: Settings) -> AppState:
        """Open the store named by ``settings`` and prepare sessions, token look-ups and the
        login throttle; outside demo mode, refuse the demo accounts (with a warning)."""
        stores = StoreProvider(settings.db)
        if not settings.demo:
            _refuse_demo_accounts(stores)
        sessions = SessionStore(
            stores.borrow,
            settings.secret,
            idle_seconds=settings.session_idle_minutes * 60,
            absolute_seconds=settings.session_hours * 3600,
            allow_demo=settings.demo,
        )
        throttle = LoginThrottle(settings.login_max_failures, settings.login_window_seconds)
        serve_zone(zone := store_timezone(stores.root))
        return cls(
            settings=settings,
            stores=stores,
            sessions=sessions,
            throttle=throttle,
            tokens=TokenCache(allow_demo=settings.demo),
            proxies=settings.proxies,
            cache=ResultCache(max_bytes=settings.max_cache_bytes),
            timezone=zone,
        )

    def __post_init__(self) -> None:
        self._warming.on_settled = self.cache.end_refresh

    def add_warmer(self, warmer: Callable[[], None]) -> None:
        """Have ``warmer`` compute views ahead at start and after every data change."""
        self._warming.warmers.append(warmer)

    def warm(self) -> None:
        """Compute the views ahead on a background thread (when ``settings.warm_up``)."""
        if self.settings.warm_up:
            self._warming.request()

    @property
    def warming(self) -> bool:
        """Whether views are being computed ahead right now."""
        return not self._warming.idle.is_set()

    def wait_warm(self, timeout: float) -> bool:
        """Wait until no view is being computed ahead; whether that happened in ``timeout`` s."""
        return self._warming.idle.wait(timeout)

    @property
    def warm_up_seconds(self) -> float | None:
        """Seconds the last pass computing views ahead took (``None`` before the first)."""
        return self._warming.last_seconds

    def warm_cancelled(self) -> bool:
        """Whether the server is stopping (warmers end early then)."""
        return self._warming.cancelled.is_set()

    def data_changed(self) -> None:
        """The data changed: compute the kept results again, then return.

        With computing ahead on (``settings.warm_up``), other readers are answered with the
        results as of before the change until the new ones are computed (at most
        ``settings.refresh_seconds``); the caller, who made the change, returns only then and so
        reads its own change. Without it, every kept result is forgotten at once.
        """
        if not self.settings.warm_up or not self._warming.warmers:
            self.cache.clear()
            return
        self.cache.begin_refresh()
        self.warm()
        if not self.wait_warm(self.settings.refresh_seconds):
            logger.warning(
                "results were not computed again within %d s of a data change: "
                "answering from the new data only",
                self.settings.refresh_seconds,
            )
            self.cache.end_refresh()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop computing ahead (waiting up to ``timeout`` seconds) and close the store."""
        self._warming.stop(timeout)
        self.stores.close()


def _refuse_demo_accounts(stores: StoreProvider) -> None:
    """End the sessions of the demo accounts (refused outside demo mode) and tell the admin."""
    with stores.borrow() as store:
        for username in demo_accounts(store):
            end_user_sessions(store, username)
            logger.warning(
                "demo account %r (its password is published) is refused outside demo mode: "
                "stop the server and remove it with `revintel users remove %s --db %s`",
                username,
                username,
                stores.root.location,
            )
