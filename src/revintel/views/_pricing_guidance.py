"""Deal guidance as a user may see it, answered from memory while a deal is negotiated.

:func:`guidance_context` reads what guidance needs once — the latest stored price model, the
open deals, accounts, products and reps — so a question about one deal is a dictionary lookup
and a few vector operations. The loaded price model is kept per store and fit id; the server
keeps the whole context until the data changes (its result cache), so a request does not touch
the store. A sales rep gets guidance for their own deals and accounts only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from revintel.auth import AccessDeniedError, Permission, Role, User
from revintel.metrics import MetricSources
from revintel.pricing._deals import deal_frame
from revintel.pricing._drafts import DealNotFoundError, DraftContext, draft_deal
from revintel.pricing._guidance import guidance, guidance_many
from revintel.pricing._price_model import PriceModel, latest_fit_id, load_price_model
from revintel.store import Store, store_currency
from revintel.views._records import RecordNotFoundError

#: Loaded price models kept per (store location, fit id); a few fits are plenty.
_MODELS: OrderedDict[tuple[str, str], PriceModel] = OrderedDict()
_MODELS_KEPT = 4
_MODELS_LOCK = threading.Lock()
#: Distinct draft quotes whose guidance a context keeps.
DRAFTS_KEPT = 1024


class NoPriceModelError(LookupError):
    """No price model is stored yet (``revintel pricing fit`` or ``POST /pricing/fit``)."""


@dataclass
class GuidanceContext:
    """What answering guidance needs, read from the store once.

    Attributes
    ----------
    model
        The latest stored price model.
    deals
        Open deals by opportunity id (deal-frame records).
    drafts
        Accounts, products and reps for pricing draft quotes.
    currency
        The store currency.
    answers
        Guidance of every open deal, computed ahead in one pass.
    teams
        Each rep's team, for the team lead's access.
    """

    model: PriceModel
    deals: dict[str, dict[str, Any]]
    drafts: DraftContext
    currency: str
    answers: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    teams: dict[str, str] = field(default_factory=dict, repr=False)
    _draft_answers: OrderedDict[tuple[Any, ...], dict[str, Any]] = field(
        default_factory=OrderedDict, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def fit_id(self) -> str:
        """The fit the answers come from."""
        return self.model.fit_id

    def deal_answer(self, opportunity_id: str) -> dict[str, Any]:
        """Guidance for an open deal (computed ahead, or now if it was not)."""
        found = self.answers.get(opportunity_id)
        if found is None:
            found = guidance(self.model, self.deals[opportunity_id], self.currency)
            with self._lock:
                self.answers[opportunity_id] = found
        return found

    def draft_answer(self, key: tuple[Any, ...], deal: dict[str, Any]) -> dict[str, Any]:
        """Guidance for a draft, kept for the :data:`DRAFTS_KEPT` latest distinct drafts (a CRM
        asks again for the same draft while the negotiation goes on)."""
        with self._lock:
            found = self._draft_answers.get(key)
            if found is not None:
                self._draft_answers.move_to_end(key)
                return found
        answer = guidance(self.model, deal, self.currency)
        with self._lock:
            self._draft_answers[key] = answer
            while len(self._draft_answers) > DRAFTS_KEPT:
                self._draft_answers.popitem(last=False)
        return answer


def cached_price_model(store: Store, fit_id: str) -> PriceModel | None:
    """The stored model ``fit_id``, loaded once per store location and fit."""
    key = (store.location, fit_id)
    with _MODELS_LOCK:
        found = _MODELS.get(key)
        if found is not None:
            _MODELS.move_to_end(key)
            return found
    model = load_price_model(store, fit_id)
    if model is None:
        return None
    with _MODELS_LOCK:
        _MODELS[key] = model
        while len(_MODELS) > _MODELS_KEPT:
            _MODELS.popitem(last=False)
    return model


def guidance_context(store: Store) -> GuidanceContext | None:
    """Read the latest price model and the open deals (``None`` when no model is stored)."""
    fit_id = latest_fit_id(store)
    model = None if fit_id is None else cached_price_model(store, fit_id)
    if model is None:
        return None
    sources = MetricSources.from_store(store)
    deals = deal_frame(sources)
    records = deals[deals["status"] == "open"].to_dict(orient="records")
    currency = store_currency(store)
    answers = guidance_many(model, records, currency)
    return GuidanceContext(
        model=model,
        deals={str(r["opportunity_id"]): r for r in records},
        drafts=DraftContext.read(sources, deals),
        currency=currency,
        answers={a["opportunity_id"]: a for a in answers},
        teams=_teams(store),
    )


def _teams(store: Store) -> dict[str, str]:
    reps = store.table("reps").select("rep_id", "team").to_pandas().dropna()
    return dict(zip(reps["rep_id"].astype(str), reps["team"].astype(str), strict=True))


def _sees_all(user: User) -> bool:
    return user.can(Permission.view_all_rows)


def _may_see(user: User, owner: object, ready: GuidanceContext) -> bool:
    """Whether ``user`` sees rows owned by rep ``owner``: every row, their own, or (a team
    lead) those of their team (as :func:`revintel.auth.visible`)."""
    if _sees_all(user):
        return True
    if user.rep_id is None or owner is None:
        return False
    if owner == user.rep_id:
        return True
    team = ready.teams.get(user.rep_id)
    return user.role is Role.team_lead and team is not None and ready.teams.get(str(owner)) == team


def _require(context: GuidanceContext | None) -> GuidanceContext:
    if context is None:
        raise NoPriceModelError(
            "no price model is stored yet; fit one with `revintel pricing fit` "
            "(or POST /api/v1/pricing/fit)"
        )
    return context


def deal_guidance(
    store: Store, user: User, opportunity_id: str, context: GuidanceContext | None = None
) -> dict[str, Any]:
    """Guidance for the open deal ``opportunity_id`` as ``user`` may see it.

    Parameters
    ----------
    context
        A context read before (the server keeps one); read now when omitted.

    Raises
    ------
    NoPriceModelError
        No price model is stored.
    RecordNotFoundError
        No open deal with a list price has this id.
    AccessDeniedError
        The deal belongs to another rep.
    """
    ready = _require(context if context is not None else guidance_context(store))
    deal = ready.deals.get(opportunity_id)
    if deal is None:
        raise RecordNotFoundError(f"no open opportunity {opportunity_id!r} with a list price")
    if not _may_see(user, deal.get("rep_id"), ready):
        raise AccessDeniedError(f"opportunities {opportunity_id!r} belongs to another rep")
    return ready.deal_answer(opportunity_id)


def draft_guidance(
    store: Store,
    user: User,
    account_id: str,
    products: Sequence[tuple[str, float]],
    discount: float | None = None,
    amount: float | None = None,
    rep_id: str | None = None,
    context: GuidanceContext | None = None,
) -> dict[str, Any]:
    """Guidance for a draft quote to ``account_id`` as ``user`` may ask for it.

    A sales rep may price drafts for their own accounts, as themselves.

    Raises
    ------
    NoPriceModelError
        No price model is stored.
    RecordNotFoundError
        Unknown account or product.
    AccessDeniedError
        The account belongs to another rep, or a rep quotes as someone else.
    revintel.pricing._drafts.DraftError
        No product, a bad quantity, discount or amount.
    """
    ready = _require(context if context is not None else guidance_context(store))
    accounts = ready.drafts.accounts
    if not _sees_all(user):
        owner = accounts.at[account_id, "owner_rep_id"] if account_id in accounts.index else None
        if account_id in accounts.index and not _may_see(user, owner, ready):
            raise AccessDeniedError(f"accounts {account_id!r} belongs to another rep")
        if rep_id is not None and not _may_see(user, rep_id, ready):
            raise AccessDeniedError("a sales rep quotes as themselves (a team lead: as the team)")
        rep_id = rep_id if rep_id is not None else user.rep_id
    try:
        deal = draft_deal(ready.drafts, account_id, products, discount, amount, rep_id)
    except DealNotFoundError as exc:
        raise RecordNotFoundError(str(exc)) from None
    key = (account_id, tuple(products), discount, amount, rep_id)
    return ready.draft_answer(key, deal)


def price_model_summary(store: Store) -> dict[str, Any] | None:
    """The latest stored price model: fit id, dates, algorithm, evaluation and bands."""
    fit_id = latest_fit_id(store)
    model = None if fit_id is None else cached_price_model(store, fit_id)
    if model is None:
        return None
    bands = model.bands
    rows = [dict(bands.band(b)) for b in bands.segmentation.band_ids]
    return {
        "fit_id": model.fit_id,
        "fitted_at": pd.Timestamp(model.fitted_at).isoformat(),
        "as_of": model.as_of.isoformat(),
        "algorithm": model.algorithm,
        "evaluation": model.evaluation,
        "bands": rows,
    }
