"""Where metrics read from: the model tables on any Ibis backend, journeys and dimensions.

Money tables (opportunities, orders, order lines, quotes, targets, touchpoint and marketing
costs) are read with their amounts in the store currency (see :mod:`revintel.metrics._currency`),
so every KPI, the forecast and the report add like with like or refuse.

A journey is one lead's path through the funnel: the first time it reached each milestone, its
outcome and its current stage. A later milestone proves the earlier ones, so the time of a
milestone without its own event is that of the next one reached (counts never rise downstream).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from functools import cached_property

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from revintel.metrics._currency import (
    MONEY_COLUMNS,
    check_rates,
    convert_amounts,
    foreign_currencies,
)
from revintel.metrics._custom import with_custom_dimensions
from revintel.metrics._query import MetricQuery, MetricQueryError
from revintel.model import TABLES, FunnelDefinition, load_funnel
from revintel.store import DEFAULT_CURRENCY, Store, store_currency


class MetricSources:
    """The model tables as Ibis expressions, together with the funnel they are read through.

    Parameters
    ----------
    tables
        Model table name → Ibis table (from a DuckDB store, a Spark session or any backend).
    funnel
        The funnel definition (default: the built-in funnel).
    as_of
        The date metrics are evaluated at; default: the day of the last milestone event.
    currency
        The store currency amounts are read in (ISO 4217 code).
    """

    def __init__(
        self,
        tables: Mapping[str, ir.Table],
        funnel: FunnelDefinition | None = None,
        as_of: date | None = None,
        currency: str = DEFAULT_CURRENCY,
    ):
        self.tables = dict(tables)
        self.funnel = funnel or load_funnel()
        self._as_of = as_of
        self.currency = currency
        self._in_currency: dict[str, ir.Table] = {}
        self._foreign: dict[str, set[str]] | None = None
        self._derived: dict[str, ir.Table] = {}
        self._cached: list[ir.Table] = []
        self._cache_derived = False

    @classmethod
    def from_store(
        cls, store: Store, funnel: FunnelDefinition | None = None, as_of: date | None = None
    ) -> MetricSources:
        """Sources reading the model tables of ``store`` (and the stored attribution credits,
        lead and deal scores, price terms, price bands and price models), in the store's
        currency."""
        tables = {t.name: store.table(t.name) for t in TABLES}
        tables["attribution_credits"] = store.table("attribution_credits")
        tables["scores"] = store.table("scores")
        tables["price_terms"] = store.table("price_terms")
        for name in ("price_bands", "price_band_deals", "price_models"):
            tables[name] = store.table(name)
        return cls(tables, funnel, as_of, store_currency(store))

    @classmethod
    def from_backend(
        cls,
        backend: BaseBackend,
        funnel: FunnelDefinition | None = None,
        as_of: date | None = None,
        currency: str = DEFAULT_CURRENCY,
    ) -> MetricSources:
        """Sources reading tables named like the model's from any connected Ibis backend."""
        present = set(backend.list_tables())
        tables = {t.name: backend.table(t.name) for t in TABLES if t.name in present}
        return cls(tables, funnel, as_of, currency)

    def table(self, name: str, *, amounts: bool = True) -> ir.Table:
        """The model table ``name``, amounts in the store currency; a clear error when the
        backend lacks it.

        With ``amounts=False`` a money table comes without its money columns and is never
        refused: for reads that only count or join its rows.

        Raises
        ------
        MissingRateError
            Amounts of ``name`` in another currency have no exchange rate on their date.
        """
        try:
            raw = self.tables[name]
        except KeyError:
            raise MetricQueryError(f"the store has no table {name!r}") from None
        if name not in MONEY_COLUMNS:
            return raw
        if not amounts:
            return raw.drop(*(c for c in MONEY_COLUMNS[name] if c in raw.columns))
        if name not in self._in_currency:
            self._in_currency[name] = self._converted(name, raw)
        return self._in_currency[name]

    def _converted(self, name: str, raw: ir.Table) -> ir.Table:
        # One look at the currencies in use serves every table; in the common case of a
        # single currency no table is joined with the rates at all.
        if self._foreign is None:
            self._foreign = foreign_currencies(self.tables, self.currency)
        if not self._foreign.get(name):
            return raw
        check_rates(name, self.tables, self.currency)
        return convert_amounts(name, self.tables, self.currency)

    @property
    def as_of(self) -> date:
        """Evaluation date: given, else the day of the last milestone event (executes once)."""
        if self._as_of is None:
            last = self.table("milestones").occurred_at.max().execute()
            self._as_of = last.date() if last is not None and last == last else date.today()
        return self._as_of

    def as_of_timestamp(self) -> ir.TimestampScalar:
        """The end of the as-of day (midnight after it) as an Ibis timestamp literal."""
        return ibis.timestamp((self.as_of + timedelta(days=1)).isoformat())

    @cached_property
    def journeys(self) -> ir.Table:
        """One row per lead with milestone times, outcome, current stage and lead attributes."""
        return _journeys(self)

    def materialize(self) -> MetricSources:
        """Compute the journeys once into a cached table on the backend and return ``self``.

        Worth it before evaluating many KPIs in a row, above all on Spark, which would otherwise
        recompute them for every milestone pair of every KPI. Tables derived afterwards
        (:meth:`derived`: the price waterfall's lines, the service-level rows) are cached too.
        """
        self.__dict__["journeys"] = self._kept(_journeys(self))
        self._cache_derived = True
        self._derived.clear()
        return self

    def _kept(self, table: ir.Table) -> ir.Table:
        # A backend may store a computed column in a type of its own (Spark: a decimal for a
        # product with a literal); the cached rows are read back in the expression's types.
        cached = table.cache()
        self._cached.append(cached)
        expected = table.schema()
        return cached if cached.schema() == expected else cached.cast(expected)

    def derived(self, name: str, build: Callable[[], ir.Table]) -> ir.Table:
        """The table ``name`` that ``build`` derives from these sources, built once; after
        :meth:`materialize` computed once on the backend and kept there."""
        if name not in self._derived:
            table = build()
            self._derived[name] = self._kept(table) if self._cache_derived else table
        return self._derived[name]

    def release(self) -> None:
        """Drop the tables :meth:`materialize` kept on the backend (before its connection
        closes); the sources stay usable and compute on demand again."""
        kept, self._cached = self._cached, []
        self.__dict__.pop("journeys", None)
        self._derived.clear()
        self._cache_derived = False
        for table in kept:
            table.release()

    @contextmanager
    def materialized(self) -> Iterator[MetricSources]:
        """:meth:`materialize` for the block, :meth:`release` after it."""
        self.materialize()
        try:
            yield self
        finally:
            self.release()


