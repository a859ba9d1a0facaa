"""The buying-journey analyses as the command line and the API ask for them: every parameter
checked first (an error names the field), the rows a user may see, and an empty frame with the
analysis' columns when the store holds nothing to measure.

Each function wraps one analysis of :mod:`revintel.attribution` (docs/buying-journey.md). With
a ``user`` it reads the store through :func:`revintel.auth.scoped_store`, so a sales rep's
figures cover their own leads and touchpoints; without one (the command line) every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from revintel.attribution._before_sales import (
    BEFORE_SALES_DIMENSIONS,
    DEFAULT_SALES_KINDS,
    share_before_sales_contact,
)
from revintel.attribution._content import content_by_phase
from revintel.attribution._digital import MEASURES, before_after, channel_mix, touch_shares
from revintel.attribution._lead_journeys import ACCOUNT_DIMENSIONS, TOUCH_DIMENSIONS
from revintel.attribution._sequences import top_sequences
from revintel.auth import User, scoped_store
from revintel.model import load_funnel
from revintel.store import Store
from revintel.views._buying_journey import (
    BEFORE_SALES_COLUMNS,
    CONTENT_COLUMNS,
    SEQUENCE_COLUMNS,
    SHARE_COLUMNS,
)

__all__ = [
    "GRAINS",
    "MEASURES",
    "MIX_DIMENSIONS",
    "SHARE_DIMENSIONS",
    "JourneyRequestError",
    "before_sales_frame",
    "content_frame",
    "event_frame",
    "mix_frame",
    "sequences_frame",
    "shares_frame",
]

#: Periods the channel mix and the shares are counted by (``all``: one row).
GRAINS = ("week", "month", "quarter", "year", "all")
#: Breakdowns of the channel mix (the channel is always a column).
MIX_DIMENSIONS = ("kind", "campaign", *ACCOUNT_DIMENSIONS)
#: Breakdowns of the digital, self-service and mobile shares.
SHARE_DIMENSIONS = (*TOUCH_DIMENSIONS, *ACCOUNT_DIMENSIONS)
#: The most channels a sequence may have and the most sequences a request may list.
MAX_LENGTH, MAX_TOP = 10, 100
EVENT_COLUMNS = (
    "window",
    "start",
    "end",
    "touchpoints",
    "flagged",
    "share",
    "share_low",
    "share_high",
    "difference",
    "difference_low",
    "difference_high",
)


class JourneyRequestError(ValueError):
    """A request the analyses cannot answer; ``field`` names the parameter at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _source(store: Store, user: User | None) -> Store:
    return store if user is None else scoped_store(store, user)


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _has_touchpoints(store: Store) -> bool:
    return int(store.table("touchpoints").count().execute()) > 0


def _check_choice(value: str, allowed: Sequence[str], field: str, what: str) -> None:
    if value not in allowed:
        raise JourneyRequestError(f"unknown {what} {value!r}; use {', '.join(allowed)}", field)


