"""Leads, opportunities and accounts as a user may see them: filtered pages, details, timelines.

The API, the dashboard and the report read through these functions; all apply row-level access.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from revintel.auth import AccessDeniedError, User, visible, visible_tables
from revintel.metrics import in_store_currency
from revintel.model import TABLES, table
from revintel.store import Store
from revintel.views._record_filters import (
    LINEAGE_FILTERS,
    RELATED_FILTERS,
    DayRange,
    JourneyFilter,
    QueryError,
    between,
    journey_leads,
    related_rows,
    within_days,
)
from revintel.views._scores import SCORE_KINDS, has_scores, parse_reasons, with_scores

#: Columns each list can be filtered on by equality.
LIST_FILTERS: dict[str, tuple[str, ...]] = {
    "leads": ("channel", "status", "rep_id", "account_id", "campaign_id"),
    "opportunities": ("status", "stage", "rep_id", "account_id", "product_id", "lead_id"),
    "accounts": ("industry", "segment", "region", "country", "owner_rep_id"),
}
RECORD_TABLES = tuple(LIST_FILTERS)


class CursorError(QueryError):
    """A keyset position that does not belong to the list as it is asked for now."""


class RecordNotFoundError(LookupError):
    """No row with the requested key exists."""


@dataclass(frozen=True)
class RecordQuery:
    """Filters, order and page of a list.

    ``created_from`` and ``created_to`` bound ``created_at`` by calendar day, both inclusive.
    ``sort`` ``None`` orders scored lists (leads, deals) by score, others by ``created_at``.
    ``after`` (keyset paging) starts the page behind the row with that (sort column, sort
    value, key); ``offset`` skips rows instead. ``filters`` may also name the related filters
    of :data:`RELATED_FILTERS` and the lineage columns; ``ranges`` bound further day columns
    (:data:`DAY_RANGES`), ``journey`` keeps leads by their journey, ``search`` finds accounts
    by name or key and ``missing`` keeps rows without a value in that column.
    """

    filters: Mapping[str, str] = field(default_factory=dict)
    created_from: date | None = None
    created_to: date | None = None
    sort: str | None = None
    descending: bool = True
    limit: int = 50
    offset: int = 0
    after: tuple[str, Any, str] | None = None
    ranges: tuple[DayRange, ...] = ()
    journey: JourneyFilter | None = None
    search: str | None = None
    missing: str | None = None


@dataclass(frozen=True)
class RecordPage:
    """One page of a list and the number of rows matching the filters.

    ``last`` is (sort column, sort value, key) of the page's last row when more rows follow
    (pass it as :attr:`RecordQuery.after` for the next page), else ``None``.
    """

    total: int
    rows: list[dict[str, Any]]
    last: tuple[str, Any, str] | None = None


def _has_control_characters(text: str) -> bool:
    # A NUL byte ends DuckDB's SQL text inside the quoted literal, so such a key or filter value
    # would fail the query instead of matching nothing; no key or value of the model holds one.
    return any(ord(c) < 32 for c in text)


def _check_record_table(name: str) -> None:
    if name not in LIST_FILTERS:
        raise QueryError(f"unknown record table {name!r}; known: {', '.join(RECORD_TABLES)}")


def filtered(store: Store, user: User, name: str, query: RecordQuery) -> ibis.Table:
    """The visible rows of ``name`` that match ``query``'s filters (unordered, unpaged)."""
    _check_record_table(name)
    t = visible(store, user, name)
    related = RELATED_FILTERS.get(name, {})
    for column, value in query.filters.items():
        if column not in (*LIST_FILTERS[name], *LINEAGE_FILTERS) and column not in related:
            raise QueryError(f"{name} cannot be filtered on {column!r}")
        if _has_control_characters(value):
            raise QueryError(f"{column}: control characters are not allowed")
        if column in related:
            t = related_rows(store, name, t, column, value)
        else:
            t = t.filter(t[column] == value)
    if query.created_from is not None or query.created_to is not None:
        t = t.filter(between(t.created_at, query.created_from, query.created_to))
    t = within_days(name, t, query.ranges)
    if query.missing is not None:
        if query.missing not in table(name).column_names():
            raise QueryError(f"{name} has no column {query.missing!r}")
        t = t.filter(t[query.missing].isnull())
    if query.journey:
        if name != "leads":
            raise QueryError(f"{name} cannot be filtered by the journey of a lead")
        t = journey_leads(store, user, t, query.journey)
    if query.search:
        if _has_control_characters(query.search):
            raise QueryError("search: control characters are not allowed")
        if name != "accounts":
            raise QueryError(f"{name} cannot be searched by name")
        text = query.search.lower()
        t = t.filter(t.name.lower().contains(text) | t[table(name).key[0]].lower().contains(text))
    return t


