"""A small hand-made company whose every KPI can be checked with pencil and paper.

Nine leads, as of 2024-06-30. The journeys (milestone dates in 2024):

- L1 search/R1/Enterprise: mql 01-05, sal 01-08, sql 01-20, opp 02-01, offer_sent 03-01, won 04-01
  (opportunity_specified is proved by offer_sent)
- L2 search/R1/Enterprise: mql 01-10, sal 01-15, disqualified 02-01 "Kein Budget"
- L3 search/R1/Mittelstand: mql 01-20, disqualified 01-25 "Falsche Zielgruppe" (rejected)
- L4 search/R1/Mittelstand: mql 02-03, sal 02-05, sql 02-10, opp 02-20, lost 03-15 "Preis"
- L5 webinar/R2/Enterprise: mql 02-10, still open
- L6 webinar/R2/Enterprise: mql 02-15, sal 02-16, still open
- L7 webinar/R2/Mittelstand: mql 03-01, sal 03-02, sql 03-05, opp 03-10, won 05-10
- L8 webinar/R2/Mittelstand: mql 03-20, disqualified 03-22 "Kein Bedarf" (rejected)
- L9 webinar/R2/Enterprise: mql 04-01, sal 04-02, sql 04-10, opp 04-20, offer_sent 05-01, open
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from revintel.store import Store, open_store

AS_OF = date(2024, 6, 30)

JOURNEYS: dict[str, list[tuple[str, str, str | None]]] = {
    "L1": [
        ("mql", "2024-01-05", None),
        ("sal", "2024-01-08", None),
        ("sql", "2024-01-20", None),
        ("opportunity_generated", "2024-02-01", None),
        ("offer_sent", "2024-03-01", None),
        ("won", "2024-04-01", None),
    ],
    "L2": [
        ("mql", "2024-01-10", None),
        ("sal", "2024-01-15", None),
        ("disqualified", "2024-02-01", "Kein Budget"),
    ],
    "L3": [("mql", "2024-01-20", None), ("disqualified", "2024-01-25", "Falsche Zielgruppe")],
    "L4": [
        ("mql", "2024-02-03", None),
        ("sal", "2024-02-05", None),
        ("sql", "2024-02-10", None),
        ("opportunity_generated", "2024-02-20", None),
        ("lost", "2024-03-15", "Preis"),
    ],
    "L5": [("mql", "2024-02-10", None)],
    "L6": [("mql", "2024-02-15", None), ("sal", "2024-02-16", None)],
    "L7": [
        ("mql", "2024-03-01", None),
        ("sal", "2024-03-02", None),
        ("sql", "2024-03-05", None),
        ("opportunity_generated", "2024-03-10", None),
        ("won", "2024-05-10", None),
    ],
    "L8": [("mql", "2024-03-20", None), ("disqualified", "2024-03-22", "Kein Bedarf")],
    "L9": [
        ("mql", "2024-04-01", None),
        ("sal", "2024-04-02", None),
        ("sql", "2024-04-10", None),
        ("opportunity_generated", "2024-04-20", None),
        ("offer_sent", "2024-05-01", None),
    ],
}

_LEAD_ATTRS = {
    "L1": ("search", "R1", "A1"),
    "L2": ("search", "R1", "A1"),
    "L3": ("search", "R1", "A2"),
    "L4": ("search", "R1", "A2"),
    "L5": ("webinar", "R2", "A1"),
    "L6": ("webinar", "R2", "A1"),
    "L7": ("webinar", "R2", "A2"),
    "L8": ("webinar", "R2", "A2"),
    "L9": ("webinar", "R2", "A1"),
}
_OPPORTUNITY_MILESTONES = {"opportunity_generated", "offer_sent", "won", "lost"}


def _lineage(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.assign(source_system="test", source_id=frame[key], import_batch_id="b1")


def hand_tables() -> dict[str, pd.DataFrame]:
    """The model tables of the hand-made company."""
    ts = pd.Timestamp
    leads = pd.DataFrame(
        [
            (lead, acc, rep, ch, f"C-{ch}", ts(JOURNEYS[lead][0][1]))
            for lead, (ch, rep, acc) in _LEAD_ATTRS.items()
        ],
        columns=["lead_id", "account_id", "rep_id", "channel", "campaign_id", "created_at"],
    )
    rows = []
    for lead, events in JOURNEYS.items():
        for i, (milestone, day, reason) in enumerate(events):
            entity = "opportunity" if milestone in _OPPORTUNITY_MILESTONES else "lead"
            entity_id = f"O{lead[1:]}" if entity == "opportunity" else lead
            account = _LEAD_ATTRS[lead][2]
            rows.append(
                (f"{lead}-{i}", entity, entity_id, lead, account, milestone, ts(day), reason)
            )
    milestones = pd.DataFrame(
        rows,
        columns=[
            "milestone_event_id",
            "entity_type",
            "entity_id",
            "lead_id",
            "account_id",
            "milestone",
            "occurred_at",
            "reason",
        ],
    )
    opportunities = pd.DataFrame(
        [
            ("O1", "L1", "A1", "R1", "P1", 1000.0, "2024-02-01", "2024-04-01", "won", "won", None),
            ("O4", "L4", "A2", "R1", "P2", 500.0, "2024-02-20", "2024-03-15", "lost", "lost", None),
            ("O7", "L7", "A2", "R2", "P1", 2000.0, "2024-03-10", "2024-05-10", "won", "won", None),
            (
                "O9",
                "L9",
                "A1",
                "R2",
                "P2",
                4000.0,
                "2024-04-20",
                None,
                "open",
                "offer_sent",
                "2024-07-15",
            ),
        ],
        columns=[
            "opportunity_id",
            "lead_id",
            "account_id",
            "rep_id",
            "product_id",
            "amount",
            "created_at",
            "closed_at",
            "status",
            "stage",
            "expected_close_at",
        ],
    )
    for col in ("created_at", "closed_at", "expected_close_at"):
        opportunities[col] = pd.to_datetime(opportunities[col])
    touchpoints = pd.DataFrame(
        [
            ("T1", "L1", "A1", "phone", "call", False, "2024-01-06 10:00"),
            ("T2", "L2", "A1", "search", "web_visit", True, "2024-01-09 00:00"),
            ("T3", "L2", "A1", "phone", "call", False, "2024-01-11 00:00"),
            ("T4", "L3", "A2", "phone", "call", False, "2024-01-19 00:00"),
            ("T5", "L7", "A2", "field_sales", "visit", False, "2024-03-01 12:00"),
        ],
        columns=[
            "touchpoint_id",
            "lead_id",
            "account_id",
            "channel",
            "kind",
            "digital",
            "occurred_at",
        ],
    )
    touchpoints["occurred_at"] = pd.to_datetime(touchpoints["occurred_at"])
    return {
        "accounts": pd.DataFrame(
            {
                "account_id": ["A1", "A2"],
                "name": ["Alpha AG", "Beta GmbH"],
                "segment": ["Enterprise", "Mittelstand"],
                "industry": ["Maschinenbau", "Chemie"],
                "region": ["Nord", "Süd"],
            }
        ),
        "reps": pd.DataFrame(
            {"rep_id": ["R1", "R2"], "name": ["Anna", "Bernd"], "team": ["Nord", "Süd"]}
        ),
        "leads": leads,
        "milestones": milestones,
        "opportunities": opportunities,
        "touchpoints": touchpoints,
        "orders": _orders(),
        "targets": pd.DataFrame(
            {
                "target_id": ["Q3-Nord"],
                "period_start": [date(2024, 7, 1)],
                "period_end": [date(2024, 9, 30)],
                "team": ["Nord"],
                "amount": [8000.0],
            }
        ),
    }


def _orders() -> pd.DataFrame:
    """Three orders and one return (a credit note for part of B-2), in April and May 2024."""
    orders = pd.DataFrame(
        [
            ("B-1", "A1", "R1", "2024-04-10", 1000.0, "order", None),
            ("B-2", "A2", "R2", "2024-05-03", 600.0, "order", None),
            ("C-2", "A2", "R2", "2024-05-20", -150.0, "return", "B-2"),
            ("B-3", "A1", "R1", "2024-05-25", 400.0, None, None),
        ],
        columns=[
            "order_id",
            "account_id",
            "rep_id",
            "ordered_at",
            "amount",
            "kind",
            "original_order_id",
        ],
    )
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"])
    return orders


def hand_store(location: str = ":memory:") -> Store:
    """A store (in memory unless ``location`` names a file) holding the hand-made company."""
    store = open_store(location)
    keys = {
        "accounts": "account_id",
        "reps": "rep_id",
        "leads": "lead_id",
        "milestones": "milestone_event_id",
        "opportunities": "opportunity_id",
        "touchpoints": "touchpoint_id",
        "targets": "target_id",
        "orders": "order_id",
    }
    for name, frame in hand_tables().items():
        store.insert(name, _lineage(frame, keys[name]))
    return store
