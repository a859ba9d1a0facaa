"""Numbers, money, percentages and dates written the way each supported language writes them."""

from __future__ import annotations

import math
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


#: Scales of compact amounts, largest first: (factor, German word, English suffix).
_COMPACT_SCALES: tuple[tuple[float, str, str], ...] = ((1e9, "Mrd.", "B"), (1e6, "Mio.", "M"))
#: Amounts below this are written in full even when a compact form is asked for: they fit.
COMPACT_FROM = 1e6


def format_money_compact(value: float | None, lang: Language, currency: str | None) -> str:
    """An amount shortened to one decimal of its scale, for tiles that must not wrap: German
    ``81,0 Mio. €``, English ``€81.0M``; below a million as :func:`format_money` writes it.
    Show the exact amount beside it (e.g. in a ``title`` attribute).

    Examples
    --------
    >>> format_money_compact(80_975_075.0, "de", "EUR") == "81,0\\xa0Mio.\\xa0€"
    True
    >>> format_money_compact(80_975_075.0, "en", "EUR"), format_money_compact(-1.45e6, "en", None)
    ('€81.0M', '-€1.4M')
    >>> format_money_compact(2.5e9, "de", "CHF") == "2,5\\xa0Mrd.\\xa0CHF"
    True
    >>> format_money_compact(12_345.67, "de", "EUR") == format_money(12_345.67, "de", "EUR")
    True
    """
    if value is None:
        return ""
    size = abs(value)
    if size < COMPACT_FROM:
        return format_money(value, lang, currency)
    factor, word, suffix = next(s for s in _COMPACT_SCALES if size >= s[0])
    number = format_number(size / factor, lang, 1)
    sign = "-" if value < 0 else ""
    symbol = currency_symbol(currency, lang)
    if lang == "de":
        return f"{sign}{number}\u00a0{word}\u00a0{symbol}"
    gap = "" if len(symbol) == 1 else "\u00a0"
    return f"{sign}{symbol}{gap}{number}{suffix}"


def format_p_value(value: float | None, lang: Language) -> str:
    """A test's p-value: ``p < 0,001`` (``p < 0.001``) when that small, else two significant
    digits in the language's decimal sign.

    Examples
    --------
    >>> format_p_value(5.6e-32, "de"), format_p_value(5.6e-32, "en")
    ('p < 0,001', 'p < 0.001')
    >>> format_p_value(0.0312, "de"), format_p_value(0.0312, "en"), format_p_value(None, "de")
    ('p = 0,031', 'p = 0.031', '')
    """
    if value is None:
        return ""
    if value < 0.001:
        return f"p < {format_number(0.001, lang, 3)}"
    digits = min(3, max(2, 1 - math.floor(math.log10(value))))
    return f"p = {format_number(value, lang, digits)}"
