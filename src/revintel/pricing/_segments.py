"""Segments of comparable deals: the leaves of a regression tree on the won deals' price ratio.

The tree (scikit-learn's CART) is grown on won deals with the features of
:data:`SEGMENT_FEATURES` and pruned as far as cross-validation allows; every leaf holds at
least ``min_won`` won deals. The fitted tree is then converted into plain rules (a list of
nodes) that a single deal is looked up in without scikit-learn, and that survive a JSON round
trip. Categories the tree never saw (and missing values) follow the child with more won deals.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from revintel.pricing._segment_labels import segment_label
from revintel.pricing._segment_tree import category, grow_nodes

#: What makes deals comparable: product family, account segment, industry, region, customer
#: value tier (see :mod:`revintel.pricing._deals`) and deal size (list price).
SEGMENT_FEATURES = ("family", "segment", "industry", "region", "value_tier", "list_price")
#: The features compared by category; the rest (list price) by value.
CATEGORICAL_FEATURES = SEGMENT_FEATURES[:-1]


@dataclass(frozen=True)
class Node:
    """One node of a segmentation: a leaf (``band_id``) or a split of its deals.

    A categorical split sends ``left_values`` left and ``right_values`` right; a numeric split
    sends values below ``threshold`` left. Anything else (unknown, missing) follows the child
    with more won deals (``larger_left``).
    """

    won: int
    band_id: str | None = None
    feature: str | None = None
    left_values: frozenset[str] = frozenset()
    right_values: frozenset[str] = frozenset()
    threshold: float | None = None
    left: int = -1
    right: int = -1
    larger_left: bool = True

    def goes_left(self, value: Any) -> bool:
        """Whether a deal with ``value`` of the node's feature goes to the left child."""
        if self.threshold is not None:
            number = _number(value)
            return self.larger_left if math.isnan(number) else number < self.threshold
        key = category(value)
        if key in self.left_values:
            return True
        return False if key in self.right_values else self.larger_left


