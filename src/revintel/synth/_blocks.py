"""A large demo company generated block by block, so memory follows the block, not the company.

The master data is drawn once; every lead's arrival day is drawn up front (a day number per
lead), then the leads are generated in blocks of consecutive arrivals with disjoint id ranges,
each block with its own random stream: journeys, deals, milestones, touchpoints and quotes of a
block are written before the next block is drawn. What spans blocks is kept small and built at
the end: the campaign catalogue (lead counts per channel and quarter), the orders (from the won
deals of all blocks: customers are accounts, which span blocks), the targets and the truth.

A company with no more leads than one block is generated in one piece instead
(:func:`~revintel.synth.generate`), so small companies are exactly what they always were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from revintel.synth._activities import activities_table
from revintel.synth._columns import ids
from revintel.synth._company import Company, build_company
from revintel.synth._config import CHANNELS, SynthConfig
from revintel.synth._costs import marketing_costs_table
from revintel.synth._guest_orders import customer_accounts
from revintel.synth._journeys import simulate_journeys
from revintel.synth._leads import (
    LeadBlock,
    build_leads,
    campaigns_table,
    lead_days,
    leads_table,
    quarters_of,
)
from revintel.synth._orders import WonDeals, orders_of_won
from revintel.synth._pipeline import (
    draw_deals,
    lead_status,
    milestones_table,
    opportunities_table,
    quotes_table,
)
from revintel.synth._price_adjustments import price_adjustments_table
from revintel.synth._targets import plan_targets, targets_table
from revintel.synth._touchpoints import touchpoints_table
from revintel.synth._truth import TruthParts

Progress = Callable[[str, int, int], None]


def block_bounds(leads: int, block_leads: int) -> list[tuple[int, int]]:
    """``(first, stop)`` lead indices of each block.

    Examples
    --------
    >>> block_bounds(5, 2)
    [(0, 2), (2, 4), (4, 5)]
    """
    if block_leads < 1:
        raise ValueError(f"block_leads must be at least 1, got {block_leads}")
    return [(a, min(a + block_leads, leads)) for a in range(0, leads, block_leads)]


@dataclass
class BlockedCompany:
    """The demo company of ``config`` as a stream of table parts (see :meth:`parts`).

    After the stream is consumed, :attr:`truth`, :attr:`target_plan` and :attr:`rows` (rows
    per table) describe the whole company.
    """

    config: SynthConfig
    batch: str = ""
    truth: dict[str, Any] = field(default_factory=dict)
    target_plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    rows: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.batch = self.batch or f"synth-{self.config.seed}"

    def _count(self, tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
        for name, table in tables.items():
            self.rows[name] = self.rows.get(name, 0) + table.num_rows
        return tables

    def parts(self, progress: Progress) -> Iterator[dict[str, pa.Table]]:
        """Tables to append, part by part: master data, each block, then what spans blocks."""
        config, batch = self.config, self.batch
        bounds = block_bounds(config.leads, config.block_leads)
        total = len(bounds) + 2
        streams = np.random.SeedSequence(config.seed).spawn(len(bounds) + 1)
        rng = np.random.default_rng(config.seed)
        progress("master data", 0, total)
        company = build_company(config, rng, batch)
        days = lead_days(config, rng, config.leads)
        yield self._count(
            {
                "reps": company.reps,
                "accounts": customer_accounts(company.accounts),
                "contacts": company.contacts,
                "products": company.products,
            }
        )
        codes = len(CHANNELS) * quarters_of(config)
        campaign_ids = pa.table({"campaign_id": ids("K", np.arange(1, codes + 1), 4)})
        leads_per_code = np.zeros(codes, dtype=np.int64)
        won: list[WonDeals] = []
        truth = TruthParts()
        next_touch = 1
        for b, (first, stop) in enumerate(bounds):
            progress(f"leads {first + 1:,}–{stop:,}", b + 1, total)
            block = LeadBlock(days[first:stop], first, campaign_ids)
            block_rng = np.random.default_rng(streams[b])
            tables, parts = _block(config, block_rng, company, block, batch, next_touch)
            leads, journeys, deals = parts
            next_touch += tables["touchpoints"].num_rows
            leads_per_code += np.bincount(leads.campaign, minlength=codes)
            won.append(WonDeals.of(leads, journeys, deals))
            truth.add(config, company, leads, journeys, deals)
            del parts, leads, journeys, deals
            yield self._count(tables)
            del tables
        progress("campaigns, orders and targets", total - 1, total)
        used = np.flatnonzero(leads_per_code)
        quarters = quarters_of(config)
        campaigns = campaigns_table(
            config, used // quarters, used % quarters, leads_per_code[used], used + 1, batch
        )
        book = orders_of_won(
            config,
            np.random.default_rng(streams[-1]),
            company,
            WonDeals.concat(won),
            float(config.days),
            batch,
        )
        self.target_plan = plan_targets(config, book.intake, company.reps)
        targets = targets_table(self.target_plan, config.end.year - 1, batch)
        self.truth = truth.build(config, company, book)
        yield self._count(
            {
                "campaigns": campaigns,
                "marketing_costs": marketing_costs_table(config, campaigns, batch),
                "accounts": book.guest_accounts,
                "orders": book.orders,
                "order_lines": book.order_lines,
                "price_adjustments": price_adjustments_table(
                    config, company.accounts, book.orders, book.order_lines, batch
                ),
                "activities": activities_table(config, company, book, batch),
                "targets": targets,
            }
        )


def _block(
    config: SynthConfig,
    rng: np.random.Generator,
    company: Company,
    block: LeadBlock,
    batch: str,
    first_touch: int,
) -> tuple[dict[str, pa.Table], tuple[Any, Any, Any]]:
    """The lead-level tables of one block and its leads, journeys and deals."""
    leads = build_leads(config, rng, company, batch, block)
    journeys = simulate_journeys(config, rng, company, leads)
    status, reason = lead_status(journeys)
    deals = draw_deals(rng, company, leads, journeys)
    tables = {
        "leads": leads_table(config, leads, status, reason, batch),
        "opportunities": opportunities_table(config, rng, leads, journeys, deals, batch),
        "milestones": milestones_table(config, leads, journeys, batch),
        "touchpoints": touchpoints_table(config, rng, leads, journeys, batch, first_touch),
        "quotes": quotes_table(config, leads, journeys, deals, batch),
    }
    return tables, (leads, journeys, deals)
