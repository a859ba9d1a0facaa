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


def _campaigns(
    config: c.SynthConfig, channel: np.ndarray, quarter: np.ndarray, dip_quarter: int, batch: str
) -> tuple[pa.Table, np.ndarray]:
    n_quarters = int(quarter.max()) + 1
    code = channel * n_quarters + quarter
    used, campaign = np.unique(code, return_inverse=True)
    used_channel, used_quarter = used // n_quarters, used % n_quarters
    lead_counts = np.bincount(campaign, minlength=len(used))
    first_month = config.start.year * 12 + config.start.month - 1
    names, starts, ends = [], [], []
    for ch, q in zip(used_channel, used_quarter, strict=True):
        month = first_month + 3 * int(q)
        year, mon = divmod(month, 12)
        label = f"Q{mon // 3 + 1}/{year}"
        template = c.CHANNEL_CAMPAIGN_NAME[ch]
        if c.CHANNELS[ch] == "social" and q == dip_quarter:
            template = "LinkedIn Lead Ads {q}"
        names.append(template.format(q=label))
        starts.append(np.datetime64(f"{year:04d}-{mon + 1:02d}-01", "us"))
        end_year, end_mon = divmod(month + 3, 12)
        ends.append(
            np.datetime64(f"{end_year:04d}-{end_mon + 1:02d}-01", "us") - np.timedelta64(1, "s")
        )
    table = with_lineage(
        {
            "campaign_id": ids("K", np.arange(1, len(used) + 1), 4),
            "name": names,
            "channel": take(c.CHANNELS, used_channel),
            "kind": ["digital" if c.DIGITAL[ch] else "offline" for ch in used_channel],
            "started_at": np.array(starts),
            "ended_at": np.array(ends),
            "budget": (lead_counts * c.CHANNEL_COST_PER_LEAD[used_channel]).round(-2),
            "currency": [config.currency] * len(used),
        },
        "campaign_id",
        batch,
    )
    return table, campaign


def build_leads(
    config: c.SynthConfig, rng: np.random.Generator, company: Company, batch: str
) -> Leads:
    """Draw every lead's arrival, channel, campaign, account, contact and hidden traits."""
    decimal_year, months, weekday = _calendar(config)
    years_in = np.arange(config.days) / 365.25
    weights = ANNUAL_GROWTH**years_in * SEASON[months] * np.where(weekday >= 5, 0.25, 1.0)
    day = weighted_choice(rng, weights, config.leads)
    day = np.sort(day)
    created = day + rng.uniform(0.3, 0.75, config.leads)  # working hours
    dip_day = (dip_start(config) - config.start).days
    channel = row_choice(rng, _channel_mix(config, decimal_year, dip_day)[day])
    months_in = (
        (np.datetime64(config.start.isoformat(), "D") + day).astype("datetime64[M]").astype(int)
        - (config.start.year - 1970) * 12
        - (config.start.month - 1)
    )
    quarter = months_in // 3
    dip_quarter = (
        (config.end.year - config.start.year) * 12 + config.end.month - config.start.month - 1
    ) // 3
    campaigns, campaign = _campaigns(config, channel, quarter, dip_quarter, batch)
    account = weighted_choice(rng, company.account_weight, config.leads)
    offset = (rng.random(config.leads) * company.contacts_count[account]).astype(int)
    contact = company.contacts_start[account] + offset
    in_dip = (day >= dip_day) & (channel == c.CHANNELS.index("social"))
    return Leads(
        created_day=created,
        channel=channel,
        account=account,
        contact=contact,
        rep=company.account_rep[account],
        campaign=campaign,
        engagement=rng.normal(0, 1, config.leads),
        response_hours=rng.lognormal(np.log(c.RESPONSE_HOURS_MEDIAN), 0.9, config.leads),
        in_dip=in_dip,
        campaigns=campaigns,
        dip_start_day=float(dip_day),
    )


def leads_table(
    config: c.SynthConfig, leads: Leads, status: pa.Array, reason: pa.Array, batch: str
) -> pa.Table:
    """The ``leads`` model table."""
    n = len(leads.created_day)
    return with_lineage(
        {
            "lead_id": ids("L", np.arange(1, n + 1), 7),
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
