"""What every cross-selling method shares: the reason of a recommendation and the ranking.

A method only scores products for accounts and names the bought product behind each score;
ranking, leaving out what an account already bought, rules and the fallback to popular
products for accounts without purchases happen here, once for every method.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Self

import numpy as np
import pandas as pd
from scipy import sparse

from revintel.customers._interactions import Interactions

ReasonKind = Literal["family_affinity", "product_affinity", "popular"]
REASON_KINDS: tuple[ReasonKind, ...] = ("family_affinity", "product_affinity", "popular")
RECOMMENDATION_COLUMNS = ("account_id", "product_id", "rank", "score", "reason")

#: Which products a batch of accounts may be offered: (account ids, their bought 0/1 rows) →
#: boolean array (accounts × products). Rules files compile to one.
ProductFilter = Callable[[np.ndarray, sparse.csr_matrix], np.ndarray]

#: Accounts scored at a time: memory follows the batch, not the customer base.
BATCH = 2048


@dataclass(frozen=True)
class Reason:
    """Why a product is recommended, as data; ``revintel.i18n`` renders it in German or English.

    Attributes
    ----------
    kind
        ``family_affinity``: accounts buying the family ``source`` also buy the family
        ``target``; ``product_affinity``: the same for two products (used when both are of one
        family or families are unknown); ``popular``: no bought product points to it, it is
        among the products most accounts buy (``accounts`` of them).
    source, target
        Names of the bought and the recommended product or family (empty for ``popular``).
    accounts
        For ``popular``: how many accounts bought the product.
    """

    kind: ReasonKind
    source: str = ""
    target: str = ""
    accounts: int = 0

    @property
    def message_key(self) -> str:
        """Key of the message template in the catalogue (``revintel.i18n.messages.crosssell``)."""
        return f"crosssell.reason.{self.kind}"

    def placeholders(self) -> dict[str, str | int]:
        """Values for the template's ``{source}``, ``{target}`` and ``{accounts}``."""
        return {"source": self.source, "target": self.target, "accounts": self.accounts}


def affinity_reason(data: Interactions, bought: int, recommended: int) -> Reason:
    """The reason pointing from bought product ``bought`` to product ``recommended`` (columns).

    Families read better ("Hydraulikaggregate → Ventiltechnik") when they differ; within one
    family, or without families, the products are named.
    """
    source_family, target_family = data.families[bought], data.families[recommended]
    if source_family and target_family and source_family != target_family:
        return Reason("family_affinity", str(source_family), str(target_family))
    return Reason("product_affinity", str(data.names[bought]), str(data.names[recommended]))


