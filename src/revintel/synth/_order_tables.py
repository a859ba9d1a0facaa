"""The ``orders`` and ``order_lines`` tables as an ERP exports them.

Orders are numbered by date (``B0000001`` …), returns in a number range of their own
(``G0000001`` …, credit notes); an order's lines are ``<order>-1``, ``<order>-2`` … and its
amount is the sum of their net amounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.synth import _config as c
from revintel.synth._columns import ids, take, timestamps, with_lineage
from revintel.synth._company import Company
from revintel.synth._guest_orders import GUEST_ACCOUNT_ID
from revintel.synth._order_lines import Lines
from revintel.synth._returns import Returns

CHANNELS = ("field_sales", "inside_sales", "webshop", "edi")
FIELD_SALES, INSIDE_SALES, WEBSHOP, EDI = range(len(CHANNELS))
NO_ONE = -1  # an order without account (a guest) or without an opportunity before it


@dataclass(frozen=True)
class SalesOrders:
    """Orders (no returns) as arrays, in the order their lines point at them."""

    account: np.ndarray  # account index, NO_ONE for a guest
    day: np.ndarray
    channel: np.ndarray  # index into CHANNELS
    lead: np.ndarray  # index of the lead whose won deal it is, NO_ONE for a repeat order
    lines: Lines


def order_tables(
    config: c.SynthConfig,
    company: Company,
    sales: SalesOrders,
    returns: Returns,
    batch: str,
) -> tuple[pa.Table, pa.Table]:
    """The ``orders`` and ``order_lines`` tables of ``sales`` and their ``returns``."""
    n_sales, n_returns = len(sales.day), len(returns.day)
    by_day = np.argsort(sales.day, kind="stable")
    rank = np.empty(n_sales, dtype=np.int64)
    rank[by_day] = np.arange(n_sales)
    returns_by_day = np.argsort(returns.day, kind="stable")
    return_rank = np.empty(n_returns, dtype=np.int64)
    return_rank[returns_by_day] = np.arange(n_returns)
    sales_ids = ids("B", np.arange(1, n_sales + 1), 7)
    return_ids = ids("G", np.arange(1, n_returns + 1), 7)
    original = returns.original[returns_by_day]
    rows = np.concatenate([by_day, original])  # the sales order behind every row
    account = sales.account[rows]
    lines = Lines.concat([sales.lines, returns.lines], [0, n_sales])
    sold = lines.order < n_sales
    row_of_line = np.empty(len(lines.order), dtype=np.int64)
    row_of_line[sold] = rank[lines.order[sold]]
    row_of_line[~sold] = n_sales + return_rank[lines.order[~sold] - n_sales]
    amount = np.bincount(row_of_line, weights=lines.net, minlength=n_sales + n_returns).round(2)
    order_id = pa.concat_arrays([sales_ids, return_ids])
    lead = np.concatenate([sales.lead[by_day], np.full(n_returns, NO_ONE)])
    rep = np.where(account >= 0, company.account_rep[np.maximum(account, 0)], NO_ONE)
    day = np.concatenate([sales.day[by_day], returns.day[returns_by_day]])
    orders = with_lineage(
        {
            "order_id": order_id,
            "account_id": _accounts(account),
            "opportunity_id": _optional("O", lead, 7),
            "rep_id": _optional("R", rep, 3),
            "ordered_at": timestamps(config.start, day),
            "channel": take(CHANNELS, sales.channel[rows]),
            "amount": amount,
            "currency": np.full(len(amount), config.currency),
            "kind": take(("order", "return"), np.repeat([0, 1], [n_sales, n_returns])),
            "original_order_id": pa.concat_arrays(
                [pa.nulls(n_sales, pa.string()), sales_ids.take(pa.array(rank[original]))]
            ),
        },
        "order_id",
        batch,
    )
    return orders, _lines_table(config, lines, row_of_line, order_id, batch)


def _lines_table(
    config: c.SynthConfig, lines: Lines, row_of_line: np.ndarray, order_id: pa.Array, batch: str
) -> pa.Table:
    """Lines grouped by order, numbered within it in the order they were built."""
    order = np.argsort(row_of_line, kind="stable")
    lines, row = lines.take(order), row_of_line[order]
    starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
    number = np.arange(len(row)) - np.repeat(starts, np.diff(np.r_[starts, len(row)])) + 1
    line_order = order_id.take(pa.array(row))
    return with_lineage(
        {
            "order_line_id": pc.binary_join_element_wise(
                line_order, pa.array(number).cast(pa.string()), "-"
            ),
            "order_id": line_order,
            "product_id": ids("P", lines.product + 1, 3),
            "quantity": lines.quantity,
            "unit_price": lines.unit_price,
            "discount": lines.discount,
            "net_amount": lines.net,
            "cost": lines.cost,
            "currency": np.full(len(row), config.currency),
        },
        "order_line_id",
        batch,
    )


def _accounts(account: np.ndarray) -> pa.Array:
    """Account ids, the guest account where there is no account."""
    known = ids("A", np.maximum(account, 0) + 1, 5)
    return pc.if_else(pa.array(account >= 0), known, pa.scalar(GUEST_ACCOUNT_ID))


def _optional(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Ids of ``numbers`` (0-based), null where a number is ``NO_ONE``."""
    known = ids(prefix, np.maximum(numbers, 0) + 1, width)
    return pc.if_else(pa.array(numbers >= 0), known, pa.scalar(None, pa.string()))
