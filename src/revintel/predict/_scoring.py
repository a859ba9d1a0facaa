"""Applying registered models: scores with reasons for open entities, one entity, one record."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ibis
import pandas as pd

from revintel.model import FunnelDefinition, load_funnel
from revintel.predict._custom import custom_labels
from revintel.predict._dataset import build_frame, current_frame
from revintel.predict._entities import ENTITIES, entity
from revintel.predict._guards import drift
from revintel.predict._reasons import CustomLabels, top_reasons
from revintel.predict._registry import (
    ModelRecord,
    RegistryError,
    Scorer,
    load_model,
    write_scores,
)
from revintel.predict._snapshots import history_end
from revintel.predict._targets import GROUPS, TARGETS, Target, target
from revintel.store import Store


def _values(scorer: Scorer, frame: pd.DataFrame) -> pd.DataFrame:
    """Feature values as the scorer saw them (relative features included)."""
    encoder = getattr(scorer, "encoder_", None)
    return encoder.derived(frame) if encoder is not None else frame


def score_frame(
    scorer: Scorer, frame: pd.DataFrame, top: int = 3, labels: CustomLabels | None = None
) -> pd.DataFrame:
    """``entity_id``, ``score`` and ``reasons`` (dict) for every row of a feature frame;
    ``labels`` names custom features by the source's headers."""
    try:
        p = scorer.predict_proba(frame)[:, 1]
        contributions = scorer.contributions(frame)
    except KeyError as exc:
        raise RegistryError(
            f"the model needs feature {exc.args[0]!r}, which this version of revintel no longer "
            "builds; retrain it with `revintel score train`"
        ) from None
    values = _values(scorer, frame)
    reasons = []
    for i in range(len(frame)):
        row = contributions.iloc[i].to_dict()
        shown = {f: values[f].iloc[i] for f in row if f in values}
        reasons.append(top_reasons(row, shown, top, labels=labels))
    return pd.DataFrame(
        {"entity_id": frame["entity_id"].to_numpy(), "score": p, "reasons": reasons}
    )


@dataclass(frozen=True)
class ApplyResult:
    """Scores written for one model, and the drift of the scored population."""

    record: ModelRecord
    scores: pd.DataFrame
    drift: pd.DataFrame
    as_of: datetime

    def summary(self) -> dict[str, Any]:
        """One row for a surface: model, rows scored, mean score and the most drifted feature."""
        top = self.drift.iloc[0] if len(self.drift) else None
        scores = self.scores["score"]
        return {
            "kind": self.record.kind,
            "model_id": self.record.model_id,
            "algorithm": self.record.algorithm,
            "scored": len(scores),
            "mean_score": float(scores.mean()) if len(scores) else None,
            "max_drift_psi": None if top is None else float(top["psi"]),
            "drift_feature": None if top is None else str(top["feature"]),
            "as_of": self.as_of,
        }


def target_of(record: ModelRecord) -> Target:
    """The record's target with the horizon it was trained for."""
    horizon = record.metrics.get("horizon_days")
    return target(record.kind, None if horizon is None else int(horizon))


