"""The allocation problem as arrays: which rep may serve which account or open deal at which
service level, the hours it takes and the margin it is expected to earn.

Accounts and open opportunities are *items*. A *pair* is an item with a rep allowed to serve
it (territory rule); each pair has one value per service level above the baseline (deals have
one level: working the deal). Values are yearly euros: the lift of the response curve times
potential, skill fit and margin rate, minus the cost of the hours, minus the switching cost
when the rep is not the current owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from revintel.allocation._response_curve import ResponseCurve
from revintel.allocation._rules import EVERY_REGION, AllocationRules

#: How a rep came to be allowed to serve an item (index = code in ``Pairs.basis``).
BASES = ("region", "exception", "owner", "anywhere")
ACCOUNT_COLUMNS = ("account_id", "region", "segment", "potential")
REP_COLUMNS = ("rep_id", "region", "capacity_hours_per_week")
OPPORTUNITY_COLUMNS = ("opportunity_id", "account_id", "amount", "win_uplift")
_MISSING = -1
#: The least switching cost (EUR): between equally good reps the current owner stays.
TIE = 0.01


class AllocationError(ValueError):
    """The inputs cannot be allocated: a column is missing, a value is invalid, or the rules
    cannot be kept; the message names what is wrong."""


@dataclass(frozen=True)
class Items:
    """Accounts first, then open deals; per item its id, region, segment, owner and rule."""

    ids: np.ndarray
    is_deal: np.ndarray
    account_ids: np.ndarray
    region: np.ndarray
    segment: np.ndarray
    owner: np.ndarray  # rep index, -1: none among the reps
    min_level: np.ndarray  # 0: no coverage rule; else the level index required at least
    coverage_rule: np.ndarray  # name of the rule setting min_level ("" when none)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Pairs:
    """Item × rep combinations the territory rule allows, with values per level column."""

    item: np.ndarray
    rep: np.ndarray
    basis: np.ndarray
    fit: np.ndarray
    gain: np.ndarray  # (pairs × levels) expected margin minus cost of hours; -inf: not allowed
    switch_cost: np.ndarray  # per pair: cost of leaving the current owner (0 for the owner)
    hours: np.ndarray  # (pairs × levels) weekly hours

    @property
    def objective(self) -> np.ndarray:
        """What choosing the pair at each level adds to the objective."""
        return self.gain - self.switch_cost[:, None]

    def take(self, keep: np.ndarray) -> Pairs:
        """The pairs selected by the boolean or index array ``keep``."""
        return Pairs(
            self.item[keep],
            self.rep[keep],
            self.basis[keep],
            self.fit[keep],
            self.gain[keep],
            self.switch_cost[keep],
            self.hours[keep],
        )


@dataclass(frozen=True)
class AllocationProblem:
    """Everything the solver needs; ``levels`` names the level columns of the pairs."""

    rules: AllocationRules
    rep_ids: np.ndarray
    capacity: np.ndarray
    items: Items
    pairs: Pairs
    levels: tuple[str, ...]


def build_problem(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    *,
    rules: AllocationRules,
    curve: ResponseCurve | Mapping[str, ResponseCurve],
    opportunities: pd.DataFrame | None = None,
    rep_fit: pd.DataFrame | None = None,
) -> AllocationProblem:
    """Check the inputs and turn them into an :class:`AllocationProblem`.

    ``accounts``: account_id, region, segment, potential (EUR a year), optionally
    owner_rep_id. ``reps``: rep_id, region, capacity_hours_per_week, optionally team.
    ``opportunities``: opportunity_id, account_id, amount, win_uplift (how much a rep's
    attention raises P(win)), optionally owner_rep_id, hours_per_week, weeks. ``rep_fit``:
    rep_id, factor (1: average; multiplies the expected gain) and the accounts column the
    rep fits, e.g. segment or industry. ``curve``: one curve,
    or one per segment with ``"*"`` for the others.
    """
    reps = _checked(reps, REP_COLUMNS, "reps").reset_index(drop=True)
    accounts = _checked(accounts, ACCOUNT_COLUMNS, "accounts").reset_index(drop=True)
    _check_values(accounts, reps)
    deals = _deal_items(opportunities, accounts)
    items = _items(accounts, deals, reps, rules)
    level_gain, level_hours = _item_levels(accounts, deals, rules, curve)
    pairs = _pairs(items, reps, rules)
    fit = _fit(rep_fit, reps["rep_id"].to_numpy(str), accounts, deals, pairs)
    gain = (
        level_gain[pairs[:, 0]] * fit[:, None]
        - _level_cost(rules, deals, len(accounts))[pairs[:, 0]]
    )
    gain = np.where(_allowed(items, pairs[:, 0], level_gain.shape[1]), gain, -np.inf)
    switch = _switch_cost(items, pairs, gain, rules)
    return AllocationProblem(
        rules,
        reps["rep_id"].to_numpy(str),
        reps["capacity_hours_per_week"].to_numpy(float),
        items,
        Pairs(pairs[:, 0], pairs[:, 1], pairs[:, 2], fit, gain, switch, level_hours[pairs[:, 0]]),
        rules.level_names[1:],
    )


def _checked(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AllocationError(
            f"{name}: column {missing[0]!r} is missing; expected {', '.join(columns)}"
        )
    key = columns[0]
    if frame[key].isna().any() or frame[key].duplicated().any():
        raise AllocationError(f"{name}: {key} must be present and unique in every row")
    return frame


def _check_values(accounts: pd.DataFrame, reps: pd.DataFrame) -> None:
    potential = pd.to_numeric(accounts["potential"], errors="coerce")
    if potential.isna().any() or (potential < 0).any():
        bad = accounts.loc[potential.isna() | (potential < 0), "account_id"].iloc[0]
        raise AllocationError(f"accounts: potential of {bad} is missing or negative")
    capacity = pd.to_numeric(reps["capacity_hours_per_week"], errors="coerce")
    if capacity.isna().any() or (capacity < 0).any():
        bad = reps.loc[capacity.isna() | (capacity < 0), "rep_id"].iloc[0]
        raise AllocationError(f"reps: capacity_hours_per_week of {bad} is missing or negative")


def _deal_items(opportunities: pd.DataFrame | None, accounts: pd.DataFrame) -> pd.DataFrame:
    columns = [*OPPORTUNITY_COLUMNS, "region", "segment"]
    if opportunities is None or opportunities.empty:
        return pd.DataFrame(columns=columns)
    deals = _checked(opportunities, OPPORTUNITY_COLUMNS, "opportunities").reset_index(drop=True)
    where = accounts[["account_id", "region", "segment"]]
    deals = deals.drop(columns=["region", "segment"], errors="ignore").merge(
        where, on="account_id", how="left"
    )
    unknown = deals["region"].isna() & ~deals["account_id"].isin(accounts["account_id"])
    if unknown.any():
        bad = deals.loc[unknown].iloc[0]
        raise AllocationError(
            f"opportunities: {bad['opportunity_id']} names account {bad['account_id']}, "
            "which is not among the accounts"
        )
    uplift = pd.to_numeric(deals["win_uplift"], errors="coerce")
    if uplift.isna().any() or (uplift < 0).any() or (uplift > 1).any():
        bad = deals.loc[~uplift.between(0, 1), "opportunity_id"].iloc[0]
        raise AllocationError(f"opportunities: win_uplift of {bad} must lie in [0, 1]")
    return deals


def _items(
    accounts: pd.DataFrame, deals: pd.DataFrame, reps: pd.DataFrame, rules: AllocationRules
) -> Items:
    rep_index = pd.Series(np.arange(len(reps)), index=reps["rep_id"].astype(str))

    def owners(frame: pd.DataFrame) -> np.ndarray:
        if "owner_rep_id" not in frame.columns:
            return np.full(len(frame), _MISSING)
        return frame["owner_rep_id"].map(rep_index).fillna(_MISSING).to_numpy(int)

    min_level, rule_name = _coverage(accounts, rules)
    n_deals = len(deals)
    return Items(
        ids=np.concatenate([accounts["account_id"].to_numpy(str), deals["opportunity_id"]]).astype(
            str
        ),
        is_deal=np.r_[np.zeros(len(accounts), bool), np.ones(n_deals, bool)],
        account_ids=np.concatenate([accounts["account_id"], deals["account_id"]]).astype(str),
        region=np.concatenate([accounts["region"], deals["region"]]).astype(str),
        segment=np.concatenate([accounts["segment"], deals["segment"]]).astype(str),
        owner=np.r_[owners(accounts), owners(deals)].astype(int),
        min_level=np.r_[min_level, np.zeros(n_deals, int)].astype(int),
        coverage_rule=np.r_[rule_name, np.full(n_deals, "")].astype(str),
    )


def _coverage(accounts: pd.DataFrame, rules: AllocationRules) -> tuple[np.ndarray, np.ndarray]:
    """The level each account must get at least, and the rule that demands it."""
    level = np.zeros(len(accounts), int)
    name = np.full(len(accounts), "", dtype=object)
    potential = accounts["potential"].to_numpy(float)
    segment = accounts["segment"].astype(str).to_numpy()
    for rule in rules.minimum_coverage:
        match = np.ones(len(accounts), bool)
        if rule.potential_above is not None:
            match &= potential > rule.potential_above
        if rule.segment is not None:
            match &= segment == rule.segment
        required = rules.level_index(rule.at_least)
        higher = match & (required > level)
        level[higher] = required
        name[higher] = rule.name
    return level, name.astype(str)


def _item_levels(
    accounts: pd.DataFrame,
    deals: pd.DataFrame,
    rules: AllocationRules,
    curve: ResponseCurve | Mapping[str, ResponseCurve],
) -> tuple[np.ndarray, np.ndarray]:
    """Gross expected margin (before fit and cost) and weekly hours per item and level column."""
    levels = list(rules.service_levels.values())[1:]
    hours = np.array([level.hours_per_week for level in levels])
    yearly = hours * rules.weeks_per_year
    lift = np.zeros((len(accounts), len(levels)))
    segment = accounts["segment"].astype(str).to_numpy()
    for value in np.unique(segment):
        lift[segment == value] = np.asarray(_curve_for(curve, value).lift(yearly), float)
    potential = accounts["potential"].to_numpy(float)
    account_gain = potential[:, None] * lift * rules.margin_rate
    deal_gain = np.full((len(deals), len(levels)), -np.inf)
    deal_gain[:, 0] = (
        pd.to_numeric(deals["amount"]).to_numpy(float)
        * deals["win_uplift"].to_numpy(float)
        * rules.margin_rate
    )
    deal_hours = np.zeros((len(deals), len(levels)))
    deal_hours[:, 0] = _deal_column(deals, "hours_per_week", rules.opportunities.hours_per_week)
    return np.vstack([account_gain, deal_gain]), np.vstack(
        [np.tile(hours, (len(accounts), 1)), deal_hours]
    )


def _curve_for(curve: ResponseCurve | Mapping[str, ResponseCurve], segment: str) -> ResponseCurve:
    if isinstance(curve, ResponseCurve):
        return curve
    found = curve.get(segment, curve.get("*"))
    if found is None:
        raise AllocationError(f"curve: no response curve for segment {segment!r} and no '*'")
    return found


def _deal_column(deals: pd.DataFrame, column: str, default: float) -> np.ndarray:
    if column not in deals.columns:
        return np.full(len(deals), default)
    return pd.to_numeric(deals[column], errors="coerce").fillna(default).to_numpy(float)


def _level_cost(rules: AllocationRules, deals: pd.DataFrame, n_accounts: int) -> np.ndarray:
    """Yearly cost of the hours per item and level column (deals: over their weeks)."""
    levels = list(rules.service_levels.values())[1:]
    account_cost = np.array(
        [lv.hours_per_week * lv.cost_per_hour * rules.weeks_per_year for lv in levels]
    )
    deal_cost = np.zeros((len(deals), len(levels)))
    deal_cost[:, 0] = (
        _deal_column(deals, "hours_per_week", rules.opportunities.hours_per_week)
        * _deal_column(deals, "weeks", rules.opportunities.weeks)
        * rules.opportunities.cost_per_hour
    )
    return np.vstack([np.tile(account_cost, (n_accounts, 1)), deal_cost])


def _allowed(items: Items, item: np.ndarray, n_levels: int) -> np.ndarray:
    """Level columns a pair may take: at least the account's required level; deals only 0."""
    column = np.arange(n_levels)[None, :]
    least = np.maximum(items.min_level[item], 1)[:, None] - 1
    return np.where(items.is_deal[item][:, None], column == 0, column >= least)


