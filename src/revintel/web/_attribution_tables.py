"""The tables and charts of the Attribution page, built from the views' results in the reader's
language."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from revintel.charts import Chart
from revintel.i18n import Translator, label
from revintel.model import FunnelDefinition
from revintel.views._attribution import BASELINE, MODELS, ModelComparison
from revintel.web._table_export import Column, ColumnKind, PageTable, page_table

_ABBREVIATION = re.compile(r"\(([A-Z]{2,5})\)$")


def milestone_short(funnel: FunnelDefinition, milestone: str, t: Translator) -> str:
    """A milestone's name, or its abbreviation when the name ends in one (``MQL``)."""
    name = funnel.get(milestone).name(t.lang)
    found = _ABBREVIATION.search(name)
    return found.group(1) if found else name


def transition_text(funnel: FunnelDefinition, came_from: str | None, to: str, t: Translator) -> str:
    """``MQL → SAL``; ``Beginn → MQL`` for the first milestone."""
    start = t("attribution.start") if came_from is None else milestone_short(funnel, came_from, t)
    return f"{start} → {milestone_short(funnel, to, t)}"


def channel_name(channel: Any, t: Translator) -> str:
    """A channel in words; the baseline of the data-driven models as such."""
    if channel is None or (isinstance(channel, float) and pd.isna(channel)):
        return t("attribution.page.no_channel")
    return t("attribution.baseline") if channel == BASELINE else label("channel", channel, t.lang)


def comparison_table(found: ModelComparison, t: Translator) -> PageTable:
    """Channels × models: the conversions (or revenue) each model credits to each channel."""
    kind: ColumnKind = "money" if found.value == "revenue" else "number"
    records = found.frame.to_dict(orient="records")
    for r in records:
        r["channel"] = channel_name(r["channel"], t)
    columns = [Column("channel", t("attribution.col.channel"))]
    columns += [Column(m, t(f"attribution.model.{m}"), kind, 1) for m in MODELS]
    return page_table("comparison", t("attribution.page.comparison"), columns, records)


def comparison_chart(found: ModelComparison, t: Translator) -> Chart:
    """Each channel's credit under every model, side by side (the baseline left out)."""
    rows = [
        (channel_name(r["channel"], t), r[m], t(f"attribution.model.{m}"))
        for m in MODELS
        for r in found.frame.to_dict(orient="records")
        if r["channel"] != BASELINE and pd.notna(r[m])
    ]
    return Chart(
        "attribution-models",
        t("attribution.page.chart"),
        (
            t("attribution.col.channel"),
            t(f"attribution.value.{found.value}"),
            t("attribution.page.model"),
        ),
        rows,
    )


def _roi_columns(t: Translator) -> list[Column]:
    return [
        Column("attributed_revenue", t("attribution.page.col.attributed_revenue"), "money"),
        Column("attributed_margin", t("attribution.page.col.attributed_margin"), "money"),
        Column("marketing_cost", t("attribution.page.col.marketing_cost"), "money"),
        Column("roi", t("attribution.page.col.roi"), "percent", 0),
        Column("margin_roi", t("attribution.page.col.margin_roi"), "percent", 0),
    ]


def roi_channel_table(frame: pd.DataFrame, t: Translator) -> PageTable:
    """Credited revenue and margin, marketing cost, ROI and margin ROI per channel."""
    records = frame.to_dict(orient="records")
    for r in records:
        r["channel"] = channel_name(r["channel"], t)
    columns = [Column("channel", t("attribution.col.channel")), *_roi_columns(t)]
    return page_table("roi-channels", t("attribution.page.roi_channels"), columns, records)


def roi_campaign_table(frame: pd.DataFrame, t: Translator) -> PageTable:
    """The same per campaign, with the campaign's name and channel."""
    records = frame.to_dict(orient="records")
    for r in records:
        if r["campaign_id"] is None or pd.isna(r["campaign_id"]):
            r["campaign_id"], r["campaign"] = "", t("attribution.page.no_campaign")
        r["channel"] = "" if pd.isna(r["channel"]) else channel_name(r["channel"], t)
    columns = [
        Column("campaign_id", t("attribution.page.col.campaign_id")),
        Column("campaign", t("attribution.page.col.campaign")),
        Column("channel", t("attribution.col.channel")),
        *_roi_columns(t),
    ]
    return page_table("roi-campaigns", t("attribution.page.roi_campaigns"), columns, records)
