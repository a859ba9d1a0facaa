"""How buyers meet the company: channel mix, digital, self-service and mobile shares over time,
and how these shares moved with an event (say, the stop of trade fairs in 2020)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from revintel.attribution._lead_journeys import (
    ACCOUNT_DIMENSIONS,
    TOUCH_DIMENSIONS,
    as_tuple,
    check_dimensions,
    check_grain,
    period_of,
    touches,
    with_account_dimensions,
)
from revintel.attribution._proportions import difference_interval
from revintel.metrics import wilson_interval
from revintel.store import Store

Measure = Literal["digital", "self_service", "mobile"]
MEASURES: tuple[Measure, ...] = ("digital", "self_service", "mobile")


def _count(flag: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.cases((flag, 1), else_=0).cast("int64").sum()


def _prepared(store: Store, by: tuple[str, ...], allowed: Sequence[str]) -> ir.Table:
    check_dimensions(by, allowed)
    return with_account_dimensions(store, touches(store), by)


def channel_mix(
    store: Store, *, grain: str = "quarter", by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Touchpoints per period and channel, with each channel's share of the period.

    Parameters
    ----------
    store
        The store to read.
    grain
        ``week``, ``month``, ``quarter``, ``year`` or ``all`` (one row per channel).
    by
        Further breakdowns: ``kind``, ``campaign``, ``segment``, ``industry``, ``region``,
        ``country``; shares are then within each period and breakdown value.

    Returns
    -------
    pandas.DataFrame
        ``period`` (first day; absent for grain ``all``), the ``by`` columns, ``channel``,
        ``touchpoints`` and ``share`` (of the touchpoints of the period and breakdown), sorted
        by period, breakdown and descending touchpoints.
    """
    dims = as_tuple(by)
    g = check_grain(grain)
    tp = _prepared(store, dims, ("kind", "campaign", *ACCOUNT_DIMENSIONS))
    tp = tp.mutate(**period_of(tp.occurred_at, g))
    keys = [*(["period"] if g != "all" else []), *dims]
    frame = tp.group_by([*keys, "channel"]).aggregate(touchpoints=tp.count()).execute()
    total = frame.groupby(keys, dropna=False)["touchpoints"].transform("sum") if keys else None
    frame["share"] = frame["touchpoints"] / (
        total if total is not None else frame["touchpoints"].sum()
    )
    frame = frame.sort_values(
        [*keys, "touchpoints", "channel"], ascending=[*([True] * len(keys)), False, True]
    )
    return frame.reset_index(drop=True)[[*keys, "channel", "touchpoints", "share"]]


