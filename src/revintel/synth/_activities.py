"""Sales activities of the demo company as a CRM logs them (table ``activities``).

Each customer gets the sales hours a week planted for it in each of its service years
(:mod:`revintel.synth._wallet`: today's service rule times the year's factor) from its first
order to the as-of date: calls, visits and
meetings whose durations add up to those hours, Poisson in number and lognormal in length, plus
e-mails without a duration, on working days, by the account's owner. An activity in the 60 days
before a later won deal of its account belongs to that deal. Drawn from a random stream of its
own, so that adding them left every other table of the demo as it was.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from revintel.synth import _config as c
from revintel.synth._columns import ids, take, timestamps, with_lineage
from revintel.synth._company import Company
from revintel.synth._orders import OrderBook
from revintel.synth._wallet import YEAR_DAYS

#: Second seed word of the activities' own random stream ("AC").
STREAM = 0x4143
#: Days before a won deal in which an account's activities count as work on that deal.
DEAL_WINDOW_DAYS = 60.0
#: Working hours an activity starts in (local time).
DAY_STARTS, DAY_HOURS = 8.0, 9.0


def activities_table(
    config: c.SynthConfig, company: Company, book: OrderBook, batch: str
) -> pa.Table:
    """The logged activities of every customer in ``book`` over its customer life."""
    rng = np.random.default_rng([config.seed, STREAM])
    customers = book.customers
    begin, end = _service_years(config, book)  # (customers, years): served part of each year
    wallet = book.wallet
    hours = wallet.hours[customers][:, None] * wallet.year_factor[customers]
    planned = hours * (end - begin) / 7.0  # sales hours of each customer-year
    timed = c.ACTIVITY_MEAN_MINUTES > 0
    # activities per planned hour: the kind's share of the hours over its mean length
    mean_minutes = np.where(timed, c.ACTIVITY_MEAN_MINUTES, 1.0)
    per_hour = np.where(timed, c.ACTIVITY_HOUR_SHARE * 60.0 / mean_minutes, 0.0)
    per_hour[~timed] = c.ACTIVITY_EMAILS_PER_HOUR
    counts = rng.poisson(planned[:, :, None] * per_hour[None, None, :])  # customer, year, kind
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    who, year, kind = np.unravel_index(cell, counts.shape)
    sigma = c.ACTIVITY_DURATION_SIGMA
    minutes = c.ACTIVITY_MEAN_MINUTES[kind] * rng.lognormal(-(sigma**2) / 2, sigma, len(kind))
    start, stop = begin[who, year], end[who, year]
    day = _working_time(rng, config, start + rng.random(len(who)) * (stop - start))
    order = np.argsort(day, kind="stable")
    account, kind, day, minutes = customers[who][order], kind[order], day[order], minutes[order]
    duration = pa.array(minutes.round(1), mask=~timed[kind])
    return with_lineage(
        {
            "activity_id": ids("AK", np.arange(1, len(day) + 1), 7),
            "rep_id": ids("R", company.account_rep[account] + 1, 3),
            "account_id": ids("A", account + 1, 5),
            "opportunity_id": _deals(config, book, account, day),
            "kind": take(c.ACTIVITY_KINDS, kind),
            "occurred_at": timestamps(config.start, day),
            "duration_minutes": duration,
        },
        "activity_id",
        batch,
    )


def _service_years(config: c.SynthConfig, book: OrderBook) -> tuple[np.ndarray, np.ndarray]:
    """First and last day (exclusive) each customer is served in each of its service years
    (:meth:`~revintel.synth._wallet.Wallet.year_end`): from its first order to the as-of date;
    equal where it was not a customer."""
    wallet, customers = book.wallet, book.customers
    back = np.arange(wallet.year_factor.shape[1])
    year_end = wallet.year_end(customers[:, None], back[None, :])  # (customers, years)
    start = np.maximum(year_end - YEAR_DAYS, book.first_day[:, None])
    end = np.maximum(np.minimum(year_end, float(config.days)), start)
    return start, end


def _working_time(rng: np.random.Generator, config: c.SynthConfig, day: np.ndarray) -> np.ndarray:
    """``day`` moved to a working day (a weekend on to Monday, or back to Friday when Monday is
    past the as-of date) at a time within working hours."""
    whole = np.floor(day)
    weekday = (config.start.weekday() + whole.astype(np.int64)) % 7
    whole = whole + 2 * (weekday == 5) + (weekday == 6)
    whole = np.where(whole >= config.days, whole - 3, whole)
    return whole + (DAY_STARTS + rng.random(len(day)) * DAY_HOURS) / 24.0


def _deals(
    config: c.SynthConfig, book: OrderBook, account: np.ndarray, day: np.ndarray
) -> pa.Array:
    """The won deal each activity worked towards: the account's next one within the window."""
    orders = book.orders
    won = pc.and_(pc.is_valid(orders["opportunity_id"]), pc.equal(orders["kind"], "order"))
    deals = orders.filter(won).select(["account_id", "opportunity_id", "ordered_at"]).to_pandas()
    activities = pd.DataFrame(
        {
            "row": np.arange(len(day)),
            "account_id": ids("A", account + 1, 5).to_numpy(zero_copy_only=False),
            "at": timestamps(config.start, day),
        }
    )
    if deals.empty or activities.empty:
        return pa.nulls(len(day), pa.string())
    deals = deals.rename(columns={"ordered_at": "at"}).sort_values("at", kind="stable")
    deals["at"] = deals["at"].astype("datetime64[us]")
    joined = pd.merge_asof(
        activities.sort_values("at", kind="stable"),
        deals,
        on="at",
        by="account_id",
        direction="forward",
        tolerance=pd.Timedelta(days=DEAL_WINDOW_DAYS),
    ).sort_values("row")
    return pa.array(joined["opportunity_id"].to_numpy(dtype=object), pa.string(), from_pandas=True)
