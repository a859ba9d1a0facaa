"""Alerts on KPIs: thresholds, negative streaks, conversion drops, stalled opportunities and
discount drifts (see :mod:`._discount_alerts`).

Each alert carries its numbers and a one-sentence reason in German and English. The drop test is
a one-sided pooled two-proportion z-test of the latest mature cohort against the pooled trailing
cohorts; stalled opportunities are open ones whose time in stage exceeds a quantile of completed
stays in the same stage and segment.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from revintel.metrics._catalogue import AlertRule, KpiSpec, MetricCatalogue
from revintel.metrics._discount_alerts import discount_drifts
from revintel.metrics._engine import evaluate_kpi
from revintel.metrics._query import MetricQuery
from revintel.metrics._sla_alerts import sla_breaches
from revintel.metrics._sources import MetricSources
from revintel.metrics._stalled import stalled_entries
from revintel.metrics._stats import two_proportion_z_test

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    """One fired alert with the numbers behind it and its reason in German and English."""

    kpi: str
    rule: str
    period: date | None
    group: dict[str, str]
    value: float
    reference: float
    numbers: dict[str, Any] = field(default_factory=dict)
    reason_de: str = ""
    reason_en: str = ""

    def reason(self, language: str = "en") -> str:
        """The one-sentence reason in ``language`` (de or en)."""
        return self.reason_de if language == "de" else self.reason_en


def _pct(value: float, language: str) -> str:
    text = f"{value * 100:.1f} %"
    return text.replace(".", ",") if language == "de" else text


def _num(value: float, language: str) -> str:
    text = f"{value:,.1f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if language == "de" else text


def _label(period: date, spec: KpiSpec) -> str:
    """``2024-10`` for a month, ``2024-Q4`` for a quarter, ``2024`` for a year, else the day."""
    grain = (spec.alert.grain if spec.alert else None) or spec.grain
    return {
        "month": f"{period:%Y-%m}",
        "quarter": f"{period.year}-Q{(period.month - 1) // 3 + 1}",
        "year": f"{period.year}",
    }.get(grain, str(period))


def _period(period: date, spec: KpiSpec, language: str) -> str:
    label = _label(period, spec)
    return f"im Zeitraum {label}" if language == "de" else f"in {label}"


def _where(group: dict[str, str]) -> str:
    return f" ({', '.join(f'{k} {v}' for k, v in group.items())})" if group else ""


def _groupings(alert: AlertRule) -> list[tuple[str, ...]]:
    return [(), *((d,) for d in alert.by)]


def _frame(
    sources: MetricSources, spec: KpiSpec, cat: MetricCatalogue, by: tuple[str, ...]
) -> pd.DataFrame:
    assert spec.alert is not None
    query = MetricQuery(grain=spec.alert.grain, by=by)
    frame = evaluate_kpi(sources, spec, query, cat.settings)
    if "complete" in frame:
        frame = frame[frame["complete"].astype(bool)]
    return frame


def _group_of(row: pd.Series, by: tuple[str, ...]) -> dict[str, str]:
    return {d: str(row[d]) for d in by}


def below_threshold(sources: MetricSources, spec: KpiSpec, cat: MetricCatalogue) -> list[Alert]:
    """Complete periods among the latest ``lookback_periods`` whose value is under the threshold."""
    rule = spec.alert
    assert rule is not None and rule.threshold is not None
    alerts = []
    for by in _groupings(rule):
        frame = _frame(sources, spec, cat, by)
        periods = sorted(frame["period"].dropna().unique())[-rule.lookback_periods :]
        hits = frame[
            frame["period"].isin(periods)
            & (frame["denominator"] >= rule.min_count)
            & (frame["value"] < rule.threshold)
        ]
        for _, row in hits.iterrows():
            group = _group_of(row, by)
            name_de, name_en = spec.name.de, spec.name.en
            n, k = int(row["denominator"]), int(row["numerator"])
            alerts.append(
                Alert(
                    spec.id,
                    rule.rule,
                    row["period"],
                    group,
                    float(row["value"]),
                    rule.threshold,
                    {"numerator": k, "denominator": n},
                    f"{name_de} lag {_period(row['period'], spec, 'de')}{_where(group)} bei "
                    f"{_pct(row['value'], 'de')} ({k} von {n}) und damit unter der Schwelle von "
                    f"{_pct(rule.threshold, 'de')}.",
                    f"{name_en} was {_pct(row['value'], 'en')} ({k} of {n}) "
                    f"{_period(row['period'], spec, 'en')}{_where(group)}, below the threshold of "
                    f"{_pct(rule.threshold, 'en')}.",
                )
            )
    return alerts


def negative_streak(sources: MetricSources, spec: KpiSpec, cat: MetricCatalogue) -> list[Alert]:
    """The value was negative in each of the last ``periods`` complete periods."""
    rule = spec.alert
    assert rule is not None
    alerts = []
    for by in _groupings(rule):
        frame = _frame(sources, spec, cat, by)
        for key, part in frame.groupby(list(by)) if by else [((), frame)]:
            last = part.sort_values("period").tail(rule.periods)
            if len(last) < rule.periods or not (last["value"] < 0).all():
                continue
            group = dict(zip(by, map(str, key if isinstance(key, tuple) else (key,)), strict=True))
            values = [float(v) for v in last["value"]]
            de = ", ".join(_pct(v, "de") for v in values)
            en = ", ".join(_pct(v, "en") for v in values)
            alerts.append(
                Alert(
                    spec.id,
                    rule.rule,
                    last["period"].iloc[-1],
                    group,
                    values[-1],
                    0.0,
                    {"values": values, "periods": [str(p) for p in last["period"]]},
                    f"{spec.name.de} war {rule.periods} Zeiträume in Folge negativ{_where(group)}: "
                    f"{de}.",
                    f"{spec.name.en} was negative {rule.periods} periods running{_where(group)}: "
                    f"{en}.",
                )
            )
    return alerts


def conversion_drop(sources: MetricSources, spec: KpiSpec, cat: MetricCatalogue) -> list[Alert]:
    """Latest mature cohort below its trailing cohorts beyond noise (two-proportion z-test)."""
    rule = spec.alert
    assert rule is not None
    alerts = []
    for by in _groupings(rule):
        frame = _frame(sources, spec, cat, by)
        if "mature" in frame:
            frame = frame[frame["mature"].astype(bool)]
        keys = [*by, "step"] if "step" in frame else list(by)
        for key, part in frame.groupby(keys) if keys else [((), frame)]:
            alert = _drop_in(spec, rule, part.sort_values("period"), keys, key)
            if alert is not None:
                alerts.append(alert)
    return alerts


def _drop_in(
    spec: KpiSpec, rule: AlertRule, part: pd.DataFrame, keys: list[str], key: Any
) -> Alert | None:
    if len(part) < rule.trailing_periods + 1:
        return None
    latest = part.iloc[-1]
    trailing = part.iloc[-rule.trailing_periods - 1 : -1]
    x1, n1 = float(latest["numerator"]), float(latest["denominator"])
    x2, n2 = float(trailing["numerator"].sum()), float(trailing["denominator"].sum())
    if n1 < rule.min_count or n2 < rule.min_count:
        return None
    test = two_proportion_z_test(x1, n1, x2, n2)
    if test.p_value >= rule.alpha:
        return None
    group = dict(zip(keys, map(str, key if isinstance(key, tuple) else (key,)), strict=True))
    numbers = {
        "x": x1,
        "n": n1,
        "trailing_x": x2,
        "trailing_n": n2,
        "z": round(test.z, 3),
        "p_value": test.p_value,
        "test": "two-proportion z-test (one-sided, pooled)",
    }
    return Alert(
        spec.id,
        rule.rule,
        latest["period"],
        group,
        test.p1,
        test.p2,
        numbers,
        f"{spec.name.de}{_where(group)} fiel in der Kohorte {_label(latest['period'], spec)} auf "
        f"{_pct(test.p1, 'de')} gegenüber {_pct(test.p2, 'de')} in den {rule.trailing_periods} "
        f"Kohorten davor (Zwei-Stichproben-z-Test, z = {_num(test.z, 'de')}, "
        f"p = {test.p_value:.2g}).",
        f"{spec.name.en}{_where(group)} fell to {_pct(test.p1, 'en')} in the cohort "
        f"{_label(latest['period'], spec)} against {_pct(test.p2, 'en')} in the "
        f"{rule.trailing_periods} cohorts before (two-proportion z-test, "
        f"z = {_num(test.z, 'en')}, p = {test.p_value:.2g}).",
    )


def stalled(sources: MetricSources, spec: KpiSpec, cat: MetricCatalogue) -> list[Alert]:
    """Groups of open opportunities stuck longer than the quantile of their segment's stays."""
    rule = spec.alert
    assert rule is not None
    entries = stalled_entries(sources, rule.quantile, rule.by)
    alerts = []
    keys = ["stage", *rule.by]
    for key, part in entries.groupby(keys, dropna=False):
        if len(part) < rule.min_count:
            continue
        group = dict(zip(keys, map(str, key), strict=True))
        stage = group.pop("stage")
        n = len(part)
        median_days = float(part["days"].median())
        limit = float(part["limit_days"].median())
        numbers = {
            "stage": stage,
            "count": n,
            "median_days": median_days,
            "median_limit_days": limit,
            "leads": sorted(part["lead_id"])[:20],
        }
        q = round(rule.quantile * 100)
        alerts.append(
            Alert(
                spec.id,
                rule.rule,
                None,
                {"stage": stage, **group},
                median_days,
                limit,
                numbers,
                f"{n} offene Opportunities in der Stufe {stage}{_where(group)} stehen dort seit "
                f"median {_num(median_days, 'de')} Tagen, länger als das p{q} ihres Segments "
                f"(median {_num(limit, 'de')} Tage).",
                f"{n} open opportunities in stage {stage}{_where(group)} have been there for a "
                f"median {_num(median_days, 'en')} days, beyond the p{q} of their segment "
                f"(median {_num(limit, 'en')} days).",
            )
        )
    return alerts


