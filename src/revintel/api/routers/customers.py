"""``/api/v1/customers`` and ``/api/v1/crosssell``: customer development of visible accounts."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from revintel.api.routers._common import (
    CONDITIONAL,
    Language,
    PageDep,
    cached_json,
    offset_end,
    offset_page,
)
from revintel.api.routers.analytics_schemas import IsoDate
from revintel.api.routers.shared_schemas import Page
from revintel.auth import User
from revintel.i18n import Translator
from revintel.server import ApiError, AppState, StateDep, StoreDep, UserDep
from revintel.store import Store
from revintel.views import (
    CHURN_MISSING_KEY,
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_HORIZON_DAYS,
    AsOfError,
    RecordNotFoundError,
    TooFewCustomersError,
    check_as_of,
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

router = APIRouter()
AsOf = Annotated[
    IsoDate | None,
    Query(description="use orders up to and including this day (default: the last order)"),
]
HorizonDays = Annotated[int, Query(ge=1, le=730, description="days after as_of to predict")]
DiscountRate = Annotated[
    float, Query(ge=0.0, le=1.0, description="annual discount rate of the customer value")
]
Top = Annotated[int, Query(ge=1, le=50, description="products per account")]
Lang = Annotated[Language, Query(description="language of reasons and notes")]
Sort = Literal["value_at_stake", "clv", "churn_risk"]


class Recommendation(BaseModel):
    """A next-best product for an account and why."""

    account_id: str
    product_id: str
    product_name: str | None = None
    rank: int
    score: float
    reason_kind: str = Field(description="family_affinity, product_affinity or popular")
    reason: str = Field(description="the reason as a sentence in the requested language")


class Customer(BaseModel):
    """One account's predicted buying as of a date."""

    account_id: str
    name: str | None = None
    owner_rep_id: str | None = None
    p_alive: float = Field(description="probability that the account still buys")
    expected_orders: float = Field(description="expected orders in the next horizon_days")
    p_no_order: float = Field(description="probability of no order in the next horizon_days")
    expected_order_value: float | None = None
    clv: float | None = Field(None, description="discounted customer value, next 12 months")
    churn_risk: float | None = None
    value_at_stake: float | None = Field(None, description="clv × churn_risk")
    churn_alert: bool = Field(
        False,
        description="a customer of high value (top 20 % by clv) past the churn warning threshold",
    )
    churn_reasons: list[str] = Field(default_factory=list)
    orders: int
    first_order_at: date | None = None
    last_order_at: date | None = None


class CustomerPage(Page[Customer]):
    """One page of customers, with the as-of date and what is missing."""

    as_of: date | None
    churn_note: str | None = Field(description="how to get churn risks when none are trained")


class CustomerDetail(Customer):
    """An account's row with its next-best products."""

    as_of: date
    products: list[Recommendation]
    churn_note: str | None = None


def _as_of(store: Store, as_of: date | None) -> date | None:
    if as_of is None:
        return last_order_day(store)
    try:
        return check_as_of(as_of)
    except AsOfError as exc:
        raise ApiError(400, str(exc), field="as_of") from None


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return None if value is pd.NaT else value


def _customer(row: dict[str, Any], lang: Language) -> dict[str, Any]:
    fields = {k: _plain(v) for k, v in row.items() if k != "churn_reasons"}
    return fields | {"churn_reasons": churn_reason_texts(row.get("churn_reasons"), lang)}


def _recommendations(frame: pd.DataFrame, lang: Language) -> list[Recommendation]:
    return [
        Recommendation(
            **{k: _plain(v) for k, v in r.items() if k != "reason"},
            reason_kind=r["reason"].kind,
            reason=reason_text(r["reason"], lang),
        )
        for r in frame.to_dict(orient="records")
    ]


def _table(state: AppState, store: Store, user: User, as_of: date, *args: Any) -> pd.DataFrame:
    # The models are fitted once per day on every account and shared by every horizon, rate
    # and user; each scope keeps its own rows.
    try:
        models = state.cache.call(fit_customer_models, store, None, as_of)
    except TooFewCustomersError as exc:
        raise ApiError(400, str(exc), field="as_of") from None
    return scoped(predict_customers(models, *args), store, user)


