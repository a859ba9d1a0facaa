"""Decisions survive re-importing the CRM, and the CRM taking a decision over doubles nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from revintel.ingest import import_files
from revintel.store import Store, open_store
from revintel.views._handover import decide, handover_queue, lead_decisions
from tests.alignment.handover_store import OPERATOR

NOW = datetime(2025, 1, 1)
HEADER = "Id,Status,Company,CreatedDate,OwnerId,LeadSource\n"
EXPORT = (
    HEADER + "00Q1,Open - Not Contacted,Acme,2024-01-10T09:00:00Z,005A,Web\n"
    "00Q2,Open - Not Contacted,Globex,2024-01-11T09:00:00Z,005A,Web\n"
    "00Q3,Open - Not Contacted,Initech,2024-01-12T09:00:00Z,005A,Web\n"
)
#: The next export, after the CRM read the decisions back: 00Q1 accepted, 00Q2 rejected.
AFTER_ROUND_TRIP = (
    HEADER + "00Q1,Working - Contacted,Acme,2024-01-10T09:00:00Z,005A,Web\n"
    "00Q2,Closed - Not Converted,Globex,2024-01-11T09:00:00Z,005A,Web\n"
    "00Q3,Open - Not Contacted,Initech,2024-01-12T09:00:00Z,005A,Web\n"
)


def _events(store: Store) -> pd.DataFrame:
    m = store.table("milestones").to_pyarrow().to_pandas()
    return m.sort_values(["entity_id", "milestone"]).reset_index(drop=True)


def _import(store: Store, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    import_files(store, "salesforce", [path], now=NOW)


def test_reimports_keep_one_event_per_decision(tmp_path: Path) -> None:
    export = tmp_path / "leads.csv"
    with open_store(tmp_path / "store.duckdb") as store:
        _import(store, export, EXPORT)
        queued = handover_queue(store, OPERATOR)["lead_id"].tolist()
        decide(store, OPERATOR, "salesforce:00Q1", "accept")
        decide(store, OPERATOR, "salesforce:00Q2", "reject", reason="no_need")
        decided = _events(store)

        _import(store, export, EXPORT)
        again = _events(store)
        _import(store, tmp_path / "next.csv", AFTER_ROUND_TRIP)
        taken_over = _events(store)
        audit = lead_decisions(store, OPERATOR)
        left = handover_queue(store, OPERATOR)["lead_id"].tolist()
    assert sorted(queued) == ["salesforce:00Q1", "salesforce:00Q2", "salesforce:00Q3"]
    sal = decided[decided["milestone"] == "sal"]
    assert sal["milestone_event_id"].tolist() == ["salesforce:00Q1:sal"]
    assert sal["source_system"].tolist() == ["revintel"]
    assert not sal["inferred"].iloc[0]
    for events in (again, taken_over):
        per_lead = events.groupby(["entity_id", "milestone"]).size()
        assert per_lead.max() == 1
        assert per_lead[("salesforce:00Q1", "sal")] == 1
        assert per_lead[("salesforce:00Q2", "disqualified")] == 1
    kept = taken_over.set_index("milestone_event_id")
    assert kept.loc["salesforce:00Q1:sal", "source_system"] == "revintel"
    assert kept.loc["salesforce:00Q2:disqualified", "reason"] == "no_need"
    assert len(audit) == 2 and left == ["salesforce:00Q3"]
