"""The translator pages, reports and the CLI hand around: messages and formats of one language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from revintel.i18n._catalogue import MESSAGES
from revintel.i18n._format import (
    DEFAULT_CURRENCY,
    LOCALES,
    Language,
    currency_symbol,
    format_date,
    format_money,
    format_money_compact,
    format_number,
    format_percent,
)
from revintel.i18n._labels import LabelKind, label


@dataclass(frozen=True)
class Translator:
    """Labels and formats for one language and store currency; templates call it as ``t``.

    Examples
    --------
    >>> t = Translator("de", "CHF")
    >>> t("nav.forecast"), t.status("won"), t.date(date(2024, 12, 31))
    ('Prognose', 'gewonnen', '31.12.2024')
    >>> t.money(1500) == "1.500,00\xa0CHF"
    True
    """

    lang: Language
    #: The store currency: sums and KPI values are in it (ISO 4217 code).
    currency: str = DEFAULT_CURRENCY

    @property
    def locale(self) -> str:
        """The Babel locale of the language."""
        return LOCALES[self.lang]

    def __call__(self, key: str) -> str:
        """The label ``key``; the key itself when the catalogue lacks it."""
        pair = MESSAGES.get(key)
        return key if pair is None else pair[0 if self.lang == "de" else 1]

    def status(self, value: str | None) -> str:
        """A status value (open, won…) in the language."""
        return "" if value is None else self(f"status.{value}").removeprefix("status.")

    def label(self, kind: LabelKind, value: str | None) -> str:
        """A machine id of ``kind`` (a channel, a milestone…) in words of the language."""
        return label(kind, value, self.lang)

    def number(self, value: float | None, digits: int = 0) -> str:
        """``1.234`` (de) or ``1,234`` (en); empty for missing values."""
        return format_number(value, self.lang, digits)

    def money(self, value: float | None, currency: str | None = None) -> str:
        """``1.234,56 €`` (de) or ``€1,234.56`` (en): in ``currency`` (a record's own), else in
        the store currency."""
        return format_money(value, self.lang, currency or self.currency)

    def money_compact(self, value: float | None, currency: str | None = None) -> str:
        """``81,0 Mio. €`` (de) or ``€81.0M`` (en): an amount short enough for a tile."""
        return format_money_compact(value, self.lang, currency or self.currency)

    def tile(self, value: float | None, unit: str) -> str:
        """A KPI value for a tile: amounts compact (see :meth:`money_compact`), else as
        :meth:`measure` writes it."""
        if value is not None and unit == "currency":
            return self.money_compact(value)
        return self.measure(value, unit)

    @property
    def symbol(self) -> str:
        """The store currency's sign (``€``, ``£``, ``CHF``)."""
        return currency_symbol(self.currency, self.lang)

    def missing_rates(self, gaps: Mapping[str, tuple[date | None, date | None]]) -> str:
        """Why figures are not shown: the currencies and dates that have no exchange rate."""
        parts = []
        for code, (first, last) in gaps.items():
            key = "currency.span_one" if last is None or first == last else "currency.span"
            span = self(key).format(first=self.date(first) or "?", last=self.date(last))
            parts.append(self("currency.in").format(currency=code, span=span))
        return self("currency.missing_rate").format(amounts=self("currency.and").join(parts))

    def percent(self, value: float | None, digits: int = 1) -> str:
        """``12,5 %`` (de) or ``12.5%`` (en)."""
        return format_percent(value, self.lang, digits)

    def measure(self, value: float | None, unit: str) -> str:
        """A KPI value in its unit: ratios as percent, money as currency, durations in days."""
        if value is None:
            return "–"
        if unit == "ratio":
            return self.percent(value)
        if unit in ("currency", "currency_per_day"):
            return self.money(value)
        if unit in ("days", "hours"):
            return f"{self.number(value, 1)}\u00a0{self(f'unit.{unit}')}"
        return self.number(value)

    def date(self, value: date | datetime | None) -> str:
        """``31.12.2024`` (de) or ``Dec 31, 2024`` (en)."""
        return format_date(value, self.lang)
