"""``/api/v1/allocation``: the reps' selling hours planned where they earn most, one row per
assignment with its reason (JSON, CSV for the CRM, Excel), and what the plan stands on —
account potential, rep performance and suggested owners of open deals (docs/allocation.md).

Managers and admins see everything; a sales rep (a team lead: the team) sees only the own rows
of the plan and nothing else. Each result is computed once per store state and kept
(``state.cache``). A store that cannot be planned (no activities, too few closed deals,
coverage rules beyond capacity …) answers 409 with the reason.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query
from fastapi.responses import Response

from revintel._frames import json_records
from revintel.allocation import (
    Allocation,
    CurveReport,
    allocation_inputs,
    coverage_models,
    estimate_potential,
    over_served,
    portfolio,
    rep_performance,
    response_curve_report,
    solve_inputs,
    suggest_owners,
    under_served,
)
from revintel.api.routers._common import Language
from revintel.api.routers.allocation_schemas import (
    AllocationOut,
    AssignmentOut,
    CoverageOut,
    OwnerSuggestionOut,
    PortfolioAccountOut,
    PotentialOut,
    RepPerformanceOut,
    ResponseCurveOut,
    ResponseCurveParameterOut,
    ResponseCurvePointOut,
)
from revintel.api.routers.analytics_schemas import IsoDate
from revintel.auth import Permission, Role, User, require
from revintel.i18n import Translator
from revintel.server import ApiError, StateDep, StoreDep, UserDep
from revintel.store import Store, store_currency
from revintel.views._allocation import visible_rep_ids
from revintel.views._allocation_export import (
    assignment_rows,
    assignments_csv,
    coverage_rows,
    portfolio_rows,
    suggestion_rows,
    workbook_bytes,
)

router = APIRouter(prefix="/allocation", tags=["allocation"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the plan as JSON, or as a CSV or Excel file (`format`)",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    403: {"description": "The role may not plan the reps' hours."},
    409: {"description": "No plan can be made; the message says what is missing."},
}
_MANAGERS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Managers and admins only."},
    409: {"description": "Too little history; the message says what is missing."},
}
AsOf = Annotated[
    IsoDate | None, Query(description="last day of the history used (default: latest order)")
]
Format = Annotated[Literal["json", "csv", "xlsx"], Query(description="json, csv or xlsx")]


def computed_plan(store: Store, as_of: date | None) -> tuple[Allocation, date]:
    """The company's plan as of ``as_of`` and the day it stands on (kept by the cache)."""
    inputs = allocation_inputs(store, as_of=as_of)
    return solve_inputs(inputs), inputs.as_of


def computed_potential(store: Store, as_of: date | None) -> pd.DataFrame:
    """Potential and white space per account (kept by the cache)."""
    return estimate_potential(store, as_of).by_account()


def computed_reps(store: Store, as_of: date | None) -> pd.DataFrame:
    """Rep performance (kept by the cache)."""
    return rep_performance(store, as_of).reps


def computed_owners(store: Store) -> pd.DataFrame:
    """Suggested owners of every open deal (kept by the cache)."""
    return suggest_owners(store)


def computed_portfolio(store: Store, as_of: date | None) -> pd.DataFrame:
    """The account portfolio (kept by the cache)."""
    return portfolio(store, as_of=as_of)


def computed_curve(store: Store, as_of: date | None) -> CurveReport:
    """The response curve with its intervals (kept by the cache)."""
    return response_curve_report(store, as_of)


def computed_coverage(store: Store, as_of: date | None) -> pd.DataFrame:
    """The coverage model per account (kept by the cache)."""
    return coverage_models(store, as_of=as_of)


def _file(rows: pd.DataFrame, format: str, lang: Language, name: str) -> Response:
    """``rows`` as a CSV (German: semicolons, decimal commas, byte order mark) or Excel file."""
    if format == "csv":
        text = assignments_csv(rows, lang)
        return Response(
            ("\ufeff" if lang == "de" else "") + text,  # German Excel reads UTF-8 by its BOM
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename={name}.csv"},
        )
    return Response(
        workbook_bytes({name: rows}),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"},
    )