def touch_shares(
    store: Store, *, grain: str = "quarter", by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Digital, self-service and mobile share of the touchpoints per period.

    Each share counts only touchpoints whose flag is recorded: self-service among touchpoints
    with a known ``self_service``, and mobile among *digital* touchpoints with a known device
    (an offline visit has no device, and sources that do not record devices leave it empty).

    Parameters
    ----------
    store
        The store to read.
    grain
        ``week``, ``month``, ``quarter``, ``year`` or ``all``.
    by
        Breakdowns: ``channel``, ``kind``, ``campaign``, ``segment``, ``industry``, ``region``,
        ``country``.

    Returns
    -------
    pandas.DataFrame
        ``period`` (absent for grain ``all``), the ``by`` columns, ``touchpoints``,
        ``digital``, ``digital_share``, ``self_service``, ``self_service_known``,
        ``self_service_share``, ``mobile``, ``mobile_known`` (digital touches with a known
        device) and ``mobile_share``; a share is NaN where nothing is known.
    """
    dims = as_tuple(by)
    g = check_grain(grain)
    tp = _prepared(store, dims, (*TOUCH_DIMENSIONS, *ACCOUNT_DIMENSIONS))
    tp = tp.mutate(**period_of(tp.occurred_at, g))
    keys = [*(["period"] if g != "all" else []), *dims]
    device_known = tp.digital & tp.mobile.notnull()
    expr = (tp.group_by(keys) if keys else tp).aggregate(
        touchpoints=tp.count(),
        digital=_count(tp.digital),
        self_service=_count(tp.self_service),
        self_service_known=_count(tp.self_service.notnull()),
        mobile=_count(device_known & tp.mobile),
        mobile_known=_count(device_known),
    )
    frame = expr.execute()
    counts = ("touchpoints", "digital", "self_service", "self_service_known", "mobile")
    for column in (*counts, "mobile_known"):  # a sum over no rows is empty, not 0
        frame[column] = frame[column].fillna(0).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["digital_share"] = frame["digital"] / frame["touchpoints"]
        frame["self_service_share"] = frame["self_service"] / frame["self_service_known"]
        frame["mobile_share"] = frame["mobile"] / frame["mobile_known"]
    frame = frame.replace([np.inf, -np.inf], np.nan)
    columns = [
        *keys,
        "touchpoints",
        "digital",
        "digital_share",
        "self_service",
        "self_service_known",
        "self_service_share",
        "mobile",
        "mobile_known",
        "mobile_share",
    ]
    return frame.sort_values(keys).reset_index(drop=True)[columns] if keys else frame[columns]


def _flag(tp: ir.Table, measure: str) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """Whether each touch's ``measure`` flag is known, and the flag."""
    if measure == "mobile":
        return tp.digital & tp.mobile.notnull(), tp.mobile
    return tp[measure].notnull(), tp[measure]


def before_after(
    store: Store,
    event_start: date | str,
    event_end: date | str | None = None,
    *,
    measure: str = "digital",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """A touchpoint share before an event against the share during (and after) it.

    Parameters
    ----------
    store
        The store to read.
    event_start
        First day of the event (touches on or after it are *during*).
    event_end
        First day after the event; touches from then on are *after*. Without it, everything
        from ``event_start`` on is *during*.
    measure
        ``digital``, ``self_service`` or ``mobile`` (counted as in :func:`touch_shares`).
    confidence
        Level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per window (``before``, ``during``, and ``after`` with an end) with ``window``,
        ``start`` and ``end`` (first day, first day after; empty when open), ``touchpoints``
        (those the share is taken of), ``flagged``, ``share`` with its Wilson interval
        ``share_low``/``share_high``, and ``difference`` (share − the share before) with its
        Newcombe hybrid score interval ``difference_low``/``difference_high`` (NaN before).

    Raises
    ------
    ValueError
        If ``measure`` is unknown or the event ends before it starts.
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; use {', '.join(MEASURES)}")
    first = pd.Timestamp(event_start)
    last = pd.Timestamp(event_end) if event_end is not None else None
    if last is not None and last <= first:
        raise ValueError(f"event_end {last.date()} must lie after event_start {first.date()}")
    bounds: list[tuple[str, pd.Timestamp | None, pd.Timestamp | None]] = [
        ("before", None, first),
        ("during", first, last),
    ]
    if last is not None:
        bounds.append(("after", last, None))
    tp = touches(store)
    cases = [(tp.occurred_at < ibis.timestamp(first.isoformat()), "before")]
    if last is not None:
        cases.append((tp.occurred_at < ibis.timestamp(last.isoformat()), "during"))
    window = ibis.cases(*cases, else_=bounds[-1][0])
    known, flag = _flag(tp, measure)
    counted = (
        tp.group_by(window=window)
        .aggregate(touchpoints=_count(known), flagged=_count(known & flag))
        .execute()
        .set_index("window")
    )
    rows = [
        {
            "window": name,
            "start": lo,
            "end": hi,
            "touchpoints": int(counted["touchpoints"].get(name, 0)),
            "flagged": int(counted["flagged"].get(name, 0)),
        }
        for name, lo, hi in bounds
    ]
    frame = pd.DataFrame(rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["share"] = frame["flagged"] / frame["touchpoints"]
    low, high = wilson_interval(frame["flagged"], frame["touchpoints"], confidence)
    frame["share_low"], frame["share_high"] = low, high
    base_k, base_n = frame["flagged"].iloc[0], frame["touchpoints"].iloc[0]
    d, d_low, d_high = difference_interval(
        frame["flagged"], frame["touchpoints"], base_k, base_n, confidence
    )
    frame["difference"], frame["difference_low"], frame["difference_high"] = d, d_low, d_high
    frame.loc[0, ["difference", "difference_low", "difference_high"]] = np.nan
    return frame
