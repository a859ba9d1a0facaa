"""Touchpoints: the marketing and sales interactions along each lead's journey.

Besides a lead's first touch, its digital engagement before it and the sales contacts of its
opportunity stages, every channel planted as present in a stage (``_exposures``) leaves 1–3
touches dated inside that stage. Digital touches carry the device (``mobile``), content touches
the content consumed, which differs by buying phase. Everything new is drawn from streams of its
own, so the touches of older versions keep their draws.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.synth import _config as c
from revintel.synth._columns import (
    ids,
    take,
    timestamps,
    weighted_choice,
    with_lineage,
)
from revintel.synth._journeys import STEPS, Journeys
from revintel.synth._leads import Leads, quarters_of
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
#: The follow-up call answering every new lead is inside sales' (a channel of its own), not a
#: phone campaign's touch.
EXTRA_KINDS = ("video_call", "configurator", "follow_up_call")
KINDS = CHANNEL_KIND + EXTRA_KINDS
SELF_SERVICE = {"web_visit", "webinar", "download", "email_click", "social_click", "configurator"}
KIND_CHANNEL = (*c.CHANNELS, "video", "search", "inside_sales")
KIND_DIGITAL = np.array([*c.DIGITAL, True, True, False])
KIND_COST = np.array([*(c.CHANNEL_COST_PER_LEAD / 4).round(2), 0.0, 0.0, 0.0])
#: Kind of the touches of each exposure channel (EXPOSURE_CHANNELS): its own, video calls last.
EXPOSURE_KIND = np.array([*range(len(c.CHANNELS)), KINDS.index("video_call")])
#: Share of search touches of each buying phase that use the product configurator instead.
CONFIGURATOR_SHARE = np.array([0.0, 0.15, 0.4])

#: Content consumed, and its probabilities per kind and buying phase (early: up to SQL, middle:
#: up to the offer, late: from the offer on); kinds without a row carry no content.
CONTENTS = (
    "blog",
    "whitepaper",
    "checklist",
    "product_page",
    "case_study",
    "product_video",
    "price_list",
    "webinar",
    "configurator",
)
CONTENT_BY_PHASE = {
    #               blog  paper check  page   case  video  price  webinar config
    "web_visit": (
        (0.60, 0.00, 0.00, 0.40, 0.00, 0.00, 0.00, 0.00, 0.00),
        (0.10, 0.00, 0.00, 0.40, 0.00, 0.40, 0.10, 0.00, 0.00),
        (0.00, 0.00, 0.00, 0.30, 0.00, 0.10, 0.60, 0.00, 0.00),
    ),
    "download": (
        (0.00, 0.65, 0.35, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00),
        (0.00, 0.15, 0.10, 0.00, 0.75, 0.00, 0.00, 0.00, 0.00),
        (0.00, 0.00, 0.50, 0.00, 0.50, 0.00, 0.00, 0.00, 0.00),
    ),
    "webinar": ((0, 0, 0, 0, 0, 0, 0, 1.0, 0),) * 3,
    "configurator": ((0, 0, 0, 0, 0, 0, 0, 0, 1.0),) * 3,
}
#: Last step index of the early and of the middle buying phase.
PHASE_ENDS = (1, 4)


def phase_of(step: np.ndarray) -> np.ndarray:
    """Buying phase (0 early, 1 middle, 2 late) of a touch in the stage of ``step`` (−1: before
    the MQL)."""
    return (step > PHASE_ENDS[0]).astype(int) + (step > PHASE_ENDS[1])


def _content_table() -> np.ndarray:
    table = np.zeros((len(KINDS), 3, len(CONTENTS)))
    for kind, rows in CONTENT_BY_PHASE.items():
        table[KINDS.index(kind)] = rows
    return table


CONTENT_TABLE = _content_table()


def _origin(leads: Leads, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    n = len(leads.channel)
    when = leads.created_day - rng.uniform(0, 3, n)
    return np.arange(n), leads.channel, when, np.full(n, -1)


def _engagement(leads: Leads, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    counts = rng.poisson(1.2 * np.exp(0.5 * leads.engagement))
    lead = np.repeat(np.arange(len(counts)), counts)
    kind = weighted_choice(rng, c.DIGITAL_MIX, len(lead))
    when = leads.created_day[lead] - rng.uniform(0, 45, len(lead))
    return lead, kind, when, np.full(len(lead), -1)


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
    # a visit prompted by the meeting never precedes the milestone it follows: mirrored after it
    reached_at = np.repeat(journeys.time[lead, OPPORTUNITY + stage], visits)
    visit_when = np.where(visit_when < reached_at, 2 * reached_at - visit_when, visit_when)
    visit_kind = np.where(rng.random(len(visit_lead)) < 0.3, KINDS.index("configurator"), 0)
    call_kind = np.full(len(call_lead), KINDS.index("follow_up_call"))
    return (
        np.concatenate([call_lead, lead, visit_lead]),
        np.concatenate([call_kind, meeting_kind, visit_kind]),
        np.concatenate([first_call[call_lead], when, visit_when]),
        np.concatenate([np.zeros(len(call_lead), int), OPPORTUNITY + stage,
                        np.repeat(OPPORTUNITY + stage, visits)]),
    )  # fmt: skip


def _exposed(journeys: Journeys, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """1–3 touches of every channel present in a stage the lead reached, dated inside it."""
    exposures = journeys.exposures
    if exposures is None:
        return (np.zeros(0, int),) * 2 + (np.zeros(0),) + (np.zeros(0, int),)
    reached = journeys.reached[:, :STEPS]
    start = journeys.time[:, :STEPS]
    stop = np.where(journeys.reached[:, 1:], journeys.time[:, 1:], journeys.end_time[:, None])
    parts = []
    for j, kind in enumerate(EXPOSURE_KIND):
        lead, step = np.nonzero(exposures.has(j) & reached)
        u = rng.random(len(lead))
        count = 1 + (u < 0.22) + (u < 0.06)  # 1–3 touches, 1.28 on average
        lead, step = np.repeat(lead, count), np.repeat(step, count)
        span = stop[lead, step] - start[lead, step]
        when = start[lead, step] + rng.random(len(lead)) * span
        kinds = np.full(len(lead), kind)
        if c.EXPOSURE_CHANNELS[j] == "search":
            configurator = rng.random(len(lead)) < CONFIGURATOR_SHARE[phase_of(step)]
            kinds[configurator] = KINDS.index("configurator")
        parts.append((lead, kinds, when, step))
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(4))


def _campaign_rows(
    config: c.SynthConfig, leads: Leads, lead: np.ndarray, kind: np.ndarray, when: np.ndarray,
    exposed: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Row of each touch's campaign: a planted exposure of a campaign channel belongs to that
    channel's campaign of its quarter when the block's leads came through it, every other touch
    to the lead's campaign."""
    quarters = quarters_of(config)
    lookup = np.full(len(c.CHANNELS) * quarters, -1, dtype=np.int64)
    lookup[leads.channel * quarters + _quarter(config, leads.created_day)] = leads.campaign
    row = leads.campaign[lead].astype(np.int64)
    channel = np.array([c.CHANNELS.index(ch) if ch in c.CHANNELS else -1 for ch in KIND_CHANNEL])
    touch_channel = channel[kind]
    own = exposed & (touch_channel >= 0)
    code = touch_channel[own] * quarters + _quarter(config, when[own])
    found = lookup[code]
    row[np.flatnonzero(own)[found >= 0]] = found[found >= 0]
    return row


