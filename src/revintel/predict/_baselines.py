"""The baselines every model is measured against, each a fitted estimator with reasons.

- ``naive_bayes``: won/lost frequencies per field value (the approach of Odoo's predictive lead
  scoring); as every deal has one snapshot per milestone it reached, a stage value is counted
  for every stage reached, as Odoo does.
- ``points``: a rule score in the style of HubSpot and Mautic, turned into a probability by a
  logistic curve fitted on the training window.
- ``milestone_prior``: the default probability of the current milestone from the funnel file.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from revintel.predict._encoding import MISSING
from revintel.predict._gbm import fit_platt
from revintel.predict._spec import Rule

EPS = 1e-4


def _key(value: Any) -> str:
    missing = value is None or (isinstance(value, float) and np.isnan(value))
    return MISSING if missing else str(value)


def _as_keys(column: pd.Series) -> pd.Series:
    raw = column.astype("object")
    return raw.where(raw.notna(), MISSING).astype(str)


class NaiveBayesBaseline(ClassifierMixin, BaseEstimator):
    """Naive Bayes over reached/not-reached frequencies of each field's values.

    Parameters
    ----------
    fields
        Categorical columns whose values are counted.
    alpha
        Laplace smoothing added to every count.

    Examples
    --------
    >>> x = pd.DataFrame({"channel": ["fair", "fair", "web", "web"]})
    >>> model = NaiveBayesBaseline(fields=("channel",)).fit(x, np.array([1, 1, 0, 1]))
    >>> float(model.predict_proba(pd.DataFrame({"channel": ["fair"]}))[0, 1])  # odds 2 × 2
    0.8
    """

    algorithm = "naive_bayes"

    def __init__(self, *, fields: tuple[str, ...], alpha: float = 1.0) -> None:
        self.fields = fields
        self.alpha = alpha

    def fit(self, x: pd.DataFrame, y: np.ndarray) -> NaiveBayesBaseline:
        """Count each field value among positive and negative rows."""
        y = np.asarray(y, dtype=bool)
        self.prior_ = float(np.log((y.sum() + self.alpha) / ((~y).sum() + self.alpha)))
        self.log_ratio_: dict[str, dict[str, float]] = {}
        for field in self.fields:
            keys = _as_keys(x[field])
            values = sorted(keys.unique())
            pos = keys[y].value_counts().reindex(values, fill_value=0)
            neg = keys[~y].value_counts().reindex(values, fill_value=0)
            k = len(values) + 1  # one slot for values unseen in training
            p_pos = (pos + self.alpha) / (y.sum() + self.alpha * k)
            p_neg = (neg + self.alpha) / ((~y).sum() + self.alpha * k)
            ratio = np.log(p_pos) - np.log(p_neg)
            self.log_ratio_[field] = {str(v): float(r) for v, r in ratio.items()}
        self.classes_ = np.array([0, 1])
        return self

    def contributions(self, x: pd.DataFrame) -> pd.DataFrame:
        """Log-likelihood ratio of each field's value, in log-odds."""
        check_is_fitted(self, "log_ratio_")
        return pd.DataFrame(
            {f: _as_keys(x[f]).map(self.log_ratio_[f]).fillna(0.0).to_numpy() for f in self.fields}
        )

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        """P(reached) from the prior odds times every field's likelihood ratio."""
        z = self.prior_ + self.contributions(x).sum(axis=1).to_numpy()
        p = expit(z)
        return np.column_stack([1 - p, p])

    def score_record(self, values: dict[str, Any]) -> tuple[float, dict[str, float]]:
        """Probability and per-field contributions of one record (real-time path)."""
        check_is_fitted(self, "log_ratio_")
        contributions = {f: self.log_ratio_[f].get(_key(values.get(f)), 0.0) for f in self.fields}
        return float(expit(self.prior_ + sum(contributions.values()))), contributions

    def to_state(self) -> dict[str, Any]:
        """JSON-ready fitted state."""
        return {"algorithm": self.algorithm, "fields": list(self.fields), "alpha": self.alpha,
                "prior": self.prior_, "log_ratio": self.log_ratio_}  # fmt: skip

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> NaiveBayesBaseline:
        """Rebuild from :meth:`to_state`."""
        model = cls(fields=tuple(state["fields"]), alpha=state["alpha"])
        model.prior_ = float(state["prior"])
        model.log_ratio_ = state["log_ratio"]
        model.classes_ = np.array([0, 1])
        return model


def rule_points(rule: Rule, column: pd.Series) -> np.ndarray:
    """Points ``rule`` awards to each value of ``column`` (missing values earn nothing)."""
    if rule.op == "per":
        units = pd.to_numeric(column, errors="coerce").fillna(0).clip(upper=rule.cap)
        return units.to_numpy(dtype=float) * rule.points
    if rule.op in ("eq", "in"):
        allowed = rule.value if rule.op == "in" else [rule.value]
        hit = column.astype("object").isin(allowed)
    else:
        numbers = pd.to_numeric(column, errors="coerce")
        hit = numbers >= rule.value if rule.op == "ge" else numbers <= rule.value
    return np.where(hit.fillna(False).to_numpy(dtype=bool), rule.points, 0.0)


