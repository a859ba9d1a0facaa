"""Returns: credit notes and cancellations that take back part of an earlier order.

A few orders are returned some days or weeks after they were placed: the return is an order of
its own (kind ``return``, negative amount) on the same account, pointing at the order it reverses,
with negative quantities of some of that order's lines — never more than was ordered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from revintel.synth import _config as c
from revintel.synth._order_lines import Lines


@dataclass(frozen=True)
class Returns:
    """Returns as arrays: the order each reverses, when, and their (negative) lines."""

    original: np.ndarray  # position of the returned order
    day: np.ndarray
    lines: Lines  # ``order`` is the position of the return among the returns


def draw_returns(
    rng: np.random.Generator, order_day: np.ndarray, lines: Lines, as_of: float
) -> Returns:
    """Returns of the orders placed on ``order_day`` with ``lines``, those before ``as_of``.

    Each order is returned with probability ``RETURN_SHARE``; each of its lines is in the return
    with probability ``RETURN_LINE_SHARE`` (one line at least) with 1 to all of its units.
    """
    n = len(order_day)
    chosen = rng.random(n) < c.RETURN_SHARE
    delay = c.RETURN_MIN_DAYS + rng.gamma(c.RETURN_DELAY_SHAPE, c.RETURN_DELAY_DAYS, n)
    day = order_day + delay
    original = np.flatnonzero(chosen & (day < as_of))
    position = np.full(n, -1)
    position[original] = np.arange(len(original))
    candidates = np.flatnonzero(position[lines.order] >= 0)
    u = rng.random(len(candidates))
    by_draw = np.lexsort((u, lines.order[candidates]))
    first = np.ones(len(candidates), dtype=bool)
    first[1:] = lines.order[candidates][by_draw][1:] != lines.order[candidates][by_draw][:-1]
    returned = u < c.RETURN_LINE_SHARE
    returned[by_draw[first]] = True  # the line drawn first is always in the return
    rows = candidates[returned]
    ordered = lines.quantity[rows]
    units = np.where(ordered >= 1, 1 + np.floor(rng.random(len(rows)) * np.floor(ordered)), ordered)
    taken = lines.take(rows)
    back = Lines(
        order=position[taken.order],
        product=taken.product,
        quantity=-units,
        unit_price=taken.unit_price,
        discount=taken.discount,
        net=-(taken.unit_price * units * (1 - taken.discount)).round(2),
        cost=-(taken.cost / taken.quantity * units).round(2),
    )
    return Returns(original=original, day=day[original], lines=back)
