"""Churn risks and their reasons for the customer rows, read from the churn model if one is
trained (``revintel score train accounts``); never trained on a read."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd

from revintel.i18n import Language
from revintel.predict import RegistryError, churn_risk
from revintel.store import Store

#: Message key of the sentence shown while no churn model is trained.
CHURN_MISSING_KEY = "customers.churn_missing"


def churn_columns(store: Store, as_of: date) -> pd.DataFrame:
    """``churn_risk``, ``churn_reasons`` and ``churn_warning`` (risk at or above the model's
    warning threshold) per account; empty columns without a churn model."""
    empty = pd.DataFrame(
        {
            "churn_risk": pd.Series(dtype=float),
            "churn_reasons": pd.Series(dtype=object),
            "churn_warning": pd.Series(dtype=object),
        }
    )
    empty.index.name = "account_id"
    scores = churn_scores(store, as_of)
    if scores is None:
        return empty
    columns = ["churn_risk", "churn_reasons", "churn_warning"]
    return scores.set_index("account_id")[columns].astype({"churn_risk": float})


def churn_scores(store: Store, as_of: date) -> pd.DataFrame | None:
    """The churn model's ``account_id``, ``churn_risk``, ``churn_reasons``, ``churn_warning`` at
    the end of
    ``as_of``; ``None`` while no churn model is trained (``revintel score train accounts``).

    Never trains one: a page or a listing must not start a training run.
    """
    try:
        frame = churn_risk(store, datetime.combine(as_of, time(23, 59, 59)), train=False)
    except RegistryError:
        return None
    if len(frame) == 0:
        return None
    scores = frame.rename(columns={"reasons": "churn_reasons", "warning": "churn_warning"})
    return scores[["account_id", "churn_risk", "churn_reasons", "churn_warning"]]


def has_churn_model(table: pd.DataFrame) -> bool:
    """Whether the rows carry churn risks."""
    return bool(table["churn_risk"].notna().any()) if len(table) else False


def churn_reason_texts(reasons: Any, lang: Language) -> list[str]:
    """The reasons raising a churn risk as sentences in ``lang`` (stored JSON, a mapping of
    ``positive``/``negative`` lists of ``{de, en}`` texts, or plain texts)."""
    if reasons is None or (isinstance(reasons, float) and np.isnan(reasons)):
        return []
    if isinstance(reasons, str):
        try:
            reasons = json.loads(reasons)
        except ValueError:
            return [reasons]
    if isinstance(reasons, dict):
        reasons = reasons.get("positive", [])
    return [r.get(lang, "") if isinstance(r, dict) else str(r) for r in reasons]
