"""Bodies and query parameter types of the feedback endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: A breakdown of the rejections as the caller sends it.
ReasonsBy = Literal["channel", "campaign", "segment", "industry", "size", "score_band"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReasonCount(_Strict):
    """Rejections of one group with one reason."""

    reason: str = Field(description="the reason as recorded (`—`: none recorded)")
    rejected: int
    share: float = Field(description="share of the group's rejections")


class ReasonGroup(_Strict):
    """Rejections of the MQLs of one group."""

    group: str = Field(description="the group's value (`—`: leads without one)")
    label: str = Field(description="a campaign's name; for other breakdowns the group")
    mqls: int = Field(description="leads that reached MQL")
    accepted: int = Field(description="accepted by sales (reached SAL)")
    rejected: int = Field(description="disqualified without reaching SAL")
    open: int = Field(description="not decided yet")
    rate: float | None = Field(description="rejected / (accepted + rejected)")
    rate_low: float | None = Field(description="lower bound of the 95 % Wilson interval")
    rate_high: float | None = Field(description="upper bound of the 95 % Wilson interval")
    p_value: float | None = Field(description="two-proportion test against all other groups")
    p_adjusted: float | None = Field(description="p-value after the Holm correction")
    significant: bool = Field(description="`p_adjusted` below 0.05")
    direction: Literal["higher", "lower"] | None = Field(
        description="where significant: the group's rate against the overall rate"
    )
    reasons: list[ReasonCount] = Field(description="most frequent first")


class ReasonsOut(_Strict):
    """Rejected MQLs of the leads the caller sees, by one breakdown."""

    by: ReasonsBy
    mqls: int
    decided: int
    rejected: int
    rate: float | None = Field(description="rejection rate of all decided MQLs")
    groups: list[ReasonGroup] = Field(description="largest groups first")


class ThresholdPoint(_Strict):
    """What keeping only MQLs scored at or above a threshold would have meant in one period."""

    period: Literal["chosen", "reported"] = Field(
        description="`chosen`: the earlier MQLs the threshold is chosen on; `reported`: the "
        "later MQLs it is tested on"
    )
    threshold: float = Field(description="lead score (probability) at the MQL time")
    mqls_kept: int
    share_kept: float | None
    decided_kept: int
    accepted_kept: int
    acceptance: float | None = Field(description="MQL→SAL acceptance of the decided MQLs kept")
    wins_kept: int
    wins_lost: int = Field(description="later wins of the MQLs excluded")
    share_wins_lost: float | None
    won_amount_lost: float = Field(description="store currency")
    share_amount_lost: float | None


class ChannelRule(_Strict):
    """The rule "no MQLs from this channel", on all MQLs the caller sees."""

    channel: str
    mqls: int
    acceptance: float | None = Field(description="acceptance of the channel's own MQLs")
    acceptance_without: float | None = Field(description="acceptance of the other MQLs")
    share_kept: float
    wins_lost: int
    won_amount_lost: float


class DefinitionOut(_Strict):
    """The proposed MQL definition: a lead-score threshold, and its trade-off curve."""

    target: float = Field(description="acceptance rate to keep")
    threshold: float | None = Field(
        description="lowest threshold reaching the target on the choosing period; `null`: none"
    )
    chosen_from: str = Field(description="first MQL time of the choosing period (ISO)")
    chosen_to: str
    reported_from: str = Field(description="first MQL time of the test period (ISO)")
    reported_to: str
    reported: ThresholdPoint | None = Field(description="the proposal on the test period")
    open_reported: int = Field(
        description="undecided MQLs of the test period: its wins lost are a lower bound"
    )
    unscored: int = Field(description="MQLs without a score from their MQL time (left out)")
    scores_stored: int = Field(description="scores read from the scores table")
    scores_modelled: int = Field(description="out-of-time scores of the registered lead model")
    model_id: str | None
    currency: str
    curve: list[ThresholdPoint]
    channel_rules: list[ChannelRule]
