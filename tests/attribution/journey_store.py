"""A tiny hand-made store whose journeys can be checked with pencil and paper.

Three accounts, six leads, two deals (milestones at midnight, touches at noon, all in 2024):

- A1 (Enterprise), contacts K1 and K2:
  - L1 (K1): mql 01-10, sal 01-15, sql 01-20; deal O1 (1,000 EUR): generated 02-01, specified
    02-10, offer sent 02-20, discussed 03-01, negotiation 03-10, won 04-01. Its order B1 has
    lines worth 600 − 200 and 400 − 100 and one without a cost: margin 700.
  - L2 (K2): mql 01-05, sal 01-08, sql 02-01; deal O2 (5,000 USD at 0.9 → 4,500 EUR):
    generated 02-15, offer sent 03-01 (proves specified), negotiation 03-05, lost 03-20.
- A2 (Mittelstand):
  - L3: mql 01-12, disqualified 01-20.
  - L4: mql 02-01, sal 02-05, still open.
  - L5: mql 03-01, sal 03-05, disqualified 03-25.
- A3 (Kleinunternehmen): L6: mql 01-02, disqualified 01-03.

The latest event is O1's win on 04-01, the default as-of day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from revintel.store import Store, open_store

AS_OF = date(2024, 4, 1)

_LEADS = {  # lead: (account, contact, milestones)
    "L1": ("A1", "K1", [("mql", "01-10"), ("sal", "01-15"), ("sql", "01-20")]),
    "L2": ("A1", "K2", [("mql", "01-05"), ("sal", "01-08"), ("sql", "02-01")]),
    "L3": ("A2", "K3", [("mql", "01-12"), ("disqualified", "01-20")]),
    "L4": ("A2", "K4", [("mql", "02-01"), ("sal", "02-05")]),
    "L5": ("A2", "K5", [("mql", "03-01"), ("sal", "03-05"), ("disqualified", "03-25")]),
    "L6": ("A3", "K6", [("mql", "01-02"), ("disqualified", "01-03")]),
}
_DEALS = {  # deal: (lead, amount, currency, closed, milestones)
    "O1": (
        "L1",
        1000.0,
        "EUR",
        "04-01",
        [
            ("opportunity_generated", "02-01"),
            ("opportunity_specified", "02-10"),
            ("offer_sent", "02-20"),
            ("offer_discussed", "03-01"),
            ("contract_negotiation", "03-10"),
            ("won", "04-01"),
        ],
    ),
    "O2": (
        "L2",
        5000.0,
        "USD",
        "03-20",
        [
            ("opportunity_generated", "02-15"),
            ("offer_sent", "03-01"),
            ("contract_negotiation", "03-05"),
            ("lost", "03-20"),
        ],
    ),
}
#: touchpoint: (lead, deal, account, channel, month-day); every touch at noon.
TOUCHES = {
    "T01": ("L1", None, "A1", "search", "01-01"),
    "T02": ("L1", None, "A1", "content", "01-09"),
    "T03": ("L1", None, "A1", "email", "01-18"),
    "T04": ("L1", None, "A1", "phone", "01-25"),
    "T05": (None, "O1", "A1", "webinar", "02-25"),
    "T06": ("L1", "O1", "A1", "field_sales", "03-31"),
    "T07": ("L1", None, "A1", "search", "04-05"),
    "T11": ("L2", None, "A1", "social", "01-03"),
    "T12": ("L2", None, "A1", "webinar", "01-20"),
    "T13": ("L2", None, "A1", "phone", "02-10"),
    "T14": ("L2", "O2", "A1", "video", "03-10"),
    "T15": ("L2", None, "A1", "email", "03-25"),
    "T21": ("L3", None, "A2", "search", "01-11"),
    "T22": ("L3", None, "A2", "email", "01-25"),
    "T31": ("L4", None, "A2", "search", "01-30"),
    "T32": ("L4", None, "A2", "email", "02-10"),
    "T41": ("L5", None, "A2", "trade_fair", "02-28"),
    "T43": ("L5", None, "A2", "email", "03-10"),  # the same instant as T42: T42 comes first
    "T42": ("L5", None, "A2", "phone", "03-10"),
    "T51": ("L6", None, "A3", "search", "01-01"),
}


def _at(month_day: str, hour: int = 0) -> pd.Timestamp:
    return pd.Timestamp(f"2024-{month_day}") + pd.Timedelta(hours=hour)


def _lineage(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.assign(source_system="test", source_id=frame[key], import_batch_id="b1")


def _milestones() -> pd.DataFrame:
    rows = []
    for lead, (account, _, events) in _LEADS.items():
        rows += [("lead", lead, lead, account, m, _at(day)) for m, day in events]
    for deal, (lead, _, _, _, events) in _DEALS.items():
        account = _LEADS[lead][0]
        rows += [("opportunity", deal, lead, account, m, _at(day)) for m, day in events]
    columns = ["entity_type", "entity_id", "lead_id", "account_id", "milestone", "occurred_at"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["milestone_event_id"] = frame.entity_id + "-" + frame.milestone
    return _lineage(frame, "milestone_event_id")


def _touchpoints() -> pd.DataFrame:
    rows = []
    for tid, (lead, deal, account, channel, day) in TOUCHES.items():
        contact = _LEADS[lead or _DEALS[deal or ""][0]][1]
        digital = channel != "field_sales"
        rows.append((tid, contact, lead, deal, account, channel, digital, _at(day, 12)))
    columns = [
        "touchpoint_id",
        "contact_id",
        "lead_id",
        "opportunity_id",
        "account_id",
        "channel",
        "digital",
        "occurred_at",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.assign(kind="visit", campaign_id="C-" + frame.channel)
    return _lineage(frame, "touchpoint_id")


def _deals() -> pd.DataFrame:
    rows = [
        (deal, lead, _LEADS[lead][0], amount, currency, _at(events[0][1]), _at(closed))
        for deal, (lead, amount, currency, closed, events) in _DEALS.items()
    ]
    columns = [
        "opportunity_id",
        "lead_id",
        "account_id",
        "amount",
        "currency",
        "created_at",
        "closed_at",
    ]
    frame = pd.DataFrame(rows, columns=columns).assign(status=["won", "lost"])
    return _lineage(frame, "opportunity_id")


def _orders() -> tuple[pd.DataFrame, pd.DataFrame]:
    orders = pd.DataFrame(
        {
            "order_id": ["B1", "B2"],
            "account_id": ["A1", "A2"],
            "opportunity_id": ["O1", None],
            "ordered_at": [_at("04-02"), _at("04-03")],
            "amount": [1050.0, 300.0],
        }
    )
    lines = pd.DataFrame(
        {
            "order_line_id": ["B1-1", "B1-2", "B1-3", "B2-1"],
            "order_id": ["B1", "B1", "B1", "B2"],
            "product_id": ["P1", "P2", "P3", "P1"],
            "net_amount": [600.0, 400.0, 50.0, 300.0],
            "cost": [200.0, 100.0, None, 10.0],
        }
    )
    return _lineage(orders, "order_id"), _lineage(lines, "order_line_id")


def journey_store(path: str | Path) -> Store:
    """Write the hand-made company into a new store at ``path`` (a file or a store URL)."""
    store = open_store(path)
    accounts = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3"],
            "name": ["Alpha AG", "Beta GmbH", "Gamma KG"],
            "segment": ["Enterprise", "Mittelstand", "Kleinunternehmen"],
        }
    )
    leads = pd.DataFrame(
        [
            (lead, account, contact, _at(events[0][1]))
            for lead, (account, contact, events) in _LEADS.items()
        ],
        columns=["lead_id", "account_id", "contact_id", "created_at"],
    )
    contacts = pd.DataFrame(
        [(contact, account) for account, contact, _ in _LEADS.values()],
        columns=["contact_id", "account_id"],
    )
    orders, lines = _orders()
    with store.transaction():
        store.insert("accounts", _lineage(accounts, "account_id"))
        store.insert("contacts", _lineage(contacts, "contact_id"))
        store.insert("leads", _lineage(leads, "lead_id"))
        store.insert("milestones", _milestones())
        store.insert("opportunities", _deals())
        store.insert("touchpoints", _touchpoints())
        store.insert("orders", orders)
        store.insert("order_lines", lines)
        store.insert(
            "fx_rates",
            pd.DataFrame({"currency": ["USD"], "valid_from": [date(2024, 1, 1)]}).assign(rate=0.9),
        )
    return store
