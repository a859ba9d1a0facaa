"""The store's history as plain arrays, and its replay as of a past date without later knowledge.

Forecasts and backtests both start from :func:`replay`: it rebuilds, from the milestone log alone,
what an analyst would have seen at the cut-off — which opportunities existed, the milestone each
had reached, which had closed — so nothing that happened later leaks into a past forecast.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from revintel.forecast._days import DAY_US, EPOCH, cutoff_days, to_days
from revintel.forecast._history_codes import (
    CodedLog,
    code_in_python,
    coded_events,
    id_keys,
    with_key,
)
from revintel.metrics import MONEY_COLUMNS, in_store_currency
from revintel.model import FunnelDefinition
from revintel.store import Store, latest_scores

#: Dimensions a forecast can be split by.
FORECAST_DIMENSIONS = ("segment", "team", "product")

#: Account attribute whose groups get their own pace (see :mod:`revintel.forecast._pace`).
PACE_GROUP = "industry"

#: ``scores.kind`` of the deal scores that replace milestone probabilities when present.
DEAL_SCORE_KIND = "deal_win"


@dataclass(frozen=True)
class History:
    """Everything a forecast reads from the store, as frames with times in float days.

    ``opportunities`` holds one row per opportunity with fixed attributes (amount, dimensions,
    ``created``, ``expected_close``); ``leads`` has ``lead_id`` and ``created``. The milestone
    log is held coded (:class:`CodedLog`): ``coded_leads`` for leads, ``coded_opportunities``
    for opportunities; ``lead_events`` and ``opp_events`` read it with labels.
    ``opportunity_leads`` is each opportunity's lead as a code of ``coded_leads`` (-1: none or
    unknown). ``deal_scores`` maps opportunity ids to the latest deal score, if the scoring has
    run. ``direct_orders`` holds the orders without an opportunity and all returns (``at``, net
    ``amount``: negative for returns, and the forecast dimensions); see :func:`direct_orders`.
    """

    funnel: FunnelDefinition
    opportunities: pd.DataFrame
    leads: pd.DataFrame
    coded_leads: CodedLog
    coded_opportunities: CodedLog
    opportunity_leads: np.ndarray
    deal_scores: pd.Series
    last_event: date
    direct_orders: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["at", "amount", *FORECAST_DIMENSIONS])
    )

    @classmethod
    def from_frames(
        cls,
        funnel: FunnelDefinition,
        opportunities: pd.DataFrame,
        leads: pd.DataFrame,
        lead_events: pd.DataFrame,
        opp_events: pd.DataFrame,
        **rest: object,
    ) -> History:
        """A history from frames, the milestone logs (``entity``, ``milestone``, ``at``)
        coded in Python; ``rest`` holds ``deal_scores``, ``last_event``, ``direct_orders``."""
        coded_leads, lead_ids = code_in_python(leads["lead_id"], lead_events)
        coded_opps, _ = code_in_python(opportunities["opportunity_id"], opp_events)
        return cls(
            funnel=funnel,
            opportunities=opportunities,
            leads=leads,
            coded_leads=coded_leads,
            coded_opportunities=coded_opps,
            opportunity_leads=lead_ids.get_indexer(opportunities["lead_id"]),
            **rest,  # type: ignore[arg-type]
        )

    @property
    def lead_events(self) -> pd.DataFrame:
        """The leads' milestone log with labels (holds every id as a string)."""
        return self.coded_leads.labelled(self.leads["lead_id"])

    @property
    def opp_events(self) -> pd.DataFrame:
        """The opportunities' milestone log with labels."""
        return self.coded_opportunities.labelled(self.opportunities["opportunity_id"])

    @property
    def opp_path(self) -> tuple[str, ...]:
        """Path milestones reached by opportunities."""
        return tuple(m.id for m in self.funnel.path if m.entity == "opportunity")

    @property
    def lead_path(self) -> tuple[str, ...]:
        """Path milestones reached by leads."""
        return tuple(m.id for m in self.funnel.path if m.entity == "lead")


def _table(store: Store, name: str, columns: list[str]) -> ir.Table:
    # Amounts are summed into forecasts: read them in the store currency (or refuse).
    table = in_store_currency(store, name) if name in MONEY_COLUMNS else store.table(name)
    return table.select(*[c for c in columns if c in table.columns])


def _frame(store: Store, name: str, columns: list[str]) -> pd.DataFrame:
    return _table(store, name, columns).to_pandas()


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


def _codes(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame.pop(column).to_numpy(np.int64)


def load_history(store: Store, funnel: FunnelDefinition) -> History:
    """Read opportunities, leads, the milestone log and deal scores from ``store``."""
    lead_keys = id_keys(store.table("leads").lead_id)
    opp_keys = id_keys(store.table("opportunities").opportunity_id)
    opps = _table(
        store,
        "opportunities",
        [
            *("opportunity_id", "lead_id", "account_id", "rep_id", "product_id", "amount"),
            *("created_at", "expected_close_at"),
        ],
    )
    opps = with_key(opps, "opportunity_id", opp_keys, "row_code")
    if "lead_id" in opps.columns:
        opps = with_key(opps, "lead_id", lead_keys, "lead_code")
    opps = _dimensions(store, _by_key(opps.to_pandas(), "opportunity_id"))
    opp_rows = _codes(opps, "row_code")
    opp_leads = _codes(opps, "lead_code") if "lead_code" in opps else np.full(len(opps), -1)
    opps["amount"] = opps["amount"].astype(float)
    opps["created"] = to_days(opps.pop("created_at"))
    opps["expected_close"] = to_days(opps.pop("expected_close_at"))
    events = _dated_milestones(store)
    leads = with_key(
        _table(store, "leads", ["lead_id", "created_at"]), "lead_id", lead_keys, "row_code"
    )
    leads = _by_key(leads.to_pandas(), "lead_id")
    lead_rows = _codes(leads, "row_code")
    leads["created"] = to_days(leads.pop("created_at"))
    direct = direct_orders(store)
    latest = events.occurred_at.max().execute()
    # A store of orders alone (no funnel) is as recent as its last order.
    if latest is not None and not pd.isna(latest):
        last = float(to_days(pd.Series([latest]))[0])
    else:
        dated = direct["at"].to_numpy(float)
        last = np.nanmax(dated) if np.isfinite(dated).any() else cutoff_days(date.today())
    last_day = (EPOCH + np.timedelta64(int(last * DAY_US), "us")).astype(datetime).date()
    coded_leads = coded_events(
        events.filter(events.entity_type != "opportunity"), lead_keys, lead_rows
    )
    return History(
        funnel=funnel,
        opportunities=opps.reset_index(drop=True),
        leads=leads,
        coded_leads=coded_leads,
        coded_opportunities=coded_events(
            events.filter(events.entity_type == "opportunity"), opp_keys, opp_rows
        ),
        # a lead code the log reaches beyond reads the empty slot
        opportunity_leads=np.where(opp_leads < coded_leads.size, opp_leads, -1),
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


def _first_times(coded: CodedLog, names: tuple[str, ...], cut: float) -> np.ndarray:
    """Per id code, the first time each of ``names`` was reached before ``cut`` (one column
    per name)."""
    out = np.full((coded.size + 1, len(names)), np.nan)
    for k, name in enumerate(names):
        out[:, k] = coded.earliest((name,), cut)
    return out


def _outcome(coded: CodedLog, outcome_ids: tuple[str, ...], cut: float) -> np.ndarray:
    """Per id code, the first time one of ``outcome_ids`` was reached before ``cut``."""
    return coded.earliest(outcome_ids, cut)


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
