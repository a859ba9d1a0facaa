"""What a running server holds: its settings, the store, sessions, token look-ups, throttle."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import ibis

from revintel.auth import (
    LoginThrottle,
    SessionStore,
    StoredLoginThrottle,
    TokenCache,
    TrustedProxies,
    accounts_of,
    demo_accounts,
    end_user_sessions,
    ensure_auth_tables,
    is_postgres,
    link_accounts,
    open_accounts,
)
from revintel.model import FunnelDefinition, load_funnel
from revintel.server._cache import ResultCache
from revintel.server._data_version import DataVersion, ensure_version_table
from revintel.server._memory import limit_duckdb_allocator
from revintel.server._refresh import refresh_urls
from revintel.server._settings import Settings
from revintel.server._timezone import serve_zone
from revintel.server._warm_helper import WarmHelper, helper_possible
from revintel.server._warming import HelperRun, WarmerStats, Warming
from revintel.store import (
    DEFAULT_CURRENCY,
    DEFAULT_TIMEZONE,
    Store,
    open_store,
    store_currency,
    store_timezone,
)

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
    """A pool of store connections: data store connections, each linked to a connection of the
    application store (the same one when both are one database).

    A DuckDB connection must not be used by two threads at once, and FastAPI may run a request's
    dependencies and handler on different worker threads; so each request borrows a cursor of
    the connection opened at start-up and returns it when the response is sent. A PostgreSQL
    request gets a connection of its own the same way (one per request running at once, opened
    when first needed and kept for the next). Other engines (Spark) share the one connection.

    Parameters
    ----------
    location
        The data store (default ``$REVINTEL_DB`` or ``./revintel.duckdb``).
    app_store
        The application store (users, tokens, sessions); default: the data store itself.
    """

    def __init__(self, location: str | None, app_store: str | None = None) -> None:
        self.root = open_store(location)
        try:
            same = app_store is None or app_store == self.root.location
            self.accounts_root = self.root if same else open_accounts(str(app_store))
        except Exception:
            self.root.close()
            raise
        ensure_auth_tables(self.accounts_root)
        ensure_version_table(self.accounts_root)
        limit_duckdb_allocator(self.root)
        self._idle: queue.SimpleQueue[Store] = queue.SimpleQueue()
        self._opened: list[Store] = []
        self._lock = threading.Lock()

    @property
    def shared(self) -> bool:
        """Whether other processes may use the application store at the same time (PostgreSQL):
        then nothing read from it is kept in memory for long."""
        return is_postgres(self.accounts_root.location)

    def _connection(self, root: Store) -> Store:
        """A new connection to the database of ``root`` for one borrower at a time."""
        if root.is_duckdb:
            cursor = root.backend.con.cursor()
            return _PooledStore(
                ibis.duckdb.from_connection(cursor), root.location, migrate_schema=False
            )
        if is_postgres(root.location):
            backend = open_store(root.location).backend
            with self._lock:
                opened = _PooledStore(backend, root.location, migrate_schema=False)
                self._opened.append(opened)
            return opened
        return _PooledStore(root.backend, root.location, migrate_schema=False, engine=root.engine)

    def acquire(self) -> Store:
        """A data store connection, linked to its application store connection, for the
        caller's exclusive use until :meth:`release`."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        store = self._connection(self.root)
        if self.accounts_root is not self.root:
            link_accounts(store, self._connection(self.accounts_root))
        return store

    def release(self, store: Store) -> None:
        """Give a connection back to the pool."""
        self._idle.put(store)

    @contextmanager
    def borrow(self) -> Iterator[Store]:
        """A data store connection (linked to the application store) for the block."""
        store = self.acquire()
        try:
            yield store
        finally:
            self.release(store)

    @contextmanager
    def borrow_accounts(self) -> Iterator[Store]:
        """An application store connection for the block."""
        with self.borrow() as store:
            yield accounts_of(store)

    def close(self) -> None:
        """Close the databases and every connection opened for borrowers."""
        with self._lock:
            opened, self._opened = self._opened, []
        for store in opened:
            store.close()
        if self.accounts_root is not self.root:
            self.accounts_root.close()
        self.root.close()


