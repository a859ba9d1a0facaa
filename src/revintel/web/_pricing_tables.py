"""The tables and charts of the Pricing page, built from the views' results in the reader's
language."""

from __future__ import annotations

from typing import Any

import pandas as pd

from revintel.charts._pricing_charts import BandChart, ResponseChart, WaterfallChart
from revintel.i18n import Translator, label
from revintel.pricing._response_evaluation import BASELINE
from revintel.views._pricing import WaterfallView
from revintel.views._pricing_frames import BandsView, ResponseView
from revintel.web._table_export import Column, PageTable, page_table


def step_text(step: str, t: Translator) -> str:
    """A waterfall step in words."""
    key = f"pricing.step.{step}"
    text = t(key)
    return step if text == key else text


def waterfall_table(flow: WaterfallView, t: Translator) -> PageTable:
    """Each step of the waterfall: its amount and its share of the list price."""
    records = [
        {"step": step_text(r["step"], t), "amount": r["amount"], "share": r["share_of_list"]}
        for r in flow.steps.to_dict(orient="records")
    ]
    columns = [
        Column("step", t("pricing.col.step")),
        Column("amount", t("pricing.col.amount"), "money"),
        Column("share", t("pricing.col.share_of_list"), "percent", 1),
    ]
    return page_table("waterfall", t("pricing.page.waterfall"), columns, records)


def waterfall_chart(flow: WaterfallView, t: Translator) -> WaterfallChart:
    """List price down to pocket margin as a Plotly waterfall."""
    rows = [
        (
            step_text(r["step"], t),
            -float(r["amount"]) if r["role"] == "deduction" else float(r["amount"]),
            "step" if r["role"] == "deduction" else "total",
        )
        for r in flow.steps.to_dict(orient="records")
    ]
    columns = (t("pricing.col.step"), t("pricing.col.amount"), "kind")
    return WaterfallChart("pricing-waterfall", t("pricing.page.waterfall"), columns, rows)


def band_label(bands: BandsView, band_id: str, t: Translator) -> str:
    """``B3: Enterprise · Listenpreis ab 120.000 €`` — the band's id and its segment."""
    found = bands.bands[bands.bands["band_id"] == band_id]
    if found.empty:
        return band_id
    return f"{band_id}: {found.iloc[0][f'segment_{t.lang}']}"


def band_labels(bands: BandsView, t: Translator) -> dict[str, str]:
    """:func:`band_label` of every band."""
    column = f"segment_{t.lang}"
    return {
        str(b): f"{b}: {text}"
        for b, text in zip(bands.bands["band_id"], bands.bands[column], strict=True)
    }


def bands_table(bands: BandsView, t: Translator) -> PageTable:
    """Every band of the stored fit: segment, floor, target, stretch and the deals behind it."""
    columns = [
        Column("band_id", t("pricing.col.band")),
        Column("segment", t("pricing.col.segment")),
        Column("floor", t("pricing.col.floor"), "percent", 1),
        Column("target", t("pricing.col.target"), "percent", 1),
        Column("stretch", t("pricing.col.stretch"), "percent", 1),
        Column("won_deals", t("pricing.col.won_deals"), "count"),
        Column("deals", t("pricing.col.deals"), "count"),
    ]
    records = bands.bands.to_dict(orient="records")
    for r in records:
        r["segment"] = r[f"segment_{t.lang}"]
    return page_table("bands", t("pricing.page.bands"), columns, records)


def _position_text(position: Any, t: Translator) -> str:
    if position is None or (isinstance(position, float) and pd.isna(position)):
        return ""
    return t(f"pricing.position.{position}")


def positions_table(positions: pd.DataFrame, bands: BandsView, t: Translator) -> PageTable:
    """The open deals the user sees, each with its band, price and position in the band."""
    records = positions.to_dict(orient="records")
    labels = band_labels(bands, t)
    positions_text = {p: _position_text(p, t) for p in positions["position"].dropna().unique()}
    for r in records:
        r["band"] = labels.get(r["band_id"], r["band_id"])
        r["position"] = positions_text.get(r["position"], "")
    columns = [
        Column("opportunity_id", t("pricing.col.deal")),
        Column("account_id", t("pricing.col.account")),
        Column("rep_id", t("pricing.col.rep")),
        Column("band", t("pricing.col.band")),
        Column("list_price", t("pricing.col.list_price"), "money"),
        Column("price_ratio", t("pricing.col.price_ratio"), "percent", 1),
        Column("position", t("pricing.col.position")),
    ]
    return page_table("positions", t("pricing.page.positions"), columns, records)


def band_chart(bands: BandsView, band_id: str, deals: pd.DataFrame, t: Translator) -> BandChart:
    """The band's floor, target and stretch behind its deals: won, lost and open ones."""
    band = bands.bands[bands.bands["band_id"] == band_id].iloc[0]
    rows = [
        (
            r["opportunity_id"],
            float(r["list_price"]),
            float(r["price_ratio"]),
            label("opportunity_status", r["status"], t.lang),
            r["status"] == "open",
        )
        for r in deals.to_dict(orient="records")
    ]
    columns = (
        t("pricing.col.deal"),
        t("pricing.col.list_price"),
        t("pricing.col.price_ratio"),
        t("pricing.col.status"),
    )
    return BandChart(
        f"pricing-band-{band_id}",
        t("pricing.page.band_chart").format(band=band_label(bands, band_id, t)),
        columns,
        (float(band["floor"]), float(band["target"]), float(band["stretch"])),
        rows,
        (t("pricing.col.floor"), t("pricing.col.target"), t("pricing.col.stretch")),
    )


