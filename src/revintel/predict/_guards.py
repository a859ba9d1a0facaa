"""Guard rails of scoring: enough data, no leakage from the future, drift of the population."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from revintel.predict._sentences import Sentence, count_de

log = logging.getLogger(__name__)

#: Minimum training rows and positives for a learned model (the thresholds Salesforce Einstein
#: lead scoring documents: 1,000 leads and 120 conversions).
MIN_ROWS = 1_000
MIN_POSITIVES = 120
#: A single feature separating the classes this well is treated as leaked from the outcome.
LEAK_AUC = 0.95
#: Population stability index above which a feature has drifted (common rule of thumb:
#: < 0.1 stable, 0.1–0.25 moderate, > 0.25 major shift).
PSI_MAJOR = 0.25


class LeakageError(ValueError):
    """A feature was recorded after the prediction time of its row."""


@dataclass(frozen=True)
class DataCheck:
    """Outcome of the minimum-data rule."""

    enough: bool
    message: str


def check_minimum_data(rows: int, positives: int) -> DataCheck:
    """Whether ``rows`` training rows with ``positives`` conversions suffice for a model.

    Examples
    --------
    >>> check_minimum_data(5_000, 80).enough
    False
    """
    if rows >= MIN_ROWS and positives >= MIN_POSITIVES and rows - positives >= MIN_POSITIVES:
        return DataCheck(
            True,
            Sentence(
                f"{rows:,} training rows with {positives:,} conversions",
                f"{count_de(rows)} Trainingszeilen mit {count_de(positives)} Konversionen",
            ),
        )
    return DataCheck(
        False,
        Sentence(
            f"only {rows:,} training rows with {positives:,} conversions; a learned model needs "
            f"at least {MIN_ROWS:,} rows and {MIN_POSITIVES} conversions and non-conversions — "
            "falling back to a baseline built on prior frequencies",
            f"nur {count_de(rows)} Trainingszeilen mit {count_de(positives)} Konversionen; ein "
            f"gelerntes Modell braucht mindestens {count_de(MIN_ROWS)} Zeilen und "
            f"{MIN_POSITIVES} Konversionen und Nicht-Konversionen – Rückfall auf eine "
            "Vergleichsbasis aus den bisherigen Häufigkeiten",
        ),
    )


def check_leakage(frame: pd.DataFrame, at: str = "at") -> None:
    """Raise :class:`LeakageError` if any ``*_recorded_at`` column is later than ``at``.

    Every aggregate of the feature builder reports the latest event time it read in such a
    column; a value after the prediction time means the feature saw the future.
    """
    for col in (c for c in frame.columns if c.endswith("_recorded_at")):
        late = frame[col].notna() & (pd.to_datetime(frame[col]) > pd.to_datetime(frame[at]))
        if late.any():
            row = frame.loc[late].iloc[0]
            raise LeakageError(
                f"{int(late.sum())} rows use {col.removesuffix('_recorded_at')} data recorded "
                f"after the prediction time, e.g. entity {row.get('entity_id')}: {row[col]} > "
                f"{row[at]}"
            )


def _single_feature_auc(values: pd.Series, y: np.ndarray) -> float:
    if not pd.api.types.is_numeric_dtype(values.dtype):
        keys = values.astype("object").where(values.notna(), "∅").astype(str)
        score = keys.map(pd.Series(y, index=keys.index).groupby(keys).mean()).to_numpy()
    else:
        numbers = pd.to_numeric(values, errors="coerce")
        score = numbers.fillna(numbers.min() - 1 if numbers.notna().any() else 0).to_numpy()
    if len(np.unique(y)) < 2 or len(np.unique(score)) < 2:
        return 0.5
    auc = float(roc_auc_score(y, score))
    return max(auc, 1 - auc)


def leaky_features(frame: pd.DataFrame, y: np.ndarray, features: tuple[str, ...]) -> list[str]:
    """Features that alone separate the outcome almost perfectly (AUC ≥ ``LEAK_AUC``).

    Such a feature is nearly always written when the outcome is known (a deal value set to 0 on
    loss, a reason filled on closing), not an early signal; it is dropped with a warning.
    """
    leaky = []
    for f in features:
        if f in frame and _single_feature_auc(frame[f], np.asarray(y)) >= LEAK_AUC:
            log.warning("feature %s separates the outcome alone: treated as leaked, dropped", f)
            leaky.append(f)
    return leaky


def reference_distribution(values: pd.Series, categorical: bool) -> dict[str, Any]:
    """Bins and shares of a training column, kept with the model for the drift check."""
    if categorical:
        keys = values.astype("object").where(values.notna(), "∅").astype(str)
        shares = keys.value_counts(normalize=True)
        return {"kind": "categorical", "shares": {str(k): float(v) for k, v in shares.items()}}
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    edges = (
        sorted(set(np.quantile(numbers, np.linspace(0.1, 0.9, 9)).tolist())) if len(numbers) else []
    )
    return {"kind": "numeric", "edges": edges, "shares": _numeric_shares(values, edges)}


def _numeric_shares(values: pd.Series, edges: list[float]) -> list[float]:
    numbers = pd.to_numeric(values, errors="coerce")
    bins = np.where(numbers.isna(), len(edges) + 1, np.searchsorted(edges, numbers, side="right"))
    counts = np.bincount(bins.astype(int), minlength=len(edges) + 2)
    return (counts / max(1, len(values))).tolist()


def psi(expected: list[float], actual: list[float], floor: float = 1e-4) -> float:
    """Population stability index Σ (a − e) · ln(a / e) over matching bins.

    Examples
    --------
    >>> psi([0.5, 0.5], [0.5, 0.5])
    0.0
    """
    e = np.clip(np.asarray(expected, dtype=float), floor, None)
    a = np.clip(np.asarray(actual, dtype=float), floor, None)
    return float(np.sum((a - e) * np.log(a / e)))


def drift(reference: dict[str, dict[str, Any]], frame: pd.DataFrame) -> pd.DataFrame:
    """PSI of every feature between the training rows and ``frame``, largest first."""
    rows = []
    for feature, ref in reference.items():
        if feature not in frame:
            continue
        if ref["kind"] == "categorical":
            keys = frame[feature].astype("object").where(frame[feature].notna(), "∅").astype(str)
            now = keys.value_counts(normalize=True)
            names = sorted(set(ref["shares"]) | set(now.index))
            value = psi(
                [ref["shares"].get(n, 0.0) for n in names], [now.get(n, 0.0) for n in names]
            )
        else:
            value = psi(ref["shares"], _numeric_shares(frame[feature], ref["edges"]))
        status = "major" if value > PSI_MAJOR else "moderate" if value > 0.1 else "stable"
        rows.append({"feature": feature, "psi": round(value, 4), "status": status})
    out = pd.DataFrame(rows, columns=["feature", "psi", "status"])
    return out.sort_values("psi", ascending=False, ignore_index=True)


#: Deal features read from the opportunity's current row, by column of ``opportunities``.
CURRENT_STATE_FIELDS = {"amount": "amount"}


def filled_at_closing(store: Any, threshold: float = 0.5) -> list[str]:
    """Deal features whose source column is empty on open deals but filled on closed ones.

    A current-state field that the source system fills only when a deal closes (Maven's
    ``close_value`` becomes ``amount``) reveals the outcome; it must not become a feature.
    """
    o = store.table("opportunities")
    closed = o.status.isin(("won", "lost"))
    leaky = []
    for feature, column in CURRENT_STATE_FIELDS.items():
        empty = o[column].isnull()
        shares = o.aggregate(
            open_empty=empty.mean(where=~closed), closed_empty=empty.mean(where=closed)
        ).to_pandas()
        open_empty = shares["open_empty"].iloc[0]
        closed_empty = shares["closed_empty"].iloc[0]
        if (
            pd.notna(open_empty)
            and pd.notna(closed_empty)
            and open_empty - closed_empty > threshold
        ):
            log.warning("%s is empty on open deals but filled on closed ones: dropped", column)
            leaky.append(feature)
    return leaky