@dataclass
class AppState:
    """Everything request handlers share."""

    settings: Settings
    stores: StoreProvider
    sessions: SessionStore
    funnel: FunnelDefinition = field(default_factory=load_funnel)
    cache: ResultCache = field(default_factory=ResultCache)
    throttle: LoginThrottle | StoredLoginThrottle = field(default_factory=LoginThrottle)
    tokens: TokenCache = field(default_factory=TokenCache)
    proxies: TrustedProxies = field(default_factory=TrustedProxies)
    #: The store's time zone, read at start: responses state times with its offset.
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    #: The store's currency, read at start: amounts are summed and shown in it.
    currency: str = DEFAULT_CURRENCY
    #: The data version shared with other server processes on the same application store
    #: (``None`` when no other process can share it: a DuckDB file).
    versions: DataVersion | None = None
    #: The API answers to ask for again after a change (path, query) instead of those the cache
    #: kept (set in a helper process, which gets them from the server).
    urls_again: list[tuple[str, str]] | None = None
    _warming: Warming = field(init=False)

    @classmethod
    def start(cls, settings: Settings) -> AppState:
        """Open the stores named by ``settings`` and prepare sessions, token look-ups and the
        login throttle; outside demo mode, refuse the demo accounts (with a warning).

        On an application store other processes may share (PostgreSQL), sessions and tokens
        are read from it at every request, failed sign-ins are counted in it, and data changes
        are announced through it (:class:`~revintel.server._data_version.DataVersion`).
        """
        stores = StoreProvider(settings.db, settings.app_location)
        try:
            return cls._prepare(settings, stores)
        except BaseException:
            stores.close()
            raise

    @classmethod
    def _prepare(cls, settings: Settings, stores: StoreProvider) -> AppState:
        if not settings.demo:
            _refuse_demo_accounts(stores)
        # With other processes on the application store, nothing read from it is trusted for
        # longer than the request: a session ended or a token revoked there ends here at once.
        recheck = 0.0 if stores.shared else None
        sessions = SessionStore(
            stores.borrow_accounts,
            settings.secret,
            idle_seconds=settings.session_idle_minutes * 60,
            absolute_seconds=settings.session_hours * 3600,
            allow_demo=settings.demo,
            recheck_seconds=recheck,
        )
        throttle: LoginThrottle | StoredLoginThrottle
        if stores.shared:
            throttle = StoredLoginThrottle(
                stores.borrow_accounts, settings.login_max_failures, settings.login_window_seconds
            )
            tokens = TokenCache(allow_demo=settings.demo, recheck_seconds=0.0)
        else:
            throttle = LoginThrottle(settings.login_max_failures, settings.login_window_seconds)
            tokens = TokenCache(allow_demo=settings.demo)
        serve_zone(zone := store_timezone(stores.root))
        return cls(
            settings=settings,
            stores=stores,
            sessions=sessions,
            throttle=throttle,
            tokens=tokens,
            proxies=settings.proxies,
            cache=ResultCache(max_bytes=settings.max_cache_bytes),
            timezone=zone,
            currency=store_currency(stores.root),
            versions=DataVersion(stores.borrow_accounts) if stores.shared else None,
        )

    def __post_init__(self) -> None:
        self._warming = Warming(self.cache)
        self._warming.on_settled = self.cache.end_refresh
        if self.settings.refresh_in_helper and helper_possible(
            self.stores.root, self.stores.accounts_root
        ):
            self._warming.helper = WarmHelper(
                self.settings,
                self.stores.borrow,
                self.cache,
                lambda: refresh_urls(self.cache),
                self._warming.cancelled,
            )

    def add_warmer(self, warmer: Callable[[], None], *, late: bool = False) -> None:
        """Have ``warmer`` compute views ahead at start and after every data change.

        A ``late`` warmer (a slow page) runs after the others: the author of a change is
        answered without waiting for it, and its page is computed again in the background,
        when a reader asked for its results since it last ran (:mod:`revintel.server._warming`).
        """
        self._warming.add(warmer, late=late)

    @property
    def warmer_stats(self) -> dict[str, WarmerStats]:
        """Runs, skipped runs and seconds of each warmer, by name."""
        return self._warming.stats

    @property
    def warm_helper(self) -> WarmHelper | None:
        """What computes the results again in a helper process after a change, if anything."""
        helper = self._warming.helper
        return helper if isinstance(helper, WarmHelper) else None

    def warm_here(self, names: list[str]) -> HelperRun:
        """Run the warmers named once on this thread: each one's seconds and result keys."""
        return self._warming.run_here(names)

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
        reads its own change. Without it, every kept result is forgotten at once. Other server
        processes on the same stores learn of the change through the shared data version.
        """
        if self.versions is not None:
            try:
                self.versions.bump()
            except Exception:  # the change is made; only the other processes learn it later
                logger.error(
                    "announcing a data change to the other processes failed", exc_info=True
                )
        if not self.settings.warm_up or not self._warming.warmers:
            self.cache.clear()
            return
        self.cache.begin_refresh()
        self.warm()
        if not self._warming.settled.wait(self.settings.refresh_seconds):
            logger.warning(
                "results were not computed again within %d s of a data change: "
                "answering from the new data only",
                self.settings.refresh_seconds,
            )
            self.cache.end_refresh()

    def data_changed_elsewhere(self) -> None:
        """Another server process changed the data: forget every kept result at once (readers
        here compute from the new data) and compute the views ahead again."""
        self.cache.clear()
        self.warm()

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
                "stop the server and remove it with `revintel users remove %s --db %s%s`",
                username,
                username,
                stores.root.location,
                ""
                if stores.accounts_root is stores.root
                else f" --app-db {stores.accounts_root.location}",
            )
