"""The rows behind a figure: which list, with which filters, holds the rows a KPI, funnel bar or
alert was computed from, so that every surface can open them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from revintel.auth import User
from revintel.metrics import Alert, KpiSpec, evaluate_alerts, load_catalogue
from revintel.store import Store
from revintel.views._alert_texts import alert_text
from revintel.views._analytics import metric_sources, rep_names
from revintel.views._records import RecordQuery, filtered

#: Dimensions of a metric slice or alert group → the leads list's filter of the same meaning.
LEAD_FILTER_OF = {
    "channel": "channel",
    "segment": "segment",
    "industry": "industry",
    "region": "region",
    "country": "country",
    "team": "team",
    "rep": "rep_id",
    "rep_id": "rep_id",
    "campaign": "campaign_id",
}


@dataclass(frozen=True)
class RowsLink:
    """A list page (``leads``, ``deals`` or ``accounts``) and its URL filters."""

    path: str
    params: dict[str, str] = field(default_factory=dict)


def period_bounds(start: date, grain: str) -> tuple[date, date]:
    """First and last day of the ``grain`` period (month, quarter, year) starting at ``start``."""
    months = {"month": 1, "quarter": 3, "year": 12}.get(grain)
    if months is None:
        return start, start
    index = start.year * 12 + start.month - 1 + months
    after = date(index // 12, index % 12 + 1, 1)
    return start, after - timedelta(days=1)


def clipped(first: date, last: date, start: date | None, end: date | None) -> tuple[date, date]:
    """``[first, last]`` within ``[start, end)`` (a KPI computed on a date range counts only
    the part of its period inside it)."""
    if start is not None and start > first:
        first = start
    if end is not None and end - timedelta(days=1) < last:
        last = end - timedelta(days=1)
    return first, last


def lead_slice(group: dict[str, str | None]) -> dict[str, str]:
    """Leads list filters of a slice or alert group (dimensions without one are left out)."""
    return {LEAD_FILTER_OF[k]: v for k, v in group.items() if v and k in LEAD_FILTER_OF}


def funnel_rows_link(
    milestone: str,
    focus: dict[str, str | None],
    created: tuple[date | None, date | None],
    group: tuple[str, str] | None = None,
) -> RowsLink | None:
    """The leads a funnel bar counts: mature leads created in ``created`` (days, inclusive) of
    the slice ``focus`` (and the breakdown ``group``: dimension, value) that reached
    ``milestone``; ``None`` when the leads list has no filter for the breakdown."""
    params = {"reached": milestone, "mature": "1", **lead_slice(focus)}
    if group is not None:
        dimension, value = group
        if dimension not in LEAD_FILTER_OF or value in (None, "", "None", "nan"):
            return None
        params[LEAD_FILTER_OF[dimension]] = value
    first, last = created
    params |= {"created_from": first.isoformat() if first else "", "created_to": ""}
    params["created_to"] = last.isoformat() if last else ""
    return RowsLink("/leads", params)


def kpi_rows(
    spec: KpiSpec,
    period: date,
    grain: str,
    group: dict[str, str | None],
    start: date | None = None,
    end: date | None = None,
) -> RowsLink | None:
    """The rows a KPI's value of one period was computed from, within ``[start, end)`` when the
    KPI was computed on that range (``None`` for KPIs whose rows no list shows)."""
    first, last = clipped(*period_bounds(period, grain), start, end)
    days = {"from": first.isoformat(), "to": last.isoformat()}
    params = getattr(spec, "params", None)
    if spec.kind in ("milestone_count", "growth"):
        milestone = str(params.milestone)  # type: ignore[union-attr]
        return RowsLink("/leads", {"reached": milestone, **_reached(days), **lead_slice(group)})
    if spec.kind == "step_rate":
        source, target = str(params.source), str(params.target)  # type: ignore[union-attr]
        link = {"reached": source, "decided": target, **_reached(days), **lead_slice(group)}
        return RowsLink("/leads", link)
    if spec.kind == "cohort_conversion" and group.get("step"):
        source = str(group["step"]).partition("->")[0]
        rest = {k: v for k, v in group.items() if k != "step"}
        return RowsLink("/leads", {"reached": source, **_reached(days), **lead_slice(rest)})
    if spec.kind in ("win_rate", "cycle_length"):
        status = {"status": "won"} if spec.kind == "cycle_length" else {}
        closed = {"closed_from": days["from"], "closed_to": days["to"]}
        return RowsLink("/deals", {**status, **closed, **_deal_slice(group)})
    if spec.kind == "open_pipeline":
        expected = {"expected_from": days["from"], "expected_to": days["to"]}
        return RowsLink("/deals", {"status": "open", **expected, **_deal_slice(group)})
    return None


def _reached(days: dict[str, str]) -> dict[str, str]:
    return {"reached_from": days["from"], "reached_to": days["to"]}


def _deal_slice(group: Mapping[str, str | None]) -> dict[str, str]:
    known = ("channel", "segment", "industry", "team", "rep")
    return {LEAD_FILTER_OF[k]: v for k, v in group.items() if v and k in known}


@dataclass(frozen=True)
class AlertRows:
    """An alert's reason in German and English and the rows behind it, if a list shows them."""

    reason_de: str
    reason_en: str
    rows: RowsLink | None