def _seen(store: Store, user: User) -> set[str] | None:
    """The reps whose rows ``user`` sees (``None``: all); 403 for a role without rows."""
    if user.can(Permission.allocate):
        return None
    if user.role in (Role.sales_rep, Role.team_lead) and user.rep_id is not None:
        return visible_rep_ids(store, user)
    require(user, Permission.allocate)
    return set()


def _cannot(exc: ValueError) -> ApiError:
    return ApiError(409, str(exc))


@router.get(
    "",
    response_model=AllocationOut,
    summary="Capacity allocation",
    responses=_FILES,
)
def allocation(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    as_of: AsOf = None,
    format: Format = "json",
    lang: Language = "en",
) -> Any:
    """Which rep spends how many hours a week on which account and open deal, for the most
    expected margin within each rep's capacity and the rules; each row with its reason in
    ``lang``. CSV (German: semicolons, decimal commas) and Excel carry the contract columns
    rep_id, account_id, opportunity_id, hours_per_week, expected_gain, reason. A sales rep
    gets only their own rows."""
    seen = _seen(store, user)
    try:
        plan, day = state.cache.call(computed_plan, store, None, as_of)
    except ValueError as exc:
        raise _cannot(exc) from None
    currency = store_currency(store)
    t = Translator(lang, currency)
    rows = assignment_rows(plan, t)
    kinds = [r.kind for r in plan.assignments["reason"]]
    levels = [r.level for r in plan.assignments["reason"]]
    rows = rows.assign(reason_kind=kinds, level=levels)
    if seen is not None:
        rows = rows[rows["rep_id"].isin(seen)].reset_index(drop=True)
    if format == "csv":
        text = assignments_csv(rows.drop(columns=["reason_kind", "level"]), lang)
        return Response(
            ("\ufeff" if lang == "de" else "") + text,  # German Excel reads UTF-8 by its BOM
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=allocation.csv"},
        )
    if format == "xlsx":
        return Response(
            workbook_bytes({"allocation": rows.drop(columns=["reason_kind", "level"])}),
            media_type=XLSX,
            headers={"Content-Disposition": "attachment; filename=allocation.xlsx"},
        )
    return AllocationOut(
        as_of=day,
        currency=currency,
        status=plan.status,
        objective=round(plan.objective, 2),
        bound=round(plan.bound, 2),
        gap=plan.gap,
        scoped=seen is not None,
        assignments=[AssignmentOut(**r) for r in json_records(rows)],
    )


@router.get(
    "/potential",
    response_model=list[PotentialOut],
    summary="Account potential",
    responses=_MANAGERS,
)
def potential(
    store: StoreDep, user: UserDep, state: StateDep, as_of: AsOf = None
) -> list[PotentialOut]:
    """What each account could buy a year (from comparable accounts) beside today's revenue,
    largest white space first."""
    require(user, Permission.allocate)
    try:
        frame = state.cache.call(computed_potential, store, None, as_of)
    except ValueError as exc:
        raise _cannot(exc) from None
    return [PotentialOut(**r) for r in json_records(frame)]


@router.get(
    "/reps",
    response_model=list[RepPerformanceOut],
    summary="Rep performance",
    responses=_MANAGERS,
)
def reps(
    store: StoreDep, user: UserDep, state: StateDep, as_of: AsOf = None
) -> list[RepPerformanceOut]:
    """Win rate and cycle time of every rep pooled toward team and company, and the skill
    adjusted for the deals each rep was given."""
    require(user, Permission.allocate)
    try:
        frame = state.cache.call(computed_reps, store, None, as_of)
    except ValueError as exc:
        raise _cannot(exc) from None
    return [RepPerformanceOut(**r) for r in json_records(frame)]


