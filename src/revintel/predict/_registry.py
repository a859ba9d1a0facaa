"""The model registry and the scores, both kept in the store's ``models`` and ``scores`` tables."""

from __future__ import annotations

import base64
import json
import platform
import zlib
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from typing import Any, Protocol

import numpy as np
import pandas as pd

from revintel.predict._baselines import MilestonePriorBaseline, NaiveBayesBaseline, PointsBaseline
from revintel.predict._gbm import GradientBoostingScorer
from revintel.store import Store


class Scorer(Protocol):
    """What every scorer offers: probabilities, per-feature log-odds contributions, state."""

    algorithm: str

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray: ...

    def contributions(self, x: pd.DataFrame) -> pd.DataFrame: ...

    def to_state(self) -> dict[str, Any]: ...

    def score_record(self, values: dict[str, Any]) -> tuple[float, dict[str, float]]: ...


#: Scorer classes by the algorithm name stored in the registry.
SCORERS: dict[str, Any] = {
    cls.algorithm: cls
    for cls in (GradientBoostingScorer, NaiveBayesBaseline, PointsBaseline, MilestonePriorBaseline)
}


class RegistryError(LookupError):
    """No model matches, or a stored model cannot be read."""


def scorer_from_state(state: dict[str, Any]) -> Scorer:
    """Rebuild a fitted scorer from its stored state; unknown algorithms fail loudly."""
    name = state.get("algorithm")
    if name not in SCORERS:
        raise RegistryError(f"unknown algorithm {name!r}; known: {', '.join(SCORERS)}")
    scorer: Scorer = SCORERS[name].from_state(state)
    return scorer


def encode_artifact(state: dict[str, Any]) -> str:
    """Base64 of the compressed JSON of a scorer's state."""
    raw = json.dumps(state, separators=(",", ":"), allow_nan=True).encode()
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def decode_artifact(text: str) -> dict[str, Any]:
    """Inverse of :func:`encode_artifact`."""
    state: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(text)))
    return state


def library_versions() -> dict[str, str]:
    """Versions of the libraries a fitted model depends on."""
    names = ("lightgbm", "scikit-learn", "numpy", "pandas", "revintel")
    return {"python": platform.python_version(), **{n: version(n) for n in names}}


@dataclass(frozen=True)
class ModelRecord:
    """One registered model: identity, windows, evaluation and the fitted artifact."""

    model_id: str
    kind: str
    algorithm: str
    trained_at: datetime
    train_from: datetime | None
    train_to: datetime | None
    test_to: datetime | None
    features: list[str]
    metrics: dict[str, Any]
    baseline_metrics: dict[str, Any]
    library_versions: dict[str, str]
    artifact: str
    status: str

    def scorer(self) -> Scorer:
        """The fitted scorer stored with this record."""
        return scorer_from_state(decode_artifact(self.artifact))

    def row(self) -> dict[str, Any]:
        """The ``models`` table row."""
        return {
            "model_id": self.model_id,
            "kind": self.kind,
            "algorithm": self.algorithm,
            "trained_at": self.trained_at,
            "train_from": self.train_from,
            "train_to": self.train_to,
            "test_to": self.test_to,
            "features": json.dumps(self.features),
            "metrics": json.dumps(self.metrics, allow_nan=True),
            "baseline_metrics": json.dumps(self.baseline_metrics, allow_nan=True),
            "library_versions": json.dumps(self.library_versions),
            "artifact": self.artifact,
            "status": self.status,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ModelRecord:
        """Parse a ``models`` row."""

        def when(v: Any) -> datetime | None:
            return None if v is None or pd.isna(v) else pd.Timestamp(v).to_pydatetime()

        trained = when(row["trained_at"])
        assert trained is not None  # required column
        return cls(
            model_id=row["model_id"],
            kind=row["kind"],
            algorithm=row["algorithm"],
            trained_at=trained,
            train_from=when(row["train_from"]),
            train_to=when(row["train_to"]),
            test_to=when(row["test_to"]),
            features=json.loads(row["features"] or "[]"),
            metrics=json.loads(row["metrics"] or "{}"),
            baseline_metrics=json.loads(row["baseline_metrics"] or "{}"),
            library_versions=json.loads(row["library_versions"] or "{}"),
            artifact=row["artifact"],
            status=row["status"],
        )


def _rows(store: Store) -> list[dict[str, Any]]:
    frame = store.table("models").to_pandas().sort_values("trained_at", ascending=False)
    return [dict(r) for r in frame.to_dict(orient="records")]


def register_model(store: Store, record: ModelRecord) -> None:
    """Store ``record``; earlier active models of the same kind become ``retired``.

    Registering the same model id again (the same model trained within the same second)
    replaces the earlier row.
    """
    previous = [
        ModelRecord.from_row(r)
        for r in _rows(store)
        if r["kind"] == record.kind
        and r["status"] in ("active", "fallback")
        and r["model_id"] != record.model_id
    ]
    with store.transaction():
        ids = [p.model_id for p in previous] + [record.model_id]
        store.delete_keys("models", pd.DataFrame({"model_id": ids}))
        if previous:
            retired = [{**p.row(), "status": "retired"} for p in previous]
            store.insert("models", pd.DataFrame(retired))
        store.insert("models", pd.DataFrame([record.row()]))


def list_models(store: Store) -> list[ModelRecord]:
    """Every registered model, newest first."""
    return [ModelRecord.from_row(r) for r in _rows(store)]


def load_model(store: Store, kind: str | None = None, model_id: str | None = None) -> ModelRecord:
    """The model ``model_id``, or the current (active or fallback) model of ``kind``."""
    for record in list_models(store):
        if model_id is not None and record.model_id == model_id:
            return record
        if model_id is None and record.kind == kind and record.status in ("active", "fallback"):
            return record
    wanted = f"model {model_id!r}" if model_id else f"a current {kind!r} model"
    raise RegistryError(f"the store holds no {wanted}; run `revintel score train` first")


def write_scores(store: Store, scores: pd.DataFrame) -> int:
    """Replace the scores with the same ids by ``scores`` (``scores`` table columns)."""
    with store.transaction():
        store.delete_keys("scores", scores[["score_id"]])
        return store.insert("scores", scores)
