"""The price response: P(win | discount, context), monotone in price, chosen out of time.

:func:`fit_price_response` evaluates a logistic model (linear in the discount gap) and LightGBM
with a monotone constraint out of time, keeps the one with the lower validation log loss, and
refits it on every closed priced deal together with ``bootstrap`` refits on resamples, which
give each deal's curve its 90 % band.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from revintel.pricing._response_evaluation import (
    design_of,
    evaluate_out_of_time,
    fit_candidate,
    slope_summary,
)
from revintel.pricing._response_features import (
    TARGET_COLUMN,
    DealEncoder,
    price_population,
    segment_targets,
    targets_for,
)
from revintel.pricing._response_models import Design, LogisticModel, MonotoneLightGBM

#: The discounts a curve is evaluated at unless told otherwise: 0 % to 40 % in steps of 1 %.
DEFAULT_GRID = np.round(np.linspace(0.0, 0.40, 41), 4)
#: The band of a curve: 5th to 95th percentile of the bootstrap curves.
BAND_QUANTILES = (0.05, 0.95)
#: Columns of :meth:`PriceResponse.curve`.
CURVE_COLUMNS = pd.Index(
    ["discount", "price_ratio", "win_probability", "lower", "upper"], dtype=object
)
#: Below this many rows :meth:`PriceResponse.win_probability` encodes row by row (faster).
_SMALL = 8


@dataclass
class PriceResponse:
    """A fitted price response (see the module).

    Parameters
    ----------
    algorithm
        ``"logistic"`` or ``"lightgbm_monotone"``, chosen on the validation window.
    evaluation
        Out-of-time figures (:func:`revintel.pricing._response_evaluation.evaluate_out_of_time`)
        and the price slope, JSON-serialisable.
    """

    algorithm: str
    evaluation: dict[str, Any]
    encoder: DealEncoder = field(repr=False, default_factory=DealEncoder)
    model: LogisticModel | MonotoneLightGBM | None = field(repr=False, default=None)

    def _logits(self, design: Design, gaps: np.ndarray, refits: bool = False) -> np.ndarray:
        if self.model is None:
            raise ValueError("the price response has no fitted model")
        if isinstance(self.model, LogisticModel):
            return self.model.logits(self.encoder, design, gaps, refits)
        return self.model.logits(design, gaps, refits)

    def _design(self, deals: pd.DataFrame) -> tuple[Design, np.ndarray]:
        if len(deals) <= _SMALL:
            # Reading a few cells by column is much faster than pandas' row access.
            wanted = [c for c in (*self.encoder.levels, "list_price", TARGET_COLUMN) if c in deals]
            values = {c: deals[c].tolist() for c in wanted}
            rows = [{c: v[i] for c, v in values.items()} for i in range(len(deals))]
            encoded = [self.encoder.encode_one(row) for row in rows]
            codes = np.array([e[0] for e in encoded], dtype=np.int64).reshape(len(deals), -1)
            log_price = np.array([e[1] for e in encoded], dtype=float)
            target = np.array([e[2] for e in encoded], dtype=float)
        else:
            codes = self.encoder.codes(deals)
            log_price = self.encoder.log_price(deals)
            target = self.encoder.target(deals)
        return Design(codes, log_price, np.zeros(len(deals))), target

    def win_probability(
        self, deals: pd.DataFrame, discount: np.ndarray | None = None
    ) -> np.ndarray:
        """P(win) of each deal row (deal-frame columns, optionally ``target_discount``).

        Without ``discount``, at each deal's ``current_discount`` (else ``discount``): one value
        per row. With ``discount`` (1-D grid of discounts): a (rows × grid) array.
        """
        design, target = self._design(deals)
        if discount is None:
            own = _own_discount(deals)
            return expit(self._logits(design, (own - target)[:, None]))[:, 0]
        grid = _checked_grid(discount)
        return expit(self._logits(design, grid[None, :] - target[:, None]))

    def curve(
        self, deal: Mapping[str, Any], grid: np.ndarray | None = None, interval: bool = True
    ) -> pd.DataFrame:
        """The win chance of one deal over a grid of discounts, with its 90 % bootstrap band.

        Returns columns ``discount``, ``price_ratio``, ``win_probability``, ``lower``, ``upper``
        (the band is NaN with ``interval=False`` or without bootstrap refits). With a band,
        ``attrs["samples"]`` holds the bootstrap curves (refits × grid) for
        :func:`revintel.pricing._optimum.margin_optimum`.
        """
        discounts = DEFAULT_GRID if grid is None else _checked_grid(grid)
        codes, log_price, target = self.encoder.encode_one(deal)
        design = Design(codes[None, :], np.array([log_price]), np.zeros(1))
        gaps = (discounts - target)[None, :]
        logits = self._logits(design, gaps, refits=interval)
        values = np.empty((len(discounts), len(CURVE_COLUMNS)))
        values[:, 0], values[:, 1] = discounts, 1.0 - discounts
        samples = None
        if interval and logits.shape[0] > 1:
            p = expit(logits[:, 0, :])
            values[:, 2] = p[0]
            samples = p[1:]
            values[:, 3:] = np.quantile(samples, BAND_QUANTILES, axis=0).T
        else:
            values[:, 2] = expit(logits[0] if interval else logits)[0]
            values[:, 3:] = np.nan
        frame = pd.DataFrame(values, columns=CURVE_COLUMNS)
        if samples is not None:
            frame.attrs["samples"] = samples
        return frame

    def to_state(self) -> dict[str, Any]:
        """JSON-serialisable state (LightGBM as its model strings)."""
        if self.model is None:
            raise ValueError("the price response has no fitted model")
        return {
            "algorithm": self.algorithm,
            "evaluation": self.evaluation,
            "encoder": self.encoder.to_state(),
            "model": self.model.to_state(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> PriceResponse:
        """The price response :meth:`to_state` described."""
        algorithm = state["algorithm"]
        model: LogisticModel | MonotoneLightGBM
        if algorithm == "logistic":
            model = LogisticModel.from_state(state["model"])
        elif algorithm == "lightgbm_monotone":
            model = MonotoneLightGBM.from_state(state["model"])
        else:
            raise ValueError(f"price response state: unknown algorithm {algorithm!r}")
        return cls(algorithm, state["evaluation"], DealEncoder.from_state(state["encoder"]), model)


def _own_discount(deals: pd.DataFrame) -> np.ndarray:
    own = deals["discount"].astype(float).to_numpy()
    if "current_discount" in deals.columns:
        current = deals["current_discount"].astype(float).to_numpy()
        own = np.where(np.isnan(current), own, current)
    return own


def _checked_grid(grid: np.ndarray) -> np.ndarray:
    values = np.asarray(grid, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"discount grid must be a non-empty 1-D array, got shape {values.shape}")
    if np.isnan(values).any() or values.min() < 0.0 or values.max() >= 1.0:
        raise ValueError("discount grid values must lie in [0, 1)")
    return values


def fit_price_response(
    deals: pd.DataFrame,
    target_discount: pd.Series,
    *,
    seed: int = 0,
    bootstrap: int = 30,
    algorithm: str | None = None,
) -> PriceResponse:
    """Evaluate, choose and fit the price response on a deal frame.

    Parameters
    ----------
    deals
        :func:`revintel.pricing._deals.deal_frame`; closed deals that reached the price stage
        with a known discount are used.
    target_discount
        The band target discount of each deal row (same index as ``deals``); rows without one
        get the median won discount of their account segment.
    seed, bootstrap
        Seed of every random step (results are reproducible bit for bit) and the number of
        refits on resamples behind each curve's band.
    algorithm
        Use this algorithm instead of the one chosen on validation (the evaluation still
        reports the choice).
    """
    population = price_population(deals)
    evaluation = evaluate_out_of_time(population, seed)
    targets = segment_targets(population)
    given = target_discount.reindex(population.index).astype(float)
    target = given.fillna(targets_for(population, targets)).to_numpy()
    evaluation["slope"] = slope_summary(population, target, seed)
    evaluation["segment_targets"] = targets
    algorithm = algorithm or evaluation["chosen"]
    encoder = DealEncoder.fit(population, targets)
    design = design_of(encoder, population, target)
    won = population["won"].to_numpy(float)
    model = fit_candidate(algorithm, encoder, design, won, seed)
    rng = np.random.default_rng(seed)
    for refit in range(bootstrap):
        rows = rng.integers(0, len(won), len(won))
        if isinstance(model, LogisticModel):
            model.add_refit(encoder, design.take(rows), won[rows])
        else:
            model.add_refit(design.take(rows), won[rows], seed + 1 + refit)
    evaluation["bootstrap"] = bootstrap
    evaluation["rows_fitted"] = len(won)
    return PriceResponse(algorithm, _plain(evaluation), encoder, model)


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars turned into Python ones (JSON-serialisable)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
