"""The scorecard's KPI, velocity, service-level and alert sections, computed from metric sources
the caller has materialised."""

from __future__ import annotations

import math
from datetime import date

import ibis
import pandas as pd

from revintel.alignment._feedback_scores import stored_scores
from revintel.alignment._scorecard_config import ScorecardConfig
from revintel.alignment._scorecard_month import next_month, previous_month, quarter_of
from revintel.alignment._scorecard_parts import AlertLine, KpiLine, SlaLine, Velocity
from revintel.alignment._sla import lead_status, sla_summary
from revintel.metrics import (
    MetricCatalogue,
    MetricQuery,
    MetricSources,
    evaluate_alerts,
    evaluate_kpi,
)
from revintel.metrics._engine import period_end
from revintel.store import Store

#: The catalogue's quality-weighted MQL count and Lead Velocity Rate, used when it has them.
WEIGHTED_COUNT = "mqls_quality_weighted"
WEIGHTED_LVR = "lvr_quality_weighted"


def _number(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _kpi_values(
    sources: MetricSources, catalogue: MetricCatalogue, kpi_id: str, grain: str, period: date
) -> tuple[float | None, float | None, float | None]:
    """Value, previous period's and last year's of one KPI for the period starting ``period``."""
    spec = catalogue.get(kpi_id)
    end = next_month(period) if grain == "month" else next_month(quarter_of(period)[1])
    query = MetricQuery(grain=grain, start=period, end=end, compare=True)  # type: ignore[arg-type]
    frame = evaluate_kpi(sources, spec, query, catalogue.settings)
    if "period" in frame and frame["period"].notna().any():
        frame = frame[frame["period"] == period]
    if frame.empty:
        return None, None, None
    row = frame.iloc[0]
    return tuple(_number(row.get(c)) for c in ("value", "previous", "last_year"))  # type: ignore[return-value]


def kpi_lines(
    sources: MetricSources, catalogue: MetricCatalogue, config: ScorecardConfig, month: date
) -> tuple[KpiLine, ...]:
    """The agreed KPIs of ``config`` for ``month`` (or the quarter containing it), each with
    the period before and the same period a year before."""
    lines = []
    for entry in config.kpis:
        spec = catalogue.get(entry.id)
        period = month if entry.grain == "month" else quarter_of(month)[0]
        value, previous, last_year = _kpi_values(sources, catalogue, entry.id, entry.grain, period)
        lines.append(
            KpiLine(
                kpi=spec.id,
                name_de=spec.name.de,
                name_en=spec.name.en,
                definition_de=spec.definition.de,
                definition_en=spec.definition.en,
                formula=spec.formula,
                unit=spec.unit,
                grain=entry.grain,
                good_direction=spec.good_direction,
                period=period,
                value=value,
                previous=previous,
                last_year=last_year,
            )
        )
    return tuple(lines)


def mql_scores(store: Store, sources: MetricSources, kind: str, month: date) -> pd.DataFrame:
    """The MQLs of ``month`` and the month before (``lead_id``, ``t_mql``, ``month``) with the
    lead score ``kind`` as it stood at the MQL (``score``, empty where none was stored)."""
    start, end = previous_month(month), next_month(month)
    j = sources.journeys
    low, high = ibis.timestamp(start.isoformat()), ibis.timestamp(end.isoformat())
    rows = j.filter((j.t_mql >= low) & (j.t_mql < high)).select("lead_id", "t_mql").to_pandas()
    rows["t_mql"] = pd.to_datetime(rows["t_mql"])
    rows["month"] = [date(t.year, t.month, 1) for t in rows["t_mql"]]
    scores = stored_scores(store, rows, kind) if len(rows) else pd.Series(dtype=float)
    return rows.assign(score=rows["lead_id"].map(scores).astype(float))


def _weighted(scores: pd.Series) -> tuple[float | None, float | None]:
    """The weighted count of MQLs with ``scores`` (unscored ones count with the mean score of
    the scored) and the share scored; ``None`` for both without any scored MQL."""
    scored = scores.dropna()
    if scored.empty:
        return None, None
    return float(scored.mean()) * len(scores), len(scored) / len(scores)


def _catalogue_weighted(
    sources: MetricSources, catalogue: MetricCatalogue, month: date
) -> tuple[dict[date, tuple[float | None, float | None]], float | None]:
    """Weighted MQLs and scored share per month (``month`` and the one before) and the
    weighted LVR of ``month``, from the catalogue's KPIs."""
    spec = catalogue.get(WEIGHTED_COUNT)
    query = MetricQuery(grain="month", start=previous_month(month), end=next_month(month))
    frame = evaluate_kpi(sources, spec, query, catalogue.settings)
    found = {
        row["period"]: (_number(row["value"]), _number(row.get("scored_share")))
        for row in frame.to_dict("records")
    }
    return found, _kpi_values(sources, catalogue, WEIGHTED_LVR, "month", month)[0]


def _growth(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before <= 0:
        return None
    return (now - before) / before


def quality_velocity(
    store: Store, sources: MetricSources, catalogue: MetricCatalogue, kind: str, month: date
) -> Velocity:
    """Plain and quality-weighted MQL counts of ``month`` and the month before and their growth.

    The weighted figures are the catalogue's KPIs :data:`WEIGHTED_COUNT` and
    :data:`WEIGHTED_LVR` when the catalogue has them (with their own score kind), else computed
    the same way from the stored lead scores of ``kind``.
    """
    before = previous_month(month)
    if WEIGHTED_COUNT in catalogue.ids and WEIGHTED_LVR in catalogue.ids:
        kind = str(getattr(catalogue.get(WEIGHTED_COUNT).params, "score_kind", kind))
    rows = mql_scores(store, sources, kind, month)
    counts = {m: rows[rows["month"] == m] for m in (month, before)}
    weighted = {m: _weighted(part["score"]) for m, part in counts.items()}
    lvr_weighted = _growth(weighted[month][0], weighted[before][0])
    source = "scores"
    if WEIGHTED_COUNT in catalogue.ids and WEIGHTED_LVR in catalogue.ids:
        found, lvr_weighted = _catalogue_weighted(sources, catalogue, month)
        weighted = {m: found.get(m, (None, None)) for m in (month, before)}
        source = "catalogue"
    mqls, mqls_previous = len(counts[month]), len(counts[before])
    return Velocity(
        mqls=mqls,
        mqls_previous=mqls_previous,
        weighted=weighted[month][0],
        weighted_previous=weighted[before][0],
        scored_share=weighted[month][1],
        scored_share_previous=weighted[before][1],
        lvr=_growth(float(mqls), float(mqls_previous)),
        lvr_weighted=lvr_weighted,
        weighted_source=source,  # type: ignore[arg-type]
        score_kind=kind,
    )


def sla_lines(sources: MetricSources, month: date) -> tuple[SlaLine, ...]:
    """Acceptance and first-contact attainment of the MQLs of ``month``."""
    status = lead_status(sources)
    start, end = pd.Timestamp(month), pd.Timestamp(next_month(month))
    frame = sla_summary(status[(status["mql_at"] >= start) & (status["mql_at"] < end)])
    return tuple(
        SlaLine(
            level=str(row["level"]),
            due=int(row["due"]),
            met=int(row["met"]),
            breached=int(row["breached"]),
            open=int(row["open"]),
            attainment=_number(row["attainment"]),
            target_hours=_number(row["target_hours"]),
        )
        for row in frame.to_dict("records")
    )


def _alert_period_end(period: date, grain: str) -> date:
    return pd.Timestamp(period_end(pd.Series([period]), grain).iloc[0]).date()  # type: ignore[arg-type]


def open_alerts(
    sources: MetricSources, catalogue: MetricCatalogue, month: date
) -> tuple[AlertLine, ...]:
    """The alerts firing at the sources' as-of date that concern ``month``: their period lies
    in the month or contains it; alerts without a period (stalled entries) are current."""
    lines = []
    for alert in evaluate_alerts(sources, catalogue):
        if alert.period is not None:
            spec = catalogue.get(alert.kpi)
            grain = (spec.alert.grain if spec.alert else None) or spec.grain
            start = alert.period
            end = start if grain in ("all", "week") else _alert_period_end(start, grain)
            within = month <= start < next_month(month)
            containing = grain not in ("all", "week") and start <= month < end
            if not (within or containing):
                continue
        lines.append(
            AlertLine(
                kpi=alert.kpi,
                rule=alert.rule,
                period=alert.period,
                group=", ".join(f"{k}={v}" for k, v in alert.group.items()),
                value=float(alert.value),
                reference=float(alert.reference),
                reason_de=alert.reason_de,
                reason_en=alert.reason_en,
            )
        )
    return tuple(lines)
