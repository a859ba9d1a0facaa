"""Transparent performance: the KPI catalogue, funnel metrics and alerts on any Ibis backend."""

from revintel.metrics._alerts import Alert, alerts_frame, evaluate_alerts
from revintel.metrics._catalogue import (
    DIMENSIONS,
    PARAMS_BY_KIND,
    AlertRule,
    Grain,
    KpiSettings,
    KpiSpec,
    MetricCatalogue,
    MetricCatalogueError,
)
from revintel.metrics._docs import render_metrics_doc
from revintel.metrics._engine import (
    KINDS,
    breakdown_dimensions,
    compares_periods,
    compile_kpi,
    evaluate_kpi,
    evaluate_kpis,
)
from revintel.metrics._loading import load_catalogue, parse_catalogue
from revintel.metrics._overview import FUNNEL_VIEW_KPIS, FUNNEL_VIEWS, funnel_overview, funnel_view
from revintel.metrics._query import Filter, MetricQuery, MetricQueryError, parse_filter
from revintel.metrics._report import (
    funnel_report,
    funnel_report_long,
    milestone_times,
)
from revintel.metrics._sources import MetricSources
from revintel.metrics._stalled import stalled_entries
from revintel.metrics._stats import ProportionTest, two_proportion_z_test, wilson_interval
from revintel.metrics._targets import TargetsError, import_targets, read_targets_csv

__all__ = [
    "DIMENSIONS",
    "FUNNEL_VIEWS",
    "FUNNEL_VIEW_KPIS",
    "KINDS",
    "PARAMS_BY_KIND",
    "Alert",
    "AlertRule",
    "Filter",
    "Grain",
    "KpiSettings",
    "KpiSpec",
    "MetricCatalogue",
    "MetricCatalogueError",
    "MetricQuery",
    "MetricQueryError",
    "MetricSources",
    "ProportionTest",
    "TargetsError",
    "alerts_frame",
    "breakdown_dimensions",
    "compares_periods",
    "compile_kpi",
    "evaluate_alerts",
    "evaluate_kpi",
    "evaluate_kpis",
    "funnel_overview",
    "funnel_report",
    "funnel_report_long",
    "funnel_view",
    "import_targets",
    "load_catalogue",
    "milestone_times",
    "parse_catalogue",
    "parse_filter",
    "read_targets_csv",
    "render_metrics_doc",
    "stalled_entries",
    "two_proportion_z_test",
    "wilson_interval",
]
