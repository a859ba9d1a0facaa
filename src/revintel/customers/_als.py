"""Cross-selling by implicit-feedback matrix factorisation (alternating least squares).

Purchases are treated as confidence, not ratings (Hu, Koren & Volinsky 2008, "Collaborative
filtering for implicit feedback datasets"): every account prefers the products it bought with
confidence 1 + alpha · orders and the others weakly; accounts and products get latent factors
whose dot product is the score. The factorisation is ``implicit``'s CPU solver.
"""

from __future__ import annotations

import logging

import numpy as np
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

from revintel.customers._interactions import Interactions
from revintel.customers._recommendations import Recommender

log = logging.getLogger(__name__)


class ALSRecommender(Recommender):
    """Recommend by latent factors learned with implicit-feedback ALS.

    Parameters
    ----------
    factors
        Latent dimensions.
    regularization
        L2 penalty on the factors.
    alpha
        Confidence per order: a cell with ``n`` orders has confidence ``1 + alpha · n``.
    iterations
        Alternating sweeps.
    random_state
        Seed of the initial factors; the same seed and data give the same factors.
    threads
        Solver threads (1 or 2 keep it a good neighbour on a shared machine).

    The reason names the bought product whose factors are closest (cosine) to the
    recommended one.
    """

    account_factors_: np.ndarray
    product_factors_: np.ndarray

    def __init__(
        self,
        *,
        factors: int = 8,
        regularization: float = 1.0,
        alpha: float = 1.0,
        iterations: int = 15,
        random_state: int = 0,
        threads: int = 1,
    ) -> None:
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.random_state = random_state
        self.threads = threads

    def _fit(self, interactions: Interactions) -> None:
        if self.factors < 1 or self.iterations < 1:
            raise ValueError(
                f"factors and iterations must be at least 1, got {self.factors} and "
                f"{self.iterations}"
            )
        if self.regularization < 0 or self.alpha <= 0:
            raise ValueError(
                f"regularization must be ≥ 0 and alpha > 0, got {self.regularization} and "
                f"{self.alpha}"
            )
        # implicit's own BLAS threads would fight its solver threads
        with threadpool_limits(limits=1, user_api="blas"):
            model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                random_state=self.random_state,
                num_threads=self.threads,
                dtype=np.float64,
            )
            model.fit(interactions.matrix.astype(np.float64).tocsr(), show_progress=False)
        self.account_factors_ = np.asarray(model.user_factors)
        self.product_factors_ = np.asarray(model.item_factors)
        norms = np.linalg.norm(self.product_factors_, axis=1, keepdims=True)
        self._unit_factors = self.product_factors_ / np.where(norms > 0, norms, 1.0)
        log.debug("ALS fitted: %d accounts × %d products", *interactions.matrix.shape)

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        return self.account_factors_[rows] @ self.product_factors_.T

    def _strongest_source(self, row: int, item: int) -> int | None:
        bought = self._bought_columns(row)
        if not len(bought):
            return None
        similarity = self._unit_factors[bought] @ self._unit_factors[item]
        return int(bought[int(np.argmax(similarity))])
