"""The store's history as plain arrays, and its replay as of a past date without later knowledge.

Forecasts and backtests both start from :func:`replay`: it rebuilds, from the milestone log alone,
what an analyst would have seen at the cut-off — which opportunities existed, the milestone each
had reached, which had closed — so nothing that happened later leaks into a past forecast.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from revintel.metrics import MONEY_COLUMNS, in_store_currency
from revintel.model import FunnelDefinition
from revintel.store import Store, fetch_frame, latest_scores

#: Dimensions a forecast can be split by.
FORECAST_DIMENSIONS = ("segment", "team", "product")

#: Account attribute whose groups get their own pace (see :mod:`revintel.forecast._pace`).
PACE_GROUP = "industry"

#: ``scores.kind`` of the deal scores that replace milestone probabilities when present.
DEAL_SCORE_KIND = "deal_win"

_EPOCH = np.datetime64("1970-01-01T00:00:00", "us")
_DAY_US = 86_400 * 1_000_000


def to_days(values: pd.Series | np.ndarray) -> np.ndarray:
    """Timestamps as float days since 1970-01-01 (``NaN`` where missing)."""
    stamps = pd.to_datetime(pd.Series(values), errors="coerce")
    out = (stamps.to_numpy("datetime64[us]") - _EPOCH).astype("timedelta64[us]").astype(float)
    out[stamps.isna().to_numpy()] = np.nan
    return out / _DAY_US


def cutoff_days(as_of: date) -> float:
    """The cut-off of ``as_of`` (the end of that day) as days since 1970-01-01."""
    end = datetime.combine(as_of + timedelta(days=1), time())
    return float((np.datetime64(end, "us") - _EPOCH).astype(float) / _DAY_US)


@dataclass(frozen=True)
class History:
    """Everything a forecast reads from the store, as frames with times in float days.

    ``opportunities`` holds one row per opportunity with fixed attributes (amount, dimensions,
    ``created``, ``expected_close``); ``opp_events`` and ``lead_events`` are the milestone log
    (``entity``, ``milestone``, ``at``); ``leads`` has ``lead_id`` and ``created``.
    ``deal_scores`` maps opportunity ids to the latest deal score, if the scoring has run.
    ``direct_orders`` holds the orders without an opportunity and all returns (``at``, net
    ``amount``: negative for returns, and the forecast dimensions); see :func:`direct_orders`.
    """

    funnel: FunnelDefinition
    opportunities: pd.DataFrame
    opp_events: pd.DataFrame
    lead_events: pd.DataFrame
    leads: pd.DataFrame
    deal_scores: pd.Series
    last_event: date
    direct_orders: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["at", "amount", *FORECAST_DIMENSIONS])
    )

    @cached_property
    def coded_leads(self) -> _Coded:
        """Leads and their milestone log as integer codes (computed once, for every replay)."""
        return _coded(self.leads["lead_id"], self.lead_events)

    @cached_property
    def coded_opportunities(self) -> _Coded:
        """Opportunities and their milestone log as integer codes."""
        return _coded(self.opportunities["opportunity_id"], self.opp_events)

    @cached_property
    def opportunity_leads(self) -> np.ndarray:
        """Each opportunity's lead as a code of :attr:`coded_leads` (-1: none or unknown)."""
        return self.coded_leads.uniques.get_indexer(self.opportunities["lead_id"])

    @property
    def opp_path(self) -> tuple[str, ...]:
        """Path milestones reached by opportunities."""
        return tuple(m.id for m in self.funnel.path if m.entity == "opportunity")

    @property
    def lead_path(self) -> tuple[str, ...]:
        """Path milestones reached by leads."""
        return tuple(m.id for m in self.funnel.path if m.entity == "lead")


def _frame(store: Store, name: str, columns: list[str]) -> pd.DataFrame:
    # Amounts are summed into forecasts: read them in the store currency (or refuse).
    table = in_store_currency(store, name) if name in MONEY_COLUMNS else store.table(name)
    present = [c for c in columns if c in table.columns]
    return table.select(*present).to_pandas()


