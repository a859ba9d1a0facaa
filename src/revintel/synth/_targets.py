"""Targets per quarter, planned as last year's figure of the same quarter plus growth: order
intake per team, and marketing's company-wide MQLs and SALs (team ``Marketing``).

Targets of the history years are part of the generated store; the order-intake plan for the
year after the history is written as the spreadsheet export controlling would hand over
(semicolon CSV, Windows-1252, German numbers and dates), for the demo to import like any
customer file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from revintel.store import Store
from revintel.synth import _config as c
from revintel.synth._columns import with_lineage

PLANNED_GROWTH = 1.12
PLAN_COLUMNS = ["target_id", "period_start", "period_end", "team", "amount", "currency"]
#: The team owning the marketing targets, and the milestones it is measured by.
MARKETING_TEAM = "Marketing"
MARKETING_MEASURES = {"mqls": "mql", "sals": "sal"}


def plan_targets(config: c.SynthConfig, orders: pa.Table, reps: pa.Table) -> pd.DataFrame:
    """Quarterly targets per team for every year of the history and the year after it."""
    team_of_rep = dict(
        zip(reps.column("rep_id").to_pylist(), reps.column("team").to_pylist(), strict=True)
    )
    frame = pd.DataFrame(
        {
            "team": [team_of_rep[r] for r in orders.column("rep_id").to_pylist()],
            "when": orders.column("ordered_at").to_pandas(),
            "amount": orders.column("amount").to_numpy(),
        }
    )
    intake = frame.groupby(
        [frame["team"], frame["when"].dt.year.rename("year"), frame["when"].dt.quarter.rename("q")]
    )["amount"].sum()
    rows = []
    for team in c.TEAMS:
        for year in range(config.start.year, config.end.year + 1):
            for q in range(1, 5):
                base = intake.get((team, max(year - 1, config.start.year), q), 0.0)
                growth = PLANNED_GROWTH if year > config.start.year else 1.0
                start = pd.Timestamp(year=year, month=3 * q - 2, day=1)
                rows.append(
                    {
                        "target_id": f"{team}-{year}-Q{q}",
                        "period_start": start.date(),
                        "period_end": (start + pd.offsets.QuarterEnd(0)).date(),
                        "team": team,
                        "amount": round(float(base) * growth, -3),
                        "currency": config.currency,
                        "year": year,
                    }
                )
    return pd.DataFrame(rows)


def targets_table(plan: pd.DataFrame, last_year: int, batch: str) -> pa.Table:
    """The ``targets`` model table: the plan of every year up to ``last_year``."""
    history = plan[plan["year"] <= last_year][PLAN_COLUMNS]
    columns = {name: pa.array(history[name].tolist()) for name in PLAN_COLUMNS}
    columns["measure"] = pa.array(["order_intake"] * len(history), pa.string())
    return with_lineage(columns, "target_id", batch)


def with_marketing_targets(targets: pa.Table, marketing: pa.Table) -> pa.Table:
    """The order-intake ``targets`` followed by the ``marketing`` targets, in one schema."""
    return pa.concat_tables([targets, marketing.cast(targets.schema)])


def _first_reached(frame: pd.DataFrame) -> pd.Series:
    """Leads first reaching each marketing milestone, per (milestone, year, quarter), from rows
    with ``lead``, ``milestone`` and ``at`` (each lead's first event of the milestone)."""
    when = pd.to_datetime(frame["at"])
    return frame.groupby([frame["milestone"], when.dt.year, when.dt.quarter]).size()


def marketing_counts(milestones: pa.Table) -> pd.Series:
    """:func:`_first_reached` of a generated ``milestones`` table."""
    frame = milestones.select(["lead_id", "entity_id", "milestone", "occurred_at"]).to_pandas()
    frame = frame[frame["milestone"].isin(list(MARKETING_MEASURES.values()))]
    lead = frame["lead_id"].fillna(frame["entity_id"])
    first = frame.groupby([lead.rename("lead"), frame["milestone"]])["occurred_at"].min()
    return _first_reached(first.rename("at").reset_index())


def stored_marketing_counts(store: Store) -> pd.Series:
    """:func:`_first_reached` of the milestones in ``store`` (first events found there)."""
    m = store.table("milestones")
    m = m.filter(m.milestone.isin(list(MARKETING_MEASURES.values())))
    lead = m.lead_id.fill_null(m.entity_id).name("lead")
    return _first_reached(
        m.group_by([lead, m.milestone]).aggregate(at=m.occurred_at.min()).to_pandas()
    )


def marketing_targets_table(counts: pd.Series, config: c.SynthConfig, batch: str) -> pa.Table:
    """Company-wide quarterly targets of MQLs and SALs (team ``Marketing``) for every year of
    the history: last year's count of the quarter (``counts``, see :func:`marketing_counts`)
    × growth, the first year its own count; quarters without a count get none."""
    rows = []
    for measure, milestone in MARKETING_MEASURES.items():
        for year in range(config.start.year, config.end.year):
            for q in range(1, 5):
                base = counts.get((milestone, max(year - 1, config.start.year), q), 0)
                growth = PLANNED_GROWTH if year > config.start.year else 1.0
                amount = float(round(base * growth))
                if amount <= 0:
                    continue
                start = pd.Timestamp(year=year, month=3 * q - 2, day=1)
                rows.append(
                    {
                        "target_id": f"{MARKETING_TEAM}-{measure}-{year}-Q{q}",
                        "period_start": start.date(),
                        "period_end": (start + pd.offsets.QuarterEnd(0)).date(),
                        "team": MARKETING_TEAM,
                        "amount": amount,
                        "currency": None,
                        "measure": measure,
                    }
                )
    types = {
        "target_id": pa.string(),
        "period_start": pa.date32(),
        "period_end": pa.date32(),
        "team": pa.string(),
        "amount": pa.float64(),
        "currency": pa.string(),
        "measure": pa.string(),
    }
    columns = {name: pa.array([r[name] for r in rows], kind) for name, kind in types.items()}
    return with_lineage(columns, "target_id", batch)


def _german_amount(value: float) -> str:
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def write_target_plan(plan: pd.DataFrame, year: int, path: Path) -> Path:
    """Write the plan of ``year`` as controlling exports it, with two rows mistyped by hand.

    The mistyped rows (an impossible date, an amount written as text) are what an import must
    reject with file, row, column and reason, while loading the rest.
    """
    rows = plan[plan["year"] == year][PLAN_COLUMNS].copy()
    rows["period_start"] = [d.strftime("%d.%m.%Y") for d in rows["period_start"]]
    rows["period_end"] = [d.strftime("%d.%m.%Y") for d in rows["period_end"]]
    rows["amount"] = [_german_amount(v) for v in rows["amount"]]
    rows.iloc[1, rows.columns.get_loc("period_end")] = "31.06." + str(year)
    rows.iloc[6, rows.columns.get_loc("amount")] = "ca. 1,2 Mio"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    return path


__all__ = [
    "MARKETING_TEAM",
    "PLAN_COLUMNS",
    "marketing_counts",
    "marketing_targets_table",
    "plan_targets",
    "stored_marketing_counts",
    "targets_table",
    "with_marketing_targets",
    "write_target_plan",
]
