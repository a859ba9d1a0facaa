"""Sales' feedback on marketing's leads for one user: rejections and their reasons per group,
and the proposed MQL definition with its trade-off curve.

Everything is computed on the leads the user sees (a sales rep's own, a team lead's team's,
everyone's for managers and marketing), so a rep's numbers are those of the rep's own MQLs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from revintel.alignment._feedback import FEEDBACK_BY, mql_leads, rejection_groups, rejection_reasons
from revintel.alignment._feedback_scores import MqlScores, mql_scores, with_scores
from revintel.alignment._mql_definition import (
    REPORT_SHARE,
    MqlProposal,
    channel_rules,
    propose_threshold,
)
from revintel.auth import User
from revintel.store import Store, store_currency
from revintel.views._analytics import metric_sources


class FeedbackRequestError(ValueError):
    """A feedback view was asked for with a value it does not know; ``field`` names the
    parameter at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReasonsView:
    """Rejections of the user's MQLs by one breakdown.

    Attributes
    ----------
    by
        The breakdown (one of :data:`~revintel.alignment._feedback.FEEDBACK_BY`).
    groups
        :func:`~revintel.alignment._feedback.rejection_groups`.
    reasons
        :func:`~revintel.alignment._feedback.rejection_reasons`.
    mqls, decided, rejected
        Totals over all groups.
    """

    by: str
    groups: pd.DataFrame
    reasons: pd.DataFrame
    mqls: int
    decided: int
    rejected: int

    @property
    def rate(self) -> float | None:
        """Rejection rate of all decided MQLs."""
        return self.rejected / self.decided if self.decided else None


def feedback_leads(store: Store, user: User) -> pd.DataFrame:
    """:func:`~revintel.alignment._feedback.mql_leads` of the leads ``user`` sees."""
    return mql_leads(metric_sources(store, user))


def feedback_reasons(store: Store, user: User, by: str) -> ReasonsView:
    """Rejections and reasons of the MQLs ``user`` sees, per group of ``by``."""
    if by not in FEEDBACK_BY:
        raise FeedbackRequestError(
            f"unknown breakdown {by!r}; choose one of {', '.join(FEEDBACK_BY)}", "by"
        )
    leads = feedback_leads(store, user)
    if by == "score_band":
        leads = with_scores(leads, mql_scores(store, leads))
    decided = int(leads["decision"].isin(["accepted", "rejected"]).sum())
    return ReasonsView(
        by=by,
        groups=rejection_groups(leads, by),
        reasons=rejection_reasons(leads, by),
        mqls=len(leads),
        decided=decided,
        rejected=int((leads["decision"] == "rejected").sum()),
    )


@dataclass(frozen=True)
class DefinitionView:
    """The proposed MQL definition for the user's MQLs.

    Attributes
    ----------
    proposal
        Threshold, periods and trade-off curve
        (:class:`~revintel.alignment._mql_definition.MqlProposal`).
    scores
        Where the scores at MQL time came from.
    rules
        The channel rules (:func:`~revintel.alignment._mql_definition.channel_rules`).
    currency
        Currency of the won amounts.
    """

    proposal: MqlProposal
    scores: MqlScores
    rules: pd.DataFrame
    currency: str


def mql_definition(
    store: Store, user: User, target: float, report_share: float = REPORT_SHARE
) -> DefinitionView:
    """The MQL threshold proposal (:func:`~revintel.alignment._mql_definition.propose_threshold`)
    on the MQLs ``user`` sees.

    Raises
    ------
    FeedbackRequestError
        ``target`` does not lie between 0 and 1.
    revintel.alignment._mql_definition.NoScoresError
        No MQL has a score from its MQL time.
    """
    if not 0 < target < 1:
        raise FeedbackRequestError(f"target {target} must lie between 0 and 1", "target")
    leads = feedback_leads(store, user)
    scores = mql_scores(store, leads)
    proposal = propose_threshold(with_scores(leads, scores), target, report_share=report_share)
    return DefinitionView(proposal, scores, channel_rules(leads), store_currency(store))
