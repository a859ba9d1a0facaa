"""The tables and charts of the Buying journey page, built from the views' frames in the
reader's language."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

import pandas as pd

from revintel.charts import Chart
from revintel.charts._journey_charts import Band, LineChart, SankeyChart
from revintel.i18n import Translator, label, label_texts
from revintel.web._table_export import Column, PageTable, page_table

#: Separator of channels in a sequence as the library writes it, and as the page shows it.
LIBRARY_SEPARATOR = " > "
SHOWN_SEPARATOR = " → "
CONVERTED_NODE, STALLED_NODE = "end:converted", "end:stalled"


def channel_text(channel: str | None, t: Translator) -> str:
    """A channel in words of the page's language."""
    return label("channel", channel, t.lang)


def content_text(content: str, t: Translator) -> str:
    """A content (whitepaper, price list…) or, for touches without one, a touch kind in words."""
    key = f"journey.content.{content}"
    if t(key) != key:
        return t(key)
    texts = label_texts("touchpoint_kind", content)
    return content if texts is None else texts[0 if t.lang == "de" else 1]


def sequence_text(sequence: str, t: Translator) -> str:
    """``search > webinar`` as ``Suchmaschine → Webinar``."""
    return SHOWN_SEPARATOR.join(channel_text(c, t) for c in sequence.split(LIBRARY_SEPARATOR) if c)


def group_text(dimension: str, value: Any, t: Translator) -> str:
    """A group value of the before-sales table in words; the overall row reads *all*."""
    if value is None or pd.isna(value):
        return ""
    if dimension == "channel":
        return channel_text(str(value), t)
    return str(int(value)) if dimension == "year" else str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return list(frame.to_dict(orient="records"))


def before_sales_table(frame: pd.DataFrame, by: tuple[str, ...], t: Translator) -> PageTable:
    """Journeys per group with the medians and means of the touch and time shares before the
    first sales contact; the last row is every journey together."""
    records = _records(frame)
    for r in records:
        overall = all(r.get(d) is None or pd.isna(r.get(d)) for d in by)
        for d in by:
            r[d] = t("journey.all") if overall and d == by[0] else group_text(d, r.get(d), t)
    columns = [Column(d, label("dimension", d, t.lang) if d != "year" else t("journey.year"))
               for d in by]  # fmt: skip
    columns += [
        Column("journeys", t("journey.col.journeys"), "count"),
        Column("with_sales_contact", t("journey.col.with_sales_contact"), "count"),
        Column("without_sales_contact_share", t("journey.col.without_share"), "percent"),
        Column("touch_share_median", t("journey.col.touch_median"), "percent"),
        Column("touch_share_mean", t("journey.col.touch_mean"), "percent"),
        Column("time_share_median", t("journey.col.time_median"), "percent"),
        Column("time_share_mean", t("journey.col.time_mean"), "percent"),
        Column("timed_journeys", t("journey.col.timed_journeys"), "count"),
    ]
    return page_table("before-sales", t("journey.before_sales"), columns, records)


def before_sales_chart(table: PageTable, by: tuple[str, ...], t: Translator) -> Chart:
    """Median touch and time share before the first sales contact per group."""
    touch, time = t("journey.col.touch_median"), t("journey.col.time_median")
    rows = []
    for r in table.rows:
        group = " · ".join(str(r[d]) for d in by if r[d]) or t("journey.all")
        rows.append((group, r["touch_share_median"], touch))
        rows.append((group, r["time_share_median"], time))
    return Chart(
        "journey-before-sales",
        t("journey.before_sales.chart"),
        (t("journey.group"), t("journey.share"), t("journey.measure")),
        rows,
        percent=True,
    )


def shares_table(frame: pd.DataFrame, t: Translator) -> PageTable:
    """Touchpoints and the digital, self-service and mobile share per period."""
    columns = [
        Column("period", t("journey.period"), "date"),
        Column("touchpoints", t("journey.col.touchpoints"), "count"),
        Column("digital_share", t("journey.measure.digital"), "percent"),
        Column("self_service_share", t("journey.measure.self_service"), "percent"),
        Column("self_service_known", t("journey.col.self_service_known"), "count"),
        Column("mobile_share", t("journey.measure.mobile"), "percent"),
        Column("mobile_known", t("journey.col.mobile_known"), "count"),
    ]
    return page_table("shares", t("journey.shares"), columns, _records(frame))


def shares_chart(table: PageTable, event: tuple[date, date | None], t: Translator) -> LineChart:
    """The three shares over time with the event shaded."""
    rows = [
        (r["period"], r[f"{m}_share"], t(f"journey.measure.{m}"))
        for m in ("digital", "self_service", "mobile")
        for r in table.rows
    ]
    last = max((r["period"] for r in table.rows), default=None)
    end = event[1] or last
    bands = (Band(event[0], end, t("journey.event")),) if end is not None else ()
    return LineChart(
        "journey-shares",
        t("journey.shares"),
        (t("journey.period"), t("journey.share"), t("journey.measure")),
        rows,
        percent=True,
        bands=bands,
    )


