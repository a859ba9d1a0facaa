"""Importing rows that already live in the store's engine: a table or a query, no file between.

A CRM extract already in the lakehouse (``crm.leads_extract``) is read through Ibis into the same
Arrow pipeline as an export file: every cell becomes text, then mapping, typing, validation and
loading run unchanged. A source is named on the command line (``--table``, ``--query``) or in a
mapping object (``source: {table: …}`` or ``source: {query: …}``).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.common.exceptions as ibis_errors

from revintel.ingest._limits import FileLimits
from revintel.ingest._reading import IngestError, RawTable, checked_cells, text_cells
from revintel.store import Store

#: Characters of a query shown where a file name would be (reports, rejected rows, batches).
_QUERY_LABEL_CHARS = 60


@dataclass(frozen=True)
class TableSource:
    """Rows read from the store's engine instead of a file: a ``table`` or a ``query``.

    ``table`` may be qualified (``crm.leads_extract``: database ``crm``); ``query`` is SQL in the
    engine's own dialect. ``object`` names the mapping object the rows are (else the columns
    decide, as for a file).
    """

    table: str | None = None
    query: str | None = None
    object: str | None = None

    def __post_init__(self) -> None:
        if (self.table is None) == (self.query is None):
            raise IngestError("a table source names either a table or a query")
        if self.table is not None and not all(self.table.split(".")):
            raise IngestError(f"table {self.table!r}: not a table name (database.table)")
        if self.query is not None and not self.query.strip():
            raise IngestError("query source: the query is empty")

    def __str__(self) -> str:
        if self.table is not None:
            return f"table {self.table}"
        query = " ".join(str(self.query).split())
        short = query if len(query) <= _QUERY_LABEL_CHARS else query[:_QUERY_LABEL_CHARS] + "…"
        return f"query {short}"


def source_expression(store: Store, source: TableSource) -> ibis.Table:
    """The Ibis table ``source`` names on the store's backend; :class:`IngestError` if none."""
    backend = store.backend
    try:
        if source.query is not None:
            return backend.sql(source.query)
        *database, name = str(source.table).split(".")
        if not database:
            return backend.table(name)
        where = database[0] if len(database) == 1 else tuple(database)
        return backend.table(name, database=where)
    except ibis_errors.TableNotFound:
        raise IngestError(f"{source}: no such table in the store's engine") from None
    except Exception as exc:  # each engine reports unknown tables and bad SQL its own way
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise IngestError(f"{source}: cannot be read: {first}") from None


def read_table_source(store: Store, source: TableSource, limits: FileLimits) -> RawTable:
    """The rows of ``source`` with every cell as text, checked against ``limits`` like a file."""
    expr = source_expression(store, source)
    label = str(source)
    columns = len(expr.columns)
    rows = int(expr.count().execute())
    if rows > limits.max_rows or columns > limits.max_columns:
        raise IngestError(
            f"{label}: {rows:,} rows × {columns:,} columns; the limits are "
            f"{limits.max_rows:,} rows and {limits.max_columns:,} columns"
        )
    cells, numbers = text_cells(expr.to_pyarrow(), label)
    return checked_cells(RawTable(label, cells, numbers), limits)


__all__ = ["TableSource", "read_table_source", "source_expression"]
