"""``/api/v1/dedupe``: accounts that may be the same company, and people's verdicts on them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from revintel._frames import json_records
from revintel.api.routers._common import PageDep, offset_end, offset_page
from revintel.api.routers.dedupe_schemas import CandidatePair, DedupeDecisionIn
from revintel.api.routers.shared_schemas import Page
from revintel.ingest import account_candidates, record_decision
from revintel.server import ImporterDep, StateDep, StoreDep

router = APIRouter(prefix="/dedupe", tags=["imports"])
# A probability of exactly 1 is a match weight of infinity, which the scoring cannot compare.
Threshold = Annotated[
    float, Query(ge=0.05, lt=1.0, description="smallest match probability (below 1)")
]


@router.get("", response_model=Page[CandidatePair], summary="Candidate duplicate accounts")
def list_candidates(
    store: StoreDep,
    user: ImporterDep,
    state: StateDep,
    page: PageDep,
    threshold: Threshold = 0.5,
    show: Annotated[
        Literal["open", "decided", "all"],
        Query(description="pairs nobody has decided on yet, decided pairs, or all"),
    ] = "open",
) -> Page[CandidatePair]:
    """Pairs of accounts that are likely the same company (Splink match probability), most
    likely first; by default only those nobody has decided on yet."""
    pairs = state.cache.call(account_candidates, store, None, threshold)
    if show != "all":
        pairs = pairs[pairs["decision"].notna() == (show == "decided")]
    binding = {"list": "dedupe", "threshold": threshold, "show": show}
    shown = pairs.iloc[: offset_end(page, binding)]
    items = [CandidatePair(**r) for r in json_records(shown)]
    return offset_page(items, page, binding, len(pairs))


@router.post("/{pair_id}", response_model=CandidatePair, summary="Accept or reject a pair")
def decide(
    pair_id: str,
    body: DedupeDecisionIn,
    store: StoreDep,
    user: ImporterDep,
    state: StateDep,
    threshold: Threshold = 0.5,
) -> CandidatePair:
    """Record whether the two accounts of a candidate pair are the same company (replacing an
    earlier verdict); ``threshold`` is the one the pair was listed at."""
    pairs = state.cache.call(account_candidates, store, None, threshold)
    record_decision(store, pairs, pair_id, body.decision, decided_by=user.username)
    state.data_changed()
    [row] = json_records(pairs[pairs["pair_id"] == pair_id])
    return CandidatePair(**{**row, "decision": body.decision})