def shift_table(frame: pd.DataFrame, t: Translator) -> PageTable:
    """Each share before, during and after the event with the difference and its interval."""
    records = _records(frame)
    for r in records:
        r["measure"] = t(f"journey.measure.{r['measure']}")
        r["window"] = t(f"journey.window.{r['window']}")
    columns = [
        Column("measure", t("journey.measure")),
        Column("window", t("journey.window")),
        Column("start", t("journey.col.start"), "date"),
        Column("end", t("journey.col.end"), "date"),
        Column("touchpoints", t("journey.col.touchpoints"), "count"),
        Column("share", t("journey.share"), "percent"),
        Column("share_low", t("journey.col.low"), "percent"),
        Column("share_high", t("journey.col.high"), "percent"),
        Column("difference", t("journey.col.difference"), "percent"),
        Column("difference_low", t("journey.col.low"), "percent"),
        Column("difference_high", t("journey.col.high"), "percent"),
    ]
    return page_table("shift", t("journey.shift"), columns, records)


def content_table(frame: pd.DataFrame, t: Translator) -> PageTable:
    """Content per buying phase with its share, the conversion rates with and without it and
    the lift."""
    records = _records(frame)
    for r in records:
        key = f"journey.phase.{r['phase']}"
        r["phase"] = t(key) if t(key) != key else r["phase"]
        r["content"] = content_text(r["content"], t)
    columns = [
        Column("phase", t("journey.phase")),
        Column("content", t("journey.content")),
        Column("touches", t("journey.col.touches"), "count"),
        Column("share", t("journey.col.phase_share"), "percent"),
        Column("journeys", t("journey.col.journeys"), "count"),
        Column("rate_with", t("journey.col.rate_with"), "percent"),
        Column("rate_without", t("journey.col.rate_without"), "percent"),
        Column("lift", t("journey.col.lift"), "number", 2),
        Column("lift_low", t("journey.col.low"), "number", 2),
        Column("lift_high", t("journey.col.high"), "number", 2),
    ]
    return page_table("content", t("journey.content_by_phase"), columns, records)


def sequences_table(frame: pd.DataFrame, t: Translator) -> PageTable:
    """The top converting and stalled channel sequences with their conversion rate and lift."""
    records = _records(frame)
    for r in records:
        r["sequence"] = sequence_text(r["sequence"], t)
    columns = [
        Column("sequence", t("journey.sequence")),
        Column("converting", t("journey.col.converting"), "count"),
        Column("stalled", t("journey.col.stalled"), "count"),
        Column("converting_share", t("journey.col.converting_share"), "percent"),
        Column("stalled_share", t("journey.col.stalled_share"), "percent"),
        Column("conversion_rate", t("journey.col.conversion_rate"), "percent"),
        Column("conversion_rate_low", t("journey.col.low"), "percent"),
        Column("conversion_rate_high", t("journey.col.high"), "percent"),
        Column("lift", t("journey.col.lift"), "number", 2),
    ]
    return page_table("sequences", t("journey.sequences"), columns, records)


def sequences_chart(frame: pd.DataFrame, t: Translator) -> SankeyChart:
    """The sequences as flows from channel to channel (a node per step) into *converted* and
    *stalled*, weighted by journeys."""
    flows: dict[tuple[str, str], float] = {}
    labels = {CONVERTED_NODE: t("journey.converted"), STALLED_NODE: t("journey.stalled")}
    for r in _records(frame):
        channels = [c for c in str(r["sequence"]).split(LIBRARY_SEPARATOR) if c]
        # Steps are counted back from the end so that every sequence's last channel meets the
        # outcome in one column.
        nodes = [f"{len(channels) - i}:{c}" for i, c in enumerate(channels)]
        for node, channel in zip(nodes, channels, strict=True):
            labels[node] = channel_text(channel, t)
        for a, b in pairwise(nodes):
            flows[(a, b)] = flows.get((a, b), 0.0) + float(r["journeys"])
        for end, count in ((CONVERTED_NODE, r["converting"]), (STALLED_NODE, r["stalled"])):
            if count:
                flows[(nodes[-1], end)] = flows.get((nodes[-1], end), 0.0) + float(count)
    return SankeyChart(
        "journey-sequences",
        t("journey.sequences.chart"),
        (t("journey.col.from"), t("journey.col.to"), t("journey.col.journeys")),
        [(a, b, v) for (a, b), v in flows.items()],
        labels,
        {CONVERTED_NODE: "#2f855a", STALLED_NODE: "#9b2c2c"},
    )
