"""Resource allocation: sales capacity where the potential is, the right rep for each deal.

What each account could buy (its potential, estimated from comparable accounts) and the white
space beside today's revenue; which rep wins which kind of deal; and an assignment of the reps'
selling hours to accounts and open deals that earns the most expected margin within each
rep's capacity and the company's rules.
"""

from __future__ import annotations

from revintel.allocation._coverage_model import (
    COVERAGE_COLUMNS,
    CoverageModel,
    CoverageModels,
    coverage_models,
    read_coverage_models,
)
from revintel.allocation._curve_report import (
    CURVE_LEVELS,
    POINT_COLUMNS,
    CurveReport,
    curve_report_of,
    response_curve_report,
)
from revintel.allocation._portfolio import (
    PORTFOLIO_COLUMNS,
    coverage_by_size,
    over_served,
    portfolio,
    portfolio_matrix,
    under_served,
)
from revintel.allocation._potential import PotentialEstimate, estimate_potential, fit_potential
from revintel.allocation._potential_calibration import calibration_table, exceed_share
from revintel.allocation._potential_features import account_spend
from revintel.allocation._rep_backtest import RepBacktest, rep_skill_backtest
from revintel.allocation._rep_deals import rep_deals
from revintel.allocation._rep_fit import RepFit, fit_rep_fit
from revintel.allocation._rep_match import (
    MATCH_REASONS,
    SUGGESTION_COLUMNS,
    DealCapacity,
    RepMatchError,
    assign_within_capacity,
    suggest_owners,
)
from revintel.allocation._rep_performance import (
    CELL_COLUMNS,
    REP_COLUMNS,
    RepPerformance,
    rep_performance,
)
from revintel.allocation._rep_skill import RepModelError, RepSkill, fit_rep_skill
from revintel.allocation._response_curve import (
    ResponseCurve,
    ResponseCurveError,
    fit_response_curve,
)
from revintel.allocation._rules import (
    AllocationRules,
    AllocationRulesError,
    parse_rules,
    read_rules,
)
from revintel.allocation._simulation import (
    OrderNoise,
    Simulation,
    SimulationError,
    WalletTruth,
    simulate_year,
)
from revintel.allocation._simulation_plans import PLANS, Replay, replay_allocation
from revintel.allocation._solver import allocate_capacity, solve_problem
from revintel.allocation._solver_greedy import allocate_greedy
from revintel.allocation._solver_problem import AllocationError, AllocationProblem, build_problem
from revintel.allocation._solver_reasons import AllocationReason
from revintel.allocation._solver_result import ASSIGNMENT_COLUMNS, Allocation
from revintel.allocation._store_history import AllocationInputError
from revintel.allocation._store_inputs import (
    AllocationInputs,
    allocation_inputs,
    plan_allocation,
    solve_inputs,
)

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "CELL_COLUMNS",
    "COVERAGE_COLUMNS",
    "CURVE_LEVELS",
    "MATCH_REASONS",
    "PLANS",
    "POINT_COLUMNS",
    "PORTFOLIO_COLUMNS",
    "REP_COLUMNS",
    "SUGGESTION_COLUMNS",
    "Allocation",
    "AllocationError",
    "AllocationInputError",
    "AllocationInputs",
    "AllocationProblem",
    "AllocationReason",
    "AllocationRules",
    "AllocationRulesError",
    "CoverageModel",
    "CoverageModels",
    "CurveReport",
    "DealCapacity",
    "OrderNoise",
    "PotentialEstimate",
    "RepBacktest",
    "RepFit",
    "RepMatchError",
    "RepModelError",
    "RepPerformance",
    "RepSkill",
    "Replay",
    "ResponseCurve",
    "ResponseCurveError",
    "Simulation",
    "SimulationError",
    "WalletTruth",
    "account_spend",
    "allocate_capacity",
    "allocate_greedy",
    "allocation_inputs",
    "assign_within_capacity",
    "build_problem",
    "calibration_table",
    "coverage_by_size",
    "coverage_models",
    "curve_report_of",
    "estimate_potential",
    "exceed_share",
    "fit_potential",
    "fit_rep_fit",
    "fit_rep_skill",
    "fit_response_curve",
    "over_served",
    "parse_rules",
    "plan_allocation",
    "portfolio",
    "portfolio_matrix",
    "read_coverage_models",
    "read_rules",
    "rep_deals",
    "rep_performance",
    "rep_skill_backtest",
    "replay_allocation",
    "response_curve_report",
    "simulate_year",
    "solve_inputs",
    "solve_problem",
    "suggest_owners",
    "under_served",
]