class Recommender(ABC):
    """Fit on a purchase matrix, then rank products per account.

    Subclasses implement ``_fit``, ``_scores`` and ``_strongest_source``; learned state ends in
    ``_``.
    """

    interactions_: Interactions
    bought_: sparse.csr_matrix
    popularity_: np.ndarray

    def fit(self, interactions: Interactions) -> Self:
        """Learn from ``interactions``; returns ``self``."""
        self.interactions_ = interactions
        self.bought_ = interactions.bought
        self.popularity_ = np.asarray(self.bought_.sum(axis=0)).ravel()
        self._fit(interactions)
        return self

    @abstractmethod
    def _fit(self, interactions: Interactions) -> None: ...

    @abstractmethod
    def _scores(self, rows: np.ndarray) -> np.ndarray:
        """Scores (len(rows) × products) for known accounts' rows; higher is better."""

    @abstractmethod
    def _strongest_source(self, row: int, item: int) -> int | None:
        """Column of the bought product that contributes most to ``item``, if any."""

    def recommend(
        self,
        accounts: Sequence[str] | np.ndarray | None = None,
        k: int = 10,
        *,
        exclude_bought: bool = True,
        allowed: ProductFilter | None = None,
        reasons: bool = True,
    ) -> pd.DataFrame:
        """The top ``k`` products per account with score and reason.

        Parameters
        ----------
        accounts
            Account ids; ``None`` means every account with purchases. Accounts without
            purchases get the most popular products.
        k
            Products per account (fewer when fewer are allowed).
        exclude_bought
            Leave out products the account bought up to the as-of date.
        allowed
            Optional filter of allowed products per account (from a rules file).
        reasons
            Give each recommendation its reason (an evaluation may skip them: ``None``).

        Returns
        -------
        pandas.DataFrame
            ``account_id``, ``product_id``, ``rank`` (1 = best), ``score``, ``reason``
            (a :class:`Reason`), sorted by account and rank.
        """
        if not hasattr(self, "interactions_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted yet: call fit() first")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        data = self.interactions_
        ids = data.accounts if accounts is None else np.asarray(accounts, dtype=object)
        rows = data.rows_of(ids)
        if not len(ids) or not len(data.products):
            return pd.DataFrame({c: pd.Series(dtype=object) for c in RECOMMENDATION_COLUMNS})
        parts = [
            self._recommend_batch(
                ids[s : s + BATCH], rows[s : s + BATCH], k, exclude_bought, allowed, reasons
            )
            for s in range(0, len(ids), BATCH)
        ]
        return pd.concat(parts, ignore_index=True)

    def _recommend_batch(
        self,
        ids: np.ndarray,
        rows: np.ndarray,
        k: int,
        exclude_bought: bool,
        allowed: ProductFilter | None,
        reasons: bool,
    ) -> pd.DataFrame:
        data = self.interactions_
        known = rows >= 0
        scores = np.zeros((len(rows), len(data.products)))
        if known.any():
            scores[known] = self._scores(rows[known])
        bought = sparse.csr_matrix(scores.shape)
        if known.any():
            # unknown accounts (row -1) take row 0 and are zeroed: they bought nothing
            taken = self.bought_[np.maximum(rows, 0)]
            bought = sparse.csr_matrix(sparse.diags(known.astype(np.float64)) @ taken)
        # popularity breaks ties, so accounts the method cannot tell apart still get an offer
        ranking = scores + 1e-9 * self.popularity_ / max(1.0, self.popularity_.max())
        blocked = np.zeros(scores.shape, dtype=bool)
        if exclude_bought:
            blocked |= bought.toarray() > 0
        if allowed is not None:
            blocked |= ~allowed(ids, bought)
        ranking[blocked] = -np.inf
        return self._top(ids, rows, ranking, scores, k, reasons)

    def _top(
        self,
        ids: np.ndarray,
        rows: np.ndarray,
        ranking: np.ndarray,
        scores: np.ndarray,
        k: int,
        reasons: bool,
    ) -> pd.DataFrame:
        k = min(k, ranking.shape[1])
        top = np.argpartition(-ranking, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(ranking, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        keep = np.isfinite(np.take_along_axis(ranking, top, axis=1))
        account_pos, rank_pos = np.nonzero(keep)
        items = top[account_pos, rank_pos]
        return pd.DataFrame(
            {
                "account_id": ids[account_pos],
                "product_id": self.interactions_.products[items],
                "rank": rank_pos + 1,
                "score": scores[account_pos, items],
                "reason": [
                    self._reason(int(rows[a]), int(i), float(scores[a, i])) if reasons else None
                    for a, i in zip(account_pos, items, strict=True)
                ],
            }
        )

    def _bought_columns(self, row: int) -> np.ndarray:
        """Columns of the products account row ``row`` bought."""
        start, end = self.bought_.indptr[row], self.bought_.indptr[row + 1]
        return np.asarray(self.bought_.indices[start:end])

    def _reason(self, row: int, item: int, score: float) -> Reason:
        source = self._strongest_source(row, item) if row >= 0 and score > 0 else None
        if source is None:
            return Reason("popular", target=str(self.interactions_.names[item]),
                          accounts=int(self.popularity_[item]))  # fmt: skip
        return affinity_reason(self.interactions_, source, item)