def _record_points(rule: Rule, value: Any) -> float:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return 0.0
    if rule.op == "per":
        return min(float(value), rule.cap) * rule.points
    if rule.op in ("eq", "in"):
        allowed = rule.value if rule.op == "in" else [rule.value]
        return rule.points if value in allowed else 0.0
    hit = float(value) >= rule.value if rule.op == "ge" else float(value) <= rule.value
    return rule.points if hit else 0.0


class PointsBaseline(ClassifierMixin, BaseEstimator):
    """Sum of rule points, mapped to a probability by a logistic curve fitted on training rows.

    Parameters
    ----------
    rules
        The points rules.
    """

    algorithm = "points"

    def __init__(self, *, rules: tuple[Rule, ...]) -> None:
        self.rules = rules

    def points(self, x: pd.DataFrame) -> pd.DataFrame:
        """Points of each rule for each row (columns ``rule 0``, ``rule 1``…)."""
        return pd.DataFrame(
            {f"rule {i}": rule_points(r, x[r.feature]) for i, r in enumerate(self.rules)}
        )

    def fit(self, x: pd.DataFrame, y: np.ndarray) -> PointsBaseline:
        """Fit the logistic curve from total points to P(reached)."""
        total = self.points(x).sum(axis=1).to_numpy()
        self.curve_ = fit_platt(total, np.asarray(y, dtype=float))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        """P(reached) from the total points."""
        check_is_fitted(self, "curve_")
        a, b = self.curve_
        p = expit(a * self.points(x).sum(axis=1).to_numpy() + b)
        return np.column_stack([1 - p, p])

    def contributions(self, x: pd.DataFrame) -> pd.DataFrame:
        """Each rule's points in log-odds, named after the rule's feature."""
        check_is_fitted(self, "curve_")
        pts = self.points(x) * self.curve_[0]
        pts.columns = [r.feature for r in self.rules]
        return pts.T.groupby(level=0).sum().T

    def score_record(self, values: dict[str, Any]) -> tuple[float, dict[str, float]]:
        """Probability and per-feature contributions of one record (real-time path)."""
        check_is_fitted(self, "curve_")
        a, b = self.curve_
        contributions: dict[str, float] = {}
        for rule in self.rules:
            points = _record_points(rule, values.get(rule.feature))
            contributions[rule.feature] = contributions.get(rule.feature, 0.0) + a * points
        return float(expit(sum(contributions.values()) + b)), contributions

    def to_state(self) -> dict[str, Any]:
        """JSON-ready fitted state."""
        return {"algorithm": self.algorithm, "rules": [r.to_dict() for r in self.rules],
                "curve": list(self.curve_)}  # fmt: skip

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> PointsBaseline:
        """Rebuild from :meth:`to_state`."""
        model = cls(rules=tuple(Rule(**r) for r in state["rules"]))
        model.curve_ = (float(state["curve"][0]), float(state["curve"][1]))
        model.classes_ = np.array([0, 1])
        return model


class MilestonePriorBaseline(ClassifierMixin, BaseEstimator):
    """The funnel file's default probability of the current milestone; nothing is learned.

    For a target short of ``won`` (e.g. reaching SQL), P(target | m) is taken as
    P(won | m) / P(won | target), capped at 1.

    Parameters
    ----------
    probabilities
        Default P(won | milestone) by milestone id.
    target_probability
        Default P(won | target milestone); 1.0 for ``won``.
    """

    algorithm = "milestone_prior"

    def __init__(self, *, probabilities: dict[str, float], target_probability: float = 1.0):
        self.probabilities = probabilities
        self.target_probability = target_probability

    def fit(self, x: pd.DataFrame, y: np.ndarray) -> MilestonePriorBaseline:
        """Nothing to learn; kept for the estimator contract."""
        self.classes_ = np.array([0, 1])
        return self

    def _p(self, x: pd.DataFrame) -> np.ndarray:
        p = x["milestone"].astype("object").map(self.probabilities).astype(float)
        p = (p.fillna(min(self.probabilities.values())) / self.target_probability).to_numpy()
        return np.clip(p, EPS, 1 - EPS)

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        """The milestone's default probability."""
        p = self._p(x)
        return np.column_stack([1 - p, p])

    def contributions(self, x: pd.DataFrame) -> pd.DataFrame:
        """The whole log-odds is the milestone's."""
        p = self._p(x)
        return pd.DataFrame({"milestone": np.log(p / (1 - p))})

    def score_record(self, values: dict[str, Any]) -> tuple[float, dict[str, float]]:
        """Probability and contribution of one record (real-time path)."""
        prior = self.probabilities.get(str(values.get("milestone")))
        if prior is None:
            prior = min(self.probabilities.values())
        p = float(np.clip(prior / self.target_probability, EPS, 1 - EPS))
        return p, {"milestone": float(np.log(p / (1 - p)))}

    def to_state(self) -> dict[str, Any]:
        """JSON-ready state."""
        return {"algorithm": self.algorithm, "probabilities": self.probabilities,
                "target_probability": self.target_probability}  # fmt: skip

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> MilestonePriorBaseline:
        """Rebuild from :meth:`to_state`."""
        model = cls(
            probabilities=dict(state["probabilities"]),
            target_probability=float(state["target_probability"]),
        )
        return model.fit(pd.DataFrame(), np.array([]))