def _check_dimensions(by: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    unknown = [d for d in by if d not in allowed]
    if unknown:
        raise JourneyRequestError(
            f"unknown breakdown {', '.join(unknown)}; use {', '.join(allowed)}", "by"
        )
    if len(set(by)) < len(by):
        raise JourneyRequestError("a breakdown is named twice", "by")
    return tuple(by)


def mix_frame(
    store: Store, user: User | None, grain: str = "quarter", by: Sequence[str] = ()
) -> pd.DataFrame:
    """Touchpoints per period, breakdown and channel with each channel's share
    (:func:`revintel.attribution._digital.channel_mix`)."""
    _check_choice(grain, GRAINS, "grain", "grain")
    dims = _check_dimensions(by, MIX_DIMENSIONS)
    source = _source(store, user)
    if not _has_touchpoints(source):
        keys = ["period"] if grain != "all" else []
        return _empty([*keys, *dims, "channel", "touchpoints", "share"])
    return channel_mix(source, grain=grain, by=dims)


def shares_frame(
    store: Store, user: User | None, grain: str = "quarter", by: Sequence[str] = ()
) -> pd.DataFrame:
    """Digital, self-service and mobile share of the touchpoints per period and breakdown
    (:func:`revintel.attribution._digital.touch_shares`)."""
    _check_choice(grain, GRAINS, "grain", "grain")
    dims = _check_dimensions(by, SHARE_DIMENSIONS)
    source = _source(store, user)
    if not _has_touchpoints(source):
        counts = SHARE_COLUMNS[1:]
        return _empty([*(["period"] if grain != "all" else []), *dims, *counts])
    return touch_shares(source, grain=grain, by=dims)


def event_frame(
    store: Store,
    user: User | None,
    start: date,
    end: date | None = None,
    measure: str = "digital",
) -> pd.DataFrame:
    """One share before an event from ``start`` to the day before ``end`` against the share
    during and after it (:func:`revintel.attribution._digital.before_after`)."""
    _check_choice(measure, MEASURES, "measure", "measure")
    if end is not None and end <= start:
        raise JourneyRequestError(
            f"end {end.isoformat()} must lie after start {start.isoformat()}", "end"
        )
    source = _source(store, user)
    if not _has_touchpoints(source):
        return _empty(EVENT_COLUMNS)
    return before_after(source, start, end, measure=measure)


def before_sales_frame(
    store: Store,
    user: User | None,
    by: Sequence[str] = ("segment", "year"),
    sales_kinds: Sequence[str] = DEFAULT_SALES_KINDS,
    as_of: date | None = None,
) -> pd.DataFrame:
    """The share of each lead journey completed before its first sales contact per group and,
    last, for all journeys together
    (:func:`revintel.attribution._before_sales.share_before_sales_contact`)."""
    dims = _check_dimensions(by, BEFORE_SALES_DIMENSIONS)
    kinds = tuple(k for k in sales_kinds if k)
    if not kinds:
        raise JourneyRequestError("name at least one touchpoint kind", "sales_kinds")
    source = _source(store, user)
    if not _has_touchpoints(source):
        return _empty([*dims, *BEFORE_SALES_COLUMNS])
    try:
        return share_before_sales_contact(source, by=dims, sales_kinds=kinds, as_of=as_of)
    except ValueError as exc:  # touchpoints, but none of a lead (or none by the as-of day)
        if "holds no touchpoints" not in str(exc):
            raise
        return _empty([*dims, *BEFORE_SALES_COLUMNS])


def content_frame(store: Store, user: User | None, as_of: date | None = None) -> pd.DataFrame:
    """Content consumed per buying phase with the conversion lift of consuming it
    (:func:`revintel.attribution._content.content_by_phase`)."""
    source = _source(store, user)
    if not _has_touchpoints(source):
        return _empty(CONTENT_COLUMNS)
    return content_by_phase(source, as_of=as_of)


def sequences_frame(
    store: Store,
    user: User | None,
    to: str = "won",
    length: int = 3,
    top: int = 10,
    as_of: date | None = None,
) -> pd.DataFrame:
    """The ``top`` channel sequences of up to ``length`` channels among journeys converting to
    ``to`` and among stalled ones (:func:`revintel.attribution._sequences.top_sequences`);
    ``attrs["median_days"]`` holds the time that marks an open journey as stalled."""
    funnel = load_funnel()
    _check_choice(to, (*funnel.path_ids, funnel.won.id), "to", "milestone")
    for value, field, most in ((length, "length", MAX_LENGTH), (top, "top", MAX_TOP)):
        if not 1 <= value <= most:
            raise JourneyRequestError(f"{field} must lie between 1 and {most}, not {value}", field)
    source = _source(store, user)
    try:
        return top_sequences(source, to=to, length=length, top=top, as_of=as_of)
    except ValueError as exc:
        if "holds no touchpoints" not in str(exc):
            raise
        return _empty(SEQUENCE_COLUMNS)
