"""Out-of-time evaluation: AUC, log loss, Brier score, top-decile lift and the chart data."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

CLIP = 1e-6


def top_decile_lift(y: np.ndarray, p: np.ndarray) -> float:
    """Positive rate among the 10 % highest scores over the overall positive rate.

    Examples
    --------
    >>> round(top_decile_lift(np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), np.arange(10)[::-1]), 1)
    10.0
    """
    y = np.asarray(y, dtype=float)
    if len(y) == 0 or y.mean() == 0:
        return math.nan
    n = max(1, math.ceil(len(y) * 0.1))
    top = np.argsort(-np.asarray(p), kind="stable")[:n]
    return float(y[top].mean() / y.mean())


def score_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """AUC, log loss, Brier score, top-decile lift, rows, positives and base rate."""
    y = np.asarray(y, dtype=int)
    p = np.clip(np.asarray(p, dtype=float), CLIP, 1 - CLIP)
    both = len(np.unique(y)) == 2
    return {
        "auc": float(roc_auc_score(y, p)) if both else math.nan,
        "log_loss": float(log_loss(y, p, labels=[0, 1])) if len(y) else math.nan,
        "brier": float(brier_score_loss(y, p)) if len(y) else math.nan,
        "lift_top_decile": top_decile_lift(y, p),
        "rows": len(y),
        "positives": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else math.nan,
    }


def calibration_points(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[list[float]]:
    """Mean predicted vs observed rate in equal-count bins: ``[[predicted, observed, rows]…]``."""
    if len(y) == 0:
        return []
    order = np.argsort(np.asarray(p), kind="stable")
    out = []
    for chunk in np.array_split(order, min(bins, len(order))):
        out.append([float(p[chunk].mean()), float(y[chunk].mean()), float(len(chunk))])
    return out


def lift_points(y: np.ndarray, p: np.ndarray) -> list[list[float]]:
    """Cumulative lift by decile of score: ``[[share contacted, lift]…]``."""
    y = np.asarray(y, dtype=float)
    if len(y) == 0 or y.mean() == 0:
        return []
    order = np.argsort(-np.asarray(p), kind="stable")
    out = []
    for decile in range(1, 11):
        n = max(1, round(len(y) * decile / 10))
        out.append([decile / 10, float(y[order[:n]].mean() / y.mean())])
    return out


def evaluation(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Metrics plus calibration and lift curves, JSON-ready."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    return {
        **score_metrics(y, p),
        "calibration": calibration_points(y, p),
        "lift": lift_points(y, p),
    }


def beats(model: dict[str, Any], baseline: dict[str, Any]) -> bool:
    """Whether ``model`` ranks better (AUC) without being worse calibrated (log loss)."""
    if any(math.isnan(m.get(k, math.nan)) for m in (model, baseline) for k in ("auc", "log_loss")):
        return False
    return bool(model["auc"] > baseline["auc"] and model["log_loss"] <= baseline["log_loss"])
