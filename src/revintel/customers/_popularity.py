"""The baseline every cross-selling method has to beat: what most accounts buy."""

from __future__ import annotations

import numpy as np

from revintel.customers._interactions import Interactions
from revintel.customers._recommendations import Recommender


class PopularityRecommender(Recommender):
    """Recommend the products bought by the most distinct accounts, the same to everyone.

    The score is the number of accounts that bought the product; the reason is always
    ``popular``.

    Examples
    --------
    >>> import pandas as pd
    >>> from revintel.customers._interactions import build_interactions
    >>> orders = pd.DataFrame({"order_id": ["1", "2", "3"], "account_id": ["a", "b", "c"],
    ...                        "ordered_at": pd.to_datetime(["2024-01-01"] * 3)})
    >>> lines = pd.DataFrame({"order_id": ["1", "2", "2", "3"],
    ...                       "product_id": ["p", "p", "q", "q"]})
    >>> products = pd.DataFrame({"product_id": ["p", "q", "r"]})
    >>> data = build_interactions(orders, lines, products)
    >>> PopularityRecommender().fit(data).recommend(["a"], k=2)[["product_id", "score"]]
      product_id  score
    0          q    2.0
    1          r    0.0
    """

    def _fit(self, interactions: Interactions) -> None:
        pass

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        return np.broadcast_to(
            self.popularity_.astype(np.float64), (len(rows), len(self.popularity_))
        )

    def _strongest_source(self, row: int, item: int) -> int | None:
        return None
