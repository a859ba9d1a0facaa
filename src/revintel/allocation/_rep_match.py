"""Which rep for which deal: a suggested owner for each open opportunity, within capacity.

Each candidate rep's chance to win the deal comes from the step model (context of the deal,
the rep's pooled skill, the rep's estimated fit with the account's industry), from the step the
deal has reached on. The expected value ``P(win | rep) × amount``, lowered by a load penalty
that grows with how full the rep's book is, decides; deals are placed most valuable first, and a
rep takes no more open deals than the hours set aside for them allow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy.special import log_expit

from revintel.allocation._rep_deals import rep_deals
from revintel.allocation._rep_fit import RepFit, fit_rep_fit
from revintel.allocation._rep_skill import RepSkill, fit_rep_skill
from revintel.store import Store

#: Columns of :func:`suggest_owners`.
SUGGESTION_COLUMNS = (
    "opportunity_id",
    "suggested_rep_id",
    "current_rep_id",
    "p_win_suggested",
    "p_win_current",
    "amount",
    "expected_gain",
    "reason",
    "industry",
)
#: Reason keys (texts in ``revintel.i18n.messages.allocation``).
MATCH_REASONS = (
    "allocation.match.reason.keep",
    "allocation.match.reason.better_match",
    "allocation.match.reason.specialist",
    "allocation.match.reason.owner_full",
    "allocation.match.reason.better_full",
    "allocation.match.reason.no_owner",
    "allocation.match.reason.no_capacity",
)
#: Quantile of the open deals reps carried at month ends that counts as a full book.
FULL_BOOK_QUANTILE = 0.9


class RepMatchError(ValueError):
    """A suggestion cannot be made as asked; the message names the offending input."""


@dataclass(frozen=True)
class DealCapacity:
    """How many open deals a rep can carry.

    Parameters
    ----------
    hours_per_deal
        Weekly hours one open deal takes; ``None`` derives it from history: the open deals of
        a full book (the 90 % quantile of what reps carried at month ends) fill the deal share
        of an average rep's week.
    deal_share
        Share of ``reps.capacity_hours_per_week`` available for open deals (0 < share ≤ 1).
    load_penalty
        Expected value is lowered by ``load_penalty × (booked / limit)``: a full rep gives each
        deal less attention (0 ≤ penalty < 1).
    """

    hours_per_deal: float | None = None
    deal_share: float = 0.5
    load_penalty: float = 0.2

    def __post_init__(self) -> None:
        if self.hours_per_deal is not None and not self.hours_per_deal > 0:
            raise RepMatchError(f"hours_per_deal must be positive, got {self.hours_per_deal}")
        if not 0 < self.deal_share <= 1:
            raise RepMatchError(f"deal_share must lie in (0, 1], got {self.deal_share}")
        if not 0 <= self.load_penalty < 1:
            raise RepMatchError(f"load_penalty must lie in [0, 1), got {self.load_penalty}")


def suggest_owners(
    store: Store,
    opportunity_ids: Sequence[str] | None = None,
    capacity: DealCapacity | None = None,
    *,
    as_of: date | None = None,
    min_gain: float = 0.0,
) -> pd.DataFrame:
    """A suggested owner for each open opportunity (default: all open ones).

    Deals not among ``opportunity_ids`` stay with their owners and count toward their load.
    ``suggested_rep_id`` is empty when no rep has room; another rep than the current owner is
    only suggested when the expected gain (store currency) exceeds ``min_gain``.

    Raises
    ------
    RepMatchError
        An id is unknown or its deal is closed; ``min_gain`` is negative; the store has no
        reps.
    RepModelError
        Too few closed deals to compare reps.
    """
    capacity = capacity or DealCapacity()
    if not min_gain >= 0:
        raise RepMatchError(f"min_gain must be zero or positive, got {min_gain}")
    reps = _reps(store)
    if opportunity_ids is not None:
        _check_ids(store, opportunity_ids)
    deals = rep_deals(store, as_of)
    targets = _targets(deals, opportunity_ids)
    if targets.empty:
        return pd.DataFrame(columns=list(SUGGESTION_COLUMNS))
    skill = fit_rep_skill(deals)
    fit = fit_rep_fit(deals, skill)
    hours = capacity.hours_per_deal or historical_hours_per_deal(deals, reps, capacity.deal_share)
    limit = np.floor(reps["capacity"].to_numpy() * capacity.deal_share / hours).astype(int)
    fixed = deals[
        (deals["status"] == "open") & ~deals["opportunity_id"].isin(targets["opportunity_id"])
    ]
    booked = fixed.groupby("rep_id").size().reindex(reps["rep_id"]).fillna(0).to_numpy(int)
    chances = win_chances(targets, reps["rep_id"].to_numpy(), skill, fit)
    amount = targets["amount"].fillna(0.0).clip(lower=0.0).to_numpy()
    current = _current_index(targets, reps)
    choice = assign_within_capacity(
        chances * amount[:, None], current, limit, booked, capacity.load_penalty, min_gain
    )
    return _suggestions(targets, reps, chances, current, choice, fit)


def win_chances(
    deals: pd.DataFrame, rep_ids: np.ndarray, skill: RepSkill, fit: RepFit
) -> np.ndarray:
    """(deals, reps) P(win) of each deal if each rep worked it, from its current step on."""
    base = skill.step_logits(deals)
    effects = pd.Series(skill.reps["skill"].to_numpy(), index=skill.reps["rep_id"])
    effect = pd.Series(rep_ids).map(effects).fillna(0.0).to_numpy()
    passed = np.clip(deals["depth"].to_numpy(dtype=int), 0, skill.steps)
    if skill.steps == 1:
        passed = np.zeros(len(deals), dtype=int)
    todo = np.arange(skill.steps)[None, :] >= passed[:, None]
    before_close = np.sum(np.where(todo[:, :-1], log_expit(base[:, :-1]), 0.0), axis=1)
    chances = np.empty((len(deals), len(rep_ids)))
    shifts = fit.shift_matrix(deals["industry"].to_numpy(), rep_ids)
    for j in range(len(rep_ids)):
        shift = shifts[:, j]
        earlier = before_close + effect[j] * todo[:, :-1].sum(axis=1)
        if skill.steps == 1:
            earlier = np.zeros(len(deals))
        closing = log_expit(base[:, -1] + effect[j] + shift)
        chances[:, j] = np.exp(earlier + closing)
    return chances


def assign_within_capacity(
    value: np.ndarray,
    current: np.ndarray,
    limit: np.ndarray,
    booked: np.ndarray,
    load_penalty: float = 0.2,
    min_gain: float = 0.0,
) -> np.ndarray:
    """Greedy placement of deals on reps: the rep index chosen for each deal, -1 for none.

    Parameters
    ----------
    value
        (deals, reps) expected value of each deal with each rep.
    current
        Index of each deal's current owner among the reps, -1 when it has none.
    limit, booked
        Open deals each rep may carry, and carries already (deals not being placed).
    load_penalty, min_gain
        See :class:`DealCapacity` and :func:`suggest_owners`.

    The most valuable deals are placed first; a rep never gets a deal that would take the
    book beyond ``limit``.

    Examples
    --------
    >>> value = np.array([[10.0, 12.0], [8.0, 9.0]])
    >>> assign_within_capacity(value, np.array([0, 0]), np.array([2, 1]), np.array([0, 0]),
    ...                        load_penalty=0.0).tolist()
    [1, 0]
    """
    load = booked.astype(float).copy()
    choice = np.full(value.shape[0], -1)
    for deal in np.argsort(-value.max(axis=1), kind="stable"):
        room = load < limit
        if not room.any():
            continue
        fullness = np.where(limit > 0, load / np.maximum(limit, 1), 1.0)
        score = np.where(room, value[deal] * (1 - load_penalty * fullness), -np.inf)
        best = int(np.argmax(score))
        owner = int(current[deal])
        if owner >= 0 and room[owner] and score[best] - score[owner] <= min_gain:
            best = owner
        choice[deal] = best
        load[best] += 1
    return choice


def historical_hours_per_deal(deals: pd.DataFrame, reps: pd.DataFrame, deal_share: float) -> float:
    """Weekly hours per open deal such that a full book (see :class:`DealCapacity`) fills the deal
    share of an average rep's week."""
    created = deals["created_at"].dropna()
    if created.empty:
        raise RepMatchError("no opportunities with a creation date to learn a rep's load from")
    ends = pd.date_range(created.min(), created.max(), freq="ME")
    if len(ends) == 0:
        ends = pd.DatetimeIndex([created.max()])
    start = deals["created_at"].to_numpy()[:, None]
    stop = deals["closed_at"].to_numpy()[:, None]
    at = ends.to_numpy()[None, :]
    open_then = (start <= at) & (np.isnat(stop) | (stop > at))
    per_rep = pd.DataFrame(open_then).groupby(deals["rep_id"].to_numpy()).sum()
    full_book = max(float(np.quantile(per_rep.to_numpy(), FULL_BOOK_QUANTILE)), 1.0)
    return float(reps["capacity"].mean()) * deal_share / full_book


