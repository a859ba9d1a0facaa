"""Touchpoints: the marketing and sales interactions along each lead's journey."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.synth import _config as c
from revintel.synth._columns import ids, take, timestamps, weighted_choice, with_lineage
from revintel.synth._journeys import Journeys
from revintel.synth._leads import Leads
from revintel.synth._pipeline import OPPORTUNITY

#: Kind of touch per channel (index as in CHANNELS), and kinds added by sales and self-service.
CHANNEL_KIND = (
    "web_visit",
    "webinar",
    "download",
    "email_click",
    "social_click",
    "trade_fair_visit",
    "visit",
    "call",
    "meeting",
)
EXTRA_KINDS = ("video_call", "configurator")
KINDS = CHANNEL_KIND + EXTRA_KINDS
SELF_SERVICE = {"web_visit", "webinar", "download", "email_click", "social_click", "configurator"}
KIND_CHANNEL = (*c.CHANNELS, "video", "search")
KIND_DIGITAL = np.array([*c.DIGITAL, True, True])
KIND_COST = np.array([*(c.CHANNEL_COST_PER_LEAD / 4).round(2), 0.0, 0.0])


def _origin(leads: Leads, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    n = len(leads.channel)
    return np.arange(n), leads.channel, leads.created_day - rng.uniform(0, 3, n)


def _engagement(leads: Leads, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    counts = rng.poisson(1.2 * np.exp(0.5 * leads.engagement))
    lead = np.repeat(np.arange(len(counts)), counts)
    kind = weighted_choice(rng, c.DIGITAL_MIX, len(lead))
    return lead, kind, leads.created_day[lead] - rng.uniform(0, 45, len(lead))


def _sales(leads: Leads, journeys: Journeys, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    first_call = leads.created_day + leads.response_hours / 24
    call_lead = np.flatnonzero(first_call <= journeys.as_of)
    opportunity_stages = journeys.recorded[:, OPPORTUNITY:-1]
    lead, stage = np.nonzero(opportunity_stages)
    when = journeys.time[lead, OPPORTUNITY + stage] + rng.uniform(0, 2, len(lead))
    year = 2020 + (when / 365.25)
    video = rng.random(len(lead)) < np.clip((year - 2020.2) * 0.4, 0.05, 0.6)
    meeting_kind = np.where(video, KINDS.index("video_call"), KINDS.index("visit"))
    visits = rng.poisson(1.0, len(lead))
    visit_lead = np.repeat(lead, visits)
    visit_when = np.repeat(when, visits) + rng.uniform(-5, 5, len(visit_lead))
    visit_kind = np.where(rng.random(len(visit_lead)) < 0.3, KINDS.index("configurator"), 0)
    return (
        np.concatenate([call_lead, lead, visit_lead]),
        np.concatenate([np.full(len(call_lead), KINDS.index("call")), meeting_kind, visit_kind]),
        np.concatenate([first_call[call_lead], when, visit_when]),
    )


def touchpoints_table(
    config: c.SynthConfig,
    rng: np.random.Generator,
    leads: Leads,
    journeys: Journeys,
    batch: str,
    first_id: int = 1,
) -> pa.Table:
    """The ``touchpoints`` model table, kept within the history, numbered from ``first_id``."""
    parts = [_origin(leads, rng), _engagement(leads, rng), _sales(leads, journeys, rng)]
    lead = np.concatenate([p[0] for p in parts])
    kind = np.concatenate([p[1] for p in parts]).astype(int)
    when = np.concatenate([p[2] for p in parts])
    keep = (when >= 0) & (when <= journeys.as_of)
    lead, kind, when = lead[keep], kind[keep], when[keep]
    order = np.lexsort((when, lead))
    lead, kind, when = lead[order], kind[order], when[order]
    opportunity = journeys.recorded[lead, OPPORTUNITY] & (when >= journeys.time[lead, OPPORTUNITY])
    opportunity_id = pc.if_else(
        pa.array(opportunity), ids("O", leads.first + lead + 1, 7), pa.scalar(None, pa.string())
    )
    self_service = np.isin(np.array(KINDS)[kind], list(SELF_SERVICE))
    return with_lineage(
        {
            "touchpoint_id": ids("T", np.arange(first_id, first_id + len(lead)), 8),
            "account_id": ids("A", leads.account[lead] + 1, 5),
            "contact_id": ids("C", leads.contact[lead] + 1, 6),
            "lead_id": ids("L", leads.first + lead + 1, 7),
            "opportunity_id": opportunity_id,
            "campaign_id": leads.campaigns.column("campaign_id").take(
                pa.array(leads.campaign[lead])
            ),
            "channel": take(KIND_CHANNEL, kind),
            "kind": take(KINDS, kind),
            "digital": KIND_DIGITAL[kind],
            "self_service": self_service,
            "occurred_at": timestamps(config.start, when),
            "cost": KIND_COST[kind],
            "currency": np.full(len(lead), config.currency),
        },
        "touchpoint_id",
        batch,
    )
