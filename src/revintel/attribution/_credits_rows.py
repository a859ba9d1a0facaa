"""One model's per-touch credits summed into credit rows: per conversion month, channel,
campaign and segment, with what no touch earned as the :data:`BASELINE` channel.

Pure numpy on integer codes: the keys of a transition's journeys are coded once
(:func:`journey_keys`) and every model's credits are summed with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from revintel.attribution._journeys import StoreJourneys
from revintel.attribution._result import BASELINE, Attribution

#: Columns of :func:`credit_rows`: the keys, then the amounts.
ROW_KEYS = ("period", "channel", "campaign_id", "segment")
AMOUNTS = ("conversions", "revenue", "margin")
#: Residuals of floating-point sums below this are no credit.
TINY = 1e-9


@dataclass(frozen=True)
class JourneyKeys:
    """Integer codes of the row keys of one transition's journeys and touches.

    ``period`` and ``segment`` hold one code per journey, ``campaign`` one per touch; the
    ``*_names`` arrays map codes back to values (``None`` for missing). Channels are coded by
    ``Paths.codes``; the baseline is the code one past the last channel, with the campaign
    code of ``None``.
    """

    period: np.ndarray
    segment: np.ndarray
    campaign: np.ndarray
    period_names: np.ndarray
    segment_names: np.ndarray
    campaign_names: np.ndarray
    channel_names: np.ndarray
    no_campaign: int


def _coded(values: pd.Series, extra_none: bool = False) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    names = [None if pd.isna(u) else u for u in uniques]
    return codes.astype(np.int64), np.array([*names, None] if extra_none else names, dtype=object)


def journey_keys(journeys: StoreJourneys) -> JourneyKeys:
    """The integer codes of ``journeys``' conversion months, segments and touch campaigns."""
    info = journeys.journeys
    converted_at = pd.to_datetime(info.column("converted_at").to_pandas())
    months = converted_at.dt.to_period("M").dt.start_time.dt.date
    period, period_names = _coded(months.astype(object))
    segment, segment_names = _coded(info.column("segment").to_pandas().astype(object))
    campaigns = journeys.touches.column("campaign_id").to_pandas().astype(object)
    campaign, campaign_names = _coded(campaigns, extra_none=True)
    channel_names = np.array([*journeys.paths.channels, BASELINE], dtype=object)
    return JourneyKeys(
        period=period,
        segment=segment,
        campaign=campaign,
        period_names=period_names,
        segment_names=segment_names,
        campaign_names=campaign_names,
        channel_names=channel_names,
        no_campaign=len(campaign_names) - 1,
    )


def credit_rows(
    journeys: StoreJourneys, result: Attribution, keys: JourneyKeys | None = None
) -> pd.DataFrame:
    """Credits of ``result`` on ``journeys`` summed by conversion month, channel, campaign and
    segment: the columns :data:`ROW_KEYS` and :data:`AMOUNTS`, one row per group.

    What the touches of a converted journey did not earn (the model's baseline, or all of it
    when it has no touches) goes to :data:`BASELINE` with no campaign. Groups that earned
    nothing are left out; a margin is missing where no journey of the group knew it.

    Raises
    ------
    ValueError
        The model gives no per-touch credits.
    """
    paths = journeys.paths
    if result.touch_conversions is None or result.touch_revenue is None:
        raise ValueError(f"model {result.model!r} gives no credit per touch")
    keys = keys or journey_keys(journeys)
    of_touch = paths.journey_of_touch
    touch = [
        np.asarray(result.touch_conversions, dtype=float),
        np.asarray(result.touch_revenue, dtype=float),
        _margin_or_nan(result.touch_margin, paths.margin is not None, len(of_touch)),
    ]
    whole = [
        np.asarray(paths.conversions, dtype=float),
        np.asarray(paths.value, dtype=float),
        _margin_or_nan(paths.margin, True, len(paths)),
    ]
    rest = [
        w - np.bincount(of_touch, weights=np.nan_to_num(t), minlength=len(paths))
        for w, t in zip(whole, touch, strict=True)
    ]
    converted = whole[0] > 0
    in_touch = converted[of_touch]
    touchless = paths.lengths == 0
    if result.journey_baseline is not None:
        # a model with a baseline (shapley) leaves part of each journey to it
        base = rest
    else:
        # a model sharing its channel totals over all touches (markov) balances journeys
        # against each other: the journeys without touches go to the baseline, and so does
        # credit resting on touches of journeys that did not convert (a channel seen only on
        # those), spread over the converted journeys by their amounts
        base = [np.where(touchless, w, 0.0) for w in whole]
        for k, t in enumerate(touch):
            left = float(np.nansum(t[~in_touch]))
            weights = np.where(converted, np.nan_to_num(whole[k]), 0.0)
            if abs(left) > TINY and weights.sum() > 0:
                base[k] = base[k] + left * weights / weights.sum()
    in_base = converted & (touchless | (np.abs(base[0]) > TINY) | (np.abs(base[1]) > TINY))
    n_base = int(in_base.sum())
    codes = {
        "period": np.concatenate([keys.period[of_touch][in_touch], keys.period[in_base]]),
        "channel": np.concatenate(
            [paths.codes[in_touch].astype(np.int64), np.full(n_base, len(paths.channels))]
        ),
        "campaign_id": np.concatenate(
            [keys.campaign[in_touch], np.full(n_base, keys.no_campaign, dtype=np.int64)]
        ),
        "segment": np.concatenate([keys.segment[of_touch][in_touch], keys.segment[in_base]]),
    }
    amounts = [np.concatenate([t[in_touch], r[in_base]]) for t, r in zip(touch, base, strict=True)]
    return _summed(codes, amounts, keys)


def _margin_or_nan(margin: np.ndarray | None, known: bool, n: int) -> np.ndarray:
    if margin is None or not known:
        return np.full(n, np.nan)
    return np.asarray(margin, dtype=float)


def _summed(
    codes: dict[str, np.ndarray], amounts: list[np.ndarray], keys: JourneyKeys
) -> pd.DataFrame:
    sizes = [
        len(keys.period_names),
        len(keys.channel_names),
        len(keys.campaign_names),
        len(keys.segment_names),
    ]
    combined = np.ravel_multi_index(tuple(codes[k] for k in ROW_KEYS), sizes)
    groups, inverse = np.unique(combined, return_inverse=True)
    n = len(groups)
    conversions = np.bincount(inverse, weights=amounts[0], minlength=n)
    revenue = np.bincount(inverse, weights=amounts[1], minlength=n)
    margin_known = np.bincount(inverse, weights=~np.isnan(amounts[2]), minlength=n)
    margin = np.bincount(inverse, weights=np.nan_to_num(amounts[2]), minlength=n)
    period, channel, campaign, segment = np.unravel_index(groups, sizes)
    rows = pd.DataFrame(
        {
            "period": keys.period_names[period],
            "channel": keys.channel_names[channel],
            "campaign_id": keys.campaign_names[campaign],
            "segment": keys.segment_names[segment],
            "conversions": conversions,
            "revenue": revenue,
            "margin": np.where(margin_known > 0, margin, np.nan),
        }
    )
    # A touch that earned nothing (not the first one, for first touch) is no credit.
    earned = (np.abs(conversions) > TINY) | (np.abs(revenue) > TINY)
    return rows[earned].reset_index(drop=True)
