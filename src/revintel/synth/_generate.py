"""Generating the demo company and writing it into a store."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from revintel.model import ALL_TABLES
from revintel.store import Store, store_now
from revintel.synth._activities import activities_table
from revintel.synth._blocks import BlockedCompany
from revintel.synth._company import build_company
from revintel.synth._config import SOURCE_SYSTEM, SynthConfig
from revintel.synth._costs import marketing_costs_table
from revintel.synth._guest_orders import all_accounts
from revintel.synth._journeys import simulate_journeys
from revintel.synth._leads import build_leads, leads_table
from revintel.synth._orders import build_orders
from revintel.synth._pipeline import (
    draw_deals,
    lead_status,
    milestones_table,
    opportunities_table,
    quotes_table,
)
from revintel.synth._price_adjustments import price_adjustments_table
from revintel.synth._targets import (
    marketing_counts,
    marketing_targets_table,
    plan_targets,
    stored_marketing_counts,
    targets_table,
    with_marketing_targets,
    write_target_plan,
)
from revintel.synth._touchpoints import touchpoints_table
from revintel.synth._truth import build_truth

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SynthResult:
    """The generated model tables and the planted ground truth."""

    tables: dict[str, pa.Table]  # empty for a company written in blocks (see ``rows``)
    truth: dict[str, Any]
    target_plan: pd.DataFrame  # every year's targets, the year after the history included
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def row_counts(self) -> dict[str, int]:
        """Rows generated per table."""
        return self.rows or {name: t.num_rows for name, t in self.tables.items()}


def _no_progress(step: str, done: int, total: int) -> None:
    log.info("%s (%d/%d)", step, done, total)


def generate(config: SynthConfig | None = None, progress: Progress = _no_progress) -> SynthResult:
    """Generate the demo company described by ``config``.

    Examples
    --------
    >>> result = generate(SynthConfig(leads=2_000, accounts=200, reps=10))
    >>> result.tables["leads"].num_rows
    2000
    """
    config = config or SynthConfig()
    rng = np.random.default_rng(config.seed)
    batch = f"synth-{config.seed}"
    progress("master data", 0, 5)
    company = build_company(config, rng, batch)
    progress("leads", 1, 5)
    leads = build_leads(config, rng, company, batch)
    journeys = simulate_journeys(config, rng, company, leads)
    progress("pipeline", 2, 5)
    status, reason = lead_status(journeys)
    deals = draw_deals(rng, company, leads, journeys)
    progress("touchpoints and orders", 3, 5)
    book = build_orders(config, rng, company, leads, journeys, deals, batch)
    tables = {
        "reps": company.reps,
        "accounts": all_accounts(company.accounts, book.guest_accounts),
        "contacts": company.contacts,
        "products": company.products,
        "campaigns": leads.campaigns,
        "leads": leads_table(config, leads, status, reason, batch),
        "opportunities": opportunities_table(config, rng, leads, journeys, deals, batch),
        "milestones": milestones_table(config, leads, journeys, batch),
        "touchpoints": touchpoints_table(config, rng, leads, journeys, batch),
        "marketing_costs": marketing_costs_table(config, leads.campaigns, batch),
        "quotes": quotes_table(config, leads, journeys, deals, batch),
        "orders": book.orders,
        "order_lines": book.order_lines,
    }
    tables["price_adjustments"] = price_adjustments_table(
        config, tables["accounts"], book.orders, book.order_lines, batch
    )
    tables["activities"] = activities_table(config, company, book, batch)
    plan = plan_targets(config, book.intake, company.reps)
    marketing = marketing_targets_table(marketing_counts(tables["milestones"]), config, batch)
    tables["targets"] = with_marketing_targets(
        targets_table(plan, config.end.year - 1, batch), marketing
    )
    progress("ground truth", 4, 5)
    truth = build_truth(config, company, leads, journeys, deals, book)
    return SynthResult(tables, truth, plan)


def write_demo_exports(result: SynthResult, folder: Path) -> list[Path]:
    """Write the files a demo user imports next: next year's target plan from controlling."""
    year = int(result.target_plan["year"].max())
    return [write_target_plan(result.target_plan, year, folder / f"planzahlen_{year}.csv")]


def truth_path_for(location: str | Path) -> Path | None:
    """Where the ground truth of the store at ``location`` lives: beside the file.

    ``None`` for stores that are not a file (in memory, a server): their truth stays in the
    returned :class:`SynthResult`.
    """
    text = str(location).removeprefix("duckdb://")
    if "://" in text or text == ":memory:":
        return None
    path = Path(text)
    return path.with_name(path.stem + ".truth.json")


def _batch_row(store: Store, config: SynthConfig, started: Any, rows: int) -> pa.Table:
    return pa.table(
        {
            "import_batch_id": [f"synth-{config.seed}"],
            "source_system": [SOURCE_SYSTEM],
            "preset": ["synth"],
            "files": [""],
            "started_at": [started],
            "finished_at": [store_now(store)],
            "status": ["committed"],
            "rows_read": [rows],
            "rows_accepted": [rows],
            "rows_rejected": [0],
        }
    )


def _write_in_blocks(store: Store, config: SynthConfig, progress: Progress) -> SynthResult:
    """Write a company larger than one block, block by block (see ``revintel.synth._blocks``).

    Each block is committed on its own, so the engine never holds more than one block of
    uncommitted rows; the import batch row, written last, marks the company complete.
    """
    started = store_now(store)
    company = BlockedCompany(config)
    with store.transaction():
        for spec in ALL_TABLES:
            store.truncate(spec.name)
    for part in company.parts(progress):
        with store.transaction():
            for name, table in part.items():
                store.insert(name, table)
        del part
    # marketing's targets come from the milestones of every block, so after the last one
    batch = f"synth-{config.seed}"
    marketing = marketing_targets_table(stored_marketing_counts(store), config, batch)
    with store.transaction():
        company.rows["targets"] = company.rows.get("targets", 0) + store.insert(
            "targets", marketing
        )
    progress("writing the store", 1, 1)
    total = sum(company.rows.values())
    with store.transaction():
        store.insert("import_batches", _batch_row(store, config, started, total))
    return SynthResult({}, company.truth, company.target_plan, dict(company.rows))


def write_demo_company(
    store: Store, config: SynthConfig | None = None, progress: Progress = _no_progress
) -> SynthResult:
    """Replace the store's data with a generated demo company and write its ground truth.

    A company with more leads than ``config.block_leads`` is generated and written block by
    block; its result then holds the row counts, not the tables.
    """
    config = config or SynthConfig()
    if config.leads > config.block_leads:
        result = _write_in_blocks(store, config, progress)
    else:
        started = store_now(store)
        result = generate(config, progress)
        rows = sum(t.num_rows for t in result.tables.values())
        progress("writing the store", 5, 5)
        with store.transaction():
            for spec in ALL_TABLES:
                store.truncate(spec.name)
            for name, table in result.tables.items():
                store.insert(name, table)
            store.insert("import_batches", _batch_row(store, config, started, rows))
    path = truth_path_for(store.location)
    if path is not None:
        path.write_text(json.dumps(result.truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return result
