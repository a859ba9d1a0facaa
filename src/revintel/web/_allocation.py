"""The Resources page: the portfolio of accounts, today's coverage by size, the coverage model
per account, each rep's load today and under the plan
against capacity, and the plan's assignments with their reasons; the assignments downloadable as
CSV and Excel for the CRM.

The plan is the company's (computed once through the result cache, ahead at start and after
imports); managers and admins see all of it, a sales rep the rows suggested for them, a team
lead those of the team's reps; other roles are refused, as by the API.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import HTMLResponse, Response

from revintel.auth import AccessDeniedError, Permission, Role, User
from revintel.server import AppState
from revintel.views._allocation import (
    AllocationView,
    plan_or_reason,
    view_of,
    visible_rep_ids,
)
from revintel.web._allocation_tables import (
    assignments_table,
    by_size_table,
    coverage_counts_table,
    coverage_table,
    curve_line,
    curve_table,
    load_chart,
    load_table,
    matrix_grid,
    matrix_table,
    quality_text,
    served_table,
)
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._table_export import EXPORT_FORMATS, PageTable, export_response

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PATH = "/allocation"
TABLES = (
    "assignments",
    "load",
    "portfolio",
    "under-served",
    "over-served",
    "by-size",
    "coverage-models",
    "coverage",
    "curve",
)
#: Rows of the assignments and of the under- and over-served lists shown on the page (the
#: downloads have all).
ASSIGNMENTS_SHOWN, SERVED_SHOWN = 50, 15
#: Accounts of the coverage-model list shown on the page (the download has all).
COVERAGE_SHOWN = 25


@dataclass(frozen=True)
class AllocationPage:
    """What the page shows: the user's part of the plan and its tables, or why there is none."""

    view: AllocationView | None
    tables: dict[str, PageTable]
    problem: str | None = None


def require_sales(user: User) -> None:
    """Let those who plan (managers, admins) and the reps and team leads whose suggestions it
    holds in; refuse the others (marketing, a rep without a rep id) with a clear reason."""
    if user.can(Permission.allocate):
        return
    if user.role in (Role.sales_rep, Role.team_lead) and user.rep_id is not None:
        return
    raise AccessDeniedError(
        "the allocation of sales hours is for managers, admins and the reps it is planned "
        f"for; role {user.role.value} may not see it"
    )


def _found(page: PageContext) -> AllocationPage:
    require_sales(page.user)
    plan = page.query_unscoped(plan_or_reason)
    if isinstance(plan, str):
        return AllocationPage(None, {}, page.t("allocation.page.none").format(reason=plan))
    view = view_of(plan, visible_rep_ids(page.store, page.user))
    t = page.t
    tables = {
        "assignments": assignments_table(view, t),
        "load": load_table(view, t),
        "portfolio": matrix_table(view, t),
        "under-served": served_table(view.under_served, "under-served", t),
        "over-served": served_table(view.over_served, "over-served", t),
        "by-size": by_size_table(view, t),
        "coverage-models": coverage_counts_table(view, t),
        "coverage": coverage_table(view, t),
        "curve": curve_table(view, t),
    }
    return AllocationPage(view, tables)


def _scope_note(page: PageContext, view: AllocationView | None) -> str | None:
    if view is None or not view.scoped:
        return None
    if page.user.role is Role.team_lead:
        return page.t("allocation.page.scope_team")
    return page.t("allocation.page.scope_rep")


@router.get(PATH, response_class=HTMLResponse)
def allocation_page(page: PageDep) -> Response:
    """The plan of selling hours on the rows the user sees."""
    found, t = _found(page), page.t
    view = found.view
    return page.render(
        "allocation.html",
        view=view,
        problem=found.problem,
        as_of_line=None
        if view is None or view.as_of is None
        else t("allocation.page.as_of").format(date=t.date(view.as_of)),
        quality_line=quality_text(view, t) if view is not None else None,
        curve_line=curve_line(view, t) if view is not None else None,
        scope_note=_scope_note(page, view),
        tables=found.tables,
        chart=load_chart(view, t) if view is not None else None,
        assignments_shown=ASSIGNMENTS_SHOWN,
        served_shown=SERVED_SHOWN,
        coverage_shown=COVERAGE_SHOWN,
        grid=matrix_grid(view) if view is not None else {},
        tiers=("A", "B", "C"),
        export_urls={
            (name, fmt): page.url(f"{PATH}/export", table=name, format=fmt)
            for name in TABLES
            for fmt in EXPORT_FORMATS
        },
    )


@router.get(f"{PATH}/export")
def allocation_export(
    page: PageDep,
    table: Annotated[str, Query(max_length=40)] = "assignments",
    format: Annotated[str, Query(max_length=10)] = "csv",
) -> Response:
    """One table of the page as CSV (in the page's language) or Excel."""
    if table not in TABLES or format not in EXPORT_FORMATS:
        return Response(
            f"unknown table {table!r} or format {format!r}; tables: {', '.join(TABLES)}; "
            "formats: csv, xlsx",
            status_code=404,
            media_type="text/plain",
        )
    found = _found(page)
    if found.problem is not None:
        return Response(found.problem, status_code=409, media_type="text/plain")
    return export_response(found.tables[table], format, page.t)


def allocation_warmer(state: AppState) -> Callable[[], None]:
    """A warmer computing the company's plan ahead into the result cache, where every visitor
    of the page (whatever their role) finds it."""

    def warm() -> None:
        if state.warm_cancelled():
            return
        with state.stores.borrow() as store:
            plan = state.cache.call(plan_or_reason, store, None)
        logger.info(
            "computed the allocation plan ahead (%s)", "none" if isinstance(plan, str) else "ok"
        )

    return warm


def install_allocation(app: FastAPI) -> None:
    """Have the server compute the Resources page ahead at start and after imports (late: an
    import is answered without waiting for it)."""
    state = app.state.revintel
    state.add_warmer(allocation_warmer(state), late=True)
