"""PostgreSQL as a store: ``postgres://USER@HOST:PORT/DATABASE``."""

from __future__ import annotations

import ibis
from ibis.backends import BaseBackend

from revintel.store._engines import Engine


def connect_postgres(url: str) -> BaseBackend:
    """Connect to the PostgreSQL database named by ``url``."""
    return ibis.connect(url)


class PostgresEngine(Engine):
    """PostgreSQL: real transactions, SQL translated from DuckDB's dialect."""

    name = "postgres"
