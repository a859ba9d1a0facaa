"""The management report's tables as a formatted Excel workbook (one sheet per table)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from revintel.i18n import Translator
from revintel.report._html import ReportData

#: Excel number format per KPI unit (Excel shows separators in the reader's locale); money
#: units take the store currency's format (:func:`money_format`).
UNIT_FORMATS = {
    "ratio": "0.0%",
    "days": "0.0",
    "hours": "0.0",
}
_MONEY_UNITS = ("currency", "currency_per_day")


def money_format(currency: str, symbol: str) -> str:
    """Excel's number format for amounts in ``currency`` written with ``symbol``.

    Examples
    --------
    >>> money_format("EUR", "€"), money_format("CHF", "CHF")
    ('#,##0.00 [$€-x-euro2]', '#,##0.00 [$CHF]')
    """
    return "#,##0.00 [$€-x-euro2]" if currency == "EUR" else f"#,##0.00 [${symbol}]"


class _Sheets:
    """Formats shared by the sheets of one workbook."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.header = book.add_format(
            {"bold": True, "bg_color": "#1f5f8b", "font_color": "#ffffff", "border": 1}
        )
        self._formats: dict[str, Any] = {}

    def fmt(self, number_format: str | None) -> Any:
        if number_format is None:
            return None
        if number_format not in self._formats:
            self._formats[number_format] = self.book.add_format({"num_format": number_format})
        return self._formats[number_format]

    def table(
        self,
        name: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        formats: Sequence[str | None] | None = None,
    ) -> Worksheet:
        """A sheet with a styled, frozen header row, an autofilter and fitted column widths."""
        sheet = self.book.add_worksheet(name[:31])
        sheet.write_row(0, 0, headers, self.header)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                number = formats[c] if formats and isinstance(value, int | float) else None
                sheet.write(r, c, "" if value is None else value, self.fmt(number))
        sheet.freeze_panes(1, 0)
        if rows:
            sheet.autofilter(0, 0, len(rows), len(headers) - 1)
        for c, head in enumerate(headers):
            longest = max([len(str(head)), *(len(str(row[c])) for row in rows)])
            sheet.set_column(c, c, min(60, max(10, longest + 2)))
        return sheet


def _kpi_sheet(sheets: _Sheets, data: ReportData, t: Translator) -> None:
    money = money_format(t.currency, t.symbol)
    headers = [t("report.kpi"), t("chart.month"), t("report.value"), t("report.previous")]
    sheet = sheets.table(t("report.sheet.kpis"), [*headers, t("report.trend")], [])
    date_format = sheets.fmt("yyyy-mm-dd")
    for r, k in enumerate(data.tiles, start=1):
        unit_format = money if k.unit in _MONEY_UNITS else UNIT_FORMATS.get(k.unit, "#,##0")
        number = sheets.fmt(unit_format)
        sheet.write(r, 0, k.label_de if t.lang == "de" else k.label_en)
        if k.period is not None:
            sheet.write_datetime(r, 1, k.period, date_format)
        for c, value in ((2, k.value), (3, k.previous)):
            if value is not None:
                sheet.write_number(r, c, value, number)
        sheet.write(r, 4, {"up": "▲", "down": "▼"}.get(k.trend, "–"))
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 4, 16)


def _quantiles(row: dict[str, Any]) -> tuple[float, float, float, float]:
    return row["p10"], row["p50"], row["p90"], row["mean"]


def write_xlsx_report(data: ReportData, path: Path) -> None:
    """Write the report's KPI, deal, funnel, forecast and alert tables to ``path``."""
    t = Translator(data.language, data.currency)
    money = money_format(t.currency, t.symbol)
    with xlsxwriter.Workbook(str(path)) as book:
        sheets = _Sheets(book)
        _kpi_sheet(sheets, data, t)
        sheets.table(
            t("report.sheet.deals"),
            [t("col.status"), t("report.count"), t("col.amount")],
            [(t.status(s), n, a) for s, (n, a) in sorted(data.deals.items())],
            [None, "#,##0", money],
        )
        columns = ["reached", "conversion", "p_won", "p_won_low", "p_won_high", "median_days"]
        sheets.table(
            t("report.sheet.funnel"),
            [t("col.milestone"), *columns],
            [(r["label"], *(r.get(c) for c in columns)) for r in data.funnel],
            [None, "#,##0", "0.0%", "0.0%", "0.0%", "0.0%", "0.0"],
        )
        sheets.table(
            t("report.sheet.forecast"),
            ["grain", t("forecast.period"), t("forecast.source"), "P10", "P50", "P90", "mean"],
            [
                (r["grain"], r["period"], t(f"forecast.source.{r['source']}"), *_quantiles(r))
                for r in data.forecast.records()
            ],
            [None, None, None, money, money, money, money],
        )
        sheets.table(
            t("report.sheet.alerts"),
            [t("alerts.title")],
            [(de if t.lang == "de" else en,) for de, en in data.alerts],
        )