def _score_rows(record: ModelRecord, scored: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    stamp = pd.Timestamp(as_of)
    return pd.DataFrame(
        {
            "score_id": [f"{record.model_id}|{e}|{stamp.date()}" for e in scored["entity_id"]],
            "model_id": record.model_id,
            "kind": record.kind,
            "entity_type": target(record.kind).entity,
            "entity_id": scored["entity_id"],
            "score": scored["score"].astype(float),
            "scored_at": stamp,
            "reasons": [json.dumps(r, ensure_ascii=False) for r in scored["reasons"]],
        }
    )


def apply_scores(
    store: Store,
    kind: str,
    funnel: FunnelDefinition | None = None,
    *,
    as_of: datetime | None = None,
) -> ApplyResult:
    """Score every open entity of ``kind`` at ``as_of`` with the current model and store it."""
    funnel = funnel or load_funnel()
    record = load_model(store, kind)
    tgt = target_of(record)
    as_of = as_of or history_end(store)
    frame = current_frame(store, tgt, funnel, as_of)
    scorer = record.scorer()
    scored = (
        score_frame(scorer, frame, labels=custom_labels(store))
        if len(frame)
        else pd.DataFrame({"entity_id": [], "score": [], "reasons": []})
    )
    rows = _score_rows(record, scored, as_of)
    if len(rows):
        _drop_superseded(store, kind, as_of)
        write_scores(store, rows)
    shift = drift(record.metrics.get("drift_reference", {}), frame)
    return ApplyResult(record, rows, shift, as_of)


def _drop_superseded(store: Store, kind: str, as_of: datetime) -> None:
    """Remove scores of ``kind`` made for the same instant by other (older) models."""
    t = store.table("scores")
    same = t.filter(t.kind == kind, t.scored_at == ibis.timestamp(as_of)).select("score_id")
    keys = same.to_pyarrow()
    if keys.num_rows:
        with store.transaction():
            store.delete_keys("scores", keys)


def apply_group(
    store: Store,
    group: str,
    funnel: FunnelDefinition | None = None,
    *,
    as_of: datetime | None = None,
) -> dict[str, ApplyResult | None]:
    """Score the open entities of every target of ``group`` (``leads``, ``deals``… or ``all``).

    Returns the result by kind, in the order of :data:`~revintel.predict.GROUPS`. For ``all``
    a kind without a current model maps to ``None``; for a named group it raises
    :class:`~revintel.predict.RegistryError`. An unknown group raises ``KeyError``.
    """
    funnel = funnel or load_funnel()
    kinds = [k for g in GROUPS for k in GROUPS[g]] if group == "all" else list(GROUPS[group])
    out: dict[str, ApplyResult | None] = {}
    for kind in kinds:
        try:
            out[kind] = apply_scores(store, kind, funnel, as_of=as_of)
        except RegistryError:
            if group != "all":
                raise
            out[kind] = None
    return out


def _kinds_for(store: Store, entity_id: str) -> list[str]:
    # Several entities may read one table (accounts: churn and other account targets).
    held = {scored.name for scored in ENTITIES.values() if scored.holds(store, entity_id)}
    if held:
        return [t.kind for t in TARGETS.values() if t.entity in held]
    *others, last = ENTITIES
    names = f"{', '.join(others)} or {last}" if others else last
    raise LookupError(f"no {names} with id {entity_id!r} in the store")


def explain_entity(
    store: Store,
    entity_id: str,
    funnel: FunnelDefinition | None = None,
    *,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    """Score and reasons of one lead, deal or other entity under each current model of it."""
    funnel = funnel or load_funnel()
    as_of = as_of or history_end(store)
    out: list[dict[str, Any]] = []
    for kind in _kinds_for(store, entity_id):
        try:
            record = load_model(store, kind)
        except LookupError:
            continue
        tgt = target_of(record)
        snaps = entity(tgt.entity).current_snapshots(store, as_of)
        frame = build_frame(
            store, tgt, funnel, snaps.filter(snaps.entity_id == ibis.literal(entity_id))
        )
        if frame.empty:
            out.append({"kind": kind, "model_id": record.model_id, "score": None,
                        "note": "closed, or already past the target milestone"})  # fmt: skip
            continue
        scored = score_frame(record.scorer(), frame, labels=custom_labels(store)).iloc[0]
        out.append({"kind": kind, "model_id": record.model_id, "algorithm": record.algorithm,
                    "score": float(scored["score"]), "reasons": scored["reasons"]})  # fmt: skip
    if not out:
        raise LookupError(f"no current model scores {entity_id!r}; run `revintel score train`")
    return out


class RealTimeScorer:
    """Scores one record in process: a dict of feature values in, score and reasons out.

    For callers that hold feature values already (an integration scoring a record as it is
    entered, the scoring benchmark); it skips the store and pandas, so one call takes well
    under a millisecond for LightGBM. The CLI and the REST API score from the store instead
    (:func:`apply_scores`, :func:`explain_entity`).

    Parameters
    ----------
    scorer
        A fitted scorer (LightGBM or a baseline).
    model_id
        Registry id reported with every score.
    """

    def __init__(self, scorer: Scorer, model_id: str = "") -> None:
        self.scorer = scorer
        self.model_id = model_id

    @classmethod
    def from_record(cls, record: ModelRecord) -> RealTimeScorer:
        """A real-time scorer for a registered model; its artifact is decoded once."""
        return cls(record.scorer(), record.model_id)

    def score(self, values: dict[str, Any], reasons: bool = True) -> dict[str, Any]:
        """Score and (optionally) reasons for one record of raw feature values."""
        p, contributions = self.scorer.score_record(values)
        out: dict[str, Any] = {"model_id": self.model_id, "score": p}
        if reasons:
            shown = dict(values)
            encoder = getattr(self.scorer, "encoder_", None)
            if encoder is not None:
                row = encoder.encode_record(values)[0]
                encoded = dict(zip(encoder.spec.names, row.tolist(), strict=True))
                derived = (*(r.name for r in encoder.spec.relative), *encoder.spec.bands)
                shown.update({name: encoded[name] for name in derived})
            out["reasons"] = top_reasons(contributions, shown)
        return out
