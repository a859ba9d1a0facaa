"""Numbers, money, percentages and dates written the way each supported language writes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal, get_currency_symbol
from babel.numbers import format_percent as babel_format_percent

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = ("de", "en")
LOCALES: dict[Language, str] = {"de": "de_DE", "en": "en_US"}
DATE_FORMATS: dict[Language, str] = {"de": "dd.MM.yyyy", "en": "MMM d, yyyy"}
#: The currency of a store that names none (``revintel store currency``).
DEFAULT_CURRENCY = "EUR"


def language_or_default(value: str | None, default: Language) -> Language:
    """``value`` if it names a supported language, else ``default``.

    Examples
    --------
    >>> language_or_default("de", "en"), language_or_default("fr", "en")
    ('de', 'en')
    """
    return value if value in LANGUAGES else default


def _decimal_pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits else "")


def format_number(value: float | None, lang: Language, digits: int = 0) -> str:
    """A number with thousands groups and ``digits`` decimals; empty for a missing value.

    Examples
    --------
    >>> format_number(1234.5, "de", 1), format_number(1234.5, "en", 1)
    ('1.234,5', '1,234.5')
    """
    if value is None:
        return ""
    return format_decimal(value, format=_decimal_pattern(digits), locale=LOCALES[lang])


def format_money(value: float | None, lang: Language, currency: str | None) -> str:
    """An amount in ``currency`` (an ISO 4217 code: the store's, or the record's own); empty for
    a missing value. ``None`` stands for :data:`DEFAULT_CURRENCY`.

    Examples
    --------
    >>> format_money(1234.56, "de", "EUR") == "1.234,56\\xa0€", format_money(1234.56, "en", "EUR")
    (True, '€1,234.56')
    >>> format_money(1234.56, "de", "CHF") == "1.234,56\\xa0CHF", format_money(5, "en", "GBP")
    (True, '£5.00')
    """
    if value is None:
        return ""
    return format_currency(value, currency or DEFAULT_CURRENCY, locale=LOCALES[lang])


def currency_symbol(currency: str | None, lang: Language) -> str:
    """The sign amounts in ``currency`` are written with (``€``, ``£``, ``CHF``).

    Examples
    --------
    >>> currency_symbol("GBP", "de"), currency_symbol("CHF", "en")
    ('£', 'CHF')
    """
    return get_currency_symbol(currency or DEFAULT_CURRENCY, locale=LOCALES[lang])


def format_percent(value: float | None, lang: Language, digits: int = 1) -> str:
    """A ratio as a percentage; empty for a missing value.

    Examples
    --------
    >>> format_percent(0.125, "de") == "12,5\\xa0%", format_percent(0.125, "en")
    (True, '12.5%')
    """
    if value is None:
        return ""
    # German sets a (non-breaking) space before the percent sign, English does not.
    pattern = _decimal_pattern(digits) + ("\u00a0%" if lang == "de" else "%")
    return babel_format_percent(value, format=pattern, locale=LOCALES[lang])


def format_date(value: date | datetime | None, lang: Language) -> str:
    """A day (the date part of a timestamp); empty for a missing value.

    Examples
    --------
    >>> format_date(date(2024, 12, 31), "de"), format_date(date(2024, 12, 31), "en")
    ('31.12.2024', 'Dec 31, 2024')
    """
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    return babel_format_date(day, DATE_FORMATS[lang], locale=LOCALES[lang])
