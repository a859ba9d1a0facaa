"""Orders: first orders from won deals, then repeat purchases, cross-buying and churn.

Repeat buying follows the BG/NBD story (Fader, Hardie & Lee 2005, "Counting your customers the
easy way") in its modified form MBG/NBD (Batislam, Denizel & Filiztekin 2007): while alive, a
customer buys at a Poisson rate drawn from Gamma(r, alpha); after each purchase, the first one
included, it drops out with a probability drawn from Beta(a, b). Spend per order follows the
Gamma-Gamma model (Fader, Hardie & Lee 2005, "RFM and CLV"): the value of the whole order, which
its lines share (:mod:`revintel.synth._order_lines`). A few orders come back as returns
(:mod:`revintel.synth._returns`), and webshop buyers without a customer number order as guests
(:mod:`revintel.synth._guest_orders`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.synth import _config as c
from revintel.synth._columns import row_choice
from revintel.synth._company import Company
from revintel.synth._guest_orders import guest_account, guest_lines, guest_order_days
from revintel.synth._journeys import STEPS, Journeys
from revintel.synth._leads import Leads
from revintel.synth._order_lines import Lines, repeat_lines
from revintel.synth._order_tables import (
    EDI,
    FIELD_SALES,
    INSIDE_SALES,
    NO_ONE,
    WEBSHOP,
    SalesOrders,
    order_tables,
)
from revintel.synth._pipeline import Deals
from revintel.synth._returns import draw_returns
from revintel.synth._wallet import Wallet, plant_wallet, share_of_wallet

MAX_REPEATS = 60


@dataclass(frozen=True)
class OrderBook:
    """Orders and order lines plus the customer-level truth of the purchase process."""

    orders: pa.Table
    order_lines: pa.Table
    customers: np.ndarray  # account index of each customer
    dropped_out_at: np.ndarray  # day of dropout, NaN when still alive at the end
    affinity: np.ndarray  # (families, families) P(next family | first family)
    guest_accounts: pa.Table  # the placeholder account of guest orders, when there are any
    wallet: Wallet  # planted potential and service hours of every account
    first_day: np.ndarray  # day of each customer's first order
    mean_rate: float  # purchases a year of a customer while alive, weighted by time alive

    @property
    def intake(self) -> pa.Table:
        """Orders of customers, returns and guests left out: what targets are planned from."""
        orders = self.orders
        sale = pc.equal(orders["kind"], "order")
        return orders.filter(pc.and_(sale, pc.is_valid(orders["rep_id"])))


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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
    return customer, day, dropped, rate


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


@dataclass(frozen=True)
class RepeatOrders:
    """The purchase process drawn for repeat orders: who, when, how much, what first, how."""

    customer: np.ndarray  # index into the customers
    day: np.ndarray
    value: np.ndarray  # net value of the whole order (Gamma-Gamma, see ``wallet_values``)
    product: np.ndarray  # product of the first line, unless the value cannot pay for it
    discount: np.ndarray
    channel: np.ndarray  # index into CHANNELS
    rate: np.ndarray  # per customer: purchases a year while alive
    spend_rate: np.ndarray  # per customer: Gamma-Gamma rate of its order values

    def wallet_values(self, yearly_spend: np.ndarray, mean_rate: float) -> np.ndarray:
        """Order values rescaled so that each order's customer buys ``yearly_spend`` (one value
        per order: the spend planted for its customer in its year) a year while alive.

        A customer's drawn values keep their Gamma(p) spread around its own mean, and that mean
        becomes ``yearly_spend / mean_rate``: a customer buying at the mean rate spends what is
        planted for it (:mod:`revintel.synth._wallet`), one buying twice as often twice that;
        over the customers' purchase rates the expected spend is the planted one, and order
        values stay as even as the potentials.
        """
        unit = self.value * self.spend_rate[self.customer] / c.SPEND_P  # mean 1 per customer
        return unit * yearly_spend / mean_rate

    def mean_rate(self, first_day: np.ndarray, dropped: np.ndarray, as_of: float) -> float:
        """Purchases a year of the customers while alive, weighted by how long they were.

        Customers buying often drop out sooner, so a year of a customer alive is more often one
        of a slow buyer than the mean of the drawn rates says.
        """
        end = np.where(np.isnan(dropped), as_of, dropped)
        years = np.maximum(end - first_day, 0.0)
        if years.sum() <= 0:
            return c.REPEAT_R / c.REPEAT_ALPHA
        return float((self.rate * years).sum() / years.sum())


def _draw_repeat_orders(
    rng: np.random.Generator,
    first_day: np.ndarray,
    first_family: np.ndarray,
    affinity: np.ndarray,
    as_of: float,
) -> tuple[RepeatOrders, np.ndarray]:
    """Repeat orders of the customers first buying on ``first_day``, and their dropout days.

    Exactly the draws the purchase process always made, in the same order: a company made in one
    piece draws its opportunities and touchpoints from ``rng`` next.
    """
    customer, day, dropped, rate = _repeat_purchases(rng, first_day, as_of)
    spend_rate = rng.gamma(c.SPEND_Q, 1 / c.SPEND_GAMMA, len(first_day))
    value = rng.gamma(c.SPEND_P, 1 / spend_rate[customer])
    family = row_choice(rng, affinity[first_family[customer]])
    product = family * c.PRODUCTS_PER_FAMILY + rng.integers(0, c.PRODUCTS_PER_FAMILY, len(customer))
    discount = rng.uniform(0.0, 0.08, len(customer)).round(3)
    web_share = np.clip(day / 365.25 * 0.08, 0.02, 0.35)  # the webshop grows year by year
    u = rng.random(len(customer))
    channel = np.where(u < web_share, WEBSHOP, np.where(u < web_share + 0.2, EDI, INSIDE_SALES))
    repeat = RepeatOrders(
        customer, day, value, product, discount, channel, rate * 365.25, spend_rate
    )
    return repeat, dropped


def orders_of_won(
    config: c.SynthConfig,
    rng: np.random.Generator,
    company: Company,
    won: WonDeals,
    as_of: float,
    batch: str,
) -> OrderBook:
    """First orders for the ``won`` deals, repeat orders for their customers, and the lines.

    The purchase process is drawn from ``rng``; everything else (further lines, guests,
    returns) from a stream of its own, so that no other table depends on it. A customer's
    repeat orders are worth its planted potential times the share of wallet its service hours
    of the order's year win, and their lines lean towards the families of its potential.
    """
    order = np.argsort(won.day, kind="stable")
    customers, first = np.unique(won.account[order], return_index=True)
    first_deal = order[first]
    first_family = company.product_family[won.product[first_deal]]
    affinity = affinity_matrix()
    first_day = won.day[order][first]
    repeat, dropped = _draw_repeat_orders(rng, first_day, first_family, affinity, as_of)
    wallet = plant_wallet(config, company)
    spend = wallet.spend[customers]
    mean_rate = repeat.mean_rate(first_day, dropped, as_of)
    account = customers[repeat.customer]
    yearly = wallet.potential[account].sum(axis=1) * share_of_wallet(
        wallet.hours_in(account, repeat.day)
    )
    repeat = replace(repeat, value=repeat.wallet_values(yearly, mean_rate))
    detail = np.random.default_rng([config.seed, c.ORDER_DETAIL_STREAM])
    family_of = first_family[repeat.customer]
    tilt = _calibrated_tilt(config, company, repeat, family_of, affinity, spend)
    lines = repeat_lines(
        detail, company, family_of, repeat.value, repeat.discount, repeat.product, affinity, tilt
    )
    sales = _sales_orders(detail, company, won, customers[repeat.customer], repeat, lines, as_of)
    returns = draw_returns(detail, sales.day, sales.lines, as_of)
    orders, order_lines = order_tables(config, company, sales, returns, batch)
    guests = guest_account(batch, needed=bool((sales.account == NO_ONE).any()))
    return OrderBook(
        orders, order_lines, customers, dropped, affinity, guests, wallet, first_day, mean_rate
    )


def _calibrated_tilt(
    config: c.SynthConfig,
    company: Company,
    repeat: RepeatOrders,
    first_family: np.ndarray,
    affinity: np.ndarray,
    spend: np.ndarray,
) -> np.ndarray:
    """Weights per repeat order and family that make its lines' families follow the spend.

    Lines follow the affinity row of the order's families times the customer's planted spend
    per family, over the affinity's own pull towards some families. Families differ in what one
    line is worth (a training against a conveyor), so a trial basketing (from a stream of its
    own) measures each family's share of the order values against the spend's share, and the
    weights are corrected by that ratio.
    """
    tilt = spend[repeat.customer] / affinity.mean(axis=0)
    mix = spend[repeat.customer] / spend[repeat.customer].sum(axis=1, keepdims=True)
    wanted = (repeat.value[:, None] * mix).sum(axis=0)
    trial = np.random.default_rng([config.seed, c.ORDER_DETAIL_STREAM, 1])
    lines = repeat_lines(
        trial, company, first_family, repeat.value, repeat.discount, repeat.product, affinity, tilt
    )
    family = company.product_family[lines.product]
    got = np.bincount(family, weights=lines.net, minlength=len(wanted))
    return tilt * np.where(got > 0, wanted / np.maximum(got, 1e-9), 1.0)


def _sales_orders(
    rng: np.random.Generator,
    company: Company,
    won: WonDeals,
    repeat_account: np.ndarray,
    repeat: RepeatOrders,
    repeat_lines: Lines,
    as_of: float,
) -> SalesOrders:
    """The orders of won deals (one line each: the deal), repeat orders and guest orders."""
    n_first, n_repeat = len(won.lead), len(repeat.day)
    first_lines = Lines.priced(
        company,
        np.arange(n_first),
        won.product,
        won.list_price / company.product_price[won.product],
        won.discount,
    )
    guest_day = guest_order_days(rng, repeat.day[repeat.channel == WEBSHOP], as_of)
    n_guest = len(guest_day)
    guests = guest_lines(rng, company, n_guest)
    return SalesOrders(
        account=np.concatenate([won.account, repeat_account, np.full(n_guest, NO_ONE)]),
        day=np.concatenate([won.day, repeat.day, guest_day]),
        channel=np.concatenate(
            [np.full(n_first, FIELD_SALES), repeat.channel, np.full(n_guest, WEBSHOP)]
        ),
        lead=np.concatenate([won.lead, np.full(n_repeat + n_guest, NO_ONE)]),
        lines=Lines.concat([first_lines, repeat_lines, guests], [0, n_first, n_first + n_repeat]),
    )
