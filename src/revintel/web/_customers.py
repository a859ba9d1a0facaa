"""The Customers page: accounts at risk and their value, expected orders, next-best products,
the model check, and one account's customer row at ``/customers/{account_id}``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BeforeValidator, Field

from revintel.charts import Chart
from revintel.server import AppState, asgi_get, signed_in
from revintel.views import (
    CUSTOMER_SORTS,
    DEFAULT_DISCOUNT_RATE,
    MIN_CUSTOMERS,
    TooFewCustomersError,
    calibration_table,
    campaign_rows,
    churn_reason_texts,
    crosssell_table,
    fit_customer_models,
    get_record,
    has_churn_model,
    last_order_day,
    predict_customers,
    reason_text,
    scoped,
    sort_customers,
)
from revintel.web._context import CachedPageRoute, PageContext, PageDep

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
#: Prediction horizons offered, in days; the first page uses the second.
HORIZONS = (30, 90, 180, 365)
#: Rows shown at most.
SHOWN = (10, 25, 50, 100)
#: Next-best products per account.
PRODUCTS = 3
#: Churn alerts listed above the table (high-value accounts past the warning threshold).
ALERTS_SHOWN = 10
Horizon = Annotated[
    Annotated[int, Field(ge=1, le=730)] | None, BeforeValidator(lambda v: v or None), Query()
]
SortBy = Annotated[
    Annotated[str, Field(max_length=20)] | None, BeforeValidator(lambda v: v or None), Query()
]
Show = Annotated[
    Annotated[int, Field(ge=1, le=1000)] | None, BeforeValidator(lambda v: v or None), Query()
]


def _settings(days: int | None, sort: str | None, show: int | None) -> dict[str, Any]:
    return {
        "days": days if days in HORIZONS else HORIZONS[1],
        "sort": sort if sort in CUSTOMER_SORTS else CUSTOMER_SORTS[0],
        "show": show if show in SHOWN else SHOWN[0],
    }


def _rows(page: PageContext, as_of: date, days: int) -> pd.DataFrame:
    # Fitted once per day on every account and shared by every horizon and user; each user
    # sees their own rows.
    models = page.query_unscoped(fit_customer_models, as_of)
    return scoped(predict_customers(models, days, DEFAULT_DISCOUNT_RATE), page.store, page.user)


def _products(
    page: PageContext, as_of: date, accounts: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Next-best products of ``accounts``: name and reason in the page's language."""
    found = page.query_unscoped(crosssell_table, as_of, PRODUCTS)
    found = found[found["account_id"].isin(accounts)]
    products: dict[str, list[dict[str, Any]]] = {}
    for r in found.to_dict(orient="records"):
        products.setdefault(r["account_id"], []).append(
            {
                "name": r["product_name"] or r["product_id"],
                "score": r["score"],
                "reason": reason_text(r["reason"], page.t.lang),
            }
        )
    return products


def _records(page: PageContext, table: pd.DataFrame) -> list[dict[str, Any]]:
    records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
    for r in records:
        r["reasons"] = churn_reason_texts(r["churn_reasons"], page.t.lang)
    return records


def _calibration(page: PageContext, as_of: date, days: int) -> Chart | None:
    table = page.query_unscoped(calibration_table, as_of, days)
    if table.empty:
        return None
    t = page.t
    actual, expected = t("customers.calibration.actual"), t("customers.calibration.expected")
    return Chart(
        "customers-calibration",
        t("customers.calibration").format(days=days),
        (
            t("customers.calibration.frequency"),
            t("customers.calibration.mean"),
            t("customers.calibration.actual"),
        ),
        [(r["frequency"], r["actual_mean"], actual) for r in table.to_dict("records")]
        + [(r["frequency"], r["expected_mean"], expected) for r in table.to_dict("records")],
    )


@router.get("/customers", response_class=HTMLResponse)
def customers_page(
    page: PageDep, days: Horizon = None, sort: SortBy = None, show: Show = None
) -> Response:
    """Accounts at risk with reasons and value at stake, expected orders, customer value and
    next-best products; a sales rep sees their own accounts."""
    settings = _settings(days, sort, show)
    as_of = page.query_unscoped(last_order_day)
    common: dict[str, Any] = {
        "filters": settings,
        "horizons": HORIZONS,
        "shown": SHOWN,
        "sorts": CUSTOMER_SORTS,
    }
    if as_of is None:
        return page.render("customers.html", as_of=None, rows=[], chart=None, **common)
    try:
        table = _rows(page, as_of, settings["days"])
    except TooFewCustomersError as exc:
        refused = page.t("customers.too_few").format(customers=exc.customers, least=MIN_CUSTOMERS)
        return page.render(
            "customers.html", as_of=None, refused=refused, rows=[], chart=None, **common
        )
    top = sort_customers(table, settings["sort"]).head(settings["show"]) if len(table) else table
    alerts = table[table["churn_alert"].fillna(False).astype(bool)] if len(table) else table
    alerts = alerts.sort_values("clv", ascending=False).head(ALERTS_SHOWN)
    return page.render(
        "customers.html",
        as_of=as_of,
        rate=DEFAULT_DISCOUNT_RATE,
        churn_missing=not has_churn_model(table),
        total=len(table),
        rows=_records(page, top),
        products=_products(page, as_of, list(top["account_id"]) if len(top) else []),
        chart=_calibration(page, as_of, settings["days"]),
        alerts=_records(page, alerts),
        campaigns=page.query(campaign_rows).to_dict(orient="records"),
        **common,
    )


@router.get("/customers/{account_id}", response_class=HTMLResponse)
def customer_detail(page: PageDep, account_id: str, days: Horizon = None) -> Response:
    """One account's customer row: P(active), expected orders, customer value, churn risk with
    reasons and next-best products (403 for another rep's account)."""
    account = page.query(get_record, "accounts", account_id)
    settings = _settings(days, None, None)
    as_of = page.query_unscoped(last_order_day)
    try:
        table = _rows(page, as_of, settings["days"]) if as_of is not None else pd.DataFrame()
    except TooFewCustomersError:
        table = pd.DataFrame()
    mine = table[table["account_id"] == account_id] if len(table) else table
    return page.render(
        "customer.html",
        account=account,
        as_of=as_of,
        rate=DEFAULT_DISCOUNT_RATE,
        filters=settings,
        row=_records(page, mine)[0] if len(mine) else None,
        churn_missing=as_of is not None and not has_churn_model(table),
        products=_products(page, as_of, [account_id]).get(account_id, []) if as_of else [],
    )


def customers_warmer(app: FastAPI, state: AppState) -> Callable[[], None]:
    """A warmer computing the Customers page ahead (models, products, model check)."""

    def warm() -> None:
        with signed_in(state) as cookie:
            if cookie is None or state.warm_cancelled():
                return
            status = asyncio.run(asgi_get(app, "/customers", cookie))
            logger.info("computed /customers ahead (%d)", status)

    return warm


def install_customers(app: FastAPI) -> None:
    """Have the server compute the Customers page ahead at start and after imports."""
    app.state.revintel.add_warmer(customers_warmer(app, app.state.revintel))
