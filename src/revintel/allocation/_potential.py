"""Account potential (share of wallet) and white space: what each account could buy per family.

An account's potential in a product family is what comparable accounts spend there at a high
quantile (by default the 80th percentile): the spend of the best-served peers, not the average
one. It is learnt by quantile gradient boosting on the buyers of each family and cross-fitted —
each account's potential comes from a model fitted on the other folds, so an account never
informs its own potential. Prospects get one too; white space is the part not yet bought.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import lightgbm as lgb
import numpy as np
import pandas as pd

from revintel.allocation._potential_features import (
    account_profiles,
    account_spend,
    as_day,
    check_profiles,
    comparison_features,
    last_order_day,
    product_families,
    spend_matrix,
)
from revintel.store import Store

logger = logging.getLogger(__name__)

#: A family needs this many buying accounts before a potential is estimated for it.
MIN_BUYERS = 10
COLUMNS = (
    "account_id",
    "family",
    "current_revenue",
    "estimate",
    "potential",
    "white_space",
    "peers",
    "fold",
)


@dataclass(frozen=True)
class PotentialEstimate:
    """Potential and white space per account and product family.

    Attributes
    ----------
    frame
        One row per account × family: ``current_revenue`` (net revenue of the last twelve
        months), ``estimate`` (the cross-fitted quantile of comparable accounts' spend),
        ``potential`` (the estimate, never below current revenue), ``white_space``
        (potential − current revenue, a negative one counted as 0), ``peers`` (buyers of the
        family in the other folds with the account's industry and segment) and ``fold``.
    quantile, folds, seed
        The quantile of peers' spend, the number of folds and the seed of the fold split.
    as_of
        Last day of the twelve months of spend (None for spend given as a frame).
    skipped
        Families left out for having fewer than ``MIN_BUYERS`` buyers.
    """

    frame: pd.DataFrame
    quantile: float
    folds: int
    seed: int
    as_of: date | None = None
    skipped: tuple[str, ...] = field(default=())

    @property
    def families(self) -> tuple[str, ...]:
        """The families a potential was estimated for."""
        return tuple(pd.unique(self.frame["family"]))

    def by_account(self) -> pd.DataFrame:
        """Current revenue, potential and white space summed over families, one row per
        account, largest white space first."""
        sums = self.frame.groupby("account_id", sort=True)[
            ["current_revenue", "potential", "white_space"]
        ].sum()
        return sums.sort_values("white_space", ascending=False, kind="stable").reset_index()


def _check_parameters(quantile: float, folds: int, accounts: int) -> None:
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must lie strictly between 0 and 1, got {quantile}")
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ValueError(f"folds must be a whole number of at least 2, got {folds!r}")
    if accounts < folds:
        raise ValueError(f"{accounts} accounts cannot be split into {folds} folds")


def _quantile_model(quantile: float, seed: int, rows: int) -> lgb.LGBMRegressor:
    # Small trees (four leaves of at least 40 buyers): a high quantile of a few rows is noise,
    # and deeper trees fit the training folds so closely that held-out spend exceeds them too
    # often. LightGBM's quantile objective sets each leaf to the quantile of its residuals.
    return lgb.LGBMRegressor(
        objective="quantile",
        alpha=quantile,
        n_estimators=150,
        learning_rate=0.05,
        num_leaves=4,
        min_child_samples=max(40, rows // 100),
        random_state=seed,
        n_jobs=1,
        verbose=-1,
    )


def _feature_columns(features: pd.DataFrame) -> list[str]:
    return [c for c in features.columns if c not in ("account_id", "family")]


def cross_fitted_quantiles(
    features: pd.DataFrame,
    current: np.ndarray,
    fold: np.ndarray,
    *,
    quantile: float,
    seed: int,
) -> np.ndarray:
    """The ``quantile`` of spend per row, each fold's rows predicted by a model of the others.

    The model is fitted on buying rows (``current`` > 0) in log space — a quantile commutes with
    the logarithm, and log spend is far less skewed than spend.
    """
    columns = _feature_columns(features)
    x = features[columns]
    estimate = np.zeros(len(features))
    buying = current > 0
    target = np.log(np.where(buying, current, 1.0))
    for k in np.unique(fold):
        train = buying & (fold != k)
        if train.sum() < 2:
            raise ValueError(
                f"fold {k} leaves fewer than two buyers to learn from: use fewer folds"
            )
        model = _quantile_model(quantile, seed, int(train.sum()))
        model.fit(x[train], target[train])
        held = fold == k
        estimate[held] = np.exp(np.asarray(model.predict(x[held]), dtype=float))
    return estimate


def _peer_counts(rows: pd.DataFrame, buying: np.ndarray) -> np.ndarray:
    """Buyers of the row's family, in other folds, sharing the row's industry and segment."""
    keys = ["family", "industry", "segment"]
    buyers = rows.loc[buying, [*keys, "fold"]]
    total = buyers.groupby(keys, observed=True).size().rename("total")
    in_fold = buyers.groupby([*keys, "fold"], observed=True).size().rename("own")
    counted = rows[[*keys, "fold"]].join(total, on=keys).join(in_fold, on=[*keys, "fold"])
    return (counted["total"].fillna(0) - counted["own"].fillna(0)).to_numpy(dtype=int)


def _usable_families(matrix: pd.DataFrame) -> tuple[list[str], tuple[str, ...]]:
    buyers = (matrix > 0).sum(axis=0)
    kept = [f for f in matrix.columns if buyers[f] >= MIN_BUYERS]
    skipped = tuple(f for f in matrix.columns if buyers[f] < MIN_BUYERS)
    if skipped:
        logger.info(
            "no potential for %s: fewer than %d buying accounts", ", ".join(skipped), MIN_BUYERS
        )
    if not kept:
        raise ValueError(
            f"no product family has {MIN_BUYERS} buying accounts in the twelve months: "
            "too little order history to compare accounts"
        )
    return kept, skipped


def fit_potential(
    profiles: pd.DataFrame,
    spend: pd.DataFrame,
    *,
    families: Sequence[str] | None = None,
    quantile: float = 0.8,
    folds: int = 5,
    seed: int = 0,
    as_of: date | None = None,
) -> PotentialEstimate:
    """Cross-fitted potential and white space from account profiles and their spend.

    Parameters
    ----------
    profiles
        One row per account: ``account_id``, ``industry``, ``segment``, ``region``,
        ``employees``. Every account gets a potential, buyer or not.
    spend
        ``account_id``, ``family``, ``revenue``: the spend of the twelve months (see
        :func:`account_spend`); accounts outside ``profiles`` are ignored.
    families
        Families to estimate; default: those in ``spend``.
    quantile
        Which quantile of comparable accounts' spend is the potential (0 < quantile < 1).
    folds
        Accounts are split into this many folds at random (``seed``); each fold's potential
        comes from a model fitted on the others.

    Returns
    -------
    PotentialEstimate
        The frame of potentials, sorted by account and family.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ids = [f"K{i:02d}" for i in range(60)]
    >>> profiles = pd.DataFrame({"account_id": ids, "industry": "Chemie", "region": "Süd",
    ...                          "segment": "Mittelstand", "employees": rng.integers(50, 500, 60)})
    >>> spend = pd.DataFrame({"account_id": ids[:40], "family": "Sensorik",
    ...                       "revenue": rng.uniform(1_000, 10_000, 40)})
    >>> frame = fit_potential(profiles, spend).frame
    >>> len(frame), bool((frame["potential"] >= frame["current_revenue"]).all())
    (60, True)
    >>> prospects = frame[frame["current_revenue"] == 0]
    >>> len(prospects), bool((prospects["white_space"] == prospects["potential"]).all())
    (20, True)
    """
    profiles = check_profiles(profiles)
    _check_parameters(quantile, folds, len(profiles))
    accounts = pd.Index(profiles["account_id"], name="account_id")
    names = sorted(set(spend["family"].dropna())) if families is None else list(families)
    matrix = spend_matrix(spend, accounts, names)
    kept, skipped = _usable_families(matrix)
    matrix = matrix[kept]
    features = comparison_features(profiles, matrix > 0, kept)
    rng = np.random.default_rng(seed)
    account_fold = rng.permutation(len(profiles)) % folds
    fold = np.repeat(account_fold, len(kept))
    current = matrix.to_numpy(dtype=float).ravel()
    estimate = cross_fitted_quantiles(features, current, fold, quantile=quantile, seed=seed)
    frame = features[["account_id", "family", "industry", "segment"]].copy()
    frame["fold"] = fold
    frame["current_revenue"] = current
    frame["estimate"] = estimate
    frame["potential"] = np.maximum(estimate, current)
    # returns exceeding the year's orders leave nothing bought, not a wallet larger than potential
    frame["white_space"] = frame["potential"] - np.maximum(current, 0.0)
    frame["peers"] = _peer_counts(frame, current > 0)
    frame = frame[list(COLUMNS)].sort_values(["account_id", "family"], ignore_index=True)
    return PotentialEstimate(frame, quantile, folds, seed, as_of, skipped)


def estimate_potential(
    store: Store,
    as_of: date | datetime | str | None = None,
    quantile: float = 0.8,
    folds: int = 5,
    seed: int = 0,
    *,
    deals: bool = False,
) -> PotentialEstimate:
    """Potential and white space of every real account in ``store`` per product family.

    Spend is the net revenue of the twelve months up to ``as_of`` (default: the day of the
    latest order) from the recurring business, or with ``deals`` also from orders that close
    an opportunity, see :func:`account_spend`; comparable accounts share industry, segment,
    size (log employees), region and the families they already buy. See
    :func:`fit_potential` for ``quantile``, ``folds`` and ``seed``.

    Examples
    --------
    >>> from revintel.store import open_store
    >>> with open_store("demo/revintel.duckdb") as store:  # doctest: +SKIP
    ...     result = estimate_potential(store, "2024-12-31")
    ...     top = result.by_account().head(10)
    """
    day = last_order_day(store) if as_of is None else as_day(as_of)
    return fit_potential(
        account_profiles(store),
        account_spend(store, day, deals=deals),
        families=product_families(store),
        quantile=quantile,
        folds=folds,
        seed=seed,
        as_of=day,
    )