@router.get("/customers", response_model=CustomerPage, tags=["customers"], **CONDITIONAL)
async def list_customers(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    page: PageDep,
    as_of: AsOf = None,
    horizon_days: HorizonDays = DEFAULT_HORIZON_DAYS,
    discount_rate: DiscountRate = DEFAULT_DISCOUNT_RATE,
    sort: Sort = "value_at_stake",
    lang: Lang = "en",
) -> Response:
    """Accounts with P(active), expected orders, customer value and churn risk, largest
    ``sort`` first; a sales rep sees only the accounts they own."""

    def build() -> CustomerPage:
        day = _as_of(store, as_of)
        table = (
            pd.DataFrame()
            if day is None
            else _table(state, store, user, day, horizon_days, discount_rate)
        )
        binding: dict[str, object] = {"list": "customers", "as_of": day, "sort": sort}
        binding |= {"h": horizon_days, "rate": discount_rate}
        # Only the rows up to this page's end become response models.
        rows = pd.DataFrame() if table.empty else sort_customers(table, sort)
        head = rows.head(offset_end(page, binding)).to_dict(orient="records")
        found = offset_page(
            [Customer(**_customer(r, lang)) for r in head], page, binding, len(rows)
        )
        note = (
            None if table.empty or has_churn_model(table) else Translator(lang)(CHURN_MISSING_KEY)
        )
        return CustomerPage(**found.model_dump(), as_of=day, churn_note=note)

    return await cached_json(request, state, user, build)


@router.get(
    "/customers/{account_id}", response_model=CustomerDetail, tags=["customers"], **CONDITIONAL
)
async def get_customer(
    request: Request,
    account_id: str,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    as_of: AsOf = None,
    horizon_days: HorizonDays = DEFAULT_HORIZON_DAYS,
    discount_rate: DiscountRate = DEFAULT_DISCOUNT_RATE,
    top: Top = 5,
    lang: Lang = "en",
) -> Response:
    """An account's customer row and its next-best products (403 for another rep's account,
    404 without orders by ``as_of``)."""

    def build() -> CustomerDetail:
        # 403 for another rep's account, 404 for no such account
        state.cache.call(get_record, store, user, "accounts", account_id)
        day = _as_of(store, as_of)
        table = (
            pd.DataFrame()
            if day is None
            else _table(state, store, user, day, horizon_days, discount_rate)
        )
        rows = [] if table.empty else table[table["account_id"] == account_id].to_dict("records")
        if day is None or not rows:
            raise RecordNotFoundError(f"account {account_id} has no order up to {day or 'now'}")
        products = state.cache.call(crosssell_table, store, None, day, top)
        mine = products[products["account_id"] == account_id]
        note = None if has_churn_model(table) else Translator(lang)(CHURN_MISSING_KEY)
        return CustomerDetail(
            **_customer(rows[0], lang),
            as_of=day,
            products=_recommendations(mine, lang),
            churn_note=note,
        )

    return await cached_json(request, state, user, build)


@router.get("/crosssell", response_model=Page[Recommendation], tags=["crosssell"], **CONDITIONAL)
async def list_recommendations(
    request: Request,
    store: StoreDep,
    user: UserDep,
    state: StateDep,
    page: PageDep,
    as_of: AsOf = None,
    top: Top = 5,
    account_id: Annotated[str | None, Query(max_length=200)] = None,
    lang: Lang = "en",
) -> Response:
    """The ``top`` next-best products per visible account (or one account), with the reason."""

    def build() -> Page[Recommendation]:
        day = _as_of(store, as_of)
        frame = pd.DataFrame()
        if day is not None:
            frame = scoped(state.cache.call(crosssell_table, store, None, day, top), store, user)
        if account_id and not frame.empty:
            frame = frame[frame["account_id"] == account_id]
        binding: dict[str, object] = {"list": "crosssell", "as_of": day, "top": top}
        binding |= {"account": account_id}
        head = frame.head(offset_end(page, binding))
        items = [] if head.empty else _recommendations(head, lang)
        return offset_page(items, page, binding, len(frame))

    return await cached_json(request, state, user, build)