def _with_names(store: Store, name: str, t: ibis.Table) -> ibis.Table:
    reps = store.table("reps")
    rep_key = "owner_rep_id" if name == "accounts" else "rep_id"
    rep_names = reps.select(rep_key_=reps.rep_id, rep_name=reps.name)
    t = t.left_join(rep_names, t[rep_key] == rep_names.rep_key_).drop("rep_key_")
    if name == "accounts":
        return t
    accounts = store.table("accounts")
    account_names = accounts.select(account_key_=accounts.account_id, account_name=accounts.name)
    return t.left_join(account_names, t.account_id == account_names.account_key_).drop(
        "account_key_"
    )


def sortable_columns(name: str) -> tuple[str, ...]:
    """The columns the list ``name`` can be sorted by (scored lists also by ``score``)."""
    _check_record_table(name)
    columns = tuple(table(name).column_names())
    return (*columns, "score") if name in SCORE_KINDS else columns


def _sort_column(store: Store, name: str, sort: str | None) -> str:
    if sort is None:
        return "score" if name in SCORE_KINDS and has_scores(store, name) else "created_at"
    if sort not in sortable_columns(name):
        raise QueryError(f"{name} cannot be sorted by {sort!r}")
    return sort


def _fits(dtype: dt.DataType, value: object) -> bool:
    if dtype.is_timestamp():
        return isinstance(value, datetime)
    if dtype.is_date():
        return isinstance(value, date) and not isinstance(value, datetime)
    if dtype.is_boolean():
        return isinstance(value, bool)
    if dtype.is_numeric():
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str) and not _has_control_characters(value)


def _behind(
    t: ibis.Table, sort: str, key: str, after: tuple[str, Any, str], descending: bool
) -> ibis.Table:
    """The rows of ``t`` after the position ``after`` in the order (sort, key), nulls last."""
    column, value, last_key = after
    if column != sort:
        raise CursorError(
            f"cursor: the list is now ordered by {sort!r}, not {column!r}; start again from "
            "the first page"
        )
    if not isinstance(last_key, str) or _has_control_characters(last_key):
        raise CursorError("cursor: not a cursor of this list")
    if value is not None and not _fits(t[sort].type(), value):
        raise CursorError("cursor: not a cursor of this list")
    col = t[sort]
    same = t[key] > last_key
    if value is None:  # nulls come last: only the rest of the null rows follow
        return t.filter(col.isnull() & same)
    beyond = col < value if descending else col > value
    return t.filter(beyond | ((col == value) & same) | col.isnull())


def _scored_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        if "score_reasons" in row:
            row["score_reasons"] = parse_reasons(row["score_reasons"])
    return rows


