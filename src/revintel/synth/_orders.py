"""Orders: first orders from won deals, then repeat purchases, cross-buying and churn.

Repeat buying follows the BG/NBD story (Fader, Hardie & Lee 2005, "Counting your customers the
easy way"): while alive, a customer buys at a Poisson rate drawn from Gamma(r, alpha); after each
purchase it drops out with a probability drawn from Beta(a, b). Spend per order follows the
Gamma-Gamma model (Fader, Hardie & Lee 2005, "RFM and CLV").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.synth import _config as c
from revintel.synth._columns import ids, row_choice, take, timestamps, with_lineage
from revintel.synth._company import Company
from revintel.synth._journeys import STEPS, Journeys
from revintel.synth._leads import Leads
from revintel.synth._pipeline import Deals

MAX_REPEATS = 60


@dataclass(frozen=True)
class OrderBook:
    """Orders and order lines plus the customer-level truth of the purchase process."""

    orders: pa.Table
    order_lines: pa.Table
    customers: np.ndarray  # account index of each customer
    dropped_out_at: np.ndarray  # day of dropout, NaN when still alive at the end
    affinity: np.ndarray  # (families, families) P(next family | first family)


def affinity_matrix() -> np.ndarray:
    """Planted probability that a customer of family i buys family j in a repeat order."""
    names = [f[0] for f in c.FAMILIES]
    weights = np.full((len(names), len(names)), 0.3)
    np.fill_diagonal(weights, 2.0)
    for (a, b), w in c.AFFINITY_PAIRS.items():
        weights[names.index(a), names.index(b)] = w
    return weights / weights.sum(axis=1, keepdims=True)


def _repeat_purchases(
    rng: np.random.Generator, first_day: np.ndarray, as_of: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(first_day)
    rate = rng.gamma(c.REPEAT_R, 1 / c.REPEAT_ALPHA, n) / 365.25  # purchases per day
    dropout = rng.beta(c.DROPOUT_A, c.DROPOUT_B, n)
    alive = np.ones(n, dtype=bool)
    last = first_day.copy()
    dropped = np.full(n, np.nan)
    who, when = [], []
    # BG/NBD: the customer may drop out right after each purchase, the first one included.
    out = rng.random(n) < dropout
    dropped[out] = last[out]
    alive &= ~out
    for _ in range(MAX_REPEATS):
        if not alive.any():
            break
        idx = np.flatnonzero(alive)
        nxt = last[idx] + rng.exponential(1 / rate[idx])
        inside = nxt <= as_of
        alive[idx[~inside]] = False
        idx, nxt = idx[inside], nxt[inside]
        who.append(idx)
        when.append(nxt)
        last[idx] = nxt
        out = rng.random(len(idx)) < dropout[idx]
        dropped[idx[out]] = nxt[out]
        alive[idx[out]] = False
    customer = np.concatenate(who) if who else np.array([], int)
    day = np.concatenate(when) if when else np.array([])
    return customer, day, dropped


@dataclass(frozen=True)
class WonDeals:
    """The won deals the first orders come from (one entry per won deal)."""

    lead: np.ndarray  # index of the deal's lead among all leads (its id is ``lead + 1``)
    day: np.ndarray  # day the deal was won
    account: np.ndarray
    product: np.ndarray
    list_price: np.ndarray
    discount: np.ndarray

    @classmethod
    def of(cls, leads: Leads, journeys: Journeys, deals: Deals) -> WonDeals:
        """The won deals of one set of leads."""
        won = np.flatnonzero(deals.status == 1)
        lead = deals.lead[won]
        return cls(
            lead=leads.first + lead,
            day=journeys.time[lead, STEPS],
            account=leads.account[lead],
            product=deals.product[won],
            list_price=deals.list_price[won],
            discount=deals.discount[won],
        )

    @classmethod
    def concat(cls, parts: list[WonDeals]) -> WonDeals:
        """The won deals of several blocks of leads, in block order."""
        return cls(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in cls.__dataclass_fields__)
        )


def build_orders(
    config: c.SynthConfig,
    rng: np.random.Generator,
    company: Company,
    leads: Leads,
    journeys: Journeys,
    deals: Deals,
    batch: str,
) -> OrderBook:
    """First orders for won deals, repeat orders for customers, and their lines."""
    won = WonDeals.of(leads, journeys, deals)
    return orders_of_won(config, rng, company, won, journeys.as_of, batch)


def orders_of_won(
    config: c.SynthConfig,
    rng: np.random.Generator,
    company: Company,
    won: WonDeals,
    as_of: float,
    batch: str,
) -> OrderBook:
    """First orders for the ``won`` deals, repeat orders for their customers, and the lines."""
    won_lead, won_day, account = won.lead, won.day, won.account
    order = np.argsort(won_day, kind="stable")
    customers, first = np.unique(account[order], return_index=True)
    first_deal = order[first]
    first_day = won_day[order][first]
    first_family = company.product_family[won.product[first_deal]]
    repeat_customer, repeat_day, dropped = _repeat_purchases(rng, first_day, as_of)
    affinity = affinity_matrix()
    spend_rate = rng.gamma(c.SPEND_Q, 1 / c.SPEND_GAMMA, len(customers))
    repeat_value = rng.gamma(c.SPEND_P, 1 / spend_rate[repeat_customer])
    repeat_family = row_choice(rng, affinity[first_family[repeat_customer]])
    repeat_product = repeat_family * c.PRODUCTS_PER_FAMILY + rng.integers(
        0, c.PRODUCTS_PER_FAMILY, len(repeat_customer)
    )
    repeat_qty = np.maximum(1, np.round(repeat_value / company.product_price[repeat_product]))
    repeat_discount = rng.uniform(0.0, 0.08, len(repeat_customer)).round(3)

    n_first, n_repeat = len(won_lead), len(repeat_customer)
    order_account = np.concatenate([account, customers[repeat_customer]])
    order_day = np.concatenate([won_day, repeat_day])
    product = np.concatenate([won.product, repeat_product])
    qty = np.concatenate([won.list_price / company.product_price[won.product], repeat_qty])
    discount = np.concatenate([won.discount, repeat_discount])
    unit_price = company.product_price[product]
    net = (unit_price * qty * (1 - discount)).round(2)
    year = 2020 + order_day / 365.25
    web_share = np.clip((year - 2020) * 0.08, 0.02, 0.35)
    u = rng.random(n_repeat)
    repeat_channel = np.where(
        u < web_share[n_first:], 2, np.where(u < web_share[n_first:] + 0.2, 3, 1)
    )
    channel = np.concatenate([np.zeros(n_first, int), repeat_channel])
    order_id = ids("B", np.arange(1, n_first + n_repeat + 1), 7)
    opportunity_id = pc.if_else(
        pa.array(np.arange(n_first + n_repeat) < n_first),
        pa.concat_arrays([ids("O", won_lead + 1, 7), pa.nulls(n_repeat, pa.string())]),
        pa.scalar(None, pa.string()),
    )
    orders = with_lineage(
        {
            "order_id": order_id,
            "account_id": ids("A", order_account + 1, 5),
            "opportunity_id": opportunity_id,
            "rep_id": ids("R", company.account_rep[order_account] + 1, 3),
            "ordered_at": timestamps(config.start, order_day),
            "channel": take(("field_sales", "inside_sales", "webshop", "edi"), channel),
            "amount": net,
            "currency": np.full(len(net), config.currency),
        },
        "order_id",
        batch,
    )
    lines = with_lineage(
        {
            "order_line_id": pc.binary_join_element_wise(order_id, pa.scalar("-1"), ""),
            "order_id": order_id,
            "product_id": ids("P", product + 1, 3),
            "quantity": qty,
            "unit_price": unit_price,
            "discount": discount,
            "net_amount": net,
            "cost": (company.product_cost[product] * qty).round(2),
            "currency": np.full(len(net), config.currency),
        },
        "order_line_id",
        batch,
    )
    return OrderBook(orders, lines, customers, dropped, affinity)
