"""Selecting the accounts of a cross-selling micro-campaign for one product family.

Accounts that bought something but not yet the family are ranked by priority = propensity ×
expected margin; the best ``size / (1 − control_share)`` of them are split at random into the
treatment group (contacted) and a control group (held out). Drawing both from the same ranked pool
makes them comparable, so that a later difference in orders is the campaign's effect.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from revintel.customers._crosssell import make_recommender, read_purchase_history
from revintel.customers._interactions import Interactions, end_of
from revintel.customers._margins import expected_family_margins
from revintel.customers._recommendations import Reason
from revintel.store import Store

TREATMENT = "treatment"
CONTROL = "control"
#: Products of the family recommended to each account (with their reasons).
PRODUCTS_PER_ACCOUNT = 3
MEMBER_COLUMNS = ("account_id", "group", "propensity", "expected_margin", "priority", "rank")


@dataclass(frozen=True)
class CampaignPlan:
    """A selection not yet recorded: who gets the offer, who is held out, and why.

    Attributes
    ----------
    family
        The product family offered.
    as_of
        Last day of the purchases the selection read.
    size, control_size
        Accounts in the treatment and in the control group.
    seed
        Seed of the random split (recorded, so the split can be reproduced).
    method
        Cross-selling method that scored the propensity.
    members
        One row per selected account: ``account_id``, ``group``, ``propensity`` (relative, 0–1),
        ``expected_margin``, ``priority``, ``rank`` (1 = highest priority) and
        ``recommendations`` (list of ``(product_id, Reason)``), sorted by rank.
    notes
        How propensity and margin were computed (shown and recorded with the campaign).
    """

    family: str
    as_of: date
    size: int
    control_size: int
    seed: int
    method: str
    members: pd.DataFrame
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def control_share(self) -> float:
        """Control accounts as a share of all selected accounts."""
        return self.control_size / (self.size + self.control_size)


def latest_order_day(store: Store) -> date:
    """The day of the store's latest order; ``ValueError`` for a store without orders."""
    latest = store.table("orders").ordered_at.max().execute()
    if latest is None or pd.isna(latest):
        raise ValueError("the store holds no orders: nothing to select accounts from")
    return pd.Timestamp(latest).date()


def control_size_for(size: int, control_share: float) -> int:
    """Control accounts held out beside ``size`` treated ones: round(size · c / (1 − c))."""
    if size < 1:
        raise ValueError(f"size must be at least 1 account, got {size}")
    if not 0.0 < control_share < 1.0:
        raise ValueError(f"control_share must lie strictly between 0 and 1, got {control_share}")
    return max(1, round(size * control_share / (1.0 - control_share)))


def plan_campaign(
    store: Store,
    family: str,
    size: int,
    *,
    control_share: float = 0.2,
    as_of: date | datetime | str | None = None,
    seed: int | None = None,
    method: str = "auto",
) -> CampaignPlan:
    """Select the treatment and control accounts of a campaign offering ``family``.

    Parameters
    ----------
    store
        The store to read orders, order lines, products and accounts from.
    family
        Product family to offer (as in ``products.family``).
    size
        Accounts to contact (the treatment group).
    control_share
        Share of the selected accounts held out as control (default 0.2).
    as_of
        Last day of purchases to use (default: the day of the latest order).
    seed
        Seed of the random split; ``None`` draws one (it is recorded in the plan).
    method
        Cross-selling method scoring the propensity (see ``recommend_products``).

    Returns
    -------
    CampaignPlan

    Raises
    ------
    ValueError
        For an unknown family, a family nobody bought yet, or fewer candidates than needed.
    """
    control_size = control_size_for(size, control_share)
    day = _as_day(as_of) if as_of is not None else latest_order_day(store)
    history = read_purchase_history(store, day)
    data = history.interactions(day)
    columns = _family_columns(data, family)
    candidates = _candidates(data, columns)
    pool_size = size + control_size
    if len(candidates) < pool_size:
        raise ValueError(
            f"only {len(candidates)} accounts have bought but not yet {family!r} by {day}; "
            f"a campaign of {size} plus {control_size} control accounts needs {pool_size}"
        )
    scored = _propensities(data, columns, candidates, method)
    margins, margin_notes = expected_family_margins(store, family, day, scored["account_id"])
    scored["expected_margin"] = margins
    scored["priority"] = scored["propensity"] * scored["expected_margin"]
    ranked = scored.sort_values(["priority", "account_id"], ascending=[False, True])
    pool = ranked.head(pool_size).reset_index(drop=True)
    pool["rank"] = np.arange(1, pool_size + 1)
    used_seed = seed if seed is not None else secrets.randbelow(2**31)
    pool["group"] = _split(pool_size, size, used_seed)
    notes = {"propensity": "relative (max score of the family / best candidate's)", **margin_notes}
    return CampaignPlan(
        family=family,
        as_of=day,
        size=size,
        control_size=control_size,
        seed=used_seed,
        method=method,
        members=pool[[*MEMBER_COLUMNS, "recommendations"]],
        notes=notes,
    )