def _by_key(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """``frame`` ordered by ``key``.

    Engines return rows in no defined order, and the simulation draws for entities in their row
    order: ordering them (in Python, so no collation can differ) gives the same forecast on
    every engine for the same seed. The milestone log needs no order: it is only aggregated.
    """
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def _dimensions(store: Store, opps: pd.DataFrame) -> pd.DataFrame:
    accounts = _frame(store, "accounts", ["account_id", "segment", "industry"])
    reps = _frame(store, "reps", ["rep_id", "team"])
    products = _frame(store, "products", ["product_id", "family", "name"])
    products["product"] = products["family"].fillna(products["name"])
    out = opps.merge(accounts, on="account_id", how="left")
    out = out.merge(reps, on="rep_id", how="left")
    out = out.merge(products[["product_id", "product"]], on="product_id", how="left")
    for dim in (*FORECAST_DIMENSIONS, PACE_GROUP):
        out[dim] = out[dim] if dim in out else pd.Series(index=out.index, dtype=object)
        out[dim] = out[dim].fillna("(none)").astype(str)
    return out


def _deal_scores(store: Store) -> pd.Series:
    scores = latest_scores(store, (DEAL_SCORE_KIND,))
    latest = scores.filter(scores.entity_type == "opportunity").select("entity_id", "score")
    frame = latest.to_pandas()
    return pd.Series(frame["score"].to_numpy(float), index=frame["entity_id"].to_numpy())


def direct_orders(store: Store) -> pd.DataFrame:
    """Orders that never passed through an opportunity, and every return, as net amounts.

    An order with an ``opportunity_id`` is the won deal's order and counts through the deal;
    a return (``kind = 'return'``) deducts its absolute amount whatever sign its source wrote,
    so forecast intake is net of returns. Groups: the account's segment, the rep's team and
    the product family of the order's largest line.
    """
    columns = ["order_id", "account_id", "opportunity_id", "rep_id", "ordered_at", "amount", "kind"]
    orders = _by_key(_frame(store, "orders", columns), "order_id")
    kind = orders["kind"] if "kind" in orders else pd.Series("order", index=orders.index)
    is_return = kind.fillna("order").eq("return").to_numpy()
    keep = is_return | orders["opportunity_id"].isna().to_numpy()
    amount = orders["amount"].fillna(0.0).astype(float).abs().to_numpy()
    orders = orders.assign(amount=np.where(is_return, -amount, amount))[keep]
    lines = _frame(store, "order_lines", ["order_id", "product_id", "net_amount"])
    # ties broken by product id, so every engine's row order gives the same family
    largest = lines.sort_values(["net_amount", "product_id"], ascending=[False, True])
    orders["product_id"] = orders["order_id"].map(largest.groupby("order_id")["product_id"].first())
    out = _dimensions(store, orders)
    out["at"] = to_days(out.pop("ordered_at"))
    return out[["at", "amount", *FORECAST_DIMENSIONS]].reset_index(drop=True)


def _dated_milestones(store: Store) -> ir.Table:
    """The milestone log without the milestones implied by a later stage: they carry a
    stand-in date, and timing them would be invented."""
    m = store.table("milestones")
    return m.filter(~m.inferred.fill_null(False)) if "inferred" in m.columns else m


def _events(events: ir.Table, which: ir.BooleanValue) -> pd.DataFrame:
    """``entity``, ``milestone`` and ``at`` (float days) of the dated milestones ``which``
    selects: the engine filters and streams only these three columns, so that the process
    never holds the whole log with its other columns (41M rows at 10M leads)."""
    rows = events.filter(which)
    frame = fetch_frame(
        rows.select(entity=rows.entity_id, milestone=rows.milestone, at=rows.occurred_at)
    )
    frame["at"] = to_days(frame["at"])
    return frame


def load_history(store: Store, funnel: FunnelDefinition) -> History:
    """Read opportunities, leads, the milestone log and deal scores from ``store``."""
    opps = _frame(
        store,
        "opportunities",
        [
            *("opportunity_id", "lead_id", "account_id", "rep_id", "product_id", "amount"),
            *("created_at", "expected_close_at"),
        ],
    )
    opps = _dimensions(store, _by_key(opps, "opportunity_id"))
    opps["amount"] = opps["amount"].astype(float)
    opps["created"] = to_days(opps.pop("created_at"))
    opps["expected_close"] = to_days(opps.pop("expected_close_at"))
    events = _dated_milestones(store)
    leads = _by_key(_frame(store, "leads", ["lead_id", "created_at"]), "lead_id")
    leads["created"] = to_days(leads.pop("created_at"))
    opp_events = _events(events, events.entity_type == "opportunity")
    lead_events = _events(events, events.entity_type != "opportunity")
    direct = direct_orders(store)
    latest = events.occurred_at.max().execute()
    # A store of orders alone (no funnel) is as recent as its last order.
    if latest is not None and not pd.isna(latest):
        last = float(to_days(pd.Series([latest]))[0])
    else:
        dated = direct["at"].to_numpy(float)
        last = np.nanmax(dated) if np.isfinite(dated).any() else cutoff_days(date.today())
    last_day = (_EPOCH + np.timedelta64(int(last * _DAY_US), "us")).astype(datetime).date()
    return History(
        funnel=funnel,
        opportunities=opps.reset_index(drop=True),
        opp_events=opp_events,
        lead_events=lead_events,
        leads=leads,
        deal_scores=_deal_scores(store),
        last_event=last_day,
        direct_orders=direct,
    )


@dataclass(frozen=True)
class Journeys:
    """Entities known at the cut-off with their milestone entry times and outcome.

    ``entries[i, k]`` is the day entity ``i`` reached path milestone ``k`` (``NaN`` if not by
    the cut-off); ``closed`` the day it was won or lost (``NaN`` while open); ``won`` whether it
    was won. ``frame`` carries the entity's attributes in the same row order.
    """

    milestones: tuple[str, ...]
    entries: np.ndarray
    closed: np.ndarray
    won: np.ndarray
    frame: pd.DataFrame

    @property
    def is_open(self) -> np.ndarray:
        """Entities neither won nor lost at the cut-off."""
        return np.isnan(self.closed)

    def current(self) -> tuple[np.ndarray, np.ndarray]:
        """Index of the furthest milestone reached (-1 for none) and the day it was reached."""
        reached = ~np.isnan(self.entries)
        ranks = np.arange(self.entries.shape[1])
        furthest = np.where(reached, ranks, -1).max(axis=1, initial=-1)
        rows = np.arange(len(furthest))
        day = np.where(furthest >= 0, self.entries[rows, np.maximum(furthest, 0)], np.nan)
        return furthest, day


@dataclass(frozen=True)
class _Coded:
    """An entity table and its milestone log with every id replaced by an integer code.

    ``rows[i]`` is the code of row ``i``'s id and ``events[j]`` the code of event ``j``'s entity
    (-1: no id, or an entity the table lacks); ``milestones[j]`` is the code of event ``j``'s
    milestone in ``milestone_names``. Arrays indexed by id code have ``size + 1`` slots: the last
    one is never filled, so the code -1 reads an empty value. Replaying a past date then compares
    integers instead of looking up millions of id strings at every cut-off.
    """

    rows: np.ndarray
    events: np.ndarray
    size: int
    uniques: pd.Index
    at: np.ndarray
    milestones: np.ndarray
    milestone_names: pd.Index

    def milestone_mask(self, names: tuple[str, ...]) -> np.ndarray:
        """Whether each event's milestone is one of ``names``."""
        wanted = self.milestone_names.get_indexer(list(names))
        return np.isin(self.milestones, wanted[wanted >= 0])


def _coded(ids: pd.Series, events: pd.DataFrame) -> _Coded:
    rows, uniques = pd.factorize(ids)
    index = pd.Index(uniques)
    milestones, names = pd.factorize(events["milestone"])
    return _Coded(
        rows=rows,
        events=index.get_indexer(events["entity"]).astype(np.int32),
        size=len(index),
        uniques=index,
        at=events["at"].to_numpy(float),
        milestones=milestones.astype(np.int16),
        milestone_names=pd.Index(names),
    )


def _earliest(codes: np.ndarray, at: np.ndarray, chosen: np.ndarray, size: int) -> np.ndarray:
    """Per id code (``size + 1`` slots, the last empty) the earliest ``at`` of the ``chosen``
    events, ``NaN`` where there is none."""
    keep = chosen & (codes >= 0)
    out = np.full(size + 1, np.inf)
    np.minimum.at(out, codes[keep], at[keep])
    out[np.isinf(out)] = np.nan
    return out


def _first_times(coded: _Coded, names: tuple[str, ...], cut: float) -> np.ndarray:
    """Per id code, the first time each of ``names`` was reached before ``cut`` (one column
    per name)."""
    before = coded.at < cut
    out = np.full((coded.size + 1, len(names)), np.nan)
    for k, name in enumerate(names):
        out[:, k] = _earliest(
            coded.events, coded.at, before & coded.milestone_mask((name,)), coded.size
        )
    return out


def _outcome(coded: _Coded, outcome_ids: tuple[str, ...], cut: float) -> np.ndarray:
    """Per id code, the first time one of ``outcome_ids`` was reached before ``cut``."""
    chosen = (coded.at < cut) & coded.milestone_mask(outcome_ids)
    return _earliest(coded.events, coded.at, chosen, coded.size)


def replay_opportunities(history: History, as_of: date) -> Journeys:
    """Opportunities as known at the end of ``as_of``: created by then, with milestones by then."""
    cut = cutoff_days(as_of)
    funnel = history.funnel
    opps = history.opportunities
    keep = (opps["created"] < cut).to_numpy()
    known = opps[keep].reset_index(drop=True)
    coded = history.coded_opportunities
    rows = coded.rows[keep]
    entries = _first_times(coded, history.opp_path, cut)[rows]
    if entries.shape[1]:
        # An opportunity exists from its creation even when its first milestone is undated.
        entries[:, 0] = np.fmin(entries[:, 0], known["created"].to_numpy(float))
    won_at = _outcome(coded, funnel.outcome_ids("won"), cut)[rows]
    lost_at = _outcome(coded, funnel.outcome_ids("lost"), cut)[rows]
    closed = np.fmin(won_at, lost_at)
    won = ~np.isnan(won_at) & ~(lost_at < won_at)
    return Journeys(history.opp_path, entries, closed, won, known)


def replay_leads(history: History, as_of: date) -> Journeys:
    """Leads as known at the end of ``as_of``, with the outcome of the opportunity they became.

    A lead's journey ends lost when it is disqualified or its opportunity is lost, won when its
    opportunity is won; ``frame["has_opportunity"]`` says whether it already became one.
    """
    cut = cutoff_days(as_of)
    funnel = history.funnel
    keep = (history.leads["created"] < cut).to_numpy()
    leads = history.leads[keep].reset_index(drop=True)
    lead_codes = history.coded_leads
    rows = lead_codes.rows[keep]
    entries = _first_times(lead_codes, history.lead_path, cut)[rows]
    # The opportunities created by then, each with its lead's code (-1: none or unknown).
    opps = history.opportunities
    made = (opps["created"] < cut).to_numpy() & (history.opportunity_leads >= 0)
    opp_lead = history.opportunity_leads[made]
    has_opportunity = np.zeros(lead_codes.size + 1, bool)
    has_opportunity[opp_lead] = True
    opp_created = np.full(lead_codes.size + 1, np.inf)
    np.minimum.at(opp_created, opp_lead, opps["created"].to_numpy(float)[made])
    opp_created[np.isinf(opp_created)] = np.nan
    # A lead's opportunity is its first one in id order; its milestones become the lead's.
    _, first = np.unique(opp_lead, return_index=True)
    opp_codes = history.coded_opportunities
    lead_of_opp = np.full(opp_codes.size + 1, -1)
    lead_of_opp[opp_codes.rows[np.flatnonzero(made)[first]]] = opp_lead[first]
    through_opp = replace(opp_codes, events=lead_of_opp[opp_codes.events], size=lead_codes.size)
    won_at = _outcome(through_opp, funnel.outcome_ids("won"), cut)[rows]
    lost_at = np.fmin(
        _outcome(through_opp, funnel.outcome_ids("lost"), cut)[rows],
        _outcome(lead_codes, funnel.outcome_ids("disqualified"), cut)[rows],
    )
    frame = leads.assign(
        has_opportunity=has_opportunity[rows], opportunity_created=opp_created[rows]
    )
    won = ~np.isnan(won_at) & ~(lost_at < won_at)
    return Journeys(history.lead_path, entries, np.fmin(won_at, lost_at), won, frame)
