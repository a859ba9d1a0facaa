"""The latest lead and deal scores with their reasons, joined to the rows a user may see.

Scores are written by :mod:`revintel.predict` (``revintel score apply``) into the ``scores``
table; lists show the latest score of one kind per row, details every kind's latest score.
"""

from __future__ import annotations

import json
from typing import Any

import ibis

from revintel.store import Store, latest_scores

#: Record table → score kinds of its rows; the first is shown and sorted by in lists.
SCORE_KINDS: dict[str, tuple[str, ...]] = {
    "leads": ("lead_to_sql", "lead_to_won"),
    "opportunities": ("deal_win",),
}


def has_scores(store: Store, name: str) -> bool:
    """Whether the list ``name`` has scores of its primary kind."""
    kinds = SCORE_KINDS.get(name)
    if kinds is None:
        return False
    s = store.table("scores")
    return int(s.filter(s.kind == kinds[0]).count().execute()) > 0


def with_scores(store: Store, name: str, t: ibis.Table, key: str) -> ibis.Table:
    """``t`` with the latest score of ``name``'s primary kind (``None`` where unscored)."""
    kinds = SCORE_KINDS[name]
    s = latest_scores(store, kinds[:1])
    scores = s.select(
        score_key_=s.entity_id,
        score=s.score,
        score_kind=s.kind,
        scored_at=s.scored_at,
        score_reasons=s.reasons,
    )
    return t.left_join(scores, t[key] == scores.score_key_).drop("score_key_")


def parse_reasons(text: str | None) -> dict[str, list[dict[str, Any]]] | None:
    """The stored reasons JSON as ``{"positive": [...], "negative": [...]}`` (or ``None``)."""
    if not text:
        return None
    data = json.loads(text)
    return {
        "positive": list(data.get("positive", [])),
        "negative": list(data.get("negative", [])),
    }


def entity_scores(store: Store, name: str, key: str) -> list[dict[str, Any]]:
    """Every kind's latest score of the row ``key`` of ``name``, with parsed reasons.

    The caller must have checked that the user may see the row.
    """
    kinds = SCORE_KINDS.get(name)
    if kinds is None:
        return []
    s = latest_scores(store, kinds)
    rows = s.filter(s.entity_id == key).to_pyarrow().to_pylist()
    order = {k: i for i, k in enumerate(kinds)}
    rows.sort(key=lambda r: order[r["kind"]])
    return [
        {
            "kind": r["kind"],
            "score": r["score"],
            "scored_at": r["scored_at"],
            "model_id": r["model_id"],
            "reasons": parse_reasons(r["reasons"]),
        }
        for r in rows
    ]