def _check_ids(store: Store, opportunity_ids: Sequence[str]) -> None:
    """Refuse unknown and closed deals before anything is fitted."""
    wanted = list(dict.fromkeys(opportunity_ids))
    o = store.table("opportunities")
    found = o.filter(o.opportunity_id.isin(wanted)).select("opportunity_id", "status").to_pandas()
    unknown = [i for i in wanted if i not in set(found["opportunity_id"])]
    if unknown:
        raise RepMatchError(f"unknown opportunity id(s): {', '.join(unknown[:5])}")
    closed = found.loc[found["status"].fillna("open").str.lower() != "open", "opportunity_id"]
    if len(closed):
        raise RepMatchError(f"opportunity id(s) already closed: {', '.join(sorted(closed)[:5])}")


def _targets(deals: pd.DataFrame, opportunity_ids: Sequence[str] | None) -> pd.DataFrame:
    open_deals = deals[deals["status"] == "open"]
    if opportunity_ids is None:
        return open_deals.reset_index(drop=True)
    chosen = open_deals[open_deals["opportunity_id"].isin(list(opportunity_ids))]
    if len(chosen) < len(set(opportunity_ids)):
        raise RepMatchError(
            "some opportunities are not open as of the date asked for, or have no list price"
        )
    return chosen.reset_index(drop=True)


