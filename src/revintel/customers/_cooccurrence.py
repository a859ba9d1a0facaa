"""Item-to-item cross-selling: products bought by the same accounts point to each other.

The similarity of two products comes from the accounts that bought both (Sarwar, Karypis,
Konstan & Riedl 2001, "Item-based collaborative filtering recommendation algorithms";
Deshpande & Karypis 2004, "Item-based top-N recommendation algorithms"). An account's score for
a product is the sum of its similarities to the products the account bought.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import sparse

from revintel.customers._interactions import Interactions
from revintel.customers._recommendations import Recommender

Normalisation = Literal["cosine", "lift"]
NORMALISATIONS: tuple[Normalisation, ...] = ("cosine", "lift")


def item_similarity(bought: sparse.csr_matrix, normalisation: Normalisation) -> sparse.csr_matrix:
    """Product × product similarity from a 0/1 account × product matrix; zero diagonal.

    ``cosine``: accounts that bought both / sqrt(accounts of each), which damps products
    everybody buys. ``lift``: the same count over its expectation under independence,
    both · accounts / (accounts of one · accounts of the other) (Brin, Motwani, Ullman & Tsur
    1997), shrunk by both / (both + 1) so that a single shared account does not make two rare
    products look inseparable.

    Examples
    --------
    >>> b = sparse.csr_matrix([[1, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=float)
    >>> item_similarity(b, "cosine").toarray()
    array([[0., 1., 0.],
           [1., 0., 0.],
           [0., 0., 0.]])
    """
    if normalisation not in NORMALISATIONS:
        raise ValueError(
            f"unknown normalisation {normalisation!r}; choose one of {', '.join(NORMALISATIONS)}"
        )
    both = sparse.csr_matrix(bought.T @ bought)
    both.setdiag(0)
    both.eliminate_zeros()
    counts = np.asarray(bought.sum(axis=0)).ravel()
    coo = both.tocoo()
    shared = coo.data
    if normalisation == "cosine":
        values = shared / np.sqrt(counts[coo.row] * counts[coo.col])
    else:
        lift = shared * bought.shape[0] / (counts[coo.row] * counts[coo.col])
        values = lift * shared / (shared + 1.0)
    return sparse.csr_matrix((values, (coo.row, coo.col)), shape=both.shape)


class ItemCooccurrenceRecommender(Recommender):
    """Recommend what accounts with the same purchases bought as well.

    Parameters
    ----------
    normalisation
        ``"cosine"`` or ``"lift"``, see :func:`item_similarity`.
    """

    similarity_: sparse.csr_matrix
    _by_target: sparse.csc_matrix

    def __init__(self, *, normalisation: Normalisation = "cosine") -> None:
        self.normalisation = normalisation

    def _fit(self, interactions: Interactions) -> None:
        self.similarity_ = item_similarity(self.bought_, self.normalisation)
        self._by_target = self.similarity_.tocsc()

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray((self.bought_[rows] @ self.similarity_).toarray())

    def _strongest_source(self, row: int, item: int) -> int | None:
        start, end = self._by_target.indptr[item], self._by_target.indptr[item + 1]
        sources = self._by_target.indices[start:end]
        weights = np.where(
            np.isin(sources, self._bought_columns(row)), self._by_target.data[start:end], 0.0
        )
        if not len(weights) or weights.max() <= 0:
            return None
        return int(sources[int(np.argmax(weights))])