@dataclass(frozen=True)
class Segmentation:
    """Leaves of a tree over deal features; each leaf is a band_id ("B01", "B02", …).

    Attributes
    ----------
    nodes
        The tree, root first; children always come after their parent.
    currency
        Currency of list prices, for labels.
    """

    nodes: tuple[Node, ...]
    currency: str = "EUR"

    @property
    def band_ids(self) -> tuple[str, ...]:
        """Every band, in tree order."""
        return tuple(n.band_id for n in self.nodes if n.band_id is not None)

    def band_of(self, record: Mapping[str, Any]) -> str:
        """The band of one deal (a mapping with the :data:`SEGMENT_FEATURES` keys)."""
        node = self.nodes[0]
        while node.band_id is None:
            assert node.feature is not None
            node = self.nodes[node.left if node.goes_left(record.get(node.feature)) else node.right]
        return node.band_id

    def assign(self, deals: pd.DataFrame) -> pd.Series:
        """The band of every row of ``deals`` (same index), vectorised."""
        missing = [f for f in SEGMENT_FEATURES if f not in deals.columns]
        if missing:
            raise ValueError(f"deals lack the segment feature column(s): {', '.join(missing)}")
        at = np.zeros(len(deals), dtype=np.int64)
        columns = {f: _feature_values(deals[f], f) for f in SEGMENT_FEATURES}
        for index, node in enumerate(self.nodes):
            if node.band_id is not None:
                continue
            rows = at == index
            if not rows.any():
                continue
            values = columns[str(node.feature)][rows]
            at[rows] = np.where(_goes_left(node, values), node.left, node.right)
        bands = np.array([n.band_id or "" for n in self.nodes], dtype=object)
        return pd.Series(bands[at], index=deals.index, name="band_id")

    def rules(self, band_id: str) -> list[dict[str, Any]]:
        """The conditions defining a band, e.g. ``{"feature": "segment", "in": ["Enterprise"]}``
        or ``{"feature": "list_price", "min": 120000.0}`` (``min`` inclusive, ``max``
        exclusive); features in :data:`SEGMENT_FEATURES` order."""
        sets: dict[str, frozenset[str]] = {}
        bounds: dict[str, dict[str, float]] = {}
        for node, left in self._path(band_id):
            feature = str(node.feature)
            if node.threshold is not None:
                bounds.setdefault(feature, {})["max" if left else "min"] = node.threshold
            else:
                side = node.left_values if left else node.right_values
                sets[feature] = sets[feature] & side if feature in sets else side
        rules: list[dict[str, Any]] = []
        for feature in SEGMENT_FEATURES:
            if feature in sets:
                rules.append({"feature": feature, "in": sorted(sets[feature])})
            if feature in bounds:
                rules.append({"feature": feature, **dict(sorted(bounds[feature].items()))})
        return rules

    def label(self, band_id: str, lang: str = "de") -> str:
        """A readable description, e.g. "Enterprise · Hydraulikaggregate, Förderanlagen ·
        Listenpreis ab 120.000 €" (German number format, a no-break space before the currency,
        for ``de``; English otherwise)."""
        rules = self.rules(band_id)
        known = {r["feature"]: self._known(r["feature"]) for r in rules}
        return segment_label(rules, known, self.currency, lang)

    def to_state(self) -> dict[str, Any]:
        """A JSON-serialisable form (:meth:`from_state` restores it)."""
        return {
            "version": 1,
            "currency": self.currency,
            "nodes": [_node_state(n) for n in self.nodes],
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Segmentation:
        """The segmentation :meth:`to_state` described."""
        try:
            nodes = tuple(_node_from_state(n) for n in state["nodes"])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a stored segmentation: missing or malformed {exc}") from exc
        if not nodes:
            raise ValueError("not a stored segmentation: it has no nodes")
        for index, node in enumerate(nodes):
            children = (node.left, node.right)
            if node.band_id is None and not all(index < c < len(nodes) for c in children):
                raise ValueError(f"not a stored segmentation: node {index} has bad children")
        return cls(nodes=nodes, currency=str(state.get("currency", "EUR")))

    def to_json(self) -> str:
        """:meth:`to_state` as JSON text."""
        return json.dumps(self.to_state(), ensure_ascii=False)

    def _path(self, band_id: str) -> list[tuple[Node, bool]]:
        parents: dict[int, tuple[int, bool]] = {}
        target = -1
        for index, node in enumerate(self.nodes):
            if node.band_id is None:
                parents[node.left] = (index, True)
                parents[node.right] = (index, False)
            elif node.band_id == band_id:
                target = index
        if target < 0:
            raise KeyError(f"unknown band {band_id!r}; the bands are {', '.join(self.band_ids)}")
        path: list[tuple[Node, bool]] = []
        while target in parents:
            target, left = parents[target]
            path.append((self.nodes[target], left))
        return path[::-1]

    def _known(self, feature: str) -> set[str]:
        for node in self.nodes:
            if node.feature == feature and node.threshold is None:
                return set(node.left_values | node.right_values)
        return set()


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _feature_values(column: pd.Series, feature: str) -> np.ndarray:
    if feature in CATEGORICAL_FEATURES:
        return np.array([category(v) for v in column.to_numpy(dtype=object)], dtype=object)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def _goes_left(node: Node, values: np.ndarray) -> np.ndarray:
    if node.threshold is not None:
        return np.where(np.isnan(values), node.larger_left, values < node.threshold)
    left = np.isin(values, list(node.left_values))
    right = np.isin(values, list(node.right_values))
    return left | (~right & node.larger_left)


def _node_state(node: Node) -> dict[str, Any]:
    if node.band_id is not None:
        return {"band_id": node.band_id, "won": node.won}
    state: dict[str, Any] = {"feature": node.feature, "won": node.won}
    if node.threshold is not None:
        state["threshold"] = node.threshold
    else:
        state["left_values"] = sorted(node.left_values)
        state["right_values"] = sorted(node.right_values)
    return state | {"left": node.left, "right": node.right, "larger_left": node.larger_left}


def _node_from_state(state: Mapping[str, Any]) -> Node:
    if "band_id" in state:
        return Node(won=int(state["won"]), band_id=str(state["band_id"]))
    threshold = state.get("threshold")
    return Node(
        won=int(state["won"]),
        feature=str(state["feature"]),
        left_values=frozenset(map(str, state.get("left_values", ()))),
        right_values=frozenset(map(str, state.get("right_values", ()))),
        threshold=None if threshold is None else float(threshold),
        left=int(state["left"]),
        right=int(state["right"]),
        larger_left=bool(state["larger_left"]),
    )


def find_segments(deals: pd.DataFrame, min_won: int = 30, *, currency: str = "EUR") -> Segmentation:
    """Segments of comparable deals from the won deals of ``deals`` (a
    :func:`revintel.pricing._deals.deal_frame`).

    A regression tree on the won deals' price ratio over :data:`SEGMENT_FEATURES`, pruned by
    cost complexity chosen by 5-fold cross-validation, every leaf holding at least ``min_won``
    won deals; with fewer than ``2 × min_won`` won deals, one segment holds everything.
    ``currency`` is the currency of the list prices (for labels).

    Raises
    ------
    ValueError
        ``min_won`` below 1, a feature column or ``price_ratio``/``status`` missing, or fewer
        than ``min_won`` won deals with a price.
    """
    won, ratio = won_prices(deals, min_won)
    nodes = grow_nodes(won, ratio, CATEGORICAL_FEATURES, ("list_price",), min_won)
    return Segmentation.from_state({"nodes": nodes, "currency": currency})


def won_prices(deals: pd.DataFrame, min_won: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The won deals of ``deals`` with a price ratio, and their price ratios.

    Raises
    ------
    ValueError
        As :func:`find_segments`.
    """
    if min_won < 1:
        raise ValueError(f"min_won must be at least 1, got {min_won}")
    missing = [c for c in (*SEGMENT_FEATURES, "price_ratio", "status") if c not in deals.columns]
    if missing:
        raise ValueError(f"deals lack the column(s): {', '.join(missing)}")
    ratio = pd.to_numeric(deals["price_ratio"], errors="coerce")
    won = deals[(deals["status"] == "won") & ratio.notna()]
    if len(won) < min_won:
        raise ValueError(
            f"price bands need at least {min_won} won deals with a price (min_won); "
            f"the deals hold {len(won)}"
        )
    return won, ratio[won.index].to_numpy(dtype=float)
