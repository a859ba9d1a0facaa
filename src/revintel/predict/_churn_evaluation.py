"""Churn-specific evaluation on the test window: baselines, average precision, calibration and
the lead time of the warning at a stated precision.

The registry's comparison (AUC, log loss, Brier, lift of the chosen model and the generic
baselines) is extended by three churn baselines that need no training: recency (days since the
last order), the BG/NBD probability of no order within the customer's window and 1 − P(alive).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from revintel.predict._churn_features import churn_features
from revintel.predict._churn_snapshots import (
    DEFINITION,
    ChurnDefinition,
    account_snapshots,
    churn_state,
)
from revintel.predict._evaluation import calibration_points
from revintel.predict._guards import check_leakage
from revintel.predict._registry import ModelRecord, register_model
from revintel.predict._sentences import Sentence
from revintel.predict._windows import labels_within
from revintel.store import Store

#: Precision at which the warning threshold is set (half of the warned accounts churn).
PRECISION = 0.5
#: Churn baselines: name → (feature column read, whether the score is a probability);
#: ``bgnbd_not_alive`` scores 1 − its column.
CHURN_BASELINES: dict[str, tuple[str, bool]] = {
    "recency": ("days_since_order", False),
    "bgnbd_no_order": ("p_no_order", True),
    "bgnbd_not_alive": ("p_alive", True),
}


def baseline_scores(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Scores of the churn baselines for every row of a churn feature frame (missing → mean)."""
    out = {}
    for name, (column, _) in CHURN_BASELINES.items():
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        values = values.fillna(values.mean() if values.notna().any() else 0.0).to_numpy()
        out[name] = 1.0 - values if column == "p_alive" else values
    return out


def ranking_metrics(y: np.ndarray, p: np.ndarray, probability: bool) -> dict[str, float]:
    """AUC, average precision and (for probabilities) the Brier score of scores ``p``."""
    both = len(np.unique(y)) == 2
    return {
        "auc": float(roc_auc_score(y, p)) if both else math.nan,
        "average_precision": float(average_precision_score(y, p)) if both else math.nan,
        "brier": float(brier_score_loss(y, np.clip(p, 0, 1))) if probability else math.nan,
        "rows": len(y),
        "positives": int(np.sum(y)),
    }


def threshold_at_precision(y: np.ndarray, p: np.ndarray, precision: float = PRECISION) -> float:
    """The lowest score threshold at which the warned rows (score ≥ threshold) reach
    ``precision``; ``nan`` if no threshold does.

    Examples
    --------
    >>> threshold_at_precision(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.7, 0.1]), 0.6)
    0.7
    """
    if not 0 < precision <= 1:
        raise ValueError(f"precision must lie in (0, 1], got {precision}")
    order = np.argsort(-p, kind="stable")
    hits = np.cumsum(y[order]) / np.arange(1, len(y) + 1)
    # A threshold must take every row scoring the same: only the last row of a tie counts.
    last_of_tie = np.append(p[order][1:] != p[order][:-1], True)
    good = np.flatnonzero((hits >= precision) & last_of_tie)
    return math.nan if len(good) == 0 else float(p[order][good[-1]])


LEAD_TIME_COLUMNS = ["entity_id", "last_order_at", "warned_at", "days_after_last_order",
                     "days_before_window_end"]  # fmt: skip


def lead_times(frame: pd.DataFrame, scores: np.ndarray, threshold: float) -> pd.DataFrame:
    """First warning of every churn episode (an account's churned snapshots after one last order).

    Columns: ``entity_id``, ``last_order_at``, ``warned_at`` (first snapshot scoring at least
    ``threshold``, NaT if none), ``days_after_last_order`` and ``days_before_window_end`` (how
    long before the definition itself, ``W`` days of silence, would call the account churned).
    """
    rows = frame.assign(score=scores).loc[frame["label"] == 1]
    rows = rows.sort_values("at")
    out = []
    for (account, last), episode in rows.groupby(["entity_id", "last_order_at"], sort=False):
        warned = episode.loc[episode["score"] >= threshold]
        first = warned.iloc[0] if len(warned) else None
        at = pd.NaT if first is None else first["at"]
        window_end = pd.Timestamp(last) + pd.to_timedelta(episode["churn_window_days"].iloc[0], "D")
        day = pd.Timedelta(days=1)
        out.append(
            {
                "entity_id": account,
                "last_order_at": last,
                "warned_at": at,
                "days_after_last_order": (at - pd.Timestamp(last)) / day,
                "days_before_window_end": (window_end - at) / day,
            }
        )
    return pd.DataFrame(out, columns=LEAD_TIME_COLUMNS)


@dataclass(frozen=True)
class ChurnEvaluation:
    """The test-window evaluation of a churn model beside the churn baselines."""

    metrics: pd.DataFrame
    calibration: pd.DataFrame
    lead_time: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        """JSON-ready form (kept with the model in the registry)."""
        return {
            "metrics": self.metrics.to_dict(orient="records"),
            "calibration": self.calibration.to_dict(orient="records"),
            "lead_time": self.lead_time,
        }


