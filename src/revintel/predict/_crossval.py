"""Scores of undated history: grouped k-fold cross-validation where no out-of-time test exists.

When every record of an entity carries the same creation date (a file imported with one
``--as-of`` date), the history has no order in time: no window can come after another, so a
score is measured by cross-validation instead, with every snapshot of a record in one fold. The
result says so in its message and in the registry (``metrics["evaluation"]``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

from revintel.model import FunnelDefinition
from revintel.predict._entities import Entity
from revintel.predict._evaluation import evaluation
from revintel.predict._registry import Scorer
from revintel.predict._targets import Target
from revintel.store import Store

#: Folds of the cross-validation; each needs a conversion and a non-conversion at least.
FOLDS = 5
#: The registry's name of each way a score was measured.
CROSS_VALIDATED = "cross-validation"
OUT_OF_TIME = "out-of-time"
#: The sentence every surface shows when a score could not be tested out of time.
NO_DATED_HISTORY = "no dated history: scoring uses cross-validation, not out-of-time"
NO_DATED_HISTORY_DE = (
    "keine datierte Historie: die Bewertung nutzt Kreuzvalidierung, keine Prüfung auf späteren "
    "Daten"
)

#: ``(rows) -> fitted models by name``; the training code's model set.
FitAll = Callable[[pd.DataFrame], dict[str, Scorer]]


def undated_history(store: Store, scored: Entity) -> datetime | None:
    """The one creation date of every record of ``scored``, or ``None`` when dates spread.

    ``None`` too when the entity has no rows or no creation column: there is nothing to tell.
    """
    if scored.created_column is None:
        return None
    t = store.table(scored.table)
    column = t[scored.created_column]
    stats = t.aggregate(n=column.count(), distinct=column.nunique(), first=column.min())
    row = stats.to_pandas().iloc[0]
    if int(row["n"]) == 0 or int(row["distinct"]) > 1:
        return None
    return pd.Timestamp(row["first"]).to_pydatetime()


def undated_frame(
    store: Store, tgt: Target, funnel: FunnelDefinition, scored: Entity
) -> pd.DataFrame:
    """One snapshot per record at its (shared) creation date, labelled by whether the record
    ever reached the target; ``label`` is 1 or 0."""
    assert scored.created_column is not None  # undated_history found the dates
    t = store.table(scored.table)
    snapshots = t.select(entity_id=t[scored.id_column], at=t[scored.created_column])
    state = scored.label(store, snapshots, tgt, funnel)
    frame = scored.features(store, state).to_pandas()
    # Every event carries the same date, so "before" and "after" the snapshot mean nothing:
    # the label is whether the target was reached at all, and the stage is left out.
    label = frame["reached"].astype(bool) | frame["outcome_at"].notna()
    frame = frame.assign(
        label=label.astype(int),
        rank_at=math.nan,
        stage_at=pd.NaT,
        milestone=None,
        milestone_rank=math.nan,
    )
    return frame.sort_values("entity_id", ignore_index=True)


def check_folds(kind: str, y: np.ndarray) -> None:
    """``ValueError`` when the labels cannot fill :data:`FOLDS` folds with both outcomes."""
    positives = int(y.sum())
    negatives = len(y) - positives
    if min(positives, negatives) < FOLDS:
        raise ValueError(
            f"{kind}: {NO_DATED_HISTORY}, which needs at least {FOLDS} records that reached "
            f"the target and {FOLDS} that did not; found {positives:,} and {negatives:,}"
        )


def cross_validate(
    fit_all: FitAll, rows: pd.DataFrame, groups: pd.Series, random_state: int = 0
) -> dict[str, dict[str, Any]]:
    """Evaluation of every model on its out-of-fold predictions (grouped, stratified k-fold).

    A model fitted in only some folds (LightGBM below the minimum-data rule) is left out.
    """
    y = rows["label"].to_numpy()
    folds = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=random_state)
    predicted: dict[str, np.ndarray] = {}
    seen: dict[str, int] = {}
    for train_index, test_index in folds.split(rows, y, groups):
        fitted = fit_all(rows.iloc[train_index].reset_index(drop=True))
        test = rows.iloc[test_index].reset_index(drop=True)
        for name, model in fitted.items():
            out = predicted.setdefault(name, np.full(len(rows), np.nan))
            out[test_index] = model.predict_proba(test)[:, 1]
            seen[name] = seen.get(name, 0) + 1
    return {name: evaluation(y, p) for name, p in predicted.items() if seen[name] == FOLDS}
