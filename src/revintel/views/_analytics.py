"""KPI tiles, the funnel table and alerts, computed by :mod:`revintel.metrics` on visible rows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from revintel._frames import json_records
from revintel.auth import User, visible_tables
from revintel.metrics import (
    DIMENSIONS,
    Filter,
    Grain,
    MetricQuery,
    MetricSources,
    evaluate_alerts,
    evaluate_kpi,
    evaluate_kpis,
    funnel_overview,
    funnel_view,
    load_catalogue,
    parse_filter,
)
from revintel.model import load_funnel
from revintel.store import Store, store_currency
from revintel.views._alert_texts import alert_text

#: KPIs shown as tiles, each with its latest complete period and the change from the one before.
TILE_KPIS = ("mqls", "lvr", "mql_sal_acceptance", "win_rate", "sales_cycle")


@dataclass(frozen=True)
class Slice:
    """Which leads a view counts: those of one channel, segment, team or rep (each optional)."""

    channel: str | None = None
    segment: str | None = None
    team: str | None = None
    rep: str | None = None

    @property
    def where(self) -> tuple[Filter, ...]:
        """The metric filters of the set fields."""
        return tuple(Filter(d, (v,)) for d, v in self.params().items() if v)

    def params(self) -> dict[str, str | None]:
        """The fields as query parameters."""
        return {
            "channel": self.channel,
            "segment": self.segment,
            "team": self.team,
            "rep": self.rep,
        }


@dataclass(frozen=True)
class KpiTile:
    """One KPI's latest complete period."""

    kpi: str
    label_de: str
    label_en: str
    unit: str
    good_direction: str
    period: date | None
    value: float | None
    previous: float | None

    @property
    def trend(self) -> str:
        """``up``, ``down`` or ``flat`` against the previous period (``flat`` if unknown)."""
        if self.value is None or self.previous is None or self.value == self.previous:
            return "flat"
        return "up" if self.value > self.previous else "down"

    @property
    def good(self) -> bool | None:
        """Whether the trend is in the KPI's good direction (``None`` when neutral)."""
        if self.trend == "flat" or self.good_direction == "none":
            return None
        return (self.trend == "up") == (self.good_direction == "up")


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _sources(store: Store, user: User) -> MetricSources:
    # The evaluation date is the whole store's, so a rep's periods are complete when everyone's are.
    as_of = MetricSources.from_store(store).as_of
    tables = visible_tables(store, user)
    return MetricSources(tables, load_funnel(), as_of=as_of, currency=store_currency(store))


def metric_sources(store: Store, user: User) -> MetricSources:
    """The model tables ``user`` sees, evaluated as of the whole store's last event."""
    return _sources(store, user)


def kpi_tiles(
    store: Store,
    user: User,
    focus: Slice = Slice(),
    start: date | None = None,
    end: date | None = None,
) -> list[KpiTile]:
    """The tile KPIs on the rows ``user`` sees, optionally for a slice and ``[start, end)``."""
    catalogue = load_catalogue()
    query = MetricQuery(start=start, end=end, where=focus.where)
    sources = _sources(store, user)
    tiles = []
    for kpi in TILE_KPIS:
        spec = catalogue.get(kpi)
        frame = evaluate_kpi(sources, spec, query, catalogue.settings)
        if "complete" in frame.columns:
            frame = frame[frame["complete"].fillna(False).astype(bool)]
        values = frame["value"].tolist()[-2:] if not frame.empty else []
        period = frame["period"].iloc[-1] if not frame.empty else None
        tiles.append(
            KpiTile(
                kpi=kpi,
                label_de=spec.label("de"),
                label_en=spec.label("en"),
                unit=spec.unit,
                good_direction=spec.good_direction,
                period=None if period is None else date.fromisoformat(str(period)[:10]),
                value=_number(values[-1]) if values else None,
                previous=_number(values[0]) if len(values) == 2 else None,
            )
        )
    return tiles


def alert_reasons(store: Store, user: User) -> list[tuple[str, str]]:
    """(German, English) reason of every alert firing on the rows ``user`` sees, newest first."""
    with _sources(store, user).materialized() as sources:
        alerts = evaluate_alerts(sources, load_catalogue())
    alerts.sort(key=lambda a: a.period or date.min, reverse=True)
    names = rep_names(store)
    return [(alert_text(a, "de", names), alert_text(a, "en", names)) for a in alerts]