def _as_day(value: date | datetime | str) -> date:
    # end_of gives the first instant after the day; one microsecond back is the day itself
    try:
        return (end_of(value) - pd.Timedelta(microseconds=1)).date()
    except (OverflowError, pd.errors.OutOfBoundsDatetime):
        raise ValueError(f"as_of {value} lies outside the dates the store can hold") from None


def _family_columns(data: Interactions, family: str) -> np.ndarray:
    columns = np.flatnonzero(data.families == family)
    if not len(columns):
        known = sorted({str(f) for f in data.families if f})
        raise ValueError(f"unknown product family {family!r}; known: {', '.join(known)}")
    if data.bought[:, columns].sum() == 0:
        raise ValueError(f"no account bought {family!r} yet: there is no propensity to rank by")
    return columns


def _candidates(data: Interactions, columns: np.ndarray) -> np.ndarray:
    """Accounts with purchases that never bought a product of the family."""
    bought_family = np.asarray(data.bought[:, columns].sum(axis=1)).ravel() > 0
    return np.asarray(data.accounts[~bought_family], dtype=object)


def _propensities(
    data: Interactions, columns: np.ndarray, candidates: np.ndarray, method: str
) -> pd.DataFrame:
    """Relative propensity per candidate: its best score for a product of the family, divided by
    the best candidate's, with the family's top products and their reasons."""
    recommender = make_recommender(method).fit(data)
    in_family = np.zeros(len(data.products), dtype=bool)
    in_family[columns] = True

    def family_only(ids: np.ndarray, bought: Any) -> np.ndarray:
        return np.broadcast_to(in_family, (len(ids), len(in_family)))

    recs = recommender.recommend(candidates, k=len(columns), allowed=family_only)
    best = recs.groupby("account_id")["score"].max().reindex(candidates, fill_value=0.0)
    top = recs[recs["rank"] <= PRODUCTS_PER_ACCOUNT]
    offers = top.groupby("account_id")[["product_id", "reason"]].apply(
        lambda g: list(zip(g["product_id"], g["reason"], strict=True))
    )
    scale = float(best.max())
    propensity = best.to_numpy(dtype=float) / scale if scale > 0 else np.zeros(len(best))
    return pd.DataFrame(
        {
            "account_id": candidates,
            "propensity": propensity,
            "recommendations": [offers.get(a, []) for a in candidates],
        }
    )


def _split(pool_size: int, size: int, seed: int) -> np.ndarray:
    """``treatment`` for ``size`` positions drawn at random with ``seed``, ``control`` else."""
    groups = np.full(pool_size, CONTROL, dtype=object)
    chosen = np.random.default_rng(seed).permutation(pool_size)[:size]
    groups[chosen] = TREATMENT
    return groups


def recommendations_json(offers: list[tuple[str, Reason]]) -> str:
    """The offers of one account as JSON (product id and the reason's fields)."""
    return json.dumps(
        [
            {"product_id": product, "kind": r.kind, "source": r.source, "target": r.target,
             "accounts": r.accounts}
            for product, r in offers
        ],
        ensure_ascii=False,
    )  # fmt: skip


def recommendations_from_json(text: str | None) -> list[tuple[str, Reason]]:
    """Offers recorded by :func:`recommendations_json`."""
    items = json.loads(text) if text else []
    return [
        (i["product_id"], Reason(i["kind"], i["source"], i["target"], int(i["accounts"])))
        for i in items
    ]
