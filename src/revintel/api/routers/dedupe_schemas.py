"""Bodies of the duplicate review endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Decision = Literal["accepted", "rejected"]


class CandidatePair(BaseModel):
    """Two accounts that may be the same company, with the decision taken on them if any."""

    pair_id: str
    match_probability: float
    account_id_l: str
    name_l: str | None = None
    source_l: str | None = None
    account_id_r: str
    name_r: str | None = None
    source_r: str | None = None
    decision: Decision | None = None


class DedupeDecisionIn(BaseModel):
    """A person's verdict on a candidate pair."""

    decision: Decision
