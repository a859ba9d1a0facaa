"""The gradient-boosting scorer: LightGBM with monotone constraints and out-of-time calibration."""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from revintel.predict._encoding import FrameEncoder
from revintel.predict._spec import FeatureSpec, spec_from_dict, spec_to_dict

EPS = 1e-6


def fit_platt(margin: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of ``sigmoid(a * margin + b)`` fitted by logistic regression.

    Platt (1999) scaling; applied to LightGBM's raw margin it keeps the ranking and lets the
    per-feature contributions be rescaled by the same slope. A constant margin or a single
    class gives the base rate.
    """
    margin = np.asarray(margin, dtype=float)
    y = np.asarray(y, dtype=float)
    rate = float(np.clip(y.mean(), EPS, 1 - EPS)) if len(y) else 0.5
    scale = float(margin.std())
    if scale == 0 or len(np.unique(y)) < 2:
        return 0.0, float(np.log(rate / (1 - rate)))
    centre = float(margin.mean())
    fit = LogisticRegression(C=1e4, max_iter=500)
    fit.fit(((margin - centre) / scale)[:, None], y.astype(int))
    a = float(fit.coef_[0, 0]) / scale
    return a, float(fit.intercept_[0]) - a * centre


class GradientBoostingScorer(ClassifierMixin, BaseEstimator):
    """P(target) from LightGBM, calibrated on the latest part of the training window.

    Rows must arrive in time order: the last ``calibration_share`` of them is held out to stop
    boosting early and to fit Platt scaling, so calibration is itself out of time.

    Parameters
    ----------
    spec
        The features, their monotone directions and relative features.
    n_estimators, learning_rate, num_leaves, min_child_samples
        LightGBM's boosting rounds (an upper bound; early stopping picks fewer), shrinkage,
        leaves per tree and minimum rows per leaf.
    calibration_share
        Share of the (latest) training rows held out for early stopping and calibration.
    random_state
        Seed of LightGBM.
    """

    algorithm = "lightgbm"

    def __init__(
        self,
        *,
        spec: FeatureSpec,
        n_estimators: int = 600,
        learning_rate: float = 0.04,
        num_leaves: int = 15,
        min_child_samples: int = 120,
        calibration_share: float = 0.25,
        random_state: int = 0,
    ) -> None:
        self.spec = spec
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.calibration_share = calibration_share
        self.random_state = random_state

    def _params(self) -> dict[str, Any]:
        names = self.spec.names
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_child_samples,
            "feature_fraction": 0.9,
            "lambda_l2": 1.0,
            "cat_smooth": 20.0,
            "monotone_constraints": [self.spec.monotone.get(n, 0) for n in names],
            "monotone_constraints_method": "intermediate",
            "seed": self.random_state,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": 1,
            "verbose": -1,
        }

    def fit(self, x: pd.DataFrame, y: np.ndarray) -> GradientBoostingScorer:
        """Fit the booster on the earlier rows, calibrate on the later ones."""
        y = np.asarray(y, dtype=float)
        self.encoder_ = FrameEncoder(self.spec).fit(x)
        matrix = self.encoder_.transform(x)
        cut = int(len(y) * (1 - self.calibration_share))
        cats = list(range(len(self.spec.categorical)))
        names = list(self.spec.names)
        train = lgb.Dataset(matrix[:cut], y[:cut], feature_name=names, categorical_feature=cats)
        valid = lgb.Dataset(matrix[cut:], y[cut:], reference=train)
        self.booster_ = lgb.train(
            self._params(),
            train,
            num_boost_round=self.n_estimators,
            valid_sets=[valid],
            callbacks=[lgb.early_stopping(60, verbose=False)],
        )
        margin = self.booster_.predict(matrix[cut:], raw_score=True)
        self.calibration_ = fit_platt(np.asarray(margin), y[cut:])
        self.classes_ = np.array([0, 1])
        return self

    def _margin(self, x: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "booster_")
        raw = np.asarray(
            self.booster_.predict(self.encoder_.transform(x), raw_score=True, num_threads=1)
        )
        a, b = self.calibration_
        return a * raw + b

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities, columns (not reached, reached)."""
        p = expit(self._margin(x))
        return np.column_stack([1 - p, p])

    def contributions(self, x: pd.DataFrame) -> pd.DataFrame:
        """Per-feature contributions to the calibrated log-odds (LightGBM's SHAP values)."""
        check_is_fitted(self, "booster_")
        raw = self.booster_.predict(self.encoder_.transform(x), pred_contrib=True, num_threads=1)
        a, _ = self.calibration_
        return pd.DataFrame(np.asarray(raw)[:, :-1] * a, columns=list(self.spec.names))

    def score_record(self, values: dict[str, Any]) -> tuple[float, dict[str, float]]:
        """Probability and per-feature contributions of one record, on the fast path."""
        check_is_fitted(self, "booster_")
        row = self.encoder_.encode_record(values)
        contrib = np.asarray(self.booster_.predict(row, pred_contrib=True, num_threads=1))[0]
        a, b = self.calibration_
        p = float(expit(a * contrib.sum() + b))
        return p, dict(zip(self.spec.names, (contrib[:-1] * a).tolist(), strict=True))

    def to_state(self) -> dict[str, Any]:
        """JSON-ready fitted state (the booster as LightGBM's text format)."""
        check_is_fitted(self, "booster_")
        return {
            "algorithm": self.algorithm,
            "spec": spec_to_dict(self.spec),
            "encoder": self.encoder_.to_state(),
            "booster": self.booster_.model_to_string(),
            "calibration": list(self.calibration_),
            "best_iteration": int(
                self.booster_.best_iteration or self.booster_.current_iteration()
            ),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> GradientBoostingScorer:
        """Rebuild a fitted scorer from :meth:`to_state`."""
        spec = spec_from_dict(state["spec"])
        model = cls(spec=spec)
        model.encoder_ = FrameEncoder.from_state(spec, state["encoder"])
        model.booster_ = lgb.Booster(model_str=state["booster"])
        a, b = state["calibration"]
        model.calibration_ = (float(a), float(b))
        model.classes_ = np.array([0, 1])
        return model