def discount_drift(sources: MetricSources, spec: KpiSpec, cat: MetricCatalogue) -> list[Alert]:
    """Discounts of a rep or segment risen beyond noise (see :mod:`._discount_alerts`)."""
    return [Alert(**asdict(found)) for found in discount_drifts(sources, spec, cat)]


def sla_breach(sources: MetricSources, spec: KpiSpec, cat: MetricCatalogue) -> list[Alert]:
    """Service levels missed too often, with the leads concerned (see :mod:`._sla_alerts`)."""
    return [Alert(**asdict(found)) for found in sla_breaches(sources, spec, cat)]


RULES = {
    "below_threshold": below_threshold,
    "negative_streak": negative_streak,
    "conversion_drop": conversion_drop,
    "stalled": stalled,
    "discount_drift": discount_drift,
    "sla_breach": sla_breach,
}


def evaluate_alerts(sources: MetricSources, catalogue: MetricCatalogue) -> list[Alert]:
    """Every alert of the catalogue that fires on ``sources`` at their as-of date."""
    alerts: list[Alert] = []
    for spec in catalogue.kpis:
        if spec.alert is not None:
            fired = RULES[spec.alert.rule](sources, spec, catalogue)
            logger.info("alert %s on %s: %d fired", spec.alert.rule, spec.id, len(fired))
            alerts.extend(fired)
    return alerts


def alerts_frame(alerts: list[Alert], language: str = "en") -> pd.DataFrame:
    """Alerts as a table: KPI, rule, period, group, value, reference and reason."""
    return pd.DataFrame(
        [
            {
                "kpi": a.kpi,
                "rule": a.rule,
                "period": a.period,
                "group": ", ".join(f"{k}={v}" for k, v in a.group.items()),
                "value": a.value,
                "reference": a.reference,
                "reason": a.reason(language),
            }
            for a in alerts
        ],
        columns=["kpi", "rule", "period", "group", "value", "reference", "reason"],
    )