@router.get(
    "/owners",
    response_model=list[OwnerSuggestionOut],
    summary="Suggested owners of open deals",
    responses=_MANAGERS,
)
def owners(
    store: StoreDep, user: UserDep, state: StateDep, lang: Language = "en"
) -> list[OwnerSuggestionOut]:
    """A suggested owner for every open deal within the hours the reps have for open deals,
    with the reason in ``lang``."""
    require(user, Permission.allocate)
    try:
        frame = state.cache.call(computed_owners, store, None)
    except ValueError as exc:
        raise _cannot(exc) from None
    rows = suggestion_rows(frame, Translator(lang, store_currency(store)))
    return [OwnerSuggestionOut(**r) for r in json_records(rows)]


_MANAGER_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or a CSV or Excel file (`format`)",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    **_MANAGERS,
}


@router.get(
    "/portfolio",
    response_model=list[PortfolioAccountOut],
    summary="Account portfolio",
    responses=_MANAGER_FILES,
)
def portfolio_accounts(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    as_of: AsOf = None,
    served: Annotated[
        Literal["under", "over"] | None,
        Query(
            alias="list",
            description="under: high-potential accounts with less than half the hours of "
            "their recommended level; over: low-potential accounts with the hours of the "
            "level above (default: every account)",
        ),
    ] = None,
    format: Format = "json",
    lang: Language = "en",
) -> Any:
    """Every account with today's revenue against potential, churn risk, customer value,
    today's hours a week and the recommended service level with what set it (in ``lang``),
    largest white space first; or the under- or over-served accounts (``list``)."""
    require(user, Permission.allocate)
    try:
        frame = state.cache.call(computed_portfolio, store, None, as_of)
    except ValueError as exc:
        raise _cannot(exc) from None
    if served == "under":
        frame = under_served(frame)
    elif served == "over":
        frame = over_served(frame)
    rows = portfolio_rows(frame, Translator(lang, store_currency(store)))
    if format != "json":
        return _file(rows, format, lang, "portfolio" if served is None else f"{served}-served")
    return [PortfolioAccountOut(**r) for r in json_records(rows)]


@router.get(
    "/coverage",
    response_model=list[CoverageOut],
    summary="Coverage model per account",
    responses=_MANAGER_FILES,
)
def coverage(
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    as_of: AsOf = None,
    format: Format = "json",
    lang: Language = "en",
) -> Any:
    """Field sales, inside sales or digital self-service for every account, whichever earns
    the most margin after its cost, with each model's expected margin, the chosen one's cost
    and the reason in ``lang``, largest potential first."""
    require(user, Permission.allocate)
    try:
        frame = state.cache.call(computed_coverage, store, None, as_of)
    except ValueError as exc:
        raise _cannot(exc) from None
    rows = coverage_rows(frame, Translator(lang, store_currency(store)))
    if format != "json":
        return _file(rows, format, lang, "coverage")
    return [CoverageOut(**r) for r in json_records(rows)]


@router.get(
    "/curve",
    response_model=ResponseCurveOut,
    summary="What an hour of selling buys",
    responses=_MANAGERS,
)
def curve(store: StoreDep, user: UserDep, state: StateDep, as_of: AsOf = None) -> ResponseCurveOut:
    """The response curve the plan uses — read within the customers (years with more or less
    service) when the history allows, else across them — with 95 % intervals, and per weekly
    level of service what a customer of median potential orders."""
    require(user, Permission.allocate)
    try:
        report = state.cache.call(computed_curve, store, None, as_of)
    except ValueError as exc:
        raise _cannot(exc) from None
    return ResponseCurveOut(
        as_of=report.as_of,
        method=report.curve.method,
        customer_years=report.customer_years,
        typical_potential=report.typical_potential,
        weeks_per_year=report.weeks_per_year,
        parameters=[ResponseCurveParameterOut(**r) for r in json_records(report.parameters())],
        points=[ResponseCurvePointOut(**r) for r in json_records(report.points())],
    )
