"""Growing the segment tree: CART on won deals, pruned by cross-validation, converted to nodes.

Categories are coded by their mean target on the training rows (ascending): for a regression
tree, splitting a category ordered by its mean finds the best two-way partition of its values
(Breiman et al., *Classification and Regression Trees*, 1984, section 9.4). List prices enter
as logarithms; a split on them is turned into a round price between the largest deal of the
left side and the smallest of the right side, which divides the training deals the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeRegressor

#: Stands for a missing category.
MISSING = ""
#: Deepest tree grown before pruning.
MAX_DEPTH = 8
#: Most pruning strengths compared by cross-validation.
MAX_CANDIDATES = 24
#: Folds of the cross-validation choosing the depth.
FOLDS = 5


def category(value: Any) -> str:
    """The category text of a value (:data:`MISSING` for None and NaN)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return str(value)


def grow_nodes(
    won: pd.DataFrame,
    target: np.ndarray,
    categorical: Sequence[str],
    numeric: Sequence[str],
    min_won: int,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """The nodes (in the state form of :class:`revintel.pricing._segments.Segmentation`) of a
    tree on ``won`` predicting ``target``, every leaf with at least ``min_won`` rows.

    The tree is pruned by cost complexity: of the pruning strengths between the pruning steps
    of the full tree (and a single leaf), the strongest whose cross-validated squared error is
    within one standard error of the best is kept (the one-standard-error rule of Breiman et
    al.).
    """
    raw = {f: _categories(won[f]) for f in categorical}
    raw |= {f: pd.to_numeric(won[f], errors="coerce").to_numpy(dtype=float) for f in numeric}
    alpha = _chosen_alpha(raw, target, categorical, numeric, min_won, seed)
    if alpha is None:
        return [{"band_id": "B01", "won": len(target)}]
    codes = {f: _coding(raw[f], target) for f in categorical}
    x = _matrix(raw, codes, categorical, numeric)
    tree = _tree(alpha, min_won, seed).fit(x, target)
    return _converted(tree, x, raw, codes, [*categorical, *numeric])


def _categories(column: pd.Series) -> np.ndarray:
    return np.array([category(v) for v in column.to_numpy(dtype=object)], dtype=object)


def _coding(values: np.ndarray, target: np.ndarray) -> dict[str, int]:
    means = pd.Series(target).groupby(values).mean()
    ordered = sorted(means.items(), key=lambda item: (item[1], item[0]))
    return {name: code for code, (name, _) in enumerate(ordered)}


def _matrix(
    raw: dict[str, np.ndarray],
    codes: dict[str, dict[str, int]],
    categorical: Sequence[str],
    numeric: Sequence[str],
    rows: np.ndarray | None = None,
) -> np.ndarray:
    columns = []
    for f in categorical:
        values = raw[f] if rows is None else raw[f][rows]
        columns.append(np.array([codes[f].get(v, -1) for v in values], dtype=float))
    for f in numeric:
        values = raw[f] if rows is None else raw[f][rows]
        logged = np.log(np.where(values > 0, values, np.nan))
        fill = np.nanmedian(logged) if np.isfinite(logged).any() else 0.0
        columns.append(np.where(np.isfinite(logged), logged, fill))
    return np.column_stack(columns)


def _chosen_alpha(
    raw: dict[str, np.ndarray],
    target: np.ndarray,
    categorical: Sequence[str],
    numeric: Sequence[str],
    min_won: int,
    seed: int,
) -> float | None:
    """The cost-complexity parameter by cross-validation; None for a single leaf."""
    if len(target) < 2 * min_won:
        return None
    codes = {f: _coding(raw[f], target) for f in categorical}
    x = _matrix(raw, codes, categorical, numeric)
    path = _tree(0.0, min_won, seed).cost_complexity_pruning_path(x, target).ccp_alphas
    # Each candidate lies between two pruning steps of the full tree (Breiman et al., 3.4.2).
    candidates = np.sqrt(np.clip(path[:-1], 0, None) * path[1:])
    if len(candidates) == 0:
        return None
    if len(candidates) > MAX_CANDIDATES:
        candidates = candidates[np.linspace(0, len(candidates) - 1, MAX_CANDIDATES).astype(int)]
    folds = KFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    errors = np.zeros((FOLDS, len(candidates) + 1))
    for k, (train, test) in enumerate(folds.split(target)):
        codes = {f: _coding(raw[f][train], target[train]) for f in categorical}
        x_train = _matrix(raw, codes, categorical, numeric, train)
        x_test = _matrix(raw, codes, categorical, numeric, test)
        errors[k, -1] = np.mean((target[test] - target[train].mean()) ** 2)
        for j, alpha in enumerate(candidates):
            tree = _tree(float(alpha), min_won, seed).fit(x_train, target[train])
            errors[k, j] = np.mean((target[test] - tree.predict(x_test)) ** 2)
    mean = errors.mean(axis=0)
    best = int(np.argmin(mean))
    limit = mean[best] + errors[:, best].std(ddof=1) / math.sqrt(FOLDS)
    simplest = int(np.flatnonzero(mean <= limit)[-1])
    return None if simplest == len(candidates) else float(candidates[simplest])


def _tree(alpha: float, min_won: int, seed: int) -> DecisionTreeRegressor:
    return DecisionTreeRegressor(
        max_depth=MAX_DEPTH, min_samples_leaf=min_won, ccp_alpha=alpha, random_state=seed
    )


def _converted(
    tree: DecisionTreeRegressor,
    x: np.ndarray,
    raw: dict[str, np.ndarray],
    codes: dict[str, dict[str, int]],
    features: list[str],
) -> list[dict[str, Any]]:
    t = tree.tree_
    members = tree.decision_path(x).tocsc()
    nodes: list[dict[str, Any]] = []
    leaves = 0

    def rows_of(node: int) -> np.ndarray:
        return members.indices[members.indptr[node] : members.indptr[node + 1]]

    def visit(node: int) -> int:
        nonlocal leaves
        index = len(nodes)
        won = int(t.n_node_samples[node])
        left, right = int(t.children_left[node]), int(t.children_right[node])
        if left < 0:
            leaves += 1
            nodes.append({"band_id": f"B{leaves:02d}", "won": won})
            return index
        feature = features[int(t.feature[node])]
        state: dict[str, Any] = {"feature": feature, "won": won}
        if feature in codes:
            known = codes[feature]
            state["left_values"] = sorted(v for v, c in known.items() if c <= t.threshold[node])
            state["right_values"] = sorted(set(known) - set(state["left_values"]))
        else:
            low = float(np.nanmax(raw[feature][rows_of(left)]))
            high = float(np.nanmin(raw[feature][rows_of(right)]))
            state["threshold"] = round_between(low, high)
        state["larger_left"] = bool(t.n_node_samples[left] >= t.n_node_samples[right])
        nodes.append(state)
        state["left"] = visit(left)
        state["right"] = visit(right)
        return index

    visit(0)
    return nodes


def round_between(low: float, high: float) -> float:
    """The roundest number above ``low`` and at most ``high`` (``high`` when they meet).

    Examples
    --------
    >>> round_between(118_430.0, 131_200.0)
    120000.0
    >>> round_between(49_990.0, 50_010.0)
    50000.0
    """
    if not high > low:
        return float(high)
    exponent = math.floor(math.log10(abs(high))) if high else 0
    for e in range(exponent, exponent - 12, -1):
        for step in (10.0**e, 5 * 10.0 ** (e - 1), 2 * 10.0 ** (e - 1)):
            candidate = (math.floor(low / step) + 1) * step
            if low < candidate <= high:
                return float(round(candidate, 10))
    return float(high)
