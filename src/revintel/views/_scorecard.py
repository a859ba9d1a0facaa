"""The joint scorecard of marketing and sales as every surface shows it, on the rows a user may
see: a sales rep gets the KPIs, targets, service levels and alerts of their own leads and deals,
a team lead the team's. The stored attribution credits add up every journey, so only users
seeing every row get the contribution section.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from revintel.alignment._scorecard import (
    AlertLine,
    ContributionLine,
    KpiLine,
    Scorecard,
    SlaLine,
    TargetLine,
    Velocity,
    build_scorecard,
)
from revintel.alignment._scorecard_config import ScorecardConfigError
from revintel.alignment._scorecard_month import ScorecardMonthError, parse_month
from revintel.auth import Permission, User, scoped_store
from revintel.metrics import MetricSources
from revintel.store import Store

__all__ = [
    "AlertLine",
    "ContributionLine",
    "KpiLine",
    "Scorecard",
    "ScorecardConfigError",
    "ScorecardMonthError",
    "SlaLine",
    "TargetLine",
    "Velocity",
    "scorecard_as_of",
    "scorecard_month",
    "scorecard_view",
]


def scorecard_as_of(store: Store, user: User) -> date:
    """The as-of date of the rows ``user`` sees (the day of their latest milestone event)."""
    return MetricSources.from_store(scoped_store(store, user)).as_of


def scorecard_month(store: Store, user: User, month: str | None = None) -> str:
    """The month ``month`` names for ``user`` as ``YYYY-MM``: the last complete month when
    empty, so that the default and the month named alike are one scorecard.

    Raises
    ------
    ScorecardMonthError
        ``month`` is not ``YYYY-MM`` or lies after the data's as-of date.
    """
    return f"{parse_month(month, scorecard_as_of(store, user)):%Y-%m}"


def scorecard_view(
    store: Store, user: User, month: str | None = None, config: str | Path | None = None
) -> Scorecard:
    """The scorecard of ``month`` (``YYYY-MM``; default: the last complete month) on the rows
    ``user`` sees.

    Raises
    ------
    ScorecardMonthError
        ``month`` is not ``YYYY-MM`` or lies after the data's as-of date.
    ScorecardConfigError
        The scorecard file ``config`` is invalid.
    """
    source = scoped_store(store, user)
    as_of = MetricSources.from_store(source).as_of
    chosen = parse_month(month, as_of)
    return build_scorecard(
        source,
        chosen,
        config_path=config,
        with_contributions=user.can(Permission.view_all_rows),
        as_of=as_of,
    )
