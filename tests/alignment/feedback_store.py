"""A hand-made store whose right MQL threshold is known by construction.

150 MQLs, one a day from 2024-01-01, with a stored lead score from just before their MQL time
in five levels (0.1 … 0.5). The first 100 (the choosing period) hold 20 MQLs per level, of
which 4, 8, 12, 16 and 20 were accepted; the last 50 (the test period) hold 10 per level, of
which 2, 4, 6, 8 and 10 were accepted. The rest were rejected. Keeping levels ≥ k keeps the
acceptance (mean of the level rates 0.2 … 1.0 from k on): 0.6, 0.7, 0.8, 0.9, 1.0.

Level-1 leads come from the channel ``social`` and are rejected as ``wrong_target``; the others
come from ``search`` and are rejected as ``no_budget``. Wins: in the choosing period one level-1
lead (1,000 €) and two level-2 leads (2,000 € each); in the test period one level-1 lead
(500 €) and one level-2 lead (700 €). Rep ``r1`` owns the levels 1–2, ``r2`` the rest.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from revintel.store import open_store

LINEAGE = {"source_system": "test", "import_batch_id": "b1"}
START = datetime(2024, 1, 1, 9)
#: (period size per level, accepted per level 1…5, won amounts of level 1 and level 2).
PERIODS = ((20, (4, 8, 12, 16, 20), ((1000.0,), (2000.0, 2000.0))),
           (10, (2, 4, 6, 8, 10), ((500.0,), (700.0,))))  # fmt: skip


def _frame(rows: list[dict[str, object]], key: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["source_id"] = frame[key]
    for column, value in LINEAGE.items():
        frame[column] = value
    return frame


def _lead_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for size, accepted, wins in PERIODS:
        # the levels take turns over time within the period
        for i in range(size):
            for level in range(1, 6):
                amount = None
                if level <= 2 and i < len(wins[level - 1]):
                    amount = wins[level - 1][i]
                rows.append({"level": level, "accepted": i < accepted[level - 1], "won": amount})
    return rows


def build_feedback_store(path: Path) -> None:
    """Write the store at ``path``."""
    leads: list[dict[str, object]] = []
    milestones: list[dict[str, object]] = []
    scores: list[dict[str, object]] = []
    opps: list[dict[str, object]] = []
    for n, row in enumerate(_lead_rows()):
        lead_id, level = f"L{n:03d}", int(row["level"])  # type: ignore[call-overload]
        t_mql = START + timedelta(days=n)
        leads.append({
            "lead_id": lead_id, "account_id": "A1" if level <= 2 else "A2",
            "rep_id": "r1" if level <= 2 else "r2",
            "channel": "social" if level == 1 else "search", "campaign_id": f"K{level}",
            "created_at": t_mql - timedelta(days=3), "status": "open",
        })  # fmt: skip
        events: list[tuple[str, str, str, datetime, str | None]] = [
            ("lead", lead_id, "mql", t_mql, None)
        ]
        if row["accepted"]:
            events.append(("lead", lead_id, "sal", t_mql + timedelta(days=1), None))
        else:
            reason = "wrong_target" if level == 1 else "no_budget"
            events.append(("lead", lead_id, "disqualified", t_mql + timedelta(days=1), reason))
        if row["won"] is not None:
            opp = f"O{n:03d}"
            events.append(("opportunity", opp, "won", t_mql + timedelta(days=30), None))
            opps.append({
                "opportunity_id": opp, "account_id": "A1", "lead_id": lead_id, "rep_id": "r1",
                "amount": row["won"], "currency": "EUR", "created_at": t_mql + timedelta(days=5),
                "closed_at": t_mql + timedelta(days=30), "status": "won", "stage": "won",
            })  # fmt: skip
        for i, (kind, entity, milestone, at, why) in enumerate(events):
            milestones.append({
                "milestone_event_id": f"M{n:03d}{i}", "entity_type": kind, "entity_id": entity,
                "lead_id": lead_id, "milestone": milestone, "occurred_at": at, "inferred": False,
                "reason": why,
            })  # fmt: skip
        score = level / 10
        scores.append({"score_id": f"S{n:03d}a", "score": score, "entity_id": lead_id,
                       "scored_at": t_mql - timedelta(hours=1)})  # fmt: skip
        # a later score must not count: it was written after the MQL time
        scores.append({"score_id": f"S{n:03d}b", "score": 0.99, "entity_id": lead_id,
                       "scored_at": t_mql + timedelta(days=2)})  # fmt: skip
    with open_store(path) as store:
        store.insert("reps", _frame([{"rep_id": r, "name": r, "team": "T"} for r in ("r1", "r2")],
                                    "rep_id"))  # fmt: skip
        store.insert("accounts", _frame([
            {"account_id": "A1", "name": "Klein GmbH", "segment": "Kleinunternehmen",
             "industry": "Handel", "employees": 20, "owner_rep_id": "r1"},
            {"account_id": "A2", "name": "Gross AG", "segment": "Enterprise",
             "industry": "Chemie", "employees": 5000, "owner_rep_id": "r2"},
        ], "account_id"))  # fmt: skip
        store.insert("campaigns", _frame(
            [{"campaign_id": f"K{k}", "name": f"Kampagne {k}"} for k in range(1, 6)], "campaign_id"
        ))  # fmt: skip
        store.insert("leads", _frame(leads, "lead_id"))
        store.insert("opportunities", _frame(opps, "opportunity_id"))
        store.insert("milestones", _frame(milestones, "milestone_event_id"))
        store.insert("scores", pd.DataFrame(scores).assign(
            model_id="m1", kind="lead_to_won", entity_type="lead"
        ))  # fmt: skip
