"""The two candidate price-response models and their discount-blind baseline.

Both map a deal's encoded context and its discount gap to a win logit and never let more
discount lower the win chance: the logistic model is linear in the gap, LightGBM carries a
monotone constraint on it. Every model returns *logits* over a grid of discount gaps for a
block of deals, so that the curve of one deal (and of its bootstrap refits) is one small
vectorised evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
from scipy.special import expit
from threadpoolctl import threadpool_limits

from revintel.pricing._response_features import DealEncoder

#: The gap enters the logistic model in discount points (0.01), so that the light L2 penalty
#: on the one-hot context leaves the price slope practically unshrunk.
GAP_SCALE = 100.0
#: Inverse strength of the L2 penalty of the logistic model.
LOGISTIC_C = 1.0
#: LightGBM settings: small trees, many rows per leaf, deterministic on one thread.
LIGHTGBM_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 8,
    "min_data_in_leaf": 40,
    "lambda_l2": 1.0,
    "cat_smooth": 20.0,
    "min_data_per_group": 40,
    "feature_fraction": 1.0,
    "bagging_fraction": 1.0,
    "monotone_constraints_method": "intermediate",
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbose": -1,
}
LIGHTGBM_ROUNDS = 200


@dataclass
class Design:
    """A block of deals as the models read them."""

    codes: np.ndarray  # (rows, categories), -1 for unseen levels
    log_price: np.ndarray  # (rows,)
    gap: np.ndarray  # (rows,) discount − target discount

    def take(self, rows: np.ndarray) -> Design:
        """The rows ``rows`` (e.g. a bootstrap resample)."""
        return Design(self.codes[rows], self.log_price[rows], self.gap[rows])


def logistic_matrix(encoder: DealEncoder, design: Design, with_price: bool = True) -> np.ndarray:
    """[gap in points, log list price, one-hot context] (the gap column left out when blind)."""
    parts = [design.log_price[:, None], encoder.one_hot(design.codes)]
    if with_price:
        parts.insert(0, design.gap[:, None] * GAP_SCALE)
    return np.hstack(parts)


@dataclass
class LogisticModel:
    """Coefficient rows ``[intercept, gap per unit discount, log list price, *one-hot]``.

    Row 0 is the fit on all rows; further rows are bootstrap refits.
    """

    coefficients: np.ndarray
    with_price: bool = True

    @classmethod
    def fit(
        cls, encoder: DealEncoder, design: Design, won: np.ndarray, with_price: bool = True
    ) -> LogisticModel:
        """Fit by L2-penalised maximum likelihood."""
        return cls(_logistic_row(encoder, design, won, with_price)[None, :], with_price)

    def add_refit(self, encoder: DealEncoder, design: Design, won: np.ndarray) -> None:
        """Append a refit (a bootstrap resample) as a further coefficient row."""
        row = _logistic_row(encoder, design, won, self.with_price)
        self.coefficients = np.vstack([self.coefficients, row])

    @property
    def slope(self) -> float:
        """Logit change per unit of discount (row 0)."""
        return float(self.coefficients[0, 1])

    def context_logits(
        self, encoder: DealEncoder, codes: np.ndarray, log_price: np.ndarray
    ) -> np.ndarray:
        """(refits, rows) logits at a zero gap."""
        c = self.coefficients
        # A zero column at the end stands for levels unseen in training.
        padded = np.hstack([c[:, 3:], np.zeros((len(c), 1))])
        starts = np.cumsum([0, *(len(v) for v in encoder.levels.values())])[:-1]
        columns = np.where(codes >= 0, starts[None, :] + codes, padded.shape[1] - 1)
        context = padded[:, columns].sum(axis=2)
        return c[:, [0]] + c[:, [2]] * log_price[None, :] + context

    def logits(
        self, encoder: DealEncoder, design: Design, gaps: np.ndarray, refits: bool = False
    ) -> np.ndarray:
        """(rows, grid) logits at ``gaps`` (rows, grid); (refits, rows, grid) with ``refits``."""
        coefficients = self.coefficients if refits else self.coefficients[:1]
        model = LogisticModel(coefficients, self.with_price)
        base = model.context_logits(encoder, design.codes, design.log_price)
        out = base[:, :, None] + coefficients[:, 1][:, None, None] * gaps[None, :, :]
        return out if refits else out[0]

    def to_state(self) -> dict[str, Any]:
        """JSON-serialisable state."""
        return {"coefficients": self.coefficients.tolist(), "with_price": self.with_price}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> LogisticModel:
        """The model :meth:`to_state` described."""
        return cls(np.asarray(state["coefficients"], dtype=float), bool(state["with_price"]))


def _logistic_row(
    encoder: DealEncoder, design: Design, won: np.ndarray, with_price: bool
) -> np.ndarray:
    x = logistic_matrix(encoder, design, with_price)
    theta = penalised_logistic(np.hstack([np.ones((len(won), 1)), x]), won)
    if with_price:
        gap, rest = theta[1] * GAP_SCALE, theta[2:]
    else:
        gap, rest = 0.0, theta[1:]
    return np.concatenate([[theta[0], gap], rest])


def penalised_logistic(
    x: np.ndarray, y: np.ndarray, iterations: int = 50, tol: float = 1e-10
) -> np.ndarray:
    """Coefficients of L2-penalised logistic regression by Newton's method (column 0 = intercept).

    Maximises Σ log-likelihood − ||θ[1:]||² / (2 · LOGISTIC_C), the intercept unpenalised; the
    objective is strictly concave, so Newton's method converges from zero in a few steps.
    """
    penalty = np.full(x.shape[1], 1.0 / LOGISTIC_C)
    penalty[0] = 0.0
    theta = np.zeros(x.shape[1])
    # One BLAS thread: these small products only lose time to threads, and sums come out the
    # same on every machine.
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(iterations):
            p = expit(x @ theta)
            gradient = x.T @ (y - p) - penalty * theta
            hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
            step = np.linalg.solve(hessian, gradient)
            theta = theta + step
            if np.max(np.abs(step)) < tol:
                break
    return theta


def logistic_slope_interval(
    encoder: DealEncoder, design: Design, won: np.ndarray, model: LogisticModel, z: float = 1.959964
) -> tuple[float, float]:
    """Wald interval of the price slope from the penalised information matrix (95 % by default).

    The covariance is the inverse of X'WX + the penalty (intercept unpenalised), the usual
    large-sample approximation for penalised maximum likelihood.
    """
    x = np.hstack([np.ones((len(won), 1)), logistic_matrix(encoder, design, True)])
    theta = model.coefficients[0].copy()
    theta[1] /= GAP_SCALE
    p = expit(x @ theta)
    information = (x * (p * (1 - p))[:, None]).T @ x
    penalty = np.eye(x.shape[1]) / LOGISTIC_C
    penalty[0, 0] = 0.0
    covariance = np.linalg.pinv(information + penalty)
    half = z * float(np.sqrt(covariance[1, 1])) * GAP_SCALE
    return model.slope - half, model.slope + half


def lightgbm_matrix(design: Design, with_price: bool = True) -> np.ndarray:
    """[gap, log list price, context codes] with unseen levels as missing."""
    codes = np.where(design.codes >= 0, design.codes, np.nan).astype(float)
    parts = [design.log_price[:, None], codes]
    if with_price:
        parts.insert(0, design.gap[:, None])
    return np.hstack(parts)


@dataclass
class MonotoneLightGBM:
    """Boosted trees monotone increasing in the discount gap; ``boosters[0]`` is the main fit."""

    boosters: list[lgb.Booster]
    with_price: bool = True

    @classmethod
    def fit(
        cls, design: Design, won: np.ndarray, seed: int, with_price: bool = True
    ) -> MonotoneLightGBM:
        """Train with the monotone constraint +1 on the gap."""
        return cls([_train_booster(design, won, seed, with_price)], with_price)

    def add_refit(self, design: Design, won: np.ndarray, seed: int) -> None:
        """Append a refit (a bootstrap resample)."""
        self.boosters.append(_train_booster(design, won, seed, self.with_price))

    def logits(self, design: Design, gaps: np.ndarray, refits: bool = False) -> np.ndarray:
        """(rows, grid) logits at ``gaps`` (rows, grid); (refits, rows, grid) with ``refits``."""
        rows, grid = gaps.shape
        repeated = design.take(np.repeat(np.arange(rows), grid))
        repeated.gap = gaps.reshape(-1)
        x = lightgbm_matrix(repeated, self.with_price)
        boosters = self.boosters if refits else self.boosters[:1]
        # One thread: OpenMP start-up costs ~9 ms per call on a few rows, 0.2 ms without it.
        out = np.stack([np.asarray(b.predict(x, raw_score=True, num_threads=1)) for b in boosters])
        out = out.reshape(len(boosters), rows, grid)
        return out if refits else out[0]

    def to_state(self) -> dict[str, Any]:
        """JSON-serialisable state (each booster as LightGBM's model string)."""
        return {
            "boosters": [b.model_to_string() for b in self.boosters],
            "with_price": self.with_price,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> MonotoneLightGBM:
        """The model :meth:`to_state` described."""
        boosters = [lgb.Booster(model_str=text) for text in state["boosters"]]
        return cls(boosters, bool(state["with_price"]))


def _train_booster(design: Design, won: np.ndarray, seed: int, with_price: bool) -> lgb.Booster:
    x = lightgbm_matrix(design, with_price)
    first_code = 2 if with_price else 1
    params = dict(LIGHTGBM_PARAMS, seed=seed)
    if with_price:
        params["monotone_constraints"] = [1] + [0] * (x.shape[1] - 1)
    data = lgb.Dataset(
        x, label=won, categorical_feature=list(range(first_code, x.shape[1])), free_raw_data=True
    )
    return lgb.train(params, data, num_boost_round=LIGHTGBM_ROUNDS)


def implied_slope(
    model: LogisticModel | MonotoneLightGBM,
    encoder: DealEncoder,
    design: Design,
    step: float = 0.05,
) -> float:
    """Mean logit change per unit of discount over the rows (central differences of ± ``step``)."""
    gaps = np.column_stack([design.gap - step, design.gap + step])
    logits = (
        model.logits(encoder, design, gaps)
        if isinstance(model, LogisticModel)
        else model.logits(design, gaps)
    )
    return float(np.mean((logits[:, 1] - logits[:, 0]) / (2 * step)))