def _pairs(items: Items, reps: pd.DataFrame, rules: AllocationRules) -> np.ndarray:
    """(item, rep, basis) rows the territory rule allows, one per item and rep."""
    item_frame = pd.DataFrame(
        {"item": np.arange(len(items)), "region": items.region, "segment": items.segment}
    )
    rep_frame = pd.DataFrame(
        {
            "rep": np.arange(len(reps)),
            "region": reps["region"].astype(str),
            "team": reps["team"].astype(str) if "team" in reps.columns else "",
            "rep_id": reps["rep_id"].astype(str),
        }
    )
    territory = rules.territory
    parts = []
    if territory.own_region_only:
        own = item_frame.merge(rep_frame[["rep", "region"]], on="region")
        parts.append(own.assign(basis=BASES.index("region"))[["item", "rep", "basis"]])
    else:
        every = item_frame[["item"]].merge(rep_frame[["rep"]], how="cross")
        parts.append(every.assign(basis=BASES.index("anywhere")))
    for exception in territory.exceptions:
        holders = rep_frame[
            (rep_frame["rep_id"] == exception.rep_id) | (rep_frame["team"] == exception.team)
        ]
        served = item_frame
        if EVERY_REGION not in exception.regions:
            served = served[served["region"].isin(exception.regions)]
        if exception.segments:
            served = served[served["segment"].isin(exception.segments)]
        pairs = served[["item"]].merge(holders[["rep"]], how="cross")
        parts.append(pairs.assign(basis=BASES.index("exception")))
    if territory.current_owner_exempt:
        owned = np.flatnonzero(items.owner != _MISSING)
        parts.append(
            pd.DataFrame({"item": owned, "rep": items.owner[owned], "basis": BASES.index("owner")})
        )
    rows = pd.concat(parts, ignore_index=True).sort_values(["item", "rep", "basis"])
    return rows.drop_duplicates(["item", "rep"]).to_numpy(np.int64)