def _reps(store: Store) -> pd.DataFrame:
    reps = store.table("reps").select("rep_id", "capacity_hours_per_week").to_pandas()
    if reps.empty:
        raise RepMatchError("the store has no reps to suggest")
    hours = reps["capacity_hours_per_week"].astype(float)
    typical = hours.median() if hours.notna().any() else 40.0
    reps["capacity"] = hours.fillna(typical if math.isfinite(typical) else 40.0)
    return reps.sort_values("rep_id", ignore_index=True)


def _current_index(targets: pd.DataFrame, reps: pd.DataFrame) -> np.ndarray:
    position = pd.Series(np.arange(len(reps)), index=reps["rep_id"])
    return targets["rep_id"].map(position).fillna(-1).to_numpy(dtype=int)


def _suggestions(
    targets: pd.DataFrame,
    reps: pd.DataFrame,
    chances: np.ndarray,
    current: np.ndarray,
    choice: np.ndarray,
    fit: RepFit,
) -> pd.DataFrame:
    rows = np.arange(len(targets))
    rep_ids = reps["rep_id"].to_numpy(dtype=object)
    has_owner = current >= 0
    has_choice = choice >= 0
    p_current = np.where(has_owner, chances[rows, np.maximum(current, 0)], np.nan)
    p_new = np.where(has_choice, chances[rows, np.maximum(choice, 0)], np.nan)
    amount = targets["amount"].fillna(0.0).to_numpy()
    out = pd.DataFrame(
        {
            "opportunity_id": targets["opportunity_id"].to_numpy(),
            "suggested_rep_id": np.where(has_choice, rep_ids[np.maximum(choice, 0)], None),
            "current_rep_id": targets["rep_id"].to_numpy(),
            "p_win_suggested": p_new,
            "p_win_current": p_current,
            "amount": amount,
            "expected_gain": np.where(has_choice & has_owner, (p_new - p_current) * amount, np.nan),
            "industry": targets["industry"].to_numpy(),
        }
    )
    shifts = fit.shift_matrix(targets["industry"].to_numpy(), rep_ids)
    out["reason"] = [
        _reason(chances[i], shifts[i], current[i], choice[i], fit.effect) for i in rows
    ]
    return out[list(SUGGESTION_COLUMNS)]


def _reason(chance: np.ndarray, shift: np.ndarray, owner: int, chosen: int, effect: float) -> str:
    """The reason key of one suggestion (texts in ``revintel.i18n.messages.allocation``)."""
    if chosen < 0:
        return "allocation.match.reason.no_capacity"
    if owner < 0:
        return "allocation.match.reason.no_owner"
    if chosen == owner:
        if chance.max() <= chance[owner]:
            return "allocation.match.reason.keep"
        return "allocation.match.reason.better_full"
    if chance[owner] >= chance[chosen]:
        return "allocation.match.reason.owner_full"
    if effect > 0 and shift[chosen] - shift[owner] > effect / 2:
        return "allocation.match.reason.specialist"
    return "allocation.match.reason.better_match"
