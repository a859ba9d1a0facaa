"""A score history for stores that did not keep one: every lead scored as it stood when it
reached a milestone, with the current model.

The quality-weighted MQL count weighs each MQL with the lead score it had at its MQL. A company
that starts with revintel has no scores from that time; scoring each lead at its milestone with
today's model fills the gap. Those scores are written by a model that has seen the outcome of
many of the leads it scores (they are training rows), so they describe lead quality, not the
model's accuracy; from the day scores are applied regularly the history holds the scores of the
time.
"""

from __future__ import annotations

import json
from datetime import date

import ibis
import pandas as pd

from revintel.metrics import MetricSources
from revintel.model import FunnelDefinition, load_funnel
from revintel.predict._custom import custom_labels
from revintel.predict._dataset import build_frame
from revintel.predict._registry import load_model, write_scores
from revintel.predict._scoring import score_frame, target_of
from revintel.store import Store


class ScoreHistoryError(ValueError):
    """The history cannot be written (a model of another entity, an unknown milestone)."""


def score_history(
    store: Store,
    kind: str,
    milestone: str = "mql",
    funnel: FunnelDefinition | None = None,
    *,
    since: date | None = None,
) -> pd.DataFrame:
    """Score every lead at the time it reached ``milestone`` (as the KPIs count it: the first
    event of the milestone, else of a later one) with the current model of
    ``kind`` (a lead score) and store the scores dated then; returns the rows written.
    ``since`` keeps the leads that reached the milestone on or after that day.

    A lead that had already ended, or reached the model's target, at that time is not scored.
    Rewriting replaces the scores of the same model, lead and day.

    Raises
    ------
    ScoreHistoryError
        ``kind`` does not score leads, or ``milestone`` is not a milestone of the funnel.
    LookupError
        No model of ``kind`` is registered.
    """
    funnel = funnel or load_funnel()
    journeys = MetricSources.from_store(store, funnel).journeys
    reached = f"t_{milestone}"
    if reached not in journeys.columns:
        known = ", ".join(c[2:] for c in journeys.columns if c.startswith("t_"))
        raise ScoreHistoryError(f"milestone {milestone!r} is not one of {known}")
    record = load_model(store, kind)
    tgt = target_of(record)
    if tgt.entity != "lead":
        raise ScoreHistoryError(f"score {kind!r} scores {tgt.entity}s; a history is kept of leads")
    # The time the KPIs count the lead at the milestone (a later milestone proves it).
    j = journeys.filter(journeys[reached].notnull())
    snapshots = j.select(entity_id=j.lead_id, at=j[reached])
    if since is not None:
        snapshots = snapshots.filter(snapshots.at >= ibis.timestamp(since.isoformat()))
    frame = build_frame(store, tgt, funnel, snapshots)
    if frame.empty:
        return pd.DataFrame()
    scored = score_frame(record.scorer(), frame, labels=custom_labels(store))
    at = pd.to_datetime(frame["at"]).reset_index(drop=True)
    scored = scored.reset_index(drop=True)
    rows = pd.DataFrame(
        {
            "score_id": [
                f"{record.model_id}|{e}|{a.date()}"
                for e, a in zip(scored["entity_id"], at, strict=True)
            ],
            "model_id": record.model_id,
            "kind": record.kind,
            "entity_type": tgt.entity,
            "entity_id": scored["entity_id"],
            "score": scored["score"].astype(float),
            "scored_at": at,
            "reasons": [json.dumps(r, ensure_ascii=False) for r in scored["reasons"]],
        }
    )
    rows = rows.drop_duplicates("score_id", keep="last")
    write_scores(store, rows)
    return rows
