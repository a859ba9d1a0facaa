"""Order-intake targets per team and quarter, planned as last year's intake plus growth.

Targets of the history years are part of the generated store; the plan for the year after the
history is written as the spreadsheet export controlling would hand over (semicolon CSV,
Windows-1252, German numbers and dates), for the demo to import like any customer file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from revintel.synth import _config as c
from revintel.synth._columns import with_lineage

PLANNED_GROWTH = 1.12
PLAN_COLUMNS = ["target_id", "period_start", "period_end", "team", "amount", "currency"]


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
    return with_lineage(
        {name: pa.array(history[name].tolist()) for name in PLAN_COLUMNS}, "target_id", batch
    )


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


__all__ = ["PLAN_COLUMNS", "plan_targets", "targets_table", "write_target_plan"]
