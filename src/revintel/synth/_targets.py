"""Order-intake targets per team and quarter, planned as last year's intake plus growth."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from revintel.synth import _config as c
from revintel.synth._columns import with_lineage

PLANNED_GROWTH = 1.12


def targets_table(config: c.SynthConfig, orders: pa.Table, reps: pa.Table, batch: str) -> pa.Table:
    """Quarterly targets per team for every year of the history and the year after it."""
    team_of_rep = dict(
        zip(reps.column("rep_id").to_pylist(), reps.column("team").to_pylist(), strict=True)
    )
    teams = np.array([team_of_rep[r] for r in orders.column("rep_id").to_pylist()])
    when = orders.column("ordered_at").to_numpy()
    year = when.astype("datetime64[Y]").astype(int) + 1970
    quarter = (when.astype("datetime64[M]").astype(int) % 12) // 3
    amount = orders.column("amount").to_numpy()
    first_year = config.start.year
    rows: list[tuple[str, int, int, float]] = []
    for team in c.TEAMS:
        for y in range(first_year, config.end.year + 1):
            for q in range(4):
                base_year = y - 1 if y > first_year else y
                actual = amount[(teams == team) & (year == base_year) & (quarter == q)].sum()
                growth = PLANNED_GROWTH if y > first_year else 1.0
                rows.append((team, y, q, round(float(actual) * growth, -3)))
    team_col, year_col, quarter_col, value = zip(*rows, strict=True)
    starts = [
        np.datetime64(f"{y:04d}-{3 * q + 1:02d}-01", "D")
        for y, q in zip(year_col, quarter_col, strict=True)
    ]
    ends = [s.astype("datetime64[M]") + 3 for s in starts]
    target_id = [
        f"{t}-{y}-Q{q + 1}" for t, y, q in zip(team_col, year_col, quarter_col, strict=True)
    ]
    return with_lineage(
        {
            "target_id": target_id,
            "period_start": pa.array(np.array(starts, dtype="datetime64[D]")),
            "period_end": pa.array(
                np.array([e.astype("datetime64[D]") - 1 for e in ends], dtype="datetime64[D]")
            ),
            "team": list(team_col),
            "amount": list(value),
            "currency": [config.currency] * len(rows),
        },
        "target_id",
        batch,
    )