def evaluate_churn(
    test: pd.DataFrame, model: str, scores: np.ndarray, precision: float = PRECISION
) -> ChurnEvaluation:
    """Metrics of ``scores`` (the chosen model ``model``) and the churn baselines on ``test``."""
    y = test["label"].to_numpy(int)
    rows = [{"algorithm": model, **ranking_metrics(y, scores, True)}]
    for name, values in baseline_scores(test).items():
        rows.append({"algorithm": name, **ranking_metrics(y, values, CHURN_BASELINES[name][1])})
    calibration = pd.DataFrame(
        calibration_points(y, scores), columns=["predicted", "observed", "rows"]
    )
    # The threshold is set on the earlier half of the test window's snapshot times and what it
    # achieves (precision, recall, lead time) is measured on the later half, so the reported
    # precision is not the one the threshold was chosen to reach.
    times = pd.to_datetime(test["at"]).to_numpy()
    split = np.sort(np.unique(times))[len(np.unique(times)) // 2] if len(times) else None
    setting = times < split if split is not None else np.zeros(len(y), dtype=bool)
    if not setting.any() or setting.all():
        setting = np.ones(len(y), dtype=bool)  # one snapshot time: nothing to hold out
    reported = ~setting if (~setting).any() else setting
    threshold = threshold_at_precision(y[setting], scores[setting], precision)
    later = test.loc[reported]
    episodes = lead_times(later, scores[reported], threshold)
    warned = episodes["warned_at"].notna()
    y_later = y[reported]
    warned_rows = scores[reported] >= threshold
    lead = {
        "precision_target": precision,
        "threshold": threshold,
        "threshold_set_before": str(pd.Timestamp(split).date()) if split is not None else None,
        "precision": float(y_later[warned_rows].mean()) if warned_rows.any() else math.nan,
        "recall": float(y_later[warned_rows].sum() / max(1, y_later.sum())),
        "churn_episodes": len(episodes),
        "warned_episodes": int(warned.sum()),
        "median_days_after_last_order": float(
            episodes.loc[warned, "days_after_last_order"].median()
        ),
        "median_days_before_window_end": float(
            episodes.loc[warned, "days_before_window_end"].median()
        ),
    }
    return ChurnEvaluation(pd.DataFrame(rows), calibration, lead)


def churn_test_rows(
    store: Store, record: ModelRecord, definition: ChurnDefinition = DEFINITION
) -> pd.DataFrame:
    """The labelled snapshots of ``record``'s test window, with their features."""
    horizon = int(record.metrics["horizon_days"])
    start = pd.Timestamp(record.metrics["test_from"])
    end = pd.Timestamp(record.test_to)
    snapshots = account_snapshots(store, None, definition)
    snapshots = snapshots.filter(snapshots.at >= start, snapshots.at <= end)
    state = churn_state(store, snapshots, definition.with_cap(horizon))
    frame = churn_features(store, state).to_pandas()
    frame = frame.loc[~frame["ended"].astype(bool)]
    check_leakage(frame)
    frame = frame.assign(label=labels_within(frame, horizon))
    return frame.sort_values(["at", "entity_id"], ignore_index=True)


def evaluate_churn_record(
    store: Store, record: ModelRecord, precision: float = PRECISION
) -> tuple[ModelRecord, ChurnEvaluation]:
    """Evaluate a registered churn model on its test window and keep the result (and the
    warning threshold) in its registry metrics under ``churn``."""
    test = churn_test_rows(store, record)
    if test.empty:
        raise ValueError(f"{record.model_id}: the test window holds no labelled snapshots")
    scores = record.scorer().predict_proba(test)[:, 1]
    result = evaluate_churn(test, record.algorithm, scores, precision)
    updated = replace(record, metrics={**record.metrics, "churn": result.summary()})
    register_model(store, updated)
    return updated, result


def churn_report(store: Store, record: ModelRecord) -> tuple[ModelRecord, pd.DataFrame, str]:
    """The churn evaluation of ``record`` as rows for the training comparison and one line.

    Returns the updated record, one comparison row per churn baseline (``chosen`` false, with
    its average precision) and a sentence on the chosen model's average precision and the
    warning's lead time.
    """
    updated, result = evaluate_churn_record(store, record)
    m = result.metrics
    rows = m.loc[m["algorithm"] != record.algorithm].assign(chosen=False)
    mine = m.loc[m["algorithm"] == record.algorithm].iloc[0]
    lead = result.lead_time

    def comma(value: float, digits: int) -> str:
        return f"{value:.{digits}f}".replace(".", ",")

    note = Sentence(
        f"average precision of {record.algorithm} {mine['average_precision']:.3f}; "
        f"churn warning set at precision {lead['precision_target']:.2f} on the test window's "
        f"first half (threshold {lead['threshold']:.3f}); on its second half precision "
        f"{lead['precision']:.2f}, {lead['warned_episodes']} of "
        f"{lead['churn_episodes']} churned accounts warned, median "
        f"{lead['median_days_after_last_order']:.0f} days after their last order and "
        f"{lead['median_days_before_window_end']:.0f} days before their churn window ended",
        f"Average Precision von {record.algorithm} {comma(mine['average_precision'], 3)}; "
        f"Abwanderungswarnung auf Präzision {comma(lead['precision_target'], 2)} in der ersten "
        f"Hälfte des Testfensters eingestellt (Schwelle {comma(lead['threshold'], 3)}); in der "
        f"zweiten Hälfte Präzision {comma(lead['precision'], 2)}, {lead['warned_episodes']} "
        f"von {lead['churn_episodes']} abgewanderten Kunden gewarnt, im Median "
        f"{lead['median_days_after_last_order']:.0f} Tage nach ihrer letzten Bestellung und "
        f"{lead['median_days_before_window_end']:.0f} Tage vor dem Ende ihres "
        "Abwanderungsfensters",
    )
    return updated, rows, note