def list_records(store: Store, user: User, name: str, query: RecordQuery) -> RecordPage:
    """A page of ``name`` (with ``account_name``/``rep_name``) as ``user`` may see it.

    Leads and deals also carry their latest ``score`` (of the list's primary kind, see
    :data:`SCORE_KINDS`), ``score_kind``, ``scored_at`` and ``score_reasons``.
    """
    key = table(name).key[0]
    sort = _sort_column(store, name, query.sort)
    t = filtered(store, user, name, query)
    total = int(t.count().execute())
    if name in SCORE_KINDS:
        t = with_scores(store, name, t, key)
    if query.after is not None:
        t = _behind(t, sort, key, query.after, query.descending)
    # Nulls come last in both directions (ibis' default), as _behind expects.
    order = [ibis.desc(sort) if query.descending else ibis.asc(sort)]
    if sort != key:
        order.append(ibis.asc(key))
    # One row more than asked tells whether another page follows.
    window = t.order_by(order).limit(query.limit + 1, offset=query.offset)
    rows = _with_names(store, name, window).order_by(order).to_pyarrow().to_pylist()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    last = (sort, rows[-1][sort], rows[-1][key]) if more and rows else None
    return RecordPage(total=total, rows=_scored_rows(rows), last=last)


def count_rows(store: Store, name: str, equals: Mapping[str, str | None]) -> int:
    """Rows of the store table ``name`` whose columns equal the given non-null values (the
    caller has checked that the user may see the table)."""
    t = store.table(name)
    for column, value in equals.items():
        if value is not None:
            t = t.filter(t[column] == value)
    return int(t.count().execute())


def get_record(store: Store, user: User, name: str, key: str) -> dict[str, Any]:
    """The row of ``name`` with primary key ``key``.

    Raises
    ------
    RecordNotFoundError
        No such row exists.
    AccessDeniedError
        The row exists but belongs to another rep.
    """
    _check_record_table(name)
    key_column = table(name).key[0]
    if _has_control_characters(key):
        raise RecordNotFoundError(f"no {name} row with {key_column} {key!r}")
    mine = visible(store, user, name)
    found = mine.filter(mine[key_column] == key)
    if name in SCORE_KINDS:
        found = with_scores(store, name, found, key_column)
    rows = _scored_rows(_with_names(store, name, found).to_pyarrow().to_pylist())
    if rows:
        return rows[0]
    everyone = store.table(name)
    if int(everyone.filter(everyone[key_column] == key).count().execute()) > 0:
        raise AccessDeniedError(f"{name} {key!r} belongs to another rep")
    raise RecordNotFoundError(f"no {name} row with {key_column} {key!r}")


def record_counts(store: Store, user: User) -> dict[str, int]:
    """Rows per model table among those ``user`` sees (:func:`revintel.auth.visible_tables`):
    a sales rep counts their own leads, deals, accounts and targets and the rows hanging off
    them, never the company's."""
    tables = visible_tables(store, user)
    return {t.name: int(tables[t.name].count().execute()) for t in TABLES}


def monthly_counts(
    store: Store, user: User, name: str, query: RecordQuery
) -> list[tuple[date, int]]:
    """(first day of month, rows created) for visible rows of ``name`` matching ``query``."""
    t = filtered(store, user, name, query)
    month = t.created_at.truncate("M").date().name("month")
    grouped = t.group_by(month).aggregate(rows=t.count()).order_by("month").to_pyarrow()
    return list(zip(grouped["month"].to_pylist(), grouped["rows"].to_pylist(), strict=True))


def distinct_values(store: Store, user: User, name: str, column: str) -> list[str]:
    """Sorted non-null values of a filter column among the rows ``user`` sees."""
    _check_record_table(name)
    if column not in LIST_FILTERS[name]:
        raise QueryError(f"{name} cannot be filtered on {column!r}")
    t = visible(store, user, name)
    values = t.select(column).filter(t[column].notnull()).distinct().to_pyarrow()
    return sorted(str(v) for v in values[column].to_pylist())


def deal_totals(store: Store, user: User, query: RecordQuery) -> dict[str, tuple[int, float]]:
    """Per opportunity status: (deals, summed amount) among the visible deals matching ``query``."""
    t = in_store_currency(store, "opportunities", filtered(store, user, "opportunities", query))
    grouped = t.group_by("status").aggregate(deals=t.count(), amount=t.amount.sum()).to_pyarrow()
    return {
        str(s): (int(n), float(a or 0.0))
        for s, n, a in zip(
            grouped["status"].to_pylist(),
            grouped["deals"].to_pylist(),
            grouped["amount"].to_pylist(),
            strict=True,
        )
    }