def _response_columns(t: Translator) -> list[Column]:
    return [
        Column("price_ratio", t("pricing.col.price_ratio"), "percent", 1),
        Column("win_probability", t("pricing.col.win_probability"), "percent", 1),
        Column("lower", t("pricing.col.lower"), "percent", 1),
        Column("upper", t("pricing.col.upper"), "percent", 1),
        Column("expected_margin", t("pricing.col.expected_margin"), "money"),
    ]


def response_table(curve: ResponseView, t: Translator) -> PageTable:
    """The curve's points: price, win chance with its interval and expected margin."""
    columns = _response_columns(t)
    records = curve.curve.to_dict(orient="records")
    return page_table("response", t("pricing.page.response"), columns, records)


def response_chart(curve: ResponseView, t: Translator) -> ResponseChart:
    """Win chance (with its interval) and expected margin over the price, the margin-optimal
    price and the deal's current price marked."""
    frame = curve.curve
    rows = [
        (
            float(r["price_ratio"]),
            float(r["win_probability"]),
            None if pd.isna(r["lower"]) else float(r["lower"]),
            None if pd.isna(r["upper"]) else float(r["upper"]),
            float(r["expected_margin"]),
        )
        for r in frame.to_dict(orient="records")
    ]
    marks = [(curve.optimum_ratio, t("pricing.chart.optimum"))]
    if curve.current_ratio is not None:
        marks.append((curve.current_ratio, t("pricing.chart.current")))
    headers = tuple(c.header for c in _response_columns(t))
    return ResponseChart(
        "pricing-response",
        t("pricing.page.response"),
        (headers[0], headers[1], headers[2], headers[3], headers[4]),
        rows,
        tuple(marks),
    )


def optimum_text(curve: ResponseView, t: Translator) -> str:
    """One line naming the margin-optimal price with its win chance and expected margin."""
    return t("pricing.page.optimum").format(
        price=t.percent(curve.optimum_ratio, 1),
        win=t.percent(curve.optimum_win, 1),
        margin=t.money(curve.optimum_margin),
    )


def _group_text(level: str, value: Any, t: Translator) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return "–"
    return str(value)


def leakage_table(frame: pd.DataFrame, level: str, t: Translator) -> PageTable:
    """List, invoice and pocket revenue per group of ``level``, the leakage between list and
    pocket and its rate, and the pocket margin rate."""
    records = frame.to_dict(orient="records")
    for r in records:
        r["group"] = _group_text(level, r["group"], t)
    columns = [
        Column("group", t(f"pricing.group.{level}")),
        Column("lines", t("pricing.col.lines"), "count"),
        Column("list_amount", t("pricing.col.list_amount"), "money"),
        Column("invoice_amount", t("pricing.col.invoice_amount"), "money"),
        Column("pocket_amount", t("pricing.col.pocket_amount"), "money"),
        Column("leakage", t("pricing.col.leakage"), "money"),
        Column("leakage_rate", t("pricing.col.leakage_rate"), "percent", 1),
        Column("pocket_margin_rate", t("pricing.col.pocket_margin_rate"), "percent", 1),
    ]
    return page_table(f"leakage-{level}", t(f"pricing.page.leakage.{level}"), columns, records)


def outliers_table(frame: pd.DataFrame, level: str, t: Translator) -> PageTable:
    """The accounts (or reps) whose discounts sit furthest above their peers'."""
    records = frame.to_dict(orient="records")
    for r in records:
        r["group"] = _group_text(level, r["group"], t)
    columns = [
        Column("group", t(f"pricing.group.{level}")),
        Column("name", t("pricing.col.name")),
        Column("deals", t("pricing.col.deals_compared"), "count"),
        Column("list_amount", t("pricing.col.list_amount"), "money"),
        Column("discount", t("pricing.col.discount"), "percent", 1),
        Column("peer_discount", t("pricing.col.peer_discount"), "percent", 1),
        Column("excess_points", t("pricing.col.excess_points"), "number", 1),
        Column("excess_amount", t("pricing.col.excess_amount"), "money"),
        Column("z", t("pricing.col.z"), "number", 1),
    ]
    return page_table(f"outliers-{level}", t(f"pricing.page.outliers.{level}"), columns, records)


def evaluation_text(evaluation: dict[str, Any], t: Translator) -> str | None:
    """The out-of-time evaluation in one line: the chosen model against the discount-blind
    baseline (``None`` when the fit has no test window)."""
    rows = {r.get("model"): r for r in evaluation.get("test", []) if isinstance(r, dict)}
    chosen, blind = rows.get(evaluation.get("chosen")), rows.get(BASELINE)
    if chosen is None or blind is None:
        return None
    deals = evaluation.get("rows", {}).get("test")
    return t("pricing.page.evaluation").format(
        auc=t.number(chosen["auc"], 3),
        baseline_auc=t.number(blind["auc"], 3),
        log_loss=t.number(chosen["log_loss"], 3),
        baseline_log_loss=t.number(blind["log_loss"], 3),
        deals=t.number(deals) if deals is not None else "–",
    )


def guidance_bar(answer: dict[str, Any]) -> dict[str, float]:
    """Where floor, target, stretch, the current and the recommended price sit on the deal
    page's band bar, in percent of its width (the bar spans all five with some room)."""
    keys = ("floor", "target", "stretch", "current_price", "recommended_price")
    values = {k: float(answer[k]) for k in keys if answer.get(k) is not None}
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    room = (high - low) * 0.08 or abs(high) * 0.05 or 1.0
    low, high = low - room, high + room
    return {k: round(100.0 * (v - low) / (high - low), 2) for k, v in values.items()}