def _journeys(sources: MetricSources) -> ir.Table:
    funnel = sources.funnel
    m = journey_events(sources)
    ends = {"lost": funnel.outcome_ids("lost"), "disqualified": funnel.outcome_ids("disqualified")}
    raw = m.group_by("lead_id").aggregate(
        event_account_id=m.account_id.max(),
        **{f"r_{mid}": m.occurred_at.min(where=m.milestone == mid) for mid in funnel.ids},
        t_lost=m.occurred_at.min(where=m.milestone.isin(ends["lost"])),
        t_disqualified=m.occurred_at.min(where=m.milestone.isin(ends["disqualified"])),
        lost_reason=m.reason.max(where=m.milestone.isin(ends["lost"])),
        disqualified_reason=m.reason.max(where=m.milestone.isin(ends["disqualified"])),
    )
    chain = (*funnel.path_ids, funnel.won.id)
    times = {
        f"t_{mid}": ibis.coalesce(*(raw[f"r_{later}"] for later in chain[i:]))
        if i < len(chain) - 1
        else raw[f"r_{mid}"]
        for i, mid in enumerate(chain)
    }
    timed = raw.select(
        "lead_id",
        "event_account_id",
        *(raw[c] for c in ("t_lost", "t_disqualified")),
        reason=ibis.coalesce(raw.lost_reason, raw.disqualified_reason),
        **times,
    )
    path = funnel.path_ids
    won = timed[f"t_{funnel.won.id}"]
    wide = timed.mutate(
        t_end=ibis.coalesce(won, timed.t_lost, timed.t_disqualified),
        outcome=ibis.cases(
            (won.notnull(), "won"),
            (timed.t_lost.notnull(), "lost"),
            (timed.t_disqualified.notnull(), "disqualified"),
            else_="open",
        ),
        stage=ibis.cases(*((timed[f"t_{m}"].notnull(), m) for m in reversed(path)), else_=None),
        stage_at=ibis.coalesce(*(timed[f"t_{m}"] for m in reversed(path))),
    )
    leads = sources.table("leads")
    attrs = leads.select(
        k__lead=leads.lead_id,
        account_id=leads.account_id,
        rep_id=leads.rep_id,
        channel=leads.channel,
        campaign_id=leads.campaign_id,
        created_at=leads.created_at,
    )
    joined = wide.left_join(attrs, wide.lead_id == attrs.k__lead).drop("k__lead")
    return joined.mutate(
        account_id=ibis.coalesce(joined.account_id, joined.event_account_id),
        created_at=ibis.coalesce(joined.created_at, joined[f"t_{chain[0]}"]),
    ).drop("event_account_id")


