"""Churn risk of every active customer now, and alerts for valuable customers at risk."""

from __future__ import annotations

import logging
import math
from datetime import datetime

import pandas as pd

from revintel.model import FunnelDefinition, load_funnel
from revintel.predict._churn_evaluation import PRECISION, evaluate_churn_record
from revintel.predict._custom import custom_labels
from revintel.predict._dataset import current_frame
from revintel.predict._registry import ModelRecord, RegistryError, load_model
from revintel.predict._scoring import score_frame
from revintel.predict._snapshots import history_end
from revintel.predict._targets import target
from revintel.predict._training import train_score
from revintel.store import Store

log = logging.getLogger(__name__)

KIND = "account_churn"
#: Threshold of a model trained without the churn evaluation (no threshold at a precision).
DEFAULT_THRESHOLD = 0.5
#: Share of the scored customers, by value, whose warnings raise an alert.
TOP_VALUE_SHARE = 0.2
RISK_COLUMNS = ["account_id", "churn_risk", "warning", "value_365d", "days_since_order",
                "reasons_de", "reasons_en", "reasons", "model_id"]  # fmt: skip


def warning_threshold(record: ModelRecord) -> float:
    """The churn model's warning threshold: set at :data:`PRECISION` on its test window by
    :func:`evaluate_churn_record`, :data:`DEFAULT_THRESHOLD` when it was not evaluated so."""
    value = record.metrics.get("churn", {}).get("lead_time", {}).get("threshold")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DEFAULT_THRESHOLD
    return float(value)


def current_churn_model(
    store: Store, funnel: FunnelDefinition | None = None, *, train: bool = True
) -> ModelRecord:
    """The registered churn model; with ``train``, trains and evaluates one if there is none."""
    try:
        return load_model(store, KIND)
    except RegistryError:
        if not train:
            raise
    log.info("no churn model registered: training one")
    record = train_score(store, KIND, funnel or load_funnel()).record
    return evaluate_churn_record(store, record, PRECISION)[0]


def _sentences(reasons: dict[str, list[dict[str, str]]], language: str) -> str:
    return "; ".join(r[language] for r in reasons.get("positive", []))


def churn_risk(
    store: Store,
    as_of: datetime | None = None,
    *,
    funnel: FunnelDefinition | None = None,
    train: bool = True,
) -> pd.DataFrame:
    """Churn risk of every active customer at ``as_of`` (default: the last event).

    Scored with the current ``account_churn`` model; without one it is trained (and evaluated,
    which sets its warning threshold) first when ``train`` is true, else
    :class:`~revintel.predict.RegistryError`. Nothing is written to the store's scores (that is
    ``revintel score apply accounts``).

    Returns
    -------
    pandas.DataFrame
        One row per active customer, highest risk first: ``account_id``, ``churn_risk``,
        ``warning`` (risk at or above the threshold), ``value_365d`` (net order value of the
        last 12 months), ``days_since_order``, ``reasons_de`` and ``reasons_en`` (what raises
        the risk), ``reasons`` (for and against, with effects) and ``model_id``.
    """
    funnel = funnel or load_funnel()
    record = current_churn_model(store, funnel, train=train)
    tgt = target(KIND, int(record.metrics["horizon_days"]))
    frame = current_frame(store, tgt, funnel, as_of or history_end(store))
    if frame.empty:
        return pd.DataFrame(columns=RISK_COLUMNS)
    scored = score_frame(record.scorer(), frame, labels=custom_labels(store))
    out = pd.DataFrame(
        {
            "account_id": frame["entity_id"].to_numpy(),
            "churn_risk": scored["score"].to_numpy(float),
            "value_365d": frame["value_365d"].to_numpy(float),
            "days_since_order": frame["days_since_order"].to_numpy(float),
            "reasons": scored["reasons"].to_numpy(),
        }
    )
    out["warning"] = out["churn_risk"] >= warning_threshold(record)
    out["reasons_de"] = [_sentences(r, "de") for r in out["reasons"]]
    out["reasons_en"] = [_sentences(r, "en") for r in out["reasons"]]
    out["model_id"] = record.model_id
    return out[RISK_COLUMNS].sort_values("churn_risk", ascending=False, ignore_index=True)


def churn_alerts(
    risk: pd.DataFrame, top_value_share: float = TOP_VALUE_SHARE, value: str = "value_365d"
) -> pd.DataFrame:
    """Warned customers among the top ``top_value_share`` of ``risk`` by ``value``.

    ``risk`` is a :func:`churn_risk` table (or any with ``warning`` and the value column); the
    value cut is taken over every scored customer. Highest value first.

    Examples
    --------
    >>> risk = pd.DataFrame({"account_id": ["a", "b", "c", "d"],
    ...                      "warning": [True, True, False, True],
    ...                      "value_365d": [10.0, 500.0, 900.0, 20.0]})
    >>> churn_alerts(risk, top_value_share=0.5)["account_id"].tolist()
    ['b']
    """
    if not 0 < top_value_share <= 1:
        raise ValueError(f"top_value_share must lie in (0, 1], got {top_value_share}")
    missing = [c for c in ("warning", value) if c not in risk.columns]
    if missing:
        raise ValueError(f"the risk table lacks the column(s) {', '.join(missing)}")
    if risk.empty:
        return risk.copy()
    cut = risk[value].quantile(1.0 - top_value_share)
    alerts = risk.loc[risk["warning"].astype(bool) & (risk[value] >= cut)]
    return alerts.sort_values(value, ascending=False, ignore_index=True)
