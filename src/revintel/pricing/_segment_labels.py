"""Readable descriptions of segments from their rules, in German and English.

The texts live here rather than in the message catalogue because the pricing domain sits
below :mod:`revintel.i18n`; German numbers are written as ``120.000 €``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: Feature → (German, English) name.
_NAMES = {
    "family": ("Produktfamilie", "product family"),
    "segment": ("Segment", "segment"),
    "industry": ("Branche", "industry"),
    "region": ("Region", "region"),
    "value_tier": ("Kundenwert", "customer value"),
    "list_price": ("Listenpreis", "list price"),
}
#: Customer value tier → (German, English) text.
_TIERS = {
    "none": ("ohne Umsatz", "no revenue"),
    "low": ("niedrig", "low"),
    "mid": ("mittel", "mid"),
    "high": ("hoch", "high"),
}
#: The order of a label's parts: the account segment first, the deal size last.
_LABEL_ORDER = ("segment", "family", "industry", "region", "value_tier", "list_price")
#: Most values a label lists; beyond, it names the fewer values left out ("außer …").
_LISTED = 3
#: Features named in a label even when their values are listed (region and value tier alone
#: would be unclear).
_PREFIXED = ("region", "value_tier")


def segment_label(
    rules: Sequence[Mapping[str, Any]],
    known: Mapping[str, set[str]],
    currency: str,
    lang: str = "de",
) -> str:
    """The rules of a segment as text: the account segment first, the deal size last.

    Parameters
    ----------
    rules
        Conditions as :meth:`revintel.pricing._segments.Segmentation.rules` gives them.
    known
        Per categorical feature every value the segmentation knows (to name the few values
        left out instead of the many included).
    currency
        Currency of list prices.
    lang
        ``de`` for German, anything else for English.

    Examples
    --------
    >>> rules = [{"feature": "segment", "in": ["Enterprise"]},
    ...          {"feature": "list_price", "min": 120000.0}]
    >>> segment_label(rules, {}, "EUR", "en")
    'Enterprise · list price from €120,000'
    """
    de = lang == "de"
    ordered = sorted(rules, key=lambda r: _LABEL_ORDER.index(r["feature"]))
    parts = [_part(r, set(known.get(r["feature"], set())), currency, de) for r in ordered]
    return " · ".join(parts) if parts else ("alle Deals" if de else "all deals")


def _part(rule: Mapping[str, Any], known: set[str], currency: str, de: bool) -> str:
    feature = rule["feature"]
    name = _NAMES[feature][0 if de else 1]
    if feature == "list_price":
        low, high = rule.get("min"), rule.get("max")
        money = [_money(v, de, currency) for v in (low, high) if v is not None]
        if low is not None and high is not None:
            return f"{name} {money[0]} – {money[1]}" if de else f"{name} {money[0]}–{money[1]}"
        if low is not None:
            return f"{name} {'ab' if de else 'from'} {money[0]}"
        return f"{name} {'unter' if de else 'below'} {money[0]}"
    values = [_value_text(feature, v, de) for v in rule["in"]]
    others = [_value_text(feature, v, de) for v in sorted(known - set(rule["in"]))]
    if others and len(others) < len(values) > _LISTED:
        return f"{name} {'außer' if de else 'except'} {', '.join(others)}"
    text = ", ".join(values)
    return f"{name} {text}" if feature in _PREFIXED else text


def _money(value: float, de: bool, currency: str) -> str:
    digits = f"{value:,.0f}"
    if de:
        symbol = "€" if currency == "EUR" else currency
        return f"{digits.replace(',', '.')}\u00a0{symbol}"
    return f"€{digits}" if currency == "EUR" else f"{currency} {digits}"


def _value_text(feature: str, value: str, de: bool) -> str:
    if feature == "value_tier" and value in _TIERS:
        return _TIERS[value][0 if de else 1]
    return value or ("unbekannt" if de else "unknown")
