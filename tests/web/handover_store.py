"""The hand-made web store with a handover queue whose numbers the handover tests can assert.

On top of :func:`tests.web.stores.build_store` (Anna, rep ``r1``, owns L01–L07; Ben, ``r2``,
L08–L12) leads qualify as MQLs last month: Anna's L03–L07 and Ben's L09–L11. Sales already
accepted L04 and rejected L05 and L06, so Anna's acceptance rate of last month is 1 of 3; L03
and L07 wait for her, L09–L11 for Ben. Ben's L12 qualified today, which makes today the store's
evaluation date and last month its latest complete one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from revintel.auth import add_user
from revintel.store import open_store
from tests.web.stores import LINEAGE, PASSWORD, build_store

#: Anna's leads waiting for her decision, and Ben's.
ANNA_WAITING = ("L03", "L07")
BEN_WAITING = ("L09", "L10", "L11", "L12")
#: Anna's decided MQLs of last month before any test decides: accepted, rejected.
ANNA_ACCEPTED, ANNA_REJECTED = 1, 2


def last_month_day(day: int) -> datetime:
    """``day`` of the month before the current one, at 09:00."""
    first = date.today().replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    return datetime(start.year, start.month, day, 9)


def _milestones() -> pd.DataFrame:
    today = datetime.combine(date.today(), datetime.min.time()) + timedelta(hours=1)
    events = [
        *((lead, "mql", last_month_day(2 + i)) for i, lead in enumerate(("L03", "L04", "L05"))),
        *((lead, "mql", last_month_day(6 + i)) for i, lead in enumerate(("L06", "L07"))),
        *((lead, "mql", last_month_day(10 + i)) for i, lead in enumerate(("L09", "L10", "L11"))),
        ("L12", "mql", today),
        ("L04", "sal", last_month_day(8)),
        ("L05", "disqualified", last_month_day(9)),
        ("L06", "disqualified", last_month_day(12)),
    ]
    frame = pd.DataFrame(
        [
            {
                "milestone_event_id": f"H{i}",
                "entity_type": "lead",
                "entity_id": lead,
                "lead_id": lead,
                "milestone": milestone,
                "occurred_at": at,
                "inferred": False,
                "reason": "no_budget" if milestone == "disqualified" else None,
            }
            for i, (lead, milestone, at) in enumerate(events, start=1)
        ]
    )
    frame["source_id"] = frame["milestone_event_id"]
    for column, value in LINEAGE.items():
        frame[column] = value
    return frame


def build_handover_store(path: Path) -> dict[str, str]:
    """Write the store at ``path`` with the queue above and a manager ``chef`` besides the
    users of :func:`build_store`; returns user → API token (without the manager's)."""
    tokens = build_store(path)
    with open_store(path) as store:
        store.insert("milestones", _milestones())
        add_user(store, "chef", PASSWORD, "manager", display_name="Chef")
    return tokens