def _alert_rows(alert: Alert, specs: dict[str, KpiSpec]) -> RowsLink | None:
    spec = specs.get(alert.kpi)
    if spec is None:
        return None
    if alert.rule == "stalled":
        stage = alert.group.get("stage")
        others = {k: v for k, v in alert.group.items() if k != "stage"}
        return RowsLink("/deals", {"status": "open", "stage": stage or "", **_deal_slice(others)})
    if alert.period is None or alert.rule in ("sla_breach", "discount_drift"):
        return None
    grain = (spec.alert.grain if spec.alert else None) or spec.grain
    group: dict[str, str | None] = dict(alert.group)
    return kpi_rows(spec, date.fromisoformat(str(alert.period)[:10]), grain, group)


def alert_drilldowns(store: Store, user: User) -> list[AlertRows]:
    """Every alert firing on the rows ``user`` sees, newest first (the order of
    :func:`revintel.views.alert_reasons`), each with the list of rows it was computed from."""
    catalogue = load_catalogue()
    with metric_sources(store, user).materialized() as sources:
        alerts = evaluate_alerts(sources, catalogue)
    alerts.sort(key=lambda a: a.period or date.min, reverse=True)
    specs = {s.id: s for s in catalogue.kpis}
    names = rep_names(store)
    return [
        AlertRows(alert_text(a, "de", names), alert_text(a, "en", names), _alert_rows(a, specs))
        for a in alerts
    ]


def period_of(label: str) -> tuple[date, date]:
    """First and last day of a forecast period label: ``2025-01`` (month) or ``2025-Q1``."""
    year, _, rest = label.partition("-")
    if rest.startswith("Q"):
        return period_bounds(date(int(year), 3 * int(rest[1:]) - 2, 1), "quarter")
    return period_bounds(date(int(year), int(rest), 1), "month")


@dataclass(frozen=True)
class PeriodRows:
    """The open deals expected to close in one period: their list and how many there are."""

    label: str
    rows: RowsLink
    count: int


def open_deals_by_period(store: Store, user: User, labels: tuple[str, ...]) -> list[PeriodRows]:
    """Per forecast period label, the visible open deals expected to close in it (an open deal
    without an expected close by its creation, as the open pipeline counts it)."""
    found = []
    for label in labels:
        first, last = period_of(label)
        query = RecordQuery(filters={"status": "open"}, ranges=(("expected", first, last),))
        count = int(filtered(store, user, "opportunities", query).count().execute())
        days = {"expected_from": first.isoformat(), "expected_to": last.isoformat()}
        found.append(PeriodRows(label, RowsLink("/deals", {"status": "open", **days}), count))
    return found
