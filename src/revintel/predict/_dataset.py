"""The feature frame of a target: snapshots, their state and outcome, and their features."""

from __future__ import annotations

from datetime import datetime

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from revintel.model import FunnelDefinition
from revintel.predict._entities import entity
from revintel.predict._guards import check_leakage
from revintel.predict._targets import Target
from revintel.predict._windows import labels_within
from revintel.store import Store, fetch_frame


def with_labels(frame: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """``frame`` with ``label``: the outcome happened within ``horizon_days`` after ``at``.

    Examples
    --------
    >>> at = pd.Timestamp("2024-01-01")
    >>> frame = pd.DataFrame({"at": [at, at], "outcome_at": [at + pd.Timedelta(days=5), None]})
    >>> with_labels(frame, 3)["label"].tolist(), with_labels(frame, 5)["label"].tolist()
    ([0, 0], [1, 0])
    """
    return frame.assign(label=labels_within(frame, horizon_days))


def _with_milestones(frame: pd.DataFrame, funnel: FunnelDefinition) -> pd.DataFrame:
    """The milestone reached by ``at`` and its rank, for journeys along the funnel."""
    if "rank_at" not in frame:
        return frame
    path = np.array([m.id for m in funnel.path] + [None], dtype=object)
    rank = frame["rank_at"].fillna(-1).astype(int).to_numpy()
    return frame.assign(
        milestone=np.where(rank >= 0, path[np.clip(rank, 0, len(path) - 1)], None),
        milestone_rank=np.where(rank >= 0, rank, np.nan).astype(float),
    )


def build_frame(
    store: Store,
    target: Target,
    funnel: FunnelDefinition,
    snapshots: ir.Table,
    max_rows: int | None = None,
) -> pd.DataFrame:
    """Features and outcome of ``snapshots`` (``entity_id``, ``at``), in time order.

    Snapshots of entities that had ended, or already reached the target, by their prediction
    time are dropped: there is nothing left to predict. ``outcome_at`` holds when the target
    was first reached after ``at``; ``label`` is added when the target has a horizon. With
    ``max_rows``, more open snapshots than that are thinned to a uniform sample of whole
    entities in the engine (:func:`sampled_entities`). Raises
    :class:`~revintel.predict.LeakageError` if a feature read an event after ``at``.
    """
    scored = entity(target.entity)
    state = scored.label(store, snapshots, target, funnel)
    # Every feature group joins the state: computed once and kept in the engine, not once
    # per group (five times for a deal) inside one query.
    with store.kept(state) as kept:
        still_open = kept.filter(~kept.ended & ~kept.reached)
        if max_rows is not None:
            still_open = sampled_entities(still_open, max_rows)
        features = scored.features(store, still_open)
        frame = fetch_frame(features.order_by(["at", "entity_id"]))
    frame = _with_milestones(frame, funnel)
    if target.horizon_days is not None:
        frame = with_labels(frame, target.horizon_days)
    check_leakage(frame)
    return frame


#: Buckets entities are hashed into when sampled: the sampled share is set to 1/100,000.
_BUCKETS = 100_000


def sampled_entities(rows: ir.Table, max_rows: int) -> ir.Table:
    """``rows`` if at most ``max_rows``; else every row of a uniform sample of entities, about
    ``max_rows`` rows, chosen by a hash of the entity id (the same entities on every run).

    Whole entities are kept, so that an entity's snapshots are all in or all out.
    """
    count = int(rows.count().execute())
    if count <= max_rows:
        return rows
    kept_buckets = max(1, int(_BUCKETS * max_rows / count))
    bucket = (rows.entity_id.hash() % _BUCKETS).abs()
    return rows.filter(bucket < kept_buckets)


#: Most snapshots a score is trained and evaluated on; beyond, a uniform sample of whole
#: entities (see docs/scale.md).
MAX_FRAME_ROWS = 4_000_000


def training_frame(
    store: Store, target: Target, funnel: FunnelDefinition, max_rows: int = MAX_FRAME_ROWS
) -> pd.DataFrame:
    """Every historical snapshot of ``target`` with its features and outcome; of more than
    ``max_rows`` snapshots, those of a uniform sample of entities (:func:`sampled_entities`)."""
    snapshots = entity(target.entity).training_snapshots(store, funnel)
    return build_frame(store, target, funnel, snapshots, max_rows=max_rows)


def current_frame(
    store: Store, target: Target, funnel: FunnelDefinition, as_of: datetime
) -> pd.DataFrame:
    """The entities still open at ``as_of`` with their features at ``as_of``."""
    snapshots = entity(target.entity).current_snapshots(store, as_of)
    return build_frame(store, target, funnel, snapshots)