def rep_names(store: Store) -> dict[str, str]:
    """Each rep's name by rep id (alerts and filters name reps, never show their ids)."""
    reps = store.table("reps").select("rep_id", "name").to_pyarrow()
    ids, names = reps["rep_id"].to_pylist(), reps["name"].to_pylist()
    return {str(r): str(n or r) for r, n in zip(ids, names, strict=True)}


#: Breakdowns offered on the funnel page.
FUNNEL_BREAKDOWNS = tuple(DIMENSIONS)


def funnel_rows(
    store: Store,
    user: User,
    by: str | None,
    focus: Slice,
    start: date | None,
    end: date | None,
    language: str,
) -> list[dict[str, Any]]:
    """Per path milestone (and ``by`` group): reached, conversion, P(won), days to the next.

    Computed by :func:`revintel.metrics.funnel_overview` on the rows ``user`` sees, among leads
    created in ``[start, end)``, optionally of one slice (channel, segment, team, rep).
    """
    query = MetricQuery(by=(by,) if by else (), start=start, end=end, where=focus.where)
    frame = funnel_overview(_sources(store, user), load_catalogue(), query, language)
    # A milestone no mature lead reached has no row in the measures it is merged from.
    frame["reached"] = frame["reached"].fillna(0).astype(int)
    return json_records(frame)


def kpi_series(
    store: Store,
    user: User,
    kpi: str,
    focus: Slice = Slice(),
    start: date | None = None,
    end: date | None = None,
) -> list[tuple[date, float | None]]:
    """(period start, value) of one KPI at its own grain, on the rows ``user`` sees."""
    catalogue = load_catalogue()
    query = MetricQuery(start=start, end=end, where=focus.where)
    frame = evaluate_kpi(_sources(store, user), catalogue.get(kpi), query, catalogue.settings)
    return [
        (date.fromisoformat(str(p)[:10]), _number(v))
        for p, v in zip(frame["period"], frame["value"], strict=True)
    ]


def _metric_query(
    by: tuple[str, ...],
    grain: Grain | None,
    start: date | None,
    end: date | None,
    where: tuple[str, ...],
    compare: bool = False,
    maturity_days: int | None = None,
) -> MetricQuery:
    return MetricQuery(
        grain=grain,
        by=by,
        start=start,
        end=end,
        where=tuple(parse_filter(w) for w in where),
        compare=compare,
        maturity_days=maturity_days,
    )


def kpi_values(
    store: Store,
    user: User,
    ids: tuple[str, ...],
    by: tuple[str, ...],
    grain: Grain | None,
    start: date | None,
    end: date | None,
    where: tuple[str, ...],
    compare: bool,
    maturity_days: int | None = None,
) -> list[dict[str, Any]]:
    """KPIs of the catalogue (all when ``ids`` is empty) per period and breakdown, as
    ``revintel kpi`` computes them, on the rows ``user`` sees; ``maturity_days`` overrides the
    catalogue's maturity window (0 counts every lead)."""
    query = _metric_query(by, grain, start, end, where, compare, maturity_days)
    sources = _sources(store, user)
    if len(ids) == 1:
        return json_records(evaluate_kpis(sources, load_catalogue(), ids, query))
    # Many KPIs read the same journeys, waterfall and service-level rows: compute them once.
    with sources.materialized():
        return json_records(evaluate_kpis(sources, load_catalogue(), ids, query))


def funnel_view_rows(
    store: Store,
    user: User,
    view: str,
    by: tuple[str, ...],
    grain: Grain | None,
    start: date | None,
    end: date | None,
    where: tuple[str, ...],
    language: str,
    maturity_days: int | None = None,
) -> list[dict[str, Any]]:
    """One view of ``revintel funnel`` (:data:`revintel.metrics.FUNNEL_VIEWS`) on the rows
    ``user`` sees; ``maturity_days`` as for :func:`kpi_values`."""
    query = _metric_query(by, grain, start, end, where, maturity_days=maturity_days)
    return json_records(funnel_view(_sources(store, user), load_catalogue(), view, query, language))
