"""The application store: where users, API tokens, sessions and failed sign-ins are kept.

It is independent of the data store. By default it is the data store itself when that runs SQL
(a DuckDB file, PostgreSQL); a Spark data store keeps them in the DuckDB file
``revintel-app.duckdb`` inside its warehouse folder. ``--app-db`` (``REVINTEL_APP_DB``) names
another one, e.g. a PostgreSQL database shared by several server processes.

The functions of :mod:`revintel.auth` take a store: the application store itself, or a data
store connection linked to its application store with :func:`link_accounts` (the server hands
such pairs to its request handlers), so that they may check data (a rep id) and keep accounts.
"""

from __future__ import annotations

import weakref

from revintel.store import Store, StoreError, open_store

#: The environment variable naming the application store.
APP_DB_ENV_VAR = "REVINTEL_APP_DB"
#: The application store's file inside a Spark warehouse folder.
SPARK_APP_FILE = "revintel-app.duckdb"
_POSTGRES = ("postgres://", "postgresql://")

_LINKED: weakref.WeakKeyDictionary[Store, Store] = weakref.WeakKeyDictionary()


def app_location(data_location: str, app_db: str | None = None) -> str:
    """Where the application store of the data store at ``data_location`` is.

    ``app_db`` when given; else the data store itself, or for a Spark data store
    (``spark:///FOLDER``) the DuckDB file ``FOLDER/revintel-app.duckdb``.

    Examples
    --------
    >>> app_location("firma.duckdb")
    'firma.duckdb'
    >>> app_location("spark:///srv/warehouse")
    '/srv/warehouse/revintel-app.duckdb'
    >>> app_location("firma.duckdb", "postgresql://revintel@db/accounts")
    'postgresql://revintel@db/accounts'
    """
    if app_db:
        return app_db
    if data_location.startswith("spark://"):
        folder = data_location.removeprefix("spark://").rstrip("/")
        return f"{folder}/{SPARK_APP_FILE}"
    return data_location


def is_postgres(location: str) -> bool:
    """Whether ``location`` names a PostgreSQL database (shareable by several processes)."""
    return location.startswith(_POSTGRES)


def is_duckdb_file(location: str) -> bool:
    """Whether ``location`` names a DuckDB file (one writing process at a time)."""
    return "://" not in location or location.startswith("duckdb://")


def require_sql(store: Store) -> None:
    """Raise :class:`StoreError` unless ``store`` can keep accounts (it runs SQL)."""
    if not store.engine.runs_sql:
        raise StoreError(
            f"users, tokens and sessions need an application store that runs SQL (a DuckDB "
            f"file or PostgreSQL), and {store.location} does not: name one with --app-db "
            "or REVINTEL_APP_DB"
        )


def open_accounts(location: str) -> Store:
    """Open the application store at ``location`` (created when missing).

    Raises
    ------
    StoreError
        It cannot be opened, or its engine does not run SQL.
    """
    store = open_store(location)
    try:
        require_sql(store)
    except StoreError:
        store.close()
        raise
    return store


def link_accounts(store: Store, accounts: Store) -> None:
    """Keep the accounts of data store connection ``store`` in ``accounts`` (for its lifetime)."""
    if accounts is store:
        _LINKED.pop(store, None)
    else:
        _LINKED[store] = accounts


def accounts_of(store: Store) -> Store:
    """The application store of ``store``: the one linked to it, else ``store`` itself."""
    return _LINKED.get(store, store)
