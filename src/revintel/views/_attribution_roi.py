"""Return on marketing per channel and per campaign: revenue and margin of won deals credited by
an attribution model, against the marketing cost of the same channel or campaign.

ROI = (credited revenue − marketing cost) / marketing cost, margin ROI the same with the credited
margin (docs/glossary.md), over the whole history. Where ``revintel attribution store`` has
stored the model's credits and the user sees every row, the figures are the ``roi`` and
``margin_roi`` KPIs of the catalogue (credited revenue and margin their numerators, the
``marketing_cost`` their denominator). Otherwise — a sales rep's own journeys, other journey
settings, or no credits stored — the same credits are computed from the journeys at once: a
channel's as :func:`revintel.views._attribution.attribution_table` gives them, a campaign's
from the touches naming it. Either way what no touch earned (a data-driven model's baseline,
journeys without touches) is the ``(baseline)`` channel and counts with the touches that name no
campaign.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from revintel.attribution._journeys import StoreJourneys
from revintel.attribution._result import BASELINE, Attribution
from revintel.auth import User
from revintel.metrics import MetricQuery, MetricSources, evaluate_kpi, load_catalogue, parse_filter
from revintel.metrics._attributed import CREDITS_TABLE, credits_missing
from revintel.model import load_funnel
from revintel.store import Store
from revintel.views._analytics import metric_sources
from revintel.views._attribution import _attribute, _journeys
from revintel.views._attribution_requests import AttributionSettings, check_request

#: Columns of both ROI frames after the key columns.
ROI_COLUMNS = (
    "attributed_revenue",
    "attributed_margin",
    "marketing_cost",
    "roi",
    "margin_roi",
)
#: Credited amounts up to this size are floating-point residue, no credit.
_RESIDUE = 1e-6
#: Query dimension of the KPIs → key column of the frames.
_KEYS = {"channel": "channel", "campaign": "campaign_id"}


@dataclass(frozen=True)
class RoiView:
    """Credited revenue and margin of won deals against marketing cost.

    Attributes
    ----------
    model
        The attribution model that credited the revenue.
    channels
        ``channel`` and :data:`ROI_COLUMNS`, one row per channel with credits or cost, largest
        credited revenue first, ``(baseline)`` last (it has no cost).
    campaigns
        ``campaign_id``, ``campaign`` (its name), ``channel`` (the campaign's) and
        :data:`ROI_COLUMNS`, one row per campaign with credits or cost; touches and costs naming
        no campaign, and the baseline, in one row with an empty ``campaign_id``, last.
    revenue
        Revenue credited in all (the won deals' revenue).
    stored_at
        When the stored credits read were computed; ``None`` when computed at once.
    """

    model: str
    channels: pd.DataFrame
    campaigns: pd.DataFrame
    revenue: float
    stored_at: datetime | None = None


def _with_roi(frame: pd.DataFrame) -> pd.DataFrame:
    cost = frame["marketing_cost"]
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["roi"] = np.where(cost > 0, (frame["attributed_revenue"] - cost) / cost, np.nan)
        frame["margin_roi"] = np.where(cost > 0, (frame["attributed_margin"] - cost) / cost, np.nan)
    return frame


def _key_values(frame: pd.DataFrame, dimension: str) -> pd.Series:
    return frame[dimension].astype(object).where(frame[dimension].notna(), None)


def _costs(sources: MetricSources) -> dict[str, pd.DataFrame]:
    """The ``marketing_cost`` KPI over every period by channel and by campaign."""
    catalogue = load_catalogue()
    costs = {}
    for dimension, key in _KEYS.items():
        query = MetricQuery(grain="all", by=(dimension,))
        frame = evaluate_kpi(sources, catalogue.get("marketing_cost"), query, catalogue.settings)
        costs[key] = pd.DataFrame(
            {key: _key_values(frame, dimension), "marketing_cost": frame["value"].astype(float)}
        )
    return costs


def _joined(credits: pd.DataFrame, costs: pd.DataFrame, key: str) -> pd.DataFrame:
    # Keys as objects on both sides: an empty side would otherwise be typed float.
    frame = credits.astype({key: object}).merge(costs.astype({key: object}), on=key, how="outer")
    frame[["attributed_revenue", "marketing_cost"]] = frame[
        ["attributed_revenue", "marketing_cost"]
    ].fillna(0.0)
    return _with_roi(frame)


def _computed_credits(found: StoreJourneys, result: Attribution | None) -> dict[str, pd.DataFrame]:
    """Credited revenue and margin per channel and campaign, what no touch earned as the
    baseline (as the stored credits keep it)."""
    columns = ["attributed_revenue", "attributed_margin"]
    empty = {k: pd.DataFrame(columns=[k, *columns]) for k in _KEYS.values()}
    if result is None or result.touch_revenue is None:
        return empty
    margin = result.touch_margin if result.touch_margin is not None else np.nan
    touches = pd.DataFrame(
        {
            "channel": pd.Series(np.asarray(found.paths.channels, dtype=object)[found.paths.codes]),
            "campaign_id": pd.Series(found.touches["campaign_id"].to_pylist(), dtype=object),
            "attributed_revenue": result.touch_revenue,
            "attributed_margin": margin,
        }
    )
    journey_margin = found.paths.margin
    baseline = {
        "attributed_revenue": float(np.sum(found.paths.value) - touches.attributed_revenue.sum()),
        "attributed_margin": (
            np.nan
            if journey_margin is None or result.touch_margin is None
            else float(np.nansum(journey_margin) - touches.attributed_margin.sum())
        ),
    }
    credited = {}
    for key in _KEYS.values():
        sums = touches.groupby(key, dropna=False, as_index=False)[columns].sum(min_count=1)
        if abs(baseline["attributed_revenue"]) > _RESIDUE:
            row = {key: BASELINE if key == "channel" else None, **baseline}
            sums = pd.concat([sums, pd.DataFrame([row])], ignore_index=True)
            sums = sums.groupby(key, dropna=False, as_index=False)[columns].sum(min_count=1)
        credited[key] = sums
    return credited


def _stored_frames(sources: MetricSources, model: str) -> dict[str, pd.DataFrame]:
    """The ``roi`` and ``margin_roi`` KPIs of ``model`` over every period by channel and by
    campaign."""
    catalogue = load_catalogue()
    where = (parse_filter(f"model={model}"),)
    frames = {}
    for dimension, key in _KEYS.items():
        query = MetricQuery(grain="all", by=(dimension,), where=where)
        roi = evaluate_kpi(sources, catalogue.get("roi"), query, catalogue.settings)
        margin = evaluate_kpi(sources, catalogue.get("margin_roi"), query, catalogue.settings)
        revenue = pd.DataFrame(
            {
                key: _key_values(roi, dimension),
                "attributed_revenue": roi["numerator"].astype(float),
                "marketing_cost": roi["denominator"].astype(float),
                "roi": roi["value"].astype(float),
            }
        )
        margins = pd.DataFrame(
            {
                key: _key_values(margin, dimension),
                "attributed_margin": margin["numerator"].astype(float),
                "margin_roi": margin["value"].astype(float),
            }
        )
        frames[key] = revenue.merge(margins, on=key, how="outer")
    frames["channel"] = _without_residual_baseline(frames["channel"])
    return frames


def _without_residual_baseline(channels: pd.DataFrame) -> pd.DataFrame:
    """``channels`` without a ``(baseline)`` row that holds only floating-point residue (as the
    credits computed at once leave it out)."""
    amounts = channels[["attributed_revenue", "attributed_margin"]].abs().fillna(0.0)
    residue = (channels["channel"] == BASELINE) & (amounts.max(axis=1) <= _RESIDUE)
    return channels[~residue].reset_index(drop=True)


def _stored_at(store: Store, model: str, milestone: str, level: str) -> datetime | None:
    c = store.table(CREDITS_TABLE)
    rows = c.filter((c.model == model) & (c.milestone == milestone) & (c.level == level))
    value = rows.computed_at.max().execute()
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _uses_stored(sources: MetricSources, model: str, settings: AttributionSettings) -> bool:
    """Whether the stored credits answer: they are of the KPIs' journeys (their level, every
    touch, no lookback, as of the end) and stored for ``model``."""
    spec = load_catalogue().get("roi")
    level = getattr(spec.params, "level", None)
    if settings != AttributionSettings(level=str(level)):
        return False
    probe = MetricQuery(grain="all", by=("channel",), where=(parse_filter(f"model={model}"),))
    return not credits_missing(sources, spec, probe)


def _finished(model: str, frames: dict[str, pd.DataFrame], store: Store) -> RoiView:
    channels = frames["channel"]
    channels["_baseline"] = channels["channel"] == BASELINE
    channels = channels.sort_values(["_baseline", "attributed_revenue", "channel"],
                                    ascending=[True, False, True])  # fmt: skip
    names = store.table("campaigns").select("campaign_id", "name", "channel").to_pandas()
    campaigns = frames["campaign_id"].merge(
        names.rename(columns={"name": "campaign"}).astype({"campaign_id": object}),
        on="campaign_id",
        how="left",
    )
    campaigns["_none"] = campaigns["campaign_id"].isna()
    campaigns = campaigns.sort_values(["_none", "attributed_revenue", "campaign_id"],
                                      ascending=[True, False, True])  # fmt: skip
    return RoiView(
        model=model,
        channels=channels[["channel", *ROI_COLUMNS]].reset_index(drop=True),
        campaigns=campaigns[["campaign_id", "campaign", "channel", *ROI_COLUMNS]].reset_index(
            drop=True
        ),
        revenue=float(channels["attributed_revenue"].sum()),
    )


def attribution_roi(store: Store, user: User, model: str, settings: AttributionSettings) -> RoiView:
    """Credited won revenue and margin against marketing cost per channel and campaign.

    Parameters
    ----------
    store, user
        The store and whose rows count (a sales rep's own journeys and costs).
    model
        The attribution model crediting the revenue (one of ``MODELS``).
    settings
        Level, lookback and the other settings of the journeys (see
        :class:`AttributionSettings`).

    Raises
    ------
    AttributionRequestError
        For an unknown model or settings the journeys do not suit.
    """
    funnel = load_funnel()
    won = funnel.won.id
    check_request(model, won, settings, funnel)
    sources = metric_sources(store, user)
    if _uses_stored(sources, model, settings):
        view = _finished(model, _stored_frames(sources, model), store)
        stored_at = _stored_at(store, model, won, settings.level)
        return RoiView(view.model, view.channels, view.campaigns, view.revenue, stored_at)
    found = _journeys(store, user, won, settings, funnel)
    result = _attribute(found.paths, model, settings) if len(found.paths) else None
    credits = _computed_credits(found, result)
    costs = _costs(sources)
    frames = {k: _joined(credits[k], costs[k], k) for k in _KEYS.values()}
    return _finished(model, frames, store)
