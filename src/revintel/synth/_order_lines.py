"""Order lines: what each order contains, priced so that an order's lines add up to its value.

A repeat order's value is drawn first (Gamma-Gamma spend, see :mod:`revintel.synth._orders`);
its lines are then filled like a basket, among the families the rest of the value can still pay
for: the first line's family comes from the affinity row of the customer's first family, every
further line's from the row of the first line's family (so lines of one order go together as the
affinity says), and the value left after one unit of every line buys more units. The order's
discount closes the gap between the list price of those units and the value, so the order total
is the drawn value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from revintel.synth import _config as c
from revintel.synth._company import Company


@dataclass(frozen=True)
class Lines:
    """Order lines as arrays, one entry per line, each pointing at its order by position."""

    order: np.ndarray  # position of the line's order among the orders it was built for
    product: np.ndarray
    quantity: np.ndarray  # negative in a return
    unit_price: np.ndarray
    discount: np.ndarray
    net: np.ndarray
    cost: np.ndarray

    @classmethod
    def priced(
        cls,
        company: Company,
        order: np.ndarray,
        product: np.ndarray,
        quantity: np.ndarray,
        discount: np.ndarray,
    ) -> Lines:
        """Lines at list price less ``discount``: net and cost rounded to the cent."""
        unit_price = company.product_price[product]
        return cls(
            order=order,
            product=product,
            quantity=quantity,
            unit_price=unit_price,
            discount=discount,
            net=(unit_price * quantity * (1 - discount)).round(2),
            cost=(company.product_cost[product] * quantity).round(2),
        )

    @classmethod
    def concat(cls, parts: list[Lines], offsets: list[int]) -> Lines:
        """The lines of several groups of orders, their order positions shifted by ``offsets``."""
        names = cls.__dataclass_fields__
        joined = {f: np.concatenate([getattr(p, f) for p in parts]) for f in names}
        joined["order"] = np.concatenate([p.order + o for p, o in zip(parts, offsets, strict=True)])
        return cls(**joined)

    def take(self, rows: np.ndarray) -> Lines:
        """The lines at positions ``rows``."""
        return Lines(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))

    def order_totals(self, orders: int) -> np.ndarray:
        """Sum of the net amounts per order (``orders`` of them), rounded to the cent."""
        return np.bincount(self.order, weights=self.net, minlength=orders).round(2)


def repeat_lines(
    rng: np.random.Generator,
    company: Company,
    first_family: np.ndarray,
    value: np.ndarray,
    discount: np.ndarray,
    first_product: np.ndarray,
    affinity: np.ndarray,
    tilt: np.ndarray | None = None,
) -> Lines:
    """The lines of repeat orders worth ``value`` (net) before a list discount of ``discount``.

    Parameters
    ----------
    rng
        The generator of everything drawn after the purchase process.
    company
        The product catalogue (family, price and cost of each product).
    first_family
        Family of each order's customer's first purchase: its affinity row picks the family of
        the order's first line, whose row picks those of the further lines.
    value, discount
        Net value and the discount drawn for each order; the discount grows to whatever makes
        whole units add up to the value, up to ``MAX_ORDER_DISCOUNT``.
    first_product
        The product drawn for each order's first line; kept when the order can pay for it.
    affinity
        Planted P(family j | first family i), see :func:`~revintel.synth._orders.affinity_matrix`.
    tilt
        Optional (orders, families) weights multiplying the affinity row of every line (the
        customer's planted spend per family); with it the first line is drawn like the others
        and ``first_product`` is not used.
    """
    n = len(value)
    wanted = 1 + np.minimum(rng.poisson(c.EXTRA_LINES_MEAN, n), c.MAX_LINES - 1)
    budget = value / (1 - discount)  # what the order may cost at list price
    order, product = _fill_baskets(
        rng, company, first_family, first_product, budget, wanted, affinity, tilt
    )
    # one line per product: a product drawn twice in one order is one line with more units;
    # lines keep the order they were drawn in (the first line first)
    key = order * len(company.product_price) + product
    _, first_drawn, inverse, units = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    keep = np.sort(first_drawn)
    order, product = order[keep], product[keep]
    units = units[inverse[keep]]
    price = company.product_price[product]
    quantity = units + _extra_units(rng, order, price, budget, n)
    quantity += _top_up(order, price, quantity, value, n)
    at_list = np.bincount(order, weights=price * quantity, minlength=n)
    final = np.clip(1 - value / at_list, 0.0, c.MAX_ORDER_DISCOUNT)
    return Lines.priced(company, order, product, quantity.astype(float), final[order])


def _fill_baskets(
    rng: np.random.Generator,
    company: Company,
    first_family: np.ndarray,
    first_product: np.ndarray,
    budget: np.ndarray,
    wanted: np.ndarray,
    affinity: np.ndarray,
    tilt: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One unit per line: ``(order, product)`` of every line, line by line across all orders."""
    n, families = len(budget), affinity.shape[0]
    per_family = c.PRODUCTS_PER_FAMILY
    prices = company.product_price.reshape(families, per_family)
    cheapest = prices.argmin(axis=1)
    floor = prices.min(axis=1)
    # products of a family follow each other in an order, from a random start
    start = rng.integers(0, per_family, (n, families))
    taken = np.zeros((n, families), dtype=np.int64)
    left = budget.copy()
    row = first_family.copy()  # the affinity row lines are drawn from
    orders, products = [], []
    for j in range(c.MAX_LINES):
        idx = np.flatnonzero(wanted > j)
        weights = affinity[row[idx]] * (floor[None, :] <= left[idx, None])
        if tilt is not None:
            weights = weights * tilt[idx]
        can_pay = weights.sum(axis=1) > 0
        family = _row_choice(rng, weights)
        offset = (start[idx, family] + taken[idx, family]) % per_family
        product = family * per_family + offset
        too_dear = company.product_price[product] > left[idx]
        product[too_dear] = family[too_dear] * per_family + cheapest[family[too_dear]]
        if j == 0:
            kept = company.product_price[first_product[idx]] <= left[idx]
            if tilt is not None:
                kept[:] = False
            product[kept] = first_product[idx][kept]
            # an order worth less than any product still gets one: the cheapest there is
            product[~kept & ~can_pay] = int(company.product_price.argmin())
            can_pay[:] = True
            row[idx] = product // per_family
        idx, product = idx[can_pay], product[can_pay]
        taken[idx, product // per_family] += 1
        left[idx] -= company.product_price[product]
        orders.append(idx)
        products.append(product)
    return np.concatenate(orders), np.concatenate(products)


def _row_choice(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One column per row, with probability proportional to the row (0 for an all-zero row)."""
    cumulative = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cumulative[:, -1]
    return np.minimum((u[:, None] >= cumulative).sum(axis=1), weights.shape[1] - 1)


def _extra_units(
    rng: np.random.Generator, order: np.ndarray, price: np.ndarray, budget: np.ndarray, n: int
) -> np.ndarray:
    """Units beyond the first: the budget left is shared among an order's lines at random."""
    left = budget - np.bincount(order, weights=price, minlength=n)
    weight = rng.gamma(1.0, 1.0, len(order))  # normalised per order: Dirichlet(1, …, 1) shares
    share = weight / np.bincount(order, weights=weight, minlength=n)[order]
    return np.floor(np.maximum(left[order], 0.0) * share / price).astype(np.int64)


def _top_up(
    order: np.ndarray, price: np.ndarray, quantity: np.ndarray, value: np.ndarray, n: int
) -> np.ndarray:
    """Units that lift each order's list total to at least its value, overshooting the least.

    They go to the one line of the order whose units come closest above the value missing.
    """
    at_list = np.bincount(order, weights=price * quantity, minlength=n)
    missing = np.maximum(value - at_list, 0.0)[order]
    units = np.maximum(np.ceil(missing / price - 1e-9), 0.0)
    over = units * price - missing
    best = np.lexsort((over, order))
    first = np.ones(len(order), dtype=bool)
    first[1:] = order[best][1:] != order[best][:-1]
    extra = np.zeros(len(order), dtype=np.int64)
    extra[best[first]] = units[best[first]].astype(np.int64)
    return extra
