"""Which of the alerts firing now are new for a digest, and where in the cockpit each one
belongs: the rows behind it, as the overview page links them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from revintel.auth import User
from revintel.i18n import Language
from revintel.metrics import Alert, KpiSpec, evaluate_alerts, load_catalogue
from revintel.store import Store
from revintel.views._analytics import metric_sources
from revintel.views._drilldown import kpi_rows, lead_slice

#: Alert rules whose rows no list shows, with the page they belong to.
_ALERT_PAGES = {"discount_drift": "/pricing", "sla_breach": "/handover"}
#: Alert group dimension → query parameter of those pages.
_PAGE_PARAMS = {
    "/pricing": {"segment": "segment"},
    "/handover": {"channel": "channel", "rep": "rep"},
}
#: Dimensions the deals list filters on besides the stage.
_DEAL_DIMENSIONS = ("channel", "segment", "industry", "team", "rep")
_MONTHS_PER_GRAIN = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class DigestAlert:
    """An alert new since the digest's ``since`` day, with the cockpit page it belongs to."""

    kpi: str
    rule: str
    period: date | None
    text: str
    url: str


def cockpit_link(base_url: str, path: str, **params: Any) -> str:
    """``path`` in the cockpit at ``base_url`` with the non-empty ``params`` as query string.

    Examples
    --------
    >>> cockpit_link("http://localhost:8000/", "/deals", status="open", stage=None)
    'http://localhost:8000/deals?status=open'
    """
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    query = "?" + urlencode(kept) if kept else ""
    return f"{base_url.rstrip('/')}{path}{query}"


def fired_alerts(store: Store, user: User) -> list[Alert]:
    """Every alert firing on the rows ``user`` sees, newest first (as the overview lists them)."""
    with metric_sources(store, user).materialized() as sources:
        alerts = evaluate_alerts(sources, load_catalogue())
    alerts.sort(key=lambda a: a.period or date.min, reverse=True)
    return alerts


def period_end(start: date, grain: str) -> date:
    """The first day after the period of ``grain`` starting on ``start``.

    Examples
    --------
    >>> period_end(date(2024, 11, 1), "month"), period_end(date(2024, 10, 1), "quarter")
    (datetime.date(2024, 12, 1), datetime.date(2025, 1, 1))
    >>> period_end(date(2024, 11, 4), "week")
    datetime.date(2024, 11, 11)
    """
    if grain in _MONTHS_PER_GRAIN:
        months = start.year * 12 + start.month - 1 + _MONTHS_PER_GRAIN[grain]
        return date(months // 12, months % 12 + 1, 1)
    return start + timedelta(days=7 if grain == "week" else 1)


def new_alerts(
    base_url: str, alerts: list[Alert], since: date, language: Language
) -> list[DigestAlert]:
    """Alerts whose period was completed on or after ``since``; alerts without a period
    (deals stalled now) are current and always new."""
    catalogue = load_catalogue()
    found = []
    for alert in alerts:
        spec = catalogue.get(alert.kpi)
        grain = (spec.alert.grain if spec.alert else None) or spec.grain
        # Periods come as dates or timestamps, depending on the engine.
        start = None if alert.period is None else date.fromisoformat(str(alert.period)[:10])
        if start is not None and period_end(start, grain) < since:
            continue
        found.append(
            DigestAlert(
                kpi=alert.kpi,
                rule=alert.rule,
                period=start,
                text=alert.reason(language),
                url=_alert_url(base_url, alert, spec, grain, start),
            )
        )
    return found


def _alert_url(base_url: str, alert: Alert, spec: KpiSpec, grain: str, start: date | None) -> str:
    """The cockpit page an alert belongs to, filtered to its group (and period): the rows
    behind it as the overview links them, else the page of its rule."""
    group: dict[str, str | None] = dict(alert.group)
    if alert.rule == "stalled":
        others = {k: v for k, v in group.items() if k != "stage" and k in _DEAL_DIMENSIONS}
        stage = group.get("stage")
        return cockpit_link(base_url, "/deals", status="open", stage=stage, **lead_slice(others))
    page = _ALERT_PAGES.get(alert.rule)
    if page is not None:
        names = _PAGE_PARAMS[page]
        return cockpit_link(base_url, page, **{names[k]: v for k, v in group.items() if k in names})
    rows = None if start is None else kpi_rows(spec, start, grain, group)
    if rows is None:
        return cockpit_link(base_url, "/funnel", **lead_slice(group))
    return cockpit_link(base_url, rows.path, **rows.params)
