"""The digital buying journey as the dashboard shows it, on the rows a user may see: the share of
the journey completed before the first sales contact, the digital, self-service and mobile
shares over time with a before/after comparison, content per buying phase and the channel
sequences that convert or stall.

Each function wraps one analysis of :mod:`revintel.attribution` (see docs/buying-journey.md)
and reads the store through :func:`revintel.auth.scoped_store`, so a sales rep's figures cover
their own leads and touchpoints only. A store without the data an analysis needs gives an
empty frame with the analysis' columns instead of an error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from revintel.attribution._before_sales import BEFORE_SALES_DIMENSIONS, share_before_sales_contact
from revintel.attribution._content import content_by_phase
from revintel.attribution._digital import MEASURES, before_after, touch_shares
from revintel.attribution._sequences import top_sequences
from revintel.auth import User, scoped_store
from revintel.store import Store

__all__ = [
    "BEFORE_SALES_COLUMNS",
    "BEFORE_SALES_DIMENSIONS",
    "CONTENT_COLUMNS",
    "SEQUENCE_COLUMNS",
    "SHARE_COLUMNS",
    "SHARE_GRAINS",
    "SHIFT_COLUMNS",
    "TRADE_FAIR_STOP",
    "journey_before_sales",
    "journey_content",
    "journey_sequences",
    "journey_shares",
    "journey_shift",
]

#: The default event of the before/after comparison: German trade fairs stopped from March
#: 2020 until the end of 2021 (first day, first day after).
TRADE_FAIR_STOP = (date(2020, 3, 1), date(2022, 1, 1))
#: Periods the shares over time are shown by.
SHARE_GRAINS = ("month", "quarter", "year")
SHARE_COLUMNS = (
    "period",
    "touchpoints",
    "digital",
    "digital_share",
    "self_service",
    "self_service_known",
    "self_service_share",
    "mobile",
    "mobile_known",
    "mobile_share",
)
SHIFT_COLUMNS = (
    "measure",
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
BEFORE_SALES_COLUMNS = (
    "journeys",
    "with_sales_contact",
    "without_sales_contact",
    "without_sales_contact_share",
    "touch_share_median",
    "touch_share_mean",
    "timed_journeys",
    "time_share_median",
    "time_share_mean",
)
CONTENT_COLUMNS = (
    "phase",
    "content",
    "touches",
    "share",
    "journeys",
    "decided_with",
    "converted_with",
    "rate_with",
    "decided_without",
    "converted_without",
    "rate_without",
    "difference",
    "difference_low",
    "difference_high",
    "lift",
    "lift_low",
    "lift_high",
)
SEQUENCE_COLUMNS = (
    "sequence",
    "channels",
    "converting",
    "stalled",
    "journeys",
    "converting_share",
    "stalled_share",
    "conversion_rate",
    "conversion_rate_low",
    "conversion_rate_high",
    "lift",
)


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _has_touchpoints(store: Store) -> bool:
    return int(store.table("touchpoints").count().execute()) > 0


def _or_empty(read: Callable[[], pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    """``read()``, or an empty frame with ``columns`` when the analysis finds nothing to measure
    (it refuses an empty store with a ValueError saying so)."""
    try:
        return read()
    except ValueError as exc:
        if "holds no touchpoints" not in str(exc):
            raise
        return _empty(columns)


def journey_shares(store: Store, user: User, grain: str = "quarter") -> pd.DataFrame:
    """Digital, self-service and mobile share of the touchpoints per ``grain`` period
    (:func:`revintel.attribution._digital.touch_shares`); ``grain`` is one of
    :data:`SHARE_GRAINS`."""
    if grain not in SHARE_GRAINS:
        raise ValueError(f"unknown grain {grain!r}; use {', '.join(SHARE_GRAINS)}")
    source = scoped_store(store, user)
    if not _has_touchpoints(source):
        return _empty(SHARE_COLUMNS)
    return touch_shares(source, grain=grain)


def journey_shift(store: Store, user: User, start: date, end: date | None) -> pd.DataFrame:
    """Each share of :data:`MEASURES` before an event from ``start`` to the day before ``end``
    against the share during and after it
    (:func:`revintel.attribution._digital.before_after`), one block of rows per ``measure``."""
    source = scoped_store(store, user)
    if not _has_touchpoints(source):
        return _empty(SHIFT_COLUMNS)
    frames = [
        before_after(source, start, end, measure=measure).assign(measure=measure)
        for measure in MEASURES
    ]
    return pd.concat(frames, ignore_index=True)[list(SHIFT_COLUMNS)]


def journey_before_sales(store: Store, user: User, by: tuple[str, ...]) -> pd.DataFrame:
    """The share of each lead journey completed before its first sales contact per group of
    ``by`` and, last, for all journeys together
    (:func:`revintel.attribution._before_sales.share_before_sales_contact`)."""
    source = scoped_store(store, user)
    return _or_empty(
        lambda: share_before_sales_contact(source, by=by), (*by, *BEFORE_SALES_COLUMNS)
    )


def journey_content(store: Store, user: User) -> pd.DataFrame:
    """Content consumed per buying phase with the conversion lift of consuming it
    (:func:`revintel.attribution._content.content_by_phase`)."""
    source = scoped_store(store, user)
    if not _has_touchpoints(source):
        return _empty(CONTENT_COLUMNS)
    return content_by_phase(source)


def journey_sequences(store: Store, user: User, to: str, length: int, top: int) -> pd.DataFrame:
    """The ``top`` channel sequences of ``length`` channels among journeys converting to ``to``
    and among stalled ones (:func:`revintel.attribution._sequences.top_sequences`);
    ``attrs["median_days"]`` holds the time that marks an open journey as stalled."""
    source = scoped_store(store, user)
    return _or_empty(lambda: top_sequences(source, to=to, length=length, top=top), SEQUENCE_COLUMNS)
