"""A hand-made company whose buying-behaviour figures can be checked with pencil and paper.

Six leads at two accounts (A1 Enterprise, A2 Mittelstand); milestones, then touches
(channel/kind, digital, self-service, mobile, content):

- L1 A1: mql 2023-01-05, sql 01-15, offer_sent 01-25, won 02-01.
  T1 01-02 search/web_visit d s m whitepaper; T2 01-10 content/download d s - case_study;
  T3 01-20 phone/call; T4 01-31 field_sales/meeting price_list
- L2 A1: mql 2023-03-02, sql 03-15, lost 03-31.
  T5 03-01 webinar/webinar d s ? product_video; T6 03-11 email/email_click d s m;
  T7 03-21 video/video_call d - -
- T8 2023-06-01 trade_fair/trade_fair_visit at A1, no lead, self-service unknown
- L3 A2: mql 2024-02-02, disqualified 02-10.
  T9 02-01 search/web_visit d s m whitepaper; T10 02-05 content/download d s m whitepaper
- L4 A2: mql 2024-04-02, sql 04-05, offer_sent 04-08, won 04-21.
  T11 04-01 phone/call; T12 04-11 search/web_visit d s - case_study;
  T17 04-15 search/web_visit d s ? (empty content)
- L5 A2: mql 2024-05-02, sql 05-06, open.
  T13 05-01 search/web_visit d s ? whitepaper; T14 05-03 content/download d s m case_study;
  T15 05-05 field_sales/meeting; T16 05-09 search/web_visit d s - (content "")
- L6 A2: mql 2024-06-02, sql 06-04, offer_sent 06-05, won 06-10.
  T18 06-01 search/web_visit d s m whitepaper; T19 06-03 content/download d s ? case_study

(d digital, s self-service, m mobile, - not mobile, ? device unknown.) Every touch at midnight.
"""

from __future__ import annotations

import pandas as pd

from revintel.store import Store, open_store

MILESTONES = {
    "L1": [
        ("mql", "2023-01-05"),
        ("sql", "2023-01-15"),
        ("offer_sent", "2023-01-25"),
        ("won", "2023-02-01"),
    ],
    "L2": [("mql", "2023-03-02"), ("sql", "2023-03-15"), ("lost", "2023-03-31")],
    "L3": [("mql", "2024-02-02"), ("disqualified", "2024-02-10")],
    "L4": [
        ("mql", "2024-04-02"),
        ("sql", "2024-04-05"),
        ("offer_sent", "2024-04-08"),
        ("won", "2024-04-21"),
    ],
    "L5": [("mql", "2024-05-02"), ("sql", "2024-05-06")],
    "L6": [
        ("mql", "2024-06-02"),
        ("sql", "2024-06-04"),
        ("offer_sent", "2024-06-05"),
        ("won", "2024-06-10"),
    ],
}
ACCOUNT = {"L1": "A1", "L2": "A1", "L3": "A2", "L4": "A2", "L5": "A2", "L6": "A2"}

_T, _F, _N = True, False, None
TOUCHES = [
    ("T1", "L1", "2023-01-02", "search", "web_visit", _T, _T, _T, "whitepaper"),
    ("T2", "L1", "2023-01-10", "content", "download", _T, _T, _F, "case_study"),
    ("T3", "L1", "2023-01-20", "phone", "call", _F, _F, _N, None),
    ("T4", "L1", "2023-01-31", "field_sales", "meeting", _F, _F, _N, "price_list"),
    ("T5", "L2", "2023-03-01", "webinar", "webinar", _T, _T, _N, "product_video"),
    ("T6", "L2", "2023-03-11", "email", "email_click", _T, _T, _T, None),
    ("T7", "L2", "2023-03-21", "video", "video_call", _T, _F, _F, None),
    ("T8", None, "2023-06-01", "trade_fair", "trade_fair_visit", _F, _N, _N, None),
    ("T9", "L3", "2024-02-01", "search", "web_visit", _T, _T, _T, "whitepaper"),
    ("T10", "L3", "2024-02-05", "content", "download", _T, _T, _T, "whitepaper"),
    ("T11", "L4", "2024-04-01", "phone", "call", _F, _F, _N, None),
    ("T12", "L4", "2024-04-11", "search", "web_visit", _T, _T, _F, "case_study"),
    ("T17", "L4", "2024-04-15", "search", "web_visit", _T, _T, _N, None),
    ("T13", "L5", "2024-05-01", "search", "web_visit", _T, _T, _N, "whitepaper"),
    ("T14", "L5", "2024-05-03", "content", "download", _T, _T, _T, "case_study"),
    ("T15", "L5", "2024-05-05", "field_sales", "meeting", _F, _F, _N, None),
    ("T16", "L5", "2024-05-09", "search", "web_visit", _T, _T, _F, ""),
    ("T18", "L6", "2024-06-01", "search", "web_visit", _T, _T, _T, "whitepaper"),
    ("T19", "L6", "2024-06-03", "content", "download", _T, _T, _N, "case_study"),
]
_TOUCH_COLUMNS = [
    "touchpoint_id",
    "lead_id",
    "occurred_at",
    "channel",
    "kind",
    "digital",
    "self_service",
    "mobile",
    "content",
]
_OPPORTUNITY = {"offer_sent", "won", "lost"}


def _lineage(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.assign(source_system="test", source_id=frame[key], import_batch_id="b1")


def buying_tables() -> dict[str, pd.DataFrame]:
    """The model tables of the hand-made company."""
    leads = pd.DataFrame(
        [
            (lead, ACCOUNT[lead], "search", pd.Timestamp(events[0][1]))
            for lead, events in MILESTONES.items()
        ],
        columns=["lead_id", "account_id", "channel", "created_at"],
    )
    milestones = pd.DataFrame(
        [
            (
                f"{lead}-{i}",
                "opportunity" if milestone in _OPPORTUNITY else "lead",
                f"O{lead[1:]}" if milestone in _OPPORTUNITY else lead,
                lead,
                ACCOUNT[lead],
                milestone,
                pd.Timestamp(day),
            )
            for lead, events in MILESTONES.items()
            for i, (milestone, day) in enumerate(events)
        ],
        columns=[
            "milestone_event_id",
            "entity_type",
            "entity_id",
            "lead_id",
            "account_id",
            "milestone",
            "occurred_at",
        ],
    )
    touchpoints = pd.DataFrame(TOUCHES, columns=_TOUCH_COLUMNS)
    touchpoints["occurred_at"] = pd.to_datetime(touchpoints["occurred_at"])
    touchpoints["account_id"] = touchpoints["lead_id"].map(ACCOUNT).fillna("A1")
    touchpoints["mobile"] = touchpoints["mobile"].astype("boolean")
    touchpoints["self_service"] = touchpoints["self_service"].astype("boolean")
    accounts = pd.DataFrame(
        {
            "account_id": ["A1", "A2"],
            "name": ["Alpha AG", "Beta GmbH"],
            "segment": ["Enterprise", "Mittelstand"],
        }
    )
    return {
        "accounts": accounts,
        "leads": leads,
        "milestones": milestones,
        "touchpoints": touchpoints,
    }


def buying_store(location: str = ":memory:") -> Store:
    """A store (in memory unless ``location`` names a file) holding the hand-made company."""
    store = open_store(location)
    keys = {
        "accounts": "account_id",
        "leads": "lead_id",
        "milestones": "milestone_event_id",
        "touchpoints": "touchpoint_id",
    }
    for name, frame in buying_tables().items():
        store.insert(name, _lineage(frame, keys[name]))
    return store
