"""The planted truth of the purchase process, with what the generated orders show of it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow.compute as pc

from revintel.synth import _config as c
from revintel.synth._guest_orders import GUEST_ACCOUNT_ID
from revintel.synth._orders import OrderBook


def purchase_truth(book: OrderBook) -> dict[str, Any]:
    """``purchase_process`` of the truth file: planted parameters and the counts they gave."""
    orders = book.orders
    is_return = pc.equal(orders["kind"], "return").to_numpy(zero_copy_only=False)
    guest = pc.equal(orders["account_id"], GUEST_ACCOUNT_ID).to_numpy(zero_copy_only=False)
    first = pc.is_valid(orders["opportunity_id"]).to_numpy(zero_copy_only=False)
    webshop = pc.equal(orders["channel"], "webshop").to_numpy(zero_copy_only=False)
    repeat = ~is_return & ~guest & ~first
    sales = int((~is_return).sum())
    return {
        "model": (
            "MBG/NBD repeat purchases (drop-out possible after every order, the first one "
            "included), Gamma-Gamma spend"
        ),
        "r": c.REPEAT_R,
        "alpha_years": c.REPEAT_ALPHA,
        "a": c.DROPOUT_A,
        "b": c.DROPOUT_B,
        "spend_p": c.SPEND_P,
        "spend_q": c.SPEND_Q,
        "spend_gamma": c.SPEND_GAMMA,
        "spend_is": "the total of a repeat order (its lines share it); first orders are the won "
        "deals' amounts. Each customer's Gamma-Gamma values are then rescaled to a mean of its "
        "planted yearly spend (allocation: potential × share of wallet) over the mean purchase "
        "rate, so spend_q and spend_gamma describe the draws, not the order values",
        "customers": len(book.customers),
        "orders": sales,
        "first_orders": int(first.sum()),
        "repeat_orders": int(repeat.sum()),
        "lines_per_repeat_order": {
            "planted": f"1 + Poisson({c.EXTRA_LINES_MEAN}), at most {c.MAX_LINES}; fewer when "
            "the order's value is used up, one line per product",
            "extra_lines_mean": c.EXTRA_LINES_MEAN,
            "max": c.MAX_LINES,
            **_lines_per_order(book, repeat),
        },
        "lines_per_first_order": 1,
        "max_order_discount": c.MAX_ORDER_DISCOUNT,
        "returns": {
            "share_of_orders": c.RETURN_SHARE,
            "delay_days": f"{c.RETURN_MIN_DAYS:g} + Gamma({c.RETURN_DELAY_SHAPE:g}, "
            f"{c.RETURN_DELAY_DAYS:g}), none after the as-of date",
            "line_share": c.RETURN_LINE_SHARE,
            "returns": int(is_return.sum()),
        },
        "guests": {
            "share_of_webshop_orders": c.GUEST_SHARE,
            "account_id": GUEST_ACCOUNT_ID,
            "orders": int((guest & ~is_return).sum()),
            "webshop_orders": int((webshop & ~is_return).sum()),
        },
    }


def _lines_per_order(book: OrderBook, chosen: np.ndarray) -> dict[str, Any]:
    """Mean and distribution of the number of lines of the ``chosen`` orders."""
    wanted = book.orders.filter(chosen)["order_id"].combine_chunks()
    lines = book.order_lines.filter(pc.is_in(book.order_lines["order_id"], value_set=wanted))
    counts = pc.value_counts(lines["order_id"]).field("counts").to_numpy()
    if len(counts) == 0:
        return {"mean": None, "share": {}}
    sizes, n = np.unique(counts, return_counts=True)
    return {
        "mean": round(float(counts.mean()), 4),
        "share": {str(k): round(float(v / len(counts)), 4) for k, v in zip(sizes, n, strict=True)},
    }
