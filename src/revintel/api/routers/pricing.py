"""``/api/v1/pricing``: guidance for a deal under negotiation, fitting and the price model."""

from __future__ import annotations

from datetime import date
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, FastAPI

from revintel.api.routers.pricing_schemas import (
    DraftGuidanceIn,
    GuidanceOut,
    OpportunityGuidanceIn,
    PriceFitIn,
    PriceModelOut,
)
from revintel.server import ApiError, ImporterDep, StateDep, StoreDep, UserDep
from revintel.views._pricing_guidance import (
    NoPriceModelError,
    deal_guidance,
    draft_guidance,
    guidance_context,
    price_model_summary,
)

router = APIRouter(prefix="/pricing", tags=["pricing"])

#: The key :meth:`revintel.server.ResultCache.call` keeps ``guidance_context(store)`` under.
_CONTEXT_KEY = (guidance_context.__qualname__, "", repr(()))
_NO_MODEL: dict[int | str, dict[str, Any]] = {409: {"description": "No price model is fitted yet."}}


@router.post(
    "/guidance",
    response_model=GuidanceOut,
    summary="Price guidance for a deal",
    responses={
        400: {"description": "A draft that cannot be priced."},
        403: {"description": "The deal or account belongs to another rep."},
        404: {"description": "No such open deal, account or product."},
        **_NO_MODEL,
    },
)
async def pricing_guidance(
    body: OpportunityGuidanceIn | DraftGuidanceIn, store: StoreDep, user: UserDep, state: StateDep
) -> dict[str, Any]:
    """For an open opportunity or a draft quote: the band's floor, target and stretch, win
    chance and expected margin at the price discussed and at the margin-optimal price, the
    five most comparable won and lost deals and an approval hint (within band / needs manager /
    below floor). Answered from memory: built for a CRM calling during a negotiation."""
    from revintel.pricing._drafts import DraftError

    # The common case (the context is kept, the deal's answer computed ahead) is a lookup
    # answered on the event loop; reading the context or pricing a new draft runs in a thread.
    context = state.cache.peek(_CONTEXT_KEY)
    if context is None:
        context = await to_thread.run_sync(state.cache.call, guidance_context, store, None)
    try:
        if isinstance(body, OpportunityGuidanceIn):
            return deal_guidance(store, user, body.opportunity_id, context)
        if body.discount is not None and body.amount is not None:
            raise ApiError(400, "give discount or amount, not both", field="amount")
        products = [(line.product_id, line.quantity) for line in body.products]
        draft = (body.account_id, products, body.discount, body.amount, body.rep_id)
        return await to_thread.run_sync(lambda: draft_guidance(store, user, *draft, context))
    except NoPriceModelError as exc:
        raise ApiError(409, str(exc)) from None
    except DraftError as exc:
        raise ApiError(400, str(exc)) from None


@router.post(
    "/fit",
    response_model=PriceModelOut,
    summary="Fit the price model",
    responses={400: {"description": "Too few deals, or a bad as-of day."}},
)
def fit(body: PriceFitIn, store: StoreDep, user: ImporterDep, state: StateDep) -> PriceModelOut:
    """Find the price bands, fit the price response out of time and store both with the
    comparable deals as the model guidance answers from (this takes a while on a large store)."""
    from revintel.pricing._price_model import PriceModelError, fit_price_model, store_price_model

    try:
        as_of = None if body.as_of is None else date.fromisoformat(body.as_of)
    except ValueError as exc:
        raise ApiError(400, f"as_of: {exc}", field="as_of") from None
    try:
        model = fit_price_model(store, as_of, min_won=body.min_won, seed=body.seed)
    except (PriceModelError, ValueError) as exc:
        raise ApiError(400, str(exc)) from None
    store_price_model(store, model)
    state.data_changed()
    summary = price_model_summary(store)
    if summary is None:  # pragma: no cover - just stored
        raise ApiError(500, "the price model was stored but cannot be read back")
    return PriceModelOut(**summary)


@router.get(
    "/model", response_model=PriceModelOut, summary="The price model in use", responses=_NO_MODEL
)
def price_model(store: StoreDep, user: UserDep, state: StateDep) -> PriceModelOut:
    """Fit id, as-of day, the price response's algorithm and out-of-time evaluation, and the
    price bands of the latest fit."""
    summary = state.cache.call(price_model_summary, store, None)
    if summary is None:
        raise ApiError(409, "no price model is fitted yet; use POST /api/v1/pricing/fit")
    return PriceModelOut(**summary)


def install_guidance_warmer(app: FastAPI) -> None:
    """Have the server read what guidance needs (the price model, every open deal's answer)
    ahead, at start and after every data change, so no CRM call waits for it."""
    state = app.state.revintel

    def warm() -> None:
        if state.warm_cancelled():
            return
        with state.stores.borrow() as store:
            state.cache.call(guidance_context, store, None)

    state.add_warmer(warm, late=True)
