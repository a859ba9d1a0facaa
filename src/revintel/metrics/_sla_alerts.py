"""SLA breaches: a service level whose attainment in the last complete period fell below the
threshold, with the leads that missed it.

The rule ``sla_breach`` of an ``sla_attainment`` KPI reads the MQLs of the last complete period
of the alert's grain (default: the KPI's), overall and per group of each dimension in
``alert.by``. A group needs ``min_count`` MQLs due; it fires when its attainment is below
``alert.threshold`` (default: ``alert_threshold`` of ``conf/sla.yaml``). The alert lists the
leads that missed the level, longest wait first: id, hours waited (to the handling, or to the
as-of date while still open) and rep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from revintel.metrics._catalogue import KpiSpec, MetricCatalogue
from revintel.metrics._engine import kpi_context, period_end
from revintel.metrics._query import MetricQuery
from revintel.metrics._sla_kpis import DUE_COLUMN, HOURS_COLUMN, sla_leads
from revintel.metrics._sla_levels import Level, load_sla_levels
from revintel.metrics._sources import MetricSources

#: How many of the leads concerned an alert lists.
LISTED_LEADS = 20
_LEVEL_NAMES = {
    "accept": ("Annahme", "acceptance"),
    "first_contact": ("Erstkontakt", "first contact"),
}


@dataclass(frozen=True)
class Breach:
    """One SLA breach found: the fields of :class:`revintel.metrics.Alert`."""

    kpi: str
    rule: str
    period: date
    group: dict[str, str]
    value: float
    reference: float
    numbers: dict[str, Any] = field(default_factory=dict)
    reason_de: str = ""
    reason_en: str = ""


def due_leads(
    sources: MetricSources, spec: KpiSpec, cat: MetricCatalogue, by: tuple[str, ...]
) -> pd.DataFrame:
    """The MQLs whose level of ``spec`` is due in the last complete period of the alert's grain
    that has any: ``period``, the ``by`` columns, ``lead_id``, ``rep_id``, ``met`` and
    ``waited_hours``. The engine picks the period and its rows, so only they reach pandas."""
    rule = spec.alert
    assert rule is not None
    level: Level = spec.params.level
    ctx = kpi_context(sources, spec, MetricQuery(grain=rule.grain, by=by), cat.settings)
    rows = ctx.rows(sources.derived("sla_leads", lambda: sla_leads(sources)).drop("sla_segment"))
    rows = ctx.keyed(rows, rows.mql_at)
    taken, allowed = rows[HOURS_COLUMN[level]], rows[DUE_COLUMN[level]]
    met = taken.notnull() & (taken <= allowed)
    # handled in time, or waited past the level: due (a lead still within it is not yet)
    due = rows.filter(met | (rows.waited_hours >= allowed))
    periods = pd.to_datetime(due.select("period").distinct().to_pandas()["period"])
    as_of = pd.Timestamp(sources.as_of + timedelta(days=1))
    complete = periods[period_end(periods, ctx.grain) <= as_of]
    last = due.filter(due.period == complete.max()) if not complete.empty else due.limit(0)
    frame = last.select(
        "period", *by, "lead_id", "rep_id", "waited_hours", HOURS_COLUMN[level], DUE_COLUMN[level]
    ).to_pandas()
    taken_hours, allowed_hours = frame[HOURS_COLUMN[level]], frame[DUE_COLUMN[level]]
    frame["met"] = taken_hours.notna() & (taken_hours <= allowed_hours)
    frame["waited_hours"] = taken_hours.fillna(frame["waited_hours"])
    frame["period"] = pd.to_datetime(frame["period"]).dt.date
    return frame


def sla_breaches(sources: MetricSources, spec: KpiSpec, cat: MetricCatalogue) -> list[Breach]:
    """Overall and per group of ``alert.by``, the last complete period whose attainment of the
    level is under the threshold."""
    rule = spec.alert
    assert rule is not None
    threshold = rule.threshold if rule.threshold is not None else load_sla_levels().alert_threshold
    found = []
    for by in [(), *((d,) for d in rule.by)]:
        frame = due_leads(sources, spec, cat, by)
        if frame.empty:
            continue
        last = frame[frame["period"] == frame["period"].max()]
        groups = last.groupby(list(by), dropna=False) if by else [((), last)]
        for key, part in groups:
            if len(part) < rule.min_count or part["met"].mean() >= threshold:
                continue
            values = key if isinstance(key, tuple) else (key,)
            group = dict(zip(by, map(str, values), strict=True))
            found.append(_breach(spec, threshold, group, part))
    return found


def _breach(spec: KpiSpec, threshold: float, group: dict[str, str], part: pd.DataFrame) -> Breach:
    missed = part[~part["met"]].sort_values("waited_hours", ascending=False)
    share = float(part["met"].mean())
    leads = [
        {"lead_id": str(r.lead_id), "waited_hours": round(float(r.waited_hours), 1),
         "rep_id": None if pd.isna(r.rep_id) else str(r.rep_id)}
        for r in missed.head(LISTED_LEADS).itertuples()
    ]  # fmt: skip
    period: date = part["period"].iloc[0]
    numbers: dict[str, Any] = {
        "due": len(part),
        "met": int(part["met"].sum()),
        "missed": len(missed),
        "leads": leads,
    }
    level_de, level_en = _LEVEL_NAMES[spec.params.level]
    where = "".join(f" ({k} {v})" for k, v in group.items())
    ids = ", ".join(str(lead["lead_id"]) for lead in leads[:5])
    return Breach(
        spec.id,
        "sla_breach",
        period,
        group,
        share,
        threshold,
        numbers,
        f"SLA {level_de}{where} im Zeitraum ab {period:%d.%m.%Y}: {_pct(share, 'de')} der "
        f"{len(part)} fälligen MQLs rechtzeitig, Ziel {_pct(threshold, 'de')}; {len(missed)} "
        f"verpasst, am längsten gewartet: {ids}.",
        f"SLA {level_en}{where} in the period from {period:%Y-%m-%d}: {_pct(share, 'en')} of "
        f"{len(part)} MQLs due handled in time, target {_pct(threshold, 'en')}; {len(missed)} "
        f"missed, longest waiting: {ids}.",
    )


def _pct(value: float, language: str) -> str:
    text = f"{value * 100:.1f} %"
    return text.replace(".", ",") if language == "de" else text
