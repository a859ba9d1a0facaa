"""Leads of the demo company: when they arrive, through which channel and campaign, for whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from revintel.synth import _config as c
from revintel.synth._columns import ids, row_choice, take, timestamps, weighted_choice, with_lineage
from revintel.synth._company import Company

SEASON = np.array([1.0, 1.05, 1.1, 1.05, 1.0, 0.95, 0.8, 0.75, 1.05, 1.1, 1.05, 0.8])
ANNUAL_GROWTH = 1.15


@dataclass(frozen=True)
class Leads:
    """Lead attributes as arrays (one entry per lead), plus the campaigns table."""

    created_day: np.ndarray  # days after config.start (fractional)
    channel: np.ndarray
    account: np.ndarray
    contact: np.ndarray
    rep: np.ndarray
    campaign: np.ndarray  # row index into campaigns
    engagement: np.ndarray
    response_hours: np.ndarray
    in_dip: np.ndarray
    campaigns: pa.Table
    dip_start_day: float
    first: int = 0  # number of leads before this block: lead ``i`` here has id ``first + i + 1``


@dataclass(frozen=True)
class LeadBlock:
    """A block of consecutive leads generated on its own: the arrival days of its leads, the
    number of leads before it, and the id of every campaign by channel-and-quarter code
    (``channel * quarters + quarter``), so blocks share one campaign catalogue."""

    days: np.ndarray
    first: int
    campaign_ids: pa.Table  # one column ``campaign_id``, one row per code


def _calendar(config: c.SynthConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    days = np.arange(config.days)
    dates = np.datetime64(config.start.isoformat(), "D") + days
    months = dates.astype("datetime64[M]").astype(int) % 12
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    decimal_year = years + (dates - dates.astype("datetime64[Y]")).astype(int) / 365.25
    weekday = (dates.astype(int) + 3) % 7  # 0 = Monday
    return decimal_year, months, weekday


def _channel_mix(config: c.SynthConfig, decimal_year: np.ndarray, dip_day: int) -> np.ndarray:
    digital_share = np.clip(0.30 + 0.40 * (decimal_year - 2020.2) / 4.3, 0.30, 0.72)
    mix = np.hstack(
        [digital_share[:, None] * c.DIGITAL_MIX, (1 - digital_share)[:, None] * c.OFFLINE_MIX]
    )
    start, stop = (np.datetime64(d.isoformat(), "D") for d in c.TRADE_FAIR_COLLAPSE)
    dates = np.datetime64(config.start.isoformat(), "D") + np.arange(config.days)
    collapse = (dates >= start) & (dates < stop)
    fair = c.CHANNELS.index("trade_fair")
    mix[collapse, fair] *= 0.05
    mix[dip_day:, c.CHANNELS.index("social")] *= c.DIP_CHANNEL_BOOST
    return mix / mix.sum(axis=1, keepdims=True)


def dip_start(config: c.SynthConfig) -> date:
    """First day of the planted MQL→SAL acceptance dip: the last quarter of the history."""
    last = config.end - timedelta(days=1)
    return date(last.year, ((last.month - 1) // 3) * 3 + 1, 1)


def campaign_name(config: c.SynthConfig, channel: int, quarter: int, dip_quarter: int) -> str:
    """Name of the campaign of ``channel`` in ``quarter`` (quarters counted from the start)."""
    first_month = config.start.year * 12 + config.start.month - 1
    year, mon = divmod(first_month + 3 * quarter, 12)
    template = c.CHANNEL_CAMPAIGN_NAME[channel]
    if c.CHANNELS[channel] == "social" and quarter == dip_quarter:
        template = "LinkedIn Lead Ads {q}"
    return template.format(q=f"Q{mon // 3 + 1}/{year}")


def campaigns_table(
    config: c.SynthConfig,
    channel: np.ndarray,
    quarter: np.ndarray,
    lead_counts: np.ndarray,
    numbers: np.ndarray,
    batch: str,
) -> pa.Table:
    """The ``campaigns`` table: one campaign per channel and quarter, numbered ``numbers``."""
    first_month = config.start.year * 12 + config.start.month - 1
    dip_quarter = dip_quarter_of(config)
    names, starts, ends = [], [], []
    for ch, q in zip(channel, quarter, strict=True):
        year, mon = divmod(first_month + 3 * int(q), 12)
        names.append(campaign_name(config, int(ch), int(q), dip_quarter))
        starts.append(np.datetime64(f"{year:04d}-{mon + 1:02d}-01", "us"))
        end_year, end_mon = divmod(first_month + 3 * int(q) + 3, 12)
        ends.append(
            np.datetime64(f"{end_year:04d}-{end_mon + 1:02d}-01", "us") - np.timedelta64(1, "s")
        )
    return with_lineage(
        {
            "campaign_id": ids("K", numbers, 4),
            "name": names,
            "channel": take(c.CHANNELS, channel),
            "kind": ["digital" if c.DIGITAL[ch] else "offline" for ch in channel],
            "started_at": np.array(starts, dtype="datetime64[us]"),
            "ended_at": np.array(ends, dtype="datetime64[us]"),
            "budget": (lead_counts * c.CHANNEL_COST_PER_LEAD[channel]).round(-2),
            "currency": [config.currency] * len(channel),
        },
        "campaign_id",
        batch,
    )


def dip_quarter_of(config: c.SynthConfig) -> int:
    """Quarter (counted from the start) of the planted acceptance dip: the last one."""
    months = (config.end.year - config.start.year) * 12 + config.end.month - config.start.month
    return (months - 1) // 3


def quarters_of(config: c.SynthConfig) -> int:
    """Number of quarters the history touches."""
    return dip_quarter_of(config) + 1


def _campaigns(
    config: c.SynthConfig, channel: np.ndarray, quarter: np.ndarray, batch: str
) -> tuple[pa.Table, np.ndarray]:
    """The campaigns the leads used (numbered in channel, quarter order) and each lead's row."""
    n_quarters = int(quarter.max()) + 1
    code = channel * n_quarters + quarter
    used, campaign = np.unique(code, return_inverse=True)
    lead_counts = np.bincount(campaign, minlength=len(used))
    numbers = np.arange(1, len(used) + 1)
    table = campaigns_table(
        config, used // n_quarters, used % n_quarters, lead_counts, numbers, batch
    )
    return table, campaign


