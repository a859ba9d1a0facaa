"""Expected margin of an order of one product family, per account.

The family's typical margin is the mean margin (net amount − cost of its lines) of the orders
that contained it. An account that tends to place larger orders is expected to bring more: the
typical margin is scaled by the account's expected order value from the Gamma-Gamma model
relative to the population's (Fader, Hardie & Lee 2005, "RFM and CLV"), when enough repeat
buyers allow the fit.
"""

from __future__ import annotations

import logging
import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from revintel.customers._gammagamma import GammaGammaModel
from revintel.customers._interactions import RETURN_KIND, end_of
from revintel.customers._summary import purchase_summary
from revintel.store import Store

log = logging.getLogger(__name__)

#: Repeat buyers needed before the Gamma-Gamma scaling is trusted.
MIN_REPEAT_BUYERS = 30
#: Bounds of the scaling factor, so that one account's few large orders cannot dominate.
SCALE_BOUNDS = (0.2, 5.0)


def family_order_margin(store: Store, family: str, day: date) -> float:
    """Mean margin of the family's lines per order that contained the family, up to ``day``.

    Raises
    ------
    ValueError
        When no order line of the family has both a net amount and a cost.
    """
    cutoff = end_of(day).to_pydatetime()
    orders = store.table("orders")
    orders = orders.filter(
        (orders.ordered_at < cutoff) & (orders.kind.fill_null("order") != RETURN_KIND)
    )
    products = store.table("products")
    products = products.filter(products.family == family)
    lines = store.table("order_lines")
    lines = lines.filter(
        lines.product_id.isin(products.product_id)
        & lines.order_id.isin(orders.order_id)
        & lines.net_amount.notnull()
        & lines.cost.notnull()
    )
    margins = lines.select("order_id", margin=lines.net_amount - lines.cost).to_pyarrow()
    if not margins.num_rows:
        raise ValueError(
            f"no order line of {family!r} up to {day} has a net amount and a cost: "
            "the expected margin cannot be computed"
        )
    # the mean of the per-order sums is the total over the orders; an exactly rounded sum makes
    # it independent of the order in which a parallel engine hands the lines over
    total = math.fsum(margins.column("margin").to_pylist())
    return total / len(pc.unique(margins.column("order_id")))


def order_value_scale(store: Store, day: date, accounts: pd.Series) -> np.ndarray | None:
    """Each account's Gamma-Gamma expected order value / the population's mean order value.

    ``None`` when fewer than ``MIN_REPEAT_BUYERS`` repeat buyers exist or the fit fails.
    """
    real = store.table("accounts")
    real = real.filter(~real.placeholder.fill_null(False))
    orders = store.table("orders")
    orders = orders.filter(
        (orders.ordered_at < end_of(day).to_pydatetime()) & orders.account_id.isin(real.account_id)
    )
    frame = orders.select(
        "order_id", "account_id", "ordered_at", "amount", "kind", "original_order_id"
    ).to_pandas()
    frame = frame[frame["amount"].notna()]
    if frame.empty:
        return None
    try:
        summary = purchase_summary(frame, pd.Timestamp(day))
        repeat = summary[(summary["frequency"] > 0) & (summary["mean_value"] > 0)]
        if len(repeat) < MIN_REPEAT_BUYERS:
            return None
        model = GammaGammaModel().fit(repeat["frequency"], repeat["mean_value"])
        p, q, gamma = (float(model.params_[name]) for name in ("p", "q", "gamma"))
        population = p * gamma / (q - 1.0)
        known = summary.reindex(accounts.to_numpy())
        value = model.expected_order_value(
            known["frequency"].fillna(0.0).to_numpy(), known["mean_value"].fillna(0.0).to_numpy()
        )
    except (ValueError, RuntimeError, ArithmeticError) as exc:
        log.info("order value scaling left out: %s", exc)
        return None
    if not population > 0:
        return None
    return np.clip(np.asarray(value) / population, *SCALE_BOUNDS)


def expected_family_margins(
    store: Store, family: str, day: date, accounts: pd.Series
) -> tuple[np.ndarray, dict[str, Any]]:
    """Expected margin of an order of ``family`` for each of ``accounts``, with a note on how.

    Returns
    -------
    tuple
        The margins (aligned with ``accounts``) and notes: ``family_order_margin`` and
        ``margin_basis`` (``gamma_gamma`` when scaled by expected order value, else
        ``family_mean``).
    """
    typical = family_order_margin(store, family, day)
    scale = order_value_scale(store, day, accounts)
    notes: dict[str, Any] = {"family_order_margin": round(typical, 2)}
    if scale is None:
        notes["margin_basis"] = "family_mean"
        return np.full(len(accounts), typical), notes
    notes["margin_basis"] = "gamma_gamma"
    return typical * scale, notes
