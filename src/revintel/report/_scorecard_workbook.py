"""The joint scorecard as an Excel workbook: one sheet per section, headers in the reader's
language, numbers kept as numbers with a display format."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from revintel.i18n import Language, Translator
from revintel.report._scorecard import model_name, owner_text
from revintel.report._workbook import UNIT_FORMATS, _Sheets, money_format
from revintel.views._scorecard import Scorecard

_COUNT, _SHARE, _DECIMAL = "#,##0", "0.0%", "#,##0.0"


def _kpi_rows(card: Scorecard, t: Translator) -> tuple[list[str], list[list[Any]]]:
    headers = [
        t("scorecard.col.kpi"), t("scorecard.col.period"), t("scorecard.col.value"),
        t("scorecard.col.previous"), t("scorecard.col.last_year"), t("scorecard.col.direction"),
        t("scorecard.col.definition"), t("scorecard.col.formula"),
    ]  # fmt: skip
    rows = [
        [
            k.name(t.lang),
            k.period.isoformat(),
            k.value,
            k.previous,
            k.last_year,
            t(f"scorecard.direction.{k.good_direction}"),
            k.definition(t.lang),
            k.formula,
        ]
        for k in card.kpis
    ]
    return headers, rows


def _kpi_sheet(sheets: _Sheets, card: Scorecard, t: Translator) -> None:
    headers, rows = _kpi_rows(card, t)
    sheet = sheets.table(t("scorecard.sheet.kpis"), headers, [])
    money = money_format(t.currency, t.symbol)
    for r, (row, kpi) in enumerate(zip(rows, card.kpis, strict=True), start=1):
        unit = money if kpi.unit.startswith("currency") else UNIT_FORMATS.get(kpi.unit, _COUNT)
        for c, value in enumerate(row):
            number = unit if c in (2, 3, 4) and isinstance(value, float) else None
            sheet.write(r, c, "" if value is None else value, sheets.fmt(number))
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 5, 16)
    sheet.set_column(6, 7, 60)


def _targets_sheet(sheets: _Sheets, card: Scorecard, t: Translator) -> None:
    money = money_format(t.currency, t.symbol)
    headers = [
        t("scorecard.col.owner"), t("scorecard.col.measure"), t("scorecard.col.period"),
        t("scorecard.col.target"), t("scorecard.col.actual"), t("scorecard.col.attainment"),
    ]  # fmt: skip
    sheet = sheets.table(t("scorecard.sheet.targets"), headers, [])
    for r, line in enumerate(card.targets, start=1):
        amount = sheets.fmt(money if line.measure == "order_intake" else _COUNT)
        sheet.write(r, 0, owner_text(line, t))
        sheet.write(r, 1, t(f"scorecard.measure.{line.measure}"))
        sheet.write(r, 2, f"{line.period_start.isoformat()} – {line.period_end.isoformat()}")
        sheet.write_number(r, 3, line.target, amount)
        sheet.write_number(r, 4, line.actual, amount)
        if line.attainment is not None:
            sheet.write_number(r, 5, line.attainment, sheets.fmt(_SHARE))
    sheet.set_column(0, 2, 26)
    sheet.set_column(3, 5, 16)


def _contribution_sheet(sheets: _Sheets, card: Scorecard, t: Translator) -> None:
    keys = ("milestone", "conversions", "marketing", "sales", "unattributed", "marketing_share")
    headers = [t(f"scorecard.col.{k}") for k in keys]
    rows = [
        (c.label(t.lang), c.conversions, c.marketing, c.sales, c.unattributed, c.marketing_share)
        for c in card.contributions or ()
    ]
    sheet = sheets.table(
        t("scorecard.sheet.contribution"),
        headers,
        rows,
        [None, _DECIMAL, _DECIMAL, _DECIMAL, _DECIMAL, _SHARE],
    )
    sheet.write(len(rows) + 2, 0, model_name(card, t))


def _velocity_sheet(sheets: _Sheets, card: Scorecard, t: Translator) -> None:
    v = card.velocity
    headers = [
        t("scorecard.col.figure"),
        t("scorecard.col.month"),
        t("scorecard.col.previous_month"),
    ]
    sheet = sheets.table(t("scorecard.sheet.velocity"), headers, [])
    lines = (
        ("mqls", v.mqls, v.mqls_previous, _COUNT),
        ("weighted", v.weighted, v.weighted_previous, _DECIMAL),
        ("scored_share", v.scored_share, v.scored_share_previous, _SHARE),
        ("lvr", v.lvr, None, _SHARE),
        ("lvr_weighted", v.lvr_weighted, None, _SHARE),
    )
    for r, (key, now, before, number) in enumerate(lines, start=1):
        sheet.write(r, 0, t(f"scorecard.velocity.{key}"))
        for c, value in ((1, now), (2, before)):
            if value is not None:
                sheet.write_number(r, c, float(value), sheets.fmt(number))
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 2, 16)


def scorecard_workbook(card: Scorecard, language: Language) -> bytes:
    """The scorecard of ``card`` as an XLSX workbook in ``language``: KPIs, targets,
    contribution, velocity, service levels and alerts, one sheet each."""
    t = Translator(language, card.currency)
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        sheets = _Sheets(book)
        _kpi_sheet(sheets, card, t)
        _targets_sheet(sheets, card, t)
        _contribution_sheet(sheets, card, t)
        _velocity_sheet(sheets, card, t)
        sla = ("level", "due", "met", "breached", "open", "attainment", "target_hours")
        sheets.table(
            t("scorecard.sheet.sla"),
            [t(f"scorecard.col.{k}") for k in sla],
            [
                (
                    t(f"sla.level.{s.level}"),
                    s.due,
                    s.met,
                    s.breached,
                    s.open,
                    s.attainment,
                    s.target_hours,
                )
                for s in card.sla
            ],
            [None, _COUNT, _COUNT, _COUNT, _COUNT, _SHARE, _COUNT],
        )
        sheets.table(
            t("scorecard.sheet.alerts"),
            [t("scorecard.col.kpi"), t("scorecard.col.period"), t("scorecard.col.reason")],
            [
                (a.kpi, a.period.isoformat() if a.period else "", a.reason(t.lang))
                for a in card.alerts
            ],
        )
    return buffer.getvalue()
