"""Marketing costs beyond single touches: media, agencies, trade-fair booths, tools, incentives.

One row per campaign, month and kind of spend (a share of the campaign's budget, see
``CAMPAIGN_SPEND``), and one per channel, month and kind without a campaign (tools, referral
bonuses: ``CHANNEL_SPEND``).
Trade fairs cost nothing in the months they collapse (``TRADE_FAIR_COLLAPSE``).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from revintel.synth import _config as c
from revintel.synth._columns import ids, with_lineage

NOISE_SIGMA = 0.15
DEFAULT_LEADS = 60_000


def _month(day: date, shift: int = 0) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + shift, 12)
    return date(year, month + 1, 1)


def history_months(config: c.SynthConfig) -> list[tuple[date, date]]:
    """First and last day of every month the history touches, clipped to the history.

    Examples
    --------
    >>> history_months(c.SynthConfig(start=date(2020, 1, 15), years=1))[0]
    (datetime.date(2020, 1, 15), datetime.date(2020, 1, 31))
    """
    months = []
    first = _month(config.start)
    last_day = date.fromordinal(config.end.toordinal() - 1)
    while first <= last_day:
        end = date.fromordinal(_month(first, 1).toordinal() - 1)
        months.append((max(first, config.start), min(end, last_day)))
        first = _month(first, 1)
    return months


def _collapsed(month_start: date) -> bool:
    start, stop = c.TRADE_FAIR_COLLAPSE
    return _month(start) <= month_start < stop


def marketing_costs_table(config: c.SynthConfig, campaigns: pa.Table, batch: str) -> pa.Table:
    """The ``marketing_costs`` model table of the company whose campaigns are ``campaigns``."""
    rng = np.random.default_rng([config.seed, c.COST_STREAM])
    months = history_months(config)
    month_of = {_month(a): (a, b) for a, b in months}
    rows: list[tuple[str, str | None, date, date, float, str]] = []
    columns = campaigns.select(["campaign_id", "channel", "started_at", "budget"]).to_pylist()
    for campaign in columns:
        spend = c.CAMPAIGN_SPEND.get(campaign["channel"], ())
        first = _month(campaign["started_at"].date())
        for shift in range(3):
            period = month_of.get(_month(first, shift))
            if period is None or (campaign["channel"] == "trade_fair" and _collapsed(period[0])):
                continue
            for kind, share in spend:
                amount = campaign["budget"] * share / 3
                rows.append((campaign["channel"], campaign["campaign_id"], *period, amount, kind))
    scale = config.leads / DEFAULT_LEADS
    for start, end in months:
        for channel, spend in c.CHANNEL_SPEND.items():
            for kind, monthly in spend:
                rows.append((channel, None, start, end, monthly * scale, kind))
    noise = rng.lognormal(0.0, NOISE_SIGMA, len(rows))
    amount = np.array([r[4] for r in rows], dtype=float) * noise
    return with_lineage(
        {
            "cost_id": ids("M", np.arange(1, len(rows) + 1), 6),
            "channel": pa.array([r[0] for r in rows], pa.string()),
            "campaign_id": pa.array([r[1] for r in rows], pa.string()),
            "period_start": pa.array([r[2] for r in rows], pa.date32()),
            "period_end": pa.array([r[3] for r in rows], pa.date32()),
            "amount": amount.round(2),
            "currency": pa.array([config.currency] * len(rows), pa.string()),
            "kind": pa.array([r[5] for r in rows], pa.string()),
        },
        "cost_id",
        batch,
    )
