"""The joint scorecard of marketing and sales for one month: the agreed KPIs, targets against
actuals per team and person, what marketing and sales contributed per milestone, the
quality-weighted Lead Velocity Rate, service-level attainment and the alerts still firing.

Every section is computed from one :class:`~revintel.metrics.MetricSources` materialised once
(:meth:`~revintel.metrics.MetricSources.materialized`), so the page, the PDF, the workbook, the
command line and the API show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from revintel.alignment._scorecard_config import ScorecardConfig, load_scorecard_config
from revintel.alignment._scorecard_credits import contribution_lines, target_lines
from revintel.alignment._scorecard_month import next_month, quarter_label, quarter_of
from revintel.alignment._scorecard_parts import (
    AlertLine,
    ContributionLine,
    KpiLine,
    SlaLine,
    TargetLine,
    Velocity,
)
from revintel.alignment._scorecard_sections import (
    kpi_lines,
    open_alerts,
    quality_velocity,
    sla_lines,
)
from revintel.metrics import MetricCatalogue, MetricSources, load_catalogue
from revintel.store import Store

__all__ = [
    "AlertLine",
    "ContributionLine",
    "KpiLine",
    "Scorecard",
    "SlaLine",
    "TargetLine",
    "Velocity",
    "build_scorecard",
]


@dataclass(frozen=True)
class Scorecard:
    """The scorecard of one month.

    Attributes
    ----------
    month
        First day of the month.
    as_of
        The data's as-of date (the day of the latest milestone event).
    currency
        The store currency every amount is in.
    kpis
        The agreed KPIs in the order of the scorecard file.
    target_period
        First and last day of the quarter whose targets are shown (the quarter containing the
        month; actuals are counted up to ``as_of``).
    targets
        One line per target of that quarter: company, team, person or segment.
    attribution_model, attribution_level
        Whose credits the contribution section reads.
    credits_stored
        Whether any credits of that model and level are stored at all; without them the
        section says how to store them.
    contributions
        Per milestone credited in the month: conversions split into marketing, sales and
        unattributed; ``None`` when the reader may not see the stored credits (they add up
        every journey).
    velocity
        Plain and quality-weighted MQL counts and Lead Velocity Rates.
    sla
        Service-level attainment of the month's MQLs, one line per level.
    alerts
        Alerts firing at ``as_of`` whose period contains the month or lies in it.
    """

    month: date
    as_of: date
    currency: str
    kpis: tuple[KpiLine, ...]
    target_period: tuple[date, date]
    targets: tuple[TargetLine, ...]
    attribution_model: str
    attribution_level: str
    credits_stored: bool
    contributions: tuple[ContributionLine, ...] | None
    velocity: Velocity
    sla: tuple[SlaLine, ...]
    alerts: tuple[AlertLine, ...]

    @property
    def month_label(self) -> str:
        """``2024-11``."""
        return f"{self.month:%Y-%m}"

    @property
    def month_end(self) -> date:
        """The first day after the month."""
        return next_month(self.month)

    @property
    def quarter_label(self) -> str:
        """``2024-Q4``: the quarter whose targets are shown."""
        return quarter_label(self.month)


def build_scorecard(
    store: Store,
    month: date,
    *,
    config: ScorecardConfig | None = None,
    config_path: str | Path | None = None,
    catalogue: MetricCatalogue | None = None,
    with_contributions: bool = True,
    as_of: date | None = None,
) -> Scorecard:
    """The scorecard of ``month`` on the rows of ``store`` (a user's scoped store shows theirs).

    Parameters
    ----------
    store
        The store, or a :func:`revintel.auth.scoped_store` of it.
    month
        Any day of the month (its first day is used).
    config, config_path
        The scorecard settings, or a file to read them from (default: the packaged file).
    catalogue
        The KPI catalogue (default: the packaged one).
    with_contributions
        Read the stored attribution credits (company-wide: leave out for a reader seeing only
        some rows).
    as_of
        Evaluate at this date (default: the day of the latest milestone event).

    Raises
    ------
    ScorecardConfigError
        The scorecard file is invalid or names a KPI the catalogue lacks.
    """
    catalogue = catalogue or load_catalogue()
    config = config or load_scorecard_config(config_path, catalogue)
    month = month.replace(day=1)
    sources = MetricSources.from_store(store, as_of=as_of)
    period = quarter_of(month)
    settings = config.contribution
    with sources.materialized():
        kpis = kpi_lines(sources, catalogue, config, month)
        targets = target_lines(sources, period)
        stored, contributions = (
            contribution_lines(sources, settings, month) if with_contributions else (False, None)
        )
        velocity = quality_velocity(store, sources, catalogue, config.quality.score_kind, month)
        sla = sla_lines(sources, month)
        alerts = open_alerts(sources, catalogue, month)
    return Scorecard(
        month=month,
        as_of=sources.as_of,
        currency=sources.currency,
        kpis=kpis,
        target_period=period,
        targets=targets,
        attribution_model=settings.model,
        attribution_level=settings.level,
        credits_stored=stored,
        contributions=contributions,
        velocity=velocity,
        sla=sla,
        alerts=alerts,
    )