def _quarter(config: c.SynthConfig, days: np.ndarray) -> np.ndarray:
    """Quarter (counted from the start) of the days ``days`` after the start."""
    origin = np.datetime64(config.start.isoformat(), "D")
    month = (origin + np.floor(days).astype("timedelta64[D]")).astype("datetime64[M]").astype(int)
    return (month - origin.astype("datetime64[M]").astype(int)) // 3


def _content_and_device(
    config: c.SynthConfig, rng: np.random.Generator, kind: np.ndarray, step: np.ndarray,
    when: np.ndarray,
) -> tuple[pa.Array, pa.Array]:  # fmt: skip
    """Content consumed (by kind and buying phase) and whether a digital touch was mobile."""
    group = kind * 3 + phase_of(step)
    content = np.full(len(kind), -1)
    for g in np.flatnonzero(CONTENT_TABLE.reshape(-1, len(CONTENTS)).sum(axis=1)):
        rows = np.flatnonzero(group == g)
        content[rows] = weighted_choice(rng, CONTENT_TABLE[g // 3, g % 3], len(rows))
    dictionary = pa.array([None, *CONTENTS], pa.string())
    days = np.datetime64(config.start.isoformat(), "D") + np.arange(config.days + 1)
    (y0, s0), (y1, s1) = c.MOBILE_SHARE
    share_of_day = np.interp(days.astype("datetime64[Y]").astype(int) + 1970, [y0, y1], [s0, s1])
    share = share_of_day[when.astype(np.int32)]
    mobile = pa.array(rng.random(len(kind)) < share, mask=~KIND_DIGITAL[kind])
    return dictionary.take(pa.array(content + 1)), mobile


def _all_touches(
    rng: np.random.Generator, own: np.random.Generator, leads: Leads, journeys: Journeys
) -> tuple[np.ndarray, ...]:
    """Lead, kind, day, step and whether planted, of every touch within the history, sorted by
    lead and time (compact types: a block's touches are the largest arrays it holds)."""
    parts = [_origin(leads, rng), _engagement(leads, rng), _sales(leads, journeys, rng)]
    parts.append(_exposed(journeys, own))
    sizes = [len(p[0]) for p in parts]
    exposed = np.repeat(np.array([False, False, False, True]), sizes)
    columns = [
        np.concatenate([p[i] for p in parts]).astype(dtype, copy=False)
        for i, dtype in enumerate((np.int32, np.int32, np.float64, np.int8))
    ]
    del parts
    when = columns[2]
    keep = np.flatnonzero((when >= 0) & (when <= journeys.as_of))
    order = keep[np.lexsort((when[keep], columns[0][keep]))]
    return (*(a[order] for a in columns), exposed[order])


def touchpoints_table(
    config: c.SynthConfig,
    rng: np.random.Generator,
    leads: Leads,
    journeys: Journeys,
    batch: str,
    first_id: int = 1,
) -> pa.Table:
    """The ``touchpoints`` model table, kept within the history, numbered from ``first_id``."""
    own = np.random.default_rng([config.seed, c.EXPOSURE_STREAM, leads.first, 1])
    lead, kind, when, step, exposed = _all_touches(rng, own, leads, journeys)
    opportunity = journeys.recorded[lead, OPPORTUNITY] & (when >= journeys.time[lead, OPPORTUNITY])
    opportunity_id = pc.if_else(
        pa.array(opportunity), ids("O", leads.first + lead + 1, 7), pa.scalar(None, pa.string())
    )
    self_service = np.array([k in SELF_SERVICE for k in KINDS])[kind]
    campaign = _campaign_rows(config, leads, lead, kind, when, exposed)
    content, mobile = _content_and_device(config, own, kind, step, when)
    return with_lineage(
        {
            "touchpoint_id": ids("T", np.arange(first_id, first_id + len(lead)), 8),
            "account_id": ids("A", leads.account[lead] + 1, 5),
            "contact_id": ids("C", leads.contact[lead] + 1, 6),
            "lead_id": ids("L", leads.first + lead + 1, 7),
            "opportunity_id": opportunity_id,
            "campaign_id": leads.campaigns.column("campaign_id").take(pa.array(campaign)),
            "channel": take(KIND_CHANNEL, kind),
            "kind": take(KINDS, kind),
            "digital": KIND_DIGITAL[kind],
            "self_service": self_service,
            "occurred_at": timestamps(config.start, when),
            "cost": KIND_COST[kind],
            "currency": pa.repeat(pa.scalar(config.currency), len(lead)),
            "mobile": mobile,
            "content": content,
        },
        "touchpoint_id",
        batch,
    )


def planted_touch_truth() -> dict[str, object]:
    """The planted device and content shares, for the truth file."""
    (y0, s0), (y1, s1) = c.MOBILE_SHARE
    years = range(y0, y1 + 1)
    phases = ("early", "middle", "late")
    return {
        "mobile_share_of_digital": {
            str(y): round(float(np.interp(y, [y0, y1], [s0, s1])), 4) for y in years
        },
        "configurator_share_of_search": dict(zip(phases, CONFIGURATOR_SHARE.tolist(), strict=True)),
        "content_by_phase": {
            kind: {
                phase: {n: p for n, p in zip(CONTENTS, row, strict=True) if p}
                for phase, row in zip(phases, rows, strict=True)
            }
            for kind, rows in CONTENT_BY_PHASE.items()
        },
        "phase_steps": {
            "early": "mql->sql",
            "middle": "sql->offer_sent",
            "late": "offer_sent->won",
        },
    }
