"""The feature frame of a target: snapshots, their state and outcome, and their features."""

from __future__ import annotations

from datetime import datetime

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from revintel.model import FunnelDefinition
from revintel.predict._features import deal_features, lead_features
from revintel.predict._guards import check_leakage
from revintel.predict._snapshots import current_snapshots, label_snapshots, training_snapshots
from revintel.predict._targets import Target
from revintel.store import Store


def build_frame(
    store: Store, target: Target, funnel: FunnelDefinition, snapshots: ir.Table
) -> pd.DataFrame:
    """Features and outcome of ``snapshots`` (``entity_id``, ``at``), in time order.

    Snapshots of entities that had ended, or already reached the target, by their prediction
    time are dropped: there is nothing left to predict. Raises
    :class:`~revintel.predict.LeakageError` if a feature read an event after ``at``.
    """
    state = label_snapshots(store, snapshots, target, funnel)
    features = lead_features if target.entity == "lead" else deal_features
    frame = features(store, state).to_pandas()
    frame = frame.loc[~frame["ended"].astype(bool) & ~frame["reached"].astype(bool)]
    path = np.array([m.id for m in funnel.path] + [None], dtype=object)
    rank = frame["rank_at"].fillna(-1).astype(int).to_numpy()
    frame = frame.assign(
        milestone=np.where(rank >= 0, path[np.clip(rank, 0, len(path) - 1)], None),
        milestone_rank=np.where(rank >= 0, rank, np.nan).astype(float),
        label=frame["label"].astype(int),
    )
    check_leakage(frame)
    return frame.sort_values(["at", "entity_id"], ignore_index=True)


def training_frame(store: Store, target: Target, funnel: FunnelDefinition) -> pd.DataFrame:
    """Every historical snapshot of ``target`` with its features and outcome."""
    return build_frame(store, target, funnel, training_snapshots(store, target, funnel))


def current_frame(
    store: Store, target: Target, funnel: FunnelDefinition, as_of: datetime
) -> pd.DataFrame:
    """The entities still open at ``as_of`` with their features at ``as_of``."""
    return build_frame(store, target, funnel, current_snapshots(store, target, as_of))
