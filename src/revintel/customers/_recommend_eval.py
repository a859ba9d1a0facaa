"""Out-of-time evaluation of the cross-selling methods.

At a cutoff, each method is fitted on the purchases up to it and recommends ``k`` products per
account; the test is what each account bought for the first time in the following window.
Hyper-parameters are chosen on the window before the cutoff (fitted on the purchases up to one
window earlier), never on the window that is reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from revintel.customers._crosssell import METHODS, PurchaseHistory
from revintel.customers._interactions import Interactions, net_purchases

#: Hyper-parameters tried per method on the validation window.
DEFAULT_GRIDS: dict[str, dict[str, Sequence[Any]]] = {
    "popularity": {},
    "cooccurrence": {"normalisation": ("cosine", "lift")},
    "als": {"factors": (4, 16, 64), "regularization": (0.1, 10.0), "alpha": (1.0, 10.0)},
}


@dataclass(frozen=True)
class Holdout:
    """Purchases up to a cutoff and each account's first-time products in the window after."""

    train: Interactions
    new_products: dict[str, set[str]]  # account → products bought for the first time


def holdout(history: PurchaseHistory, cutoff: pd.Timestamp, horizon: pd.Timedelta) -> Holdout:
    """Split ``history`` at ``cutoff``: train on purchases up to it (inclusive), test on the
    products bought in (cutoff, cutoff + horizon] that the account had not bought before."""
    train = history.interactions(cutoff)
    before = net_purchases(history.orders, history.order_lines, cutoff)
    after = net_purchases(history.orders, history.order_lines, cutoff + horizon)
    known = set(zip(before["account_id"], before["product_id"], strict=True))
    new = after[
        [(a, p) not in known for a, p in zip(after["account_id"], after["product_id"], strict=True)]
    ]
    # only accounts with purchases before the cutoff can be recommended anything of their own
    new = new[new["account_id"].isin(set(train.accounts))]
    return Holdout(train, new.groupby("account_id")["product_id"].agg(set).to_dict())


def score_recommendations(
    recommendations: pd.DataFrame, split: Holdout, k: int
) -> dict[str, float]:
    """precision@k, recall@k over accounts with a new product, and catalogue coverage."""
    recommended = recommendations.groupby("account_id")["product_id"].agg(set).to_dict()
    hits = np.array([len(recommended.get(a, set()) & new) for a, new in split.new_products.items()])
    sizes = np.array([len(new) for new in split.new_products.values()])
    evaluated = len(sizes)
    return {
        "precision": float((hits / k).mean()) if evaluated else float("nan"),
        "recall": float((hits / sizes).mean()) if evaluated else float("nan"),
        "coverage": recommendations["product_id"].nunique() / len(split.train.products),
        "accounts": float(evaluated),
    }


def evaluate_method(
    method: str, params: Mapping[str, Any], split: Holdout, k: int
) -> dict[str, float]:
    """Fit ``method`` on the split's training purchases and score its top ``k``."""
    recommender = METHODS[method](**params).fit(split.train)
    return score_recommendations(recommender.recommend(k=k, reasons=False), split, k)


def tune(method: str, grid: Mapping[str, Sequence[Any]], split: Holdout, k: int) -> dict[str, Any]:
    """The hyper-parameters of ``grid`` with the best precision@k (then recall) on ``split``."""
    names = list(grid)
    candidates = [
        dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())
    ]
    if len(candidates) == 1:
        return candidates[0]
    results = [evaluate_method(method, params, split, k) for params in candidates]
    best = max(
        range(len(candidates)), key=lambda i: (results[i]["precision"], results[i]["recall"])
    )
    return candidates[best]


def default_cutoffs(
    history: PurchaseHistory, horizon: pd.Timedelta, count: int = 3
) -> list[pd.Timestamp]:
    """``count`` cutoffs one horizon apart, the last one a horizon before the last order."""
    last = pd.to_datetime(history.orders["ordered_at"]).max().normalize()
    return [last - horizon * i for i in range(count, 0, -1)]


def evaluate_out_of_time(
    history: PurchaseHistory,
    *,
    cutoffs: Sequence[pd.Timestamp] | None = None,
    horizon_days: int = 180,
    k: int = 10,
    methods: Sequence[str] = ("popularity", "cooccurrence", "als"),
    grids: Mapping[str, Mapping[str, Sequence[Any]]] = DEFAULT_GRIDS,
) -> pd.DataFrame:
    """Precision, recall and coverage at ``k`` per method and cutoff, tuned one window earlier.

    Returns
    -------
    pandas.DataFrame
        ``method``, ``cutoff``, ``precision``, ``recall``, ``coverage``, ``accounts`` (with a
        new product in the test window) and ``params`` (chosen on the validation window).
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(
            f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(METHODS)}"
        )
    horizon = pd.Timedelta(days=horizon_days)
    cutoffs = default_cutoffs(history, horizon) if cutoffs is None else cutoffs
    rows = []
    for cutoff in map(pd.Timestamp, cutoffs):
        validation = holdout(history, cutoff - horizon, horizon)
        test = holdout(history, cutoff, horizon)
        for method in methods:
            params = tune(method, grids.get(method, {}), validation, k)
            metrics = evaluate_method(method, params, test, k)
            rows.append({"method": method, "cutoff": cutoff.date(), **metrics, "params": params})
    return pd.DataFrame(rows)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over cutoffs of each metric, one row per method."""
    metrics = ["precision", "recall", "coverage"]
    table = results.groupby("method", sort=False)[metrics].agg(["mean", "std"])
    table.columns = [f"{metric}_{stat}" for metric, stat in table.columns]
    return table.reset_index()


def crosssell_accuracy_table(
    history: PurchaseHistory, *, k: int = 10, **options: Any
) -> pd.DataFrame:
    """The benchmark table: per method, mean ± spread of precision@k, recall@k and coverage."""
    return summarise(evaluate_out_of_time(history, k=k, **options))