def journey_events(sources: MetricSources) -> ir.Table:
    """Milestone events keyed by journey in ``lead_id``: the lead, else the entity itself.

    Exports without leads (an opportunity pipeline only) still form journeys, one per entity.
    """
    m = sources.table("milestones")
    return m.mutate(lead_id=ibis.coalesce(m.lead_id, m.entity_id))


def with_dimensions(sources: MetricSources, base: ir.Table, dims: tuple[str, ...]) -> ir.Table:
    """``base`` with one column per dimension in ``dims``, joined from the model as needed.

    ``base`` may carry ``lead_id``, ``account_id``, ``rep_id``, ``product_id``, ``channel`` and
    ``campaign_id``; what it lacks is looked up through its lead. Custom fields
    (``custom.<name>``) are joined through the keys ``base`` carries.
    """
    if not dims:
        return base
    table = base
    lead_cols = {"channel": "channel", "campaign_id": "campaign_id", "rep_id": "rep_id"}
    lead_cols["account_id"] = "account_id"
    needed = _needed_columns(dims)
    missing = [c for c in needed if c in lead_cols and c not in table.columns]
    if missing:
        leads = sources.table("leads")
        right = leads.select(k__lead=leads.lead_id, **{c: leads[c] for c in missing})
        table = table.left_join(right, table.lead_id == right.k__lead).drop("k__lead")
    if "product_id" in needed and "product_id" not in table.columns:
        opps = sources.table("opportunities", amounts=False)
        first = opps.group_by(k__lead=opps.lead_id).aggregate(product_id=opps.product_id.min())
        table = table.left_join(first, table.lead_id == first.k__lead).drop("k__lead")
    firmo = [d for d in ("segment", "industry", "region", "country") if d in dims]
    if firmo:
        acc = sources.table("accounts")
        right = acc.select(k__acc=acc.account_id, **{d: acc[d] for d in firmo})
        table = table.left_join(right, table.account_id == right.k__acc).drop("k__acc")
    if "product_family" in dims:
        products = sources.table("products")
        right = products.select(k__product=products.product_id, product_family=products.family)
        table = table.left_join(right, table.product_id == right.k__product).drop("k__product")
    if "team" in dims:
        reps = sources.table("reps")
        right = reps.select(k__rep=reps.rep_id, team=reps.team)
        table = table.left_join(right, table.rep_id == right.k__rep).drop("k__rep")
    table = with_custom_dimensions(sources.table, table, dims)
    renames = {"campaign": "campaign_id", "rep": "rep_id", "product": "product_id"}
    extra = {d: table[renames[d]] for d in dims if d in renames}
    return table.mutate(**extra) if extra else table


def _needed_columns(dims: tuple[str, ...]) -> set[str]:
    needed: set[str] = set()
    for d in dims:
        if d == "channel":
            needed.add("channel")
        elif d == "campaign":
            needed.add("campaign_id")
        elif d in ("rep", "team"):
            needed.add("rep_id")
        elif d in ("product", "product_family"):
            needed.add("product_id")
        elif d in ("segment", "industry", "region", "country"):
            needed.add("account_id")
    return needed


def prepared(sources: MetricSources, base: ir.Table, query: MetricQuery) -> ir.Table:
    """``base`` with the query's dimensions joined and its filters applied."""
    table = with_dimensions(sources, base, query.dimensions)
    for flt in query.where:
        table = flt.apply(table)
    return table
