"""A lead sales rejected is a negative label of the lead scorer from its rejection time, even
when it is qualified again later (recycled)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import ibis
import pandas as pd

from revintel.model import load_funnel
from revintel.predict import target
from revintel.predict._snapshots import label_lead_journey
from revintel.store import open_store

LINEAGE = {"source_system": "test", "import_batch_id": "b1"}


def _events() -> pd.DataFrame:
    rows = [
        # L1: MQL, rejected by sales, recycled and qualified ten days later
        ("L1", "mql", datetime(2024, 1, 2)), ("L1", "disqualified", datetime(2024, 1, 3)),
        ("L1", "sql", datetime(2024, 1, 12)),
        # L2: MQL, accepted and qualified
        ("L2", "mql", datetime(2024, 1, 2)), ("L2", "sal", datetime(2024, 1, 3)),
        ("L2", "sql", datetime(2024, 1, 12)),
    ]  # fmt: skip
    frame = pd.DataFrame(
        [{"milestone_event_id": f"M{i}", "entity_type": "lead", "entity_id": lead,
          "lead_id": lead, "milestone": m, "occurred_at": at, "inferred": False,
          "reason": "no_budget" if m == "disqualified" else None}
         for i, (lead, m, at) in enumerate(rows)]
    )  # fmt: skip
    return frame.assign(source_id=frame["milestone_event_id"], **LINEAGE)


def test_rejection_settles_the_label(tmp_path: Path) -> None:
    with open_store(tmp_path / "labels.duckdb") as store:
        store.insert("milestones", _events())
        snapshots = ibis.memtable(
            pd.DataFrame({"entity_id": ["L1", "L2", "L1"],
                          "at": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-05"])})
        )  # fmt: skip
        state = label_lead_journey(store, snapshots, target("lead_to_sql"), load_funnel())
        out = state.to_pandas().sort_values(["entity_id", "at"], ignore_index=True)
    # before the rejection: negative although the lead reached SQL later
    assert pd.isna(out.loc[0, "outcome_at"])
    assert not bool(out.loc[0, "ended"])
    # after the rejection the snapshot has ended (dropped from training)
    assert bool(out.loc[1, "ended"])
    # an accepted lead keeps its positive outcome
    assert out.loc[2, "outcome_at"] == pd.Timestamp("2024-01-12")
