"""A small hand-made store whose every number the web tests can assert."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from revintel.auth import add_user, create_token
from revintel.store import open_store

PASSWORD = "correct-horse-battery"
LINEAGE = {"source_system": "test", "import_batch_id": "b1"}


def _frame(rows: list[dict[str, object]], key: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["source_id"] = frame[key]
    for column, value in LINEAGE.items():
        frame[column] = value
    return frame


def _leads() -> list[dict[str, object]]:
    # 12 leads: r1 owns L01-L07 (search x4, webinar x3), r2 owns L08-L12 (search x2, email x3).
    channels = ["search"] * 4 + ["webinar"] * 3 + ["search"] * 2 + ["email"] * 3
    return [
        {
            "lead_id": f"L{i:02d}",
            "account_id": "A1" if i <= 4 else ("A2" if i <= 7 else "A3"),
            "rep_id": "r1" if i <= 7 else "r2",
            "channel": channels[i - 1],
            "created_at": datetime(2024, 1 + (i - 1) // 3, 5 + i),
            "status": "converted" if i in (1, 2, 8) else "open",
        }
        for i in range(1, 13)
    ]


def _opportunities() -> list[dict[str, object]]:
    base = {"currency": "EUR"}
    return [
        {**base, "opportunity_id": "O1", "name": "Pumpen Nord", "account_id": "A1",
         "lead_id": "L01", "rep_id": "r1", "amount": 12345.67, "discount": 0.125,
         "created_at": datetime(2024, 2, 1), "closed_at": datetime(2024, 3, 15),
         "status": "won", "stage": "won"},
        {**base, "opportunity_id": "O2", "name": "Ventile Süd", "account_id": "A2",
         "lead_id": "L02", "rep_id": "r1", "amount": 5000.0, "created_at": datetime(2024, 3, 1),
         "status": "open", "stage": "offer_sent"},
        {**base, "opportunity_id": "O3", "name": "Getriebe West", "account_id": "A3",
         "lead_id": "L08", "rep_id": "r2", "amount": 20000.0, "created_at": datetime(2024, 4, 2),
         "closed_at": datetime(2024, 5, 20), "status": "lost", "stage": "lost",
         "lost_reason": "price"},
    ]  # fmt: skip


def _milestones() -> list[dict[str, object]]:
    events = [
        ("lead", "L01", "L01", "mql", datetime(2024, 1, 6)),
        ("lead", "L01", "L01", "sal", datetime(2024, 1, 8)),
        ("lead", "L01", "L01", "sql", datetime(2024, 1, 20)),
        ("opportunity", "O1", "L01", "opportunity_generated", datetime(2024, 2, 1)),
        ("opportunity", "O1", "L01", "won", datetime(2024, 3, 15)),
        ("lead", "L08", "L08", "mql", datetime(2024, 3, 13)),
        ("opportunity", "O3", "L08", "opportunity_generated", datetime(2024, 4, 2)),
        ("opportunity", "O3", "L08", "lost", datetime(2024, 5, 20)),
    ]
    return [
        {"milestone_event_id": f"M{i}", "entity_type": e, "entity_id": eid, "lead_id": lid,
         "milestone": m, "occurred_at": at, "inferred": False,
         "reason": "price" if m == "lost" else None}
        for i, (e, eid, lid, m, at) in enumerate(events, start=1)
    ]  # fmt: skip


def build_store(path: Path) -> dict[str, str]:
    """Write the store at ``path`` with users and one API token each; returns user → token."""
    with open_store(path) as store:
        store.insert("reps", _frame([
            {"rep_id": "r1", "name": "Anna Schmidt", "team": "Nord"},
            {"rep_id": "r2", "name": "Ben Müller", "team": "Süd"},
        ], "rep_id"))  # fmt: skip
        store.insert("accounts", _frame([
            {"account_id": "A1", "name": "Nordpumpen GmbH", "segment": "Mittelstand",
             "owner_rep_id": "r1", "created_at": datetime(2023, 5, 1)},
            {"account_id": "A2", "name": "Südventil AG", "segment": "Enterprise",
             "owner_rep_id": "r1", "created_at": datetime(2023, 6, 1)},
            {"account_id": "A3", "name": "Westgetriebe KG", "segment": "Mittelstand",
             "owner_rep_id": "r2", "created_at": datetime(2023, 7, 1)},
        ], "account_id"))  # fmt: skip
        store.insert("leads", _frame(_leads(), "lead_id"))
        store.insert("opportunities", _frame(_opportunities(), "opportunity_id"))
        store.insert("milestones", _frame(_milestones(), "milestone_event_id"))
        store.insert("touchpoints", _frame([
            {"touchpoint_id": "T1", "lead_id": "L01", "channel": "search", "kind": "web visit",
             "digital": True, "occurred_at": datetime(2024, 1, 5), "cost": 1.5, "currency": "EUR"},
            {"touchpoint_id": "T2", "lead_id": "L01", "opportunity_id": "O1",
             "channel": "field_sales", "kind": "meeting", "digital": False,
             "occurred_at": datetime(2024, 2, 10)},
        ], "touchpoint_id"))  # fmt: skip
        users = {
            "admin": ("admin", None),
            "marie": ("marketing", None),
            "anna": ("sales_rep", "r1"),
            "ben": ("sales_rep", "r2"),
        }
        tokens = {}
        for name, (role, rep) in users.items():
            add_user(store, name, PASSWORD, role, rep_id=rep, display_name=name.title())
            tokens[name] = create_token(store, name, "tests")[0]
    return tokens
