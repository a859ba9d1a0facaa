"""Transparent performance: the KPI catalogue, funnel metrics and alerts on any Ibis backend."""

from revintel.metrics._alerts import Alert, alerts_frame, evaluate_alerts
from revintel.metrics._catalogue import (
    CUSTOM_PREFIX,
    DIMENSIONS,
    PARAMS_BY_KIND,
    QUERY_DIMENSIONS,
    AlertRule,
    Grain,
    KpiSettings,
    KpiSpec,
    MetricCatalogue,
    MetricCatalogueError,
    is_custom_dimension,
)
from revintel.metrics._currency import MONEY_COLUMNS, MissingRateError, in_store_currency
from revintel.metrics._custom import check_custom_dimensions, custom_dimensions
from revintel.metrics._docs import render_metrics_doc
from revintel.metrics._engine import (
    KINDS,
    breakdown_dimensions,
    compares_periods,
    compile_kpi,
    custom_tables,
    evaluate_kpi,
    evaluate_kpis,
)
from revintel.metrics._fx_rates import (
    FxImportReport,
    FxRatesError,
    import_fx_rates,
    read_fx_rates,
    stored_fx_rates,
)
from revintel.metrics._gaps import (
    GAP_CODES,
    DataGap,
    alerts_gap,
    complete_periods,
    data_span,
    funnel_gap,
    kpi_gap,
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
from revintel.metrics._target_actuals import (
    ATTAINMENT_COLUMNS,
    stored_targets,
    target_attainment,
)
from revintel.metrics._target_audit import CHANGE_ACTIONS, TargetChange
from revintel.metrics._target_edits import (
    UnknownTargetError,
    delete_target,
    set_target,
    target_changes,
    target_key,
    target_period,
)
from revintel.metrics._targets import (
    ORDER_INTAKE,
    TARGET_MEASURES,
    TargetsError,
    import_targets,
    read_targets_csv,
)

__all__ = [
    "ATTAINMENT_COLUMNS",
    "CHANGE_ACTIONS",
    "CUSTOM_PREFIX",
    "DIMENSIONS",
    "FUNNEL_VIEWS",
    "FUNNEL_VIEW_KPIS",
    "GAP_CODES",
    "KINDS",
    "MONEY_COLUMNS",
    "ORDER_INTAKE",
    "PARAMS_BY_KIND",
    "QUERY_DIMENSIONS",
    "TARGET_MEASURES",
    "Alert",
    "AlertRule",
    "DataGap",
    "Filter",
    "FxImportReport",
    "FxRatesError",
    "Grain",
    "KpiSettings",
    "KpiSpec",
    "MetricCatalogue",
    "MetricCatalogueError",
    "MetricQuery",
    "MetricQueryError",
    "MetricSources",
    "MissingRateError",
    "ProportionTest",
    "TargetChange",
    "TargetsError",
    "UnknownTargetError",
    "alerts_frame",
    "alerts_gap",
    "breakdown_dimensions",
    "check_custom_dimensions",
    "compares_periods",
    "compile_kpi",
    "complete_periods",
    "custom_dimensions",
    "custom_tables",
    "data_span",
    "delete_target",
    "evaluate_alerts",
    "evaluate_kpi",
    "evaluate_kpis",
    "funnel_gap",
    "funnel_overview",
    "funnel_report",
    "funnel_report_long",
    "funnel_view",
    "import_fx_rates",
    "import_targets",
    "in_store_currency",
    "is_custom_dimension",
    "kpi_gap",
    "load_catalogue",
    "milestone_times",
    "parse_catalogue",
    "parse_filter",
    "read_fx_rates",
    "read_targets_csv",
    "render_metrics_doc",
    "set_target",
    "stalled_entries",
    "stored_fx_rates",
    "stored_targets",
    "target_attainment",
    "target_changes",
    "target_key",
    "target_period",
    "two_proportion_z_test",
    "wilson_interval",
]