def _fit(
    rep_fit: pd.DataFrame | None,
    rep_ids: np.ndarray,
    accounts: pd.DataFrame,
    deals: pd.DataFrame,
    pairs: np.ndarray,
) -> np.ndarray:
    """Each pair's fit factor: ``rep_fit`` names rep_id, factor and one accounts column (the
    segment, the industry …) whose value the rep fits; missing combinations count 1."""
    if rep_fit is None or rep_fit.empty:
        return np.ones(len(pairs))
    missing = [c for c in ("rep_id", "factor") if c not in rep_fit.columns]
    keys = [c for c in rep_fit.columns if c not in ("rep_id", "factor")]
    if missing or len(keys) != 1 or keys[0] not in accounts.columns:
        raise AllocationError(
            "rep_fit: expected the columns rep_id, factor and one accounts column "
            f"(segment, industry …); got {', '.join(map(str, rep_fit.columns))}"
        )
    key = keys[0]
    factor = pd.to_numeric(rep_fit["factor"], errors="coerce")
    if factor.isna().any() or (factor < 0).any():
        raise AllocationError("rep_fit: factor must be a non-negative number in every row")
    lookup = pd.Series(
        factor.to_numpy(float),
        index=pd.MultiIndex.from_arrays([rep_fit["rep_id"].astype(str), rep_fit[key].astype(str)]),
    )
    lookup = lookup[~lookup.index.duplicated()]
    group = accounts.set_index("account_id")[key].astype(str)
    values = np.concatenate(
        [accounts[key].astype(str).to_numpy(), deals["account_id"].map(group).to_numpy(str)]
    )
    index = pd.MultiIndex.from_arrays([rep_ids[pairs[:, 1]], values[pairs[:, 0]]])
    return lookup.reindex(index).fillna(1.0).to_numpy(float)


def _switch_cost(
    items: Items, pairs: np.ndarray, gain: np.ndarray, rules: AllocationRules
) -> np.ndarray:
    """Per pair: min(percent × the owner's best value, eur), at least a cent so that ties go
    to the owner, when another rep would take over from an owner who may keep the item; 0
    otherwise."""
    item, rep = pairs[:, 0], pairs[:, 1]
    owner_pair = rep == items.owner[item]
    owner_best = np.full(len(items), np.nan)
    best = np.maximum(gain[owner_pair].max(axis=1), 0.0)
    owner_best[item[owner_pair]] = best
    percent = rules.continuity.switch_gain_percent / 100.0
    cost = np.maximum(np.minimum(percent * owner_best, rules.continuity.switch_gain_eur), TIE)
    per_pair = cost[item]
    return np.where(owner_pair | np.isnan(per_pair), 0.0, per_pair)
