"""Expected order intake: weighted pipeline, Monte Carlo ranges, backtests and what-if scenarios."""

from revintel.forecast._backtest import (
    METHODS,
    Backtest,
    backtest,
    month_ends,
    score_points,
    split_origins,
    won_amounts,
)
from revintel.forecast._forecast import (
    NEW,
    OPEN,
    TOTAL,
    Forecast,
    ForecastSettings,
    fit_model,
    forecast,
    month_periods,
    parameter_draws,
    parse_horizon,
    run_simulation,
    summarise,
)
from revintel.forecast._gaps import forecast_gap
from revintel.forecast._history import (
    FORECAST_DIMENSIONS,
    History,
    Journeys,
    load_history,
    replay_leads,
    replay_opportunities,
)
from revintel.forecast._model import FunnelModel, fit_funnel_model, shrink
from revintel.forecast._pace import dilate, milestone_pace
from revintel.forecast._scenario import (
    Scenario,
    ScenarioError,
    WinRateChange,
    check_forecast_limits,
    compare_with_baseline,
    parse_scenario,
)
from revintel.forecast._simulate import Simulation, simulate_new, simulate_open
from revintel.forecast._survival import CloseCurve, close_curve, kaplan_meier, milestone_curves
from revintel.forecast._weighted import weighted_pipeline

__all__ = [
    "FORECAST_DIMENSIONS",
    "METHODS",
    "NEW",
    "OPEN",
    "TOTAL",
    "Backtest",
    "CloseCurve",
    "Forecast",
    "ForecastSettings",
    "FunnelModel",
    "History",
    "Journeys",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "WinRateChange",
    "backtest",
    "check_forecast_limits",
    "close_curve",
    "compare_with_baseline",
    "dilate",
    "fit_funnel_model",
    "fit_model",
    "forecast",
    "forecast_gap",
    "kaplan_meier",
    "load_history",
    "milestone_curves",
    "milestone_pace",
    "month_ends",
    "month_periods",
    "parameter_draws",
    "parse_horizon",
    "parse_scenario",
    "replay_leads",
    "replay_opportunities",
    "run_simulation",
    "score_points",
    "shrink",
    "simulate_new",
    "simulate_open",
    "split_origins",
    "summarise",
    "weighted_pipeline",
    "won_amounts",
]
