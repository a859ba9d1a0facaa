"""Out-of-time evaluation of the price-response candidates and the choice between them.

Closed deals are ordered by ``closed_at``: the last 20 % form the test window, the 20 % before
it the validation window, the rest the training window. The algorithm is chosen on validation
log loss (models fitted on the training window); test figures come from models refitted on
training + validation. Target discounts are always fitted on the rows before the window scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from revintel.pricing._response_features import (
    CONTEXT_CATEGORIES,
    DealEncoder,
    segment_targets,
    train_window_targets,
)
from revintel.pricing._response_models import (
    Design,
    LogisticModel,
    MonotoneLightGBM,
    implied_slope,
    logistic_slope_interval,
)

#: Share of the closed deals in the test window, and in the validation window before it.
TEST_SHARE = 0.2
VALIDATION_SHARE = 0.2
#: Fewest deals (and fewest won and lost ones in each window) for an evaluation.
MIN_ROWS = 100
MIN_CLASS = 5
ALGORITHMS = ("logistic", "lightgbm_monotone")
BASELINE = "discount_blind"

Model = LogisticModel | MonotoneLightGBM


def design_of(encoder: DealEncoder, deals: pd.DataFrame, target: np.ndarray) -> Design:
    """The model input of ``deals`` at their own (closing) discount."""
    gap = deals["discount"].astype(float).to_numpy() - target
    return Design(encoder.codes(deals), encoder.log_price(deals), gap)


def fit_candidate(
    algorithm: str,
    encoder: DealEncoder,
    design: Design,
    won: np.ndarray,
    seed: int,
    with_price: bool = True,
) -> Model:
    """Fit ``algorithm`` (one of :data:`ALGORITHMS`)."""
    if algorithm == "logistic":
        return LogisticModel.fit(encoder, design, won, with_price)
    if algorithm == "lightgbm_monotone":
        return MonotoneLightGBM.fit(design, won, seed, with_price)
    raise ValueError(
        f"unknown price-response algorithm {algorithm!r}; known: {', '.join(ALGORITHMS)}"
    )


def probabilities(model: Model, encoder: DealEncoder, design: Design) -> np.ndarray:
    """P(win) of each row at its own gap."""
    gaps = design.gap[:, None]
    logits = (
        model.logits(encoder, design, gaps)
        if isinstance(model, LogisticModel)
        else model.logits(design, gaps)
    )
    return 1.0 / (1.0 + np.exp(-logits[:, 0]))


def scores(won: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """AUC, log loss and Brier score of ``p`` against ``won``."""
    return {
        "auc": float(roc_auc_score(won, p)),
        "log_loss": float(log_loss(won, p, labels=[0.0, 1.0])),
        "brier": float(brier_score_loss(won, p)),
    }


def split_windows(population: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Train, validation and test rows of a population ordered by ``closed_at``.

    Raises
    ------
    ValueError
        When there are too few deals, or a window lacks won or lost ones.
    """
    n = len(population)
    if n < MIN_ROWS:
        raise ValueError(f"price response needs at least {MIN_ROWS} closed priced deals, got {n}")
    test_start = round(n * (1 - TEST_SHARE))
    validation_start = round(n * (1 - TEST_SHARE - VALIDATION_SHARE))
    windows = (
        population.iloc[:validation_start],
        population.iloc[validation_start:test_start],
        population.iloc[test_start:],
    )
    for name, rows in zip(("training", "validation", "test"), windows, strict=True):
        won = int(rows["won"].sum())
        if min(won, len(rows) - won) < MIN_CLASS:
            raise ValueError(
                f"the {name} window holds {won} won and {len(rows) - won} lost deals; "
                f"at least {MIN_CLASS} of each are needed"
            )
    return windows


def _fit_and_score(
    algorithm: str,
    fitted_on: pd.DataFrame,
    scored: pd.DataFrame,
    seed: int,
    with_price: bool = True,
    targets: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, float]:
    """Fit on ``fitted_on`` and score ``scored``; ``targets`` = both windows' target discounts
    (fitted on ``fitted_on``; computed when not given)."""
    encoder = DealEncoder.fit(fitted_on, segment_targets(fitted_on))
    target_fit, target_scored = targets or window_targets(fitted_on, scored)
    model = fit_candidate(
        algorithm, encoder, design_of(encoder, fitted_on, target_fit),
        fitted_on["won"].to_numpy(float), seed, with_price,
    )  # fmt: skip
    p = probabilities(model, encoder, design_of(encoder, scored, target_scored))
    return scores(scored["won"].to_numpy(float), p)


def window_targets(fitted_on: pd.DataFrame, scored: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Target discounts of both windows from bands fitted on ``fitted_on`` only."""
    both = train_window_targets(fitted_on, pd.concat([fitted_on, scored])).to_numpy()
    return both[: len(fitted_on)], both[len(fitted_on) :]


def _day(rows: pd.DataFrame, at: int) -> str:
    return f"{pd.Timestamp(rows['closed_at'].iloc[at]):%Y-%m-%d}"


def evaluate_out_of_time(population: pd.DataFrame, seed: int = 0) -> dict[str, Any]:
    """Choose the algorithm on validation and score every candidate and the baseline on test.

    Returns a JSON-serialisable dict: ``chosen``, ``validation`` (algorithm → log loss),
    ``test`` (one entry per candidate and the discount-blind baseline with AUC, log loss and
    Brier), the window dates and row counts.
    """
    train, validation, test = split_windows(population)
    choice_targets = window_targets(train, validation)
    validation_loss = {
        a: _fit_and_score(a, train, validation, seed, targets=choice_targets)["log_loss"]
        for a in ALGORITHMS
    }
    chosen = min(ALGORITHMS, key=lambda a: (validation_loss[a], ALGORITHMS.index(a)))
    before_test = pd.concat([train, validation])
    test_targets = window_targets(before_test, test)
    rows = [
        {
            "model": a,
            "chosen": a == chosen,
            **_fit_and_score(a, before_test, test, seed, targets=test_targets),
        }
        for a in ALGORITHMS
    ]
    blind = _fit_and_score(chosen, before_test, test, seed, False, test_targets)
    rows.append({"model": BASELINE, "chosen": False, **blind})
    return {
        "chosen": chosen,
        "baseline_algorithm": chosen,
        "validation_log_loss": validation_loss,
        "test": rows,
        "windows": {
            "train": [_day(train, 0), _day(train, -1)],
            "validation": [_day(validation, 0), _day(validation, -1)],
            "test": [_day(test, 0), _day(test, -1)],
        },
        "rows": {"train": len(train), "validation": len(validation), "test": len(test)},
        "test_win_rate": float(test["won"].mean()),
    }


def slope_summary(
    population: pd.DataFrame,
    target: np.ndarray,
    seed: int = 0,
    categories: Sequence[str] = CONTEXT_CATEGORIES,
) -> dict[str, float]:
    """Price slope (logit per unit of discount) of both candidates fitted on all rows.

    ``logistic`` with its 95 % Wald interval, and LightGBM's implied average slope.
    """
    encoder = DealEncoder.fit(population, segment_targets(population), categories)
    design = design_of(encoder, population, target)
    won = population["won"].to_numpy(float)
    logistic = LogisticModel.fit(encoder, design, won)
    low, high = logistic_slope_interval(encoder, design, won, logistic)
    boosted = MonotoneLightGBM.fit(design, won, seed)
    return {
        "logistic": logistic.slope,
        "logistic_low": low,
        "logistic_high": high,
        "lightgbm_implied": implied_slope(boosted, encoder, design),
    }
