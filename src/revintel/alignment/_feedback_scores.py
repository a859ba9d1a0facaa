"""Each MQL's lead score as it stood when the lead became an MQL.

Two sources, in this order: the ``scores`` table (the latest score of the lead written at or
before its MQL time), else the registered lead model applied to the lead's features at its
MQL time, for MQLs after the model's training data only (an out-of-time score; MQLs the model
was fitted on stay unscored, so nothing is judged on data the model learned from).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from revintel.model import FunnelDefinition, load_funnel
from revintel.predict import RegistryError, build_frame, load_model, target
from revintel.store import Store

#: The score the MQL definition is built on: P(lead is won).
SCORE_KIND = "lead_to_won"


@dataclass(frozen=True)
class MqlScores:
    """Scores of MQLs at their MQL time.

    Attributes
    ----------
    scores
        Score per lead id (only scored leads).
    stored
        How many came from the ``scores`` table.
    modelled
        How many the registered model computed out of time.
    model_id
        The model behind ``modelled`` (``None`` when none was used).
    fitted_until
        MQLs at or before this instant were the model's training data and are not scored by it.
    """

    scores: pd.Series
    stored: int
    modelled: int
    model_id: str | None
    fitted_until: pd.Timestamp | None


def stored_scores(store: Store, leads: pd.DataFrame, kind: str = SCORE_KIND) -> pd.Series:
    """The latest ``kind`` score of each lead written at or before its ``t_mql``."""
    s = store.table("scores")
    rows = s.filter((s.entity_type == "lead") & (s.kind == kind))
    rows = rows.select("entity_id", "score", "scored_at").to_pandas()
    if rows.empty or leads.empty:
        return pd.Series(dtype=float)
    rows = rows.rename(columns={"entity_id": "lead_id"})
    rows["scored_at"] = pd.to_datetime(rows["scored_at"]).astype("datetime64[ns]")
    left = leads[["lead_id", "t_mql"]].assign(
        t_mql=pd.to_datetime(leads["t_mql"]).astype("datetime64[ns]")
    )
    merged = pd.merge_asof(
        left.sort_values("t_mql"),
        rows.sort_values("scored_at"),
        left_on="t_mql",
        right_on="scored_at",
        by="lead_id",
        direction="backward",
    )
    found = merged.dropna(subset=["score"])
    return found.set_index("lead_id")["score"].astype(float)


def model_scores(
    store: Store,
    leads: pd.DataFrame,
    kind: str = SCORE_KIND,
    funnel: FunnelDefinition | None = None,
) -> tuple[pd.Series, str | None, pd.Timestamp | None]:
    """The registered ``kind`` model's score of each lead at its ``t_mql``, for MQLs after the
    model's training data; with the model id and the end of its training data."""
    try:
        record = load_model(store, kind)
    except RegistryError:
        return pd.Series(dtype=float), None, None
    fitted_until = pd.Timestamp(record.train_to) if record.train_to is not None else None
    times = pd.to_datetime(leads["t_mql"])
    later = leads[times > fitted_until] if fitted_until is not None else leads.iloc[0:0]
    if later.empty:
        return pd.Series(dtype=float), record.model_id, fitted_until
    horizon = record.metrics.get("horizon_days")
    tgt = target(record.kind, None if horizon is None else int(horizon))
    snapshots = ibis.memtable(
        pd.DataFrame(
            {"entity_id": later["lead_id"].astype(str).to_numpy(),
             "at": pd.to_datetime(later["t_mql"]).astype("datetime64[us]").to_numpy()}
        )
    )  # fmt: skip
    frame = build_frame(store, tgt, funnel or load_funnel(), snapshots)
    if frame.empty:
        return pd.Series(dtype=float), record.model_id, fitted_until
    p = record.scorer().predict_proba(frame)[:, 1]
    scores = pd.Series(np.asarray(p, dtype=float), index=frame["entity_id"].to_numpy())
    return scores[~scores.index.duplicated()], record.model_id, fitted_until


def mql_scores(store: Store, leads: pd.DataFrame, kind: str = SCORE_KIND) -> MqlScores:
    """Scores of ``leads`` (``lead_id``, ``t_mql``) at their MQL time: stored ones first, the
    registered model's out-of-time score for the rest."""
    stored = stored_scores(store, leads, kind)
    rest = leads[~leads["lead_id"].isin(stored.index)]
    modelled, model_id, fitted_until = model_scores(store, rest, kind)
    scores = pd.concat([stored, modelled])
    return MqlScores(scores, len(stored), len(modelled), model_id, fitted_until)


def with_scores(leads: pd.DataFrame, scores: MqlScores) -> pd.DataFrame:
    """``leads`` with ``score`` (``NaN`` where unscored)."""
    return leads.assign(score=leads["lead_id"].map(scores.scores).astype(float))