def lead_days(config: c.SynthConfig, rng: np.random.Generator, n: int) -> np.ndarray:
    """Arrival day (whole days after the start) of ``n`` leads, in time order."""
    _decimal_year, months, weekday = _calendar(config)
    years_in = np.arange(config.days) / 365.25
    weights = ANNUAL_GROWTH**years_in * SEASON[months] * np.where(weekday >= 5, 0.25, 1.0)
    day = weighted_choice(rng, weights, n)
    return np.sort(day)


def build_leads(
    config: c.SynthConfig,
    rng: np.random.Generator,
    company: Company,
    batch: str,
    block: LeadBlock | None = None,
) -> Leads:
    """Draw every lead's arrival, channel, campaign, account, contact and hidden traits.

    Without ``block`` all ``config.leads`` leads are drawn. With it only the block's leads
    (arrival days given) are drawn, and each lead's campaign row is its channel-and-quarter
    code among all campaigns (see :class:`LeadBlock`).
    """
    day = lead_days(config, rng, config.leads) if block is None else block.days
    n = len(day)
    decimal_year, _, _ = _calendar(config)
    created = day + rng.uniform(0.3, 0.75, n)  # working hours
    dip_day = (dip_start(config) - config.start).days
    channel = row_choice(rng, _channel_mix(config, decimal_year, dip_day)[day])
    months_in = (
        (np.datetime64(config.start.isoformat(), "D") + day).astype("datetime64[M]").astype(int)
        - (config.start.year - 1970) * 12
        - (config.start.month - 1)
    )
    quarter = months_in // 3
    if block is None:
        campaigns, campaign = _campaigns(config, channel, quarter, batch)
    else:
        campaigns, campaign = block.campaign_ids, channel * quarters_of(config) + quarter
    account = weighted_choice(rng, company.account_weight, n)
    offset = (rng.random(n) * company.contacts_count[account]).astype(int)
    contact = company.contacts_start[account] + offset
    in_dip = (day >= dip_day) & (channel == c.CHANNELS.index("social"))
    return Leads(
        created_day=created,
        channel=channel,
        account=account,
        contact=contact,
        rep=company.account_rep[account],
        campaign=campaign,
        engagement=rng.normal(0, 1, n),
        response_hours=rng.lognormal(np.log(c.RESPONSE_HOURS_MEDIAN), 0.9, n),
        in_dip=in_dip,
        campaigns=campaigns,
        dip_start_day=float(dip_day),
        first=0 if block is None else block.first,
    )


def leads_table(
    config: c.SynthConfig, leads: Leads, status: pa.Array, reason: pa.Array, batch: str
) -> pa.Table:
    """The ``leads`` model table."""
    n = len(leads.created_day)
    return with_lineage(
        {
            "lead_id": ids("L", leads.first + np.arange(1, n + 1), 7),
            "account_id": ids("A", leads.account + 1, 5),
            "contact_id": ids("C", leads.contact + 1, 6),
            "rep_id": ids("R", leads.rep + 1, 3),
            "channel": take(c.CHANNELS, leads.channel),
            "campaign_id": leads.campaigns.column("campaign_id").take(pa.array(leads.campaign)),
            "created_at": timestamps(config.start, leads.created_day),
            "status": status,
            "disqualified_reason": reason,
        },
        "lead_id",
        batch,
    )
