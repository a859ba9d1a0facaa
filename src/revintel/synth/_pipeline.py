"""Model tables of the funnel: lead status, milestones, opportunities and quotes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.synth import _config as c
from revintel.synth._columns import ids, suffixed, take, timestamps, with_lineage
from revintel.synth._company import Company
from revintel.synth._journeys import OFFER_SENT, STEPS, Journeys
from revintel.synth._leads import Leads

OPPORTUNITY = c.PATH.index("opportunity_generated")
NEGOTIATION = c.PATH.index("contract_negotiation")
# Preferred product families per industry (indices into FAMILIES), the first most often.
INDUSTRY_FAMILIES = {
    "Maschinenbau": (1, 2, 0, 5),
    "Automotive": (4, 1, 3, 2),
    "Chemie": (5, 0, 3, 4),
    "Elektrotechnik": (2, 3, 6, 1),
    "Medizintechnik": (3, 6, 2, 9),
    "Lebensmittel": (4, 5, 8, 3),
    "Logistik": (4, 6, 1, 8),
    "Energie": (0, 2, 6, 8),
}


@dataclass(frozen=True)
class Deals:
    """Opportunity attributes for the leads that became opportunities."""

    lead: np.ndarray  # lead index of each opportunity
    product: np.ndarray
    list_price: np.ndarray
    discount: np.ndarray
    status: np.ndarray  # 0 open, 1 won, 2 lost


def lead_status(journeys: Journeys) -> tuple[pa.Array, pa.Array]:
    """Lead status (open, converted, disqualified) and disqualification reason at the as-of date."""
    recorded = journeys.recorded
    disqualified = (journeys.outcome == 2) & journeys.ended
    status = np.where(recorded[:, OPPORTUNITY], 1, np.where(disqualified, 2, 0))
    reason = np.where(disqualified, journeys.end_reason, -1)
    reasons = pa.array([None, *c.DISQUALIFIED_REASONS], pa.string()).take(pa.array(reason + 1))
    return take(("open", "converted", "disqualified"), status), reasons


def draw_deals(
    rng: np.random.Generator, company: Company, leads: Leads, journeys: Journeys
) -> Deals:
    """Product, price and discount of each opportunity that was created before the as-of date."""
    lead = np.flatnonzero(journeys.recorded[:, OPPORTUNITY])
    industry = company.account_industry[leads.account[lead]]
    segment = company.account_segment[leads.account[lead]]
    preference = rng.choice(4, size=len(lead), p=[0.55, 0.25, 0.12, 0.08])
    family = np.array(
        [INDUSTRY_FAMILIES[c.INDUSTRIES[i]][k] for i, k in zip(industry, preference, strict=True)],
        dtype=int,
    )
    product = family * c.PRODUCTS_PER_FAMILY + rng.integers(0, c.PRODUCTS_PER_FAMILY, len(lead))
    quantity = np.maximum(
        1, np.round(rng.lognormal(0.6, 0.6, len(lead)) * c.SEGMENT_DEAL_SIZE[segment])
    )
    won = journeys.recorded[lead, STEPS]
    lost = journeys.ended[lead] & ~won
    return Deals(
        lead=lead,
        product=product,
        list_price=(company.product_price[product] * quantity).round(2),
        discount=journeys.discount[lead],
        status=np.where(won, 1, np.where(lost, 2, 0)),
    )


def opportunities_table(
    config: c.SynthConfig,
    rng: np.random.Generator,
    leads: Leads,
    journeys: Journeys,
    deals: Deals,
    batch: str,
) -> pa.Table:
    """The ``opportunities`` model table."""
    lead = deals.lead
    created = journeys.time[lead, OPPORTUNITY]
    remaining = c.MEDIAN_DAYS[OPPORTUNITY:].sum()
    expected = created + remaining * rng.lognormal(0.0, 0.3, len(lead))
    closed = np.where(deals.status > 0, journeys.end_time[lead], np.nan)
    stage_index = journeys.recorded[lead].sum(axis=1) - 1
    stage = np.where(
        deals.status == 1, "won", np.where(deals.status == 2, "lost", np.array(c.PATH)[stage_index])
    )
    lost_reason = pa.array([None, *c.LOST_REASONS], pa.string()).take(
        pa.array(np.where(deals.status == 2, journeys.end_reason[lead], -1) + 1)
    )
    net = (deals.list_price * (1 - deals.discount)).round(2)
    opportunity_id = ids("O", leads.first + lead + 1, 7)
    account_id = ids("A", leads.account[lead] + 1, 5)
    return with_lineage(
        {
            "opportunity_id": opportunity_id,
            "name": suffixed(account_id, " – Projekt"),
            "account_id": account_id,
            "lead_id": ids("L", leads.first + lead + 1, 7),
            "rep_id": ids("R", leads.rep[lead] + 1, 3),
            "product_id": ids("P", deals.product + 1, 3),
            "amount": net,
            "currency": [config.currency] * len(lead),
            "list_price": deals.list_price,
            "discount": deals.discount,
            "net_price": net,
            "created_at": timestamps(config.start, created),
            "expected_close_at": timestamps(config.start, expected),
            "closed_at": pa.array(
                timestamps(config.start, np.nan_to_num(closed)), mask=np.isnan(closed)
            ),
            "status": take(("open", "won", "lost"), deals.status),
            "stage": stage,
            "lost_reason": lost_reason,
        },
        "opportunity_id",
        batch,
    )


def milestones_table(
    config: c.SynthConfig, leads: Leads, journeys: Journeys, batch: str
) -> pa.Table:
    """The ``milestones`` model table: every recorded milestone plus the terminal events."""
    parts = []
    recorded = journeys.recorded
    for k, milestone in enumerate(c.PATH):
        rows = np.flatnonzero(recorded[:, k])
        when = journeys.time[rows, k]
        parts.append(_events(rows, leads.first, milestone, when, k >= OPPORTUNITY, None))
    ended = journeys.ended & (journeys.depth < STEPS)
    for outcome, reasons, is_opportunity in (
        ("disqualified", c.DISQUALIFIED_REASONS, False),
        ("lost", c.LOST_REASONS, True),
    ):
        rows = np.flatnonzero(ended & ((journeys.depth >= c.LEAD_STEPS) == is_opportunity))
        reason = pa.array(list(reasons), pa.string()).take(pa.array(journeys.end_reason[rows]))
        when = journeys.end_time[rows]
        parts.append(_events(rows, leads.first, outcome, when, is_opportunity, reason))
    lead = np.concatenate([p[0] for p in parts])
    entity_id = pa.concat_arrays([p[1] for p in parts])
    table = {
        "milestone_event_id": pa.concat_arrays([p[2] for p in parts]),
        "entity_type": pa.concat_arrays([p[3] for p in parts]),
        "entity_id": entity_id,
        "lead_id": ids("L", leads.first + lead + 1, 7),
        "account_id": ids("A", leads.account[lead] + 1, 5),
        "milestone": pa.concat_arrays([p[4] for p in parts]),
        "occurred_at": timestamps(config.start, np.concatenate([p[5] for p in parts])),
        "source_stage": pa.concat_arrays([p[4] for p in parts]),
        "actor": ids("R", leads.rep[lead] + 1, 3),
        "reason": pa.concat_arrays([p[6] for p in parts]),
        "inferred": np.zeros(len(lead), dtype=bool),
    }
    return with_lineage(table, "milestone_event_id", batch)


def _events(
    rows: np.ndarray,
    first: int,
    milestone: str,
    when: np.ndarray,
    opportunity: bool,
    reason: pa.Array | None,
) -> tuple[Any, ...]:
    entity = ids("O" if opportunity else "L", first + rows + 1, 7)
    n = len(rows)
    return (
        rows,
        entity,
        suffixed(entity, f":{milestone}"),
        pa.array(np.full(n, "opportunity" if opportunity else "lead"), pa.string()),
        pa.array(np.full(n, milestone), pa.string()),
        when,
        reason if reason is not None else pa.nulls(n, pa.string()),
    )


def quotes_table(
    config: c.SynthConfig, leads: Leads, journeys: Journeys, deals: Deals, batch: str
) -> pa.Table:
    """One quote when the offer is sent and a revised one at contract negotiation."""
    index = np.arange(len(deals.lead))
    first = index[journeys.recorded[deals.lead, OFFER_SENT]]
    second = index[journeys.recorded[deals.lead, NEGOTIATION]]
    rows = np.concatenate([first, second])
    revision = np.concatenate([np.zeros(len(first), int), np.ones(len(second), int)])
    lead = deals.lead[rows]
    discount = np.where(revision == 0, (deals.discount[rows] * 0.7).round(3), deals.discount[rows])
    step = np.where(revision == 0, OFFER_SENT, NEGOTIATION)
    created = journeys.time[lead, step]
    has_second = np.isin(rows, second)
    status_code = np.where(
        (revision == 0) & has_second,
        3,
        np.where(deals.status[rows] == 1, 1, np.where(deals.status[rows] == 2, 2, 0)),
    )
    amount = (deals.list_price[rows] * (1 - discount)).round(2)
    opportunity = ids("O", leads.first + lead + 1, 7)
    quote_id = pc.binary_join_element_wise(
        pa.scalar("Q"), opportunity, pa.array(np.where(revision == 0, "-1", "-2")), ""
    )
    return with_lineage(
        {
            "quote_id": quote_id,
            "opportunity_id": opportunity,
            "account_id": ids("A", leads.account[lead] + 1, 5),
            "created_at": timestamps(config.start, created),
            "valid_until": timestamps(config.start, created + 30),
            "list_price": deals.list_price[rows],
            "discount": discount,
            "amount": amount,
            "currency": [config.currency] * len(rows),
            "status": take(("sent", "accepted", "rejected", "revised"), status_code),
        },
        "quote_id",
        batch,
    )
