"""Reasons a salesperson can read: the strongest contributions of a score as short sentences."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from revintel.model import load_funnel
from revintel.predict._churn_reasons import CHURN_TEMPLATES
from revintel.predict._price_features import position_name

#: Sentence templates per feature: (German, English, value format).
TEMPLATES: dict[str, tuple[str, str, str]] = {
    "milestone": ("Phase {v}", "stage {v}", "text"),
    "milestone_rank": ("Phase {v} erreicht", "reached stage {v}", "rank"),
    "channel": ("Kanal {v}", "channel {v}", "text"),
    "campaign_kind": ("Kampagnenart {v}", "campaign type {v}", "text"),
    "industry": ("Branche {v}", "industry {v}", "text"),
    "segment": ("Segment {v}", "segment {v}", "text"),
    "region": ("Region {v}", "region {v}", "text"),
    "product_family": ("Produktfamilie {v}", "product family {v}", "text"),
    "employees": ("{v} Mitarbeitende", "{v} employees", "int"),
    "hours_since_created": ("Lead seit {v} Std.", "lead for {v} h", "int"),
    "digital_touches": ("{v} digitale Kontakte", "{v} digital touches", "int"),
    "digital_touches_14d": (
        "{v} digitale Kontakte in 14 Tagen",
        "{v} digital touches in 14 days",
        "int",
    ),
    "webinars": ("{v} Webinar-Teilnahmen", "{v} webinar attendances", "int"),
    "downloads": ("{v} Downloads", "{v} downloads", "int"),
    "days_since_digital": (
        "letzter digitaler Kontakt vor {v} Tagen",
        "last digital touch {v} days ago",
        "int",
    ),
    "response_hours": ("erster Anruf nach {v} Std.", "first call after {v} h", "int"),
    # The deal's own amount in its own currency (which the feature does not carry): no symbol.
    "amount": ("Volumen {v}", "value {v}", "int"),
    "age_days": ("Opportunity seit {v} Tagen offen", "opportunity open for {v} days", "int"),
    "age_vs_typical": (
        "Alter {v}× typisch für die Phase",
        "age {v}× typical for this stage",
        "ratio",
    ),
    "days_in_stage": ("{v} Tage in der Phase", "{v} days in this stage", "int"),
    "lead_days": ("{v} Tage vom Lead zur Opportunity", "{v} days from lead to opportunity", "int"),
    "touches": ("{v} Kontakte insgesamt", "{v} touches in total", "int"),
    "sales_touches": ("{v} Vertriebskontakte", "{v} sales touches", "int"),
    "days_since_touch": ("letzter Kontakt vor {v} Tagen", "last touch {v} days ago", "int"),
    "quotes": ("{v} Angebote", "{v} quotes", "int"),
    "discount": ("Rabatt {v} %", "discount {v} %", "pct"),
    "discount_vs_norm": (
        "Rabatt {v} Pp. {dir} Segmentnorm",
        "discount {v} pts {dir} segment norm",
        "signed_pct",
    ),
    "discount_vs_band": (
        "Rabatt {v} Punkte {dir} dem Preisband-Ziel",
        "discount {v} pts {dir} the price band's target",
        "signed_pct",
    ),
    "band_position": ("Preis {v}", "price {v}", "position"),
    "rep_win_rate": ("Gewinnquote des Vertriebs {v} %", "rep win rate {v} %", "pct"),
    "rep_industry_win_rate": (
        "Gewinnquote des Vertriebs in der Branche {v} %",
        "rep win rate in this industry {v} %",
        "pct",
    ),
    **CHURN_TEMPLATES,
}
MISSING_TEXT = {"de": "unbekannt", "en": "unknown"}
#: Words for a custom flag's value and a custom date's distance.
YES_NO = {"de": ("ja", "nein"), "en": ("yes", "no")}
DAYS_AGO = {"de": "vor {v} Tagen", "en": "{v} days ago"}
#: Feature name → (the source's header, field type) of custom features.
CustomLabels = dict[str, tuple[str, str]]


@lru_cache(maxsize=1)
def _milestone_names() -> dict[str, dict[str, str]]:
    """Milestone id → label per language, from the built-in funnel definition."""
    return {m.id: {"de": m.label.de, "en": m.label.en} for m in load_funnel().milestones}


@lru_cache(maxsize=1)
def _path_ids() -> tuple[str, ...]:
    return load_funnel().path_ids


DIRECTION = {"de": ("über", "unter"), "en": ("above", "below")}
#: Where a price lies in its price band, per language.
BAND_POSITION_TEXT = {
    "below_floor": ("unter der Preisband-Untergrenze", "below the price band's floor"),
    "floor_target": (
        "zwischen Untergrenze und Ziel des Preisbands",
        "between the price band's floor and target",
    ),
    "target_stretch": (
        "zwischen Ziel und Obergrenze des Preisbands",
        "between the price band's target and stretch",
    ),
    "above_stretch": ("über der Preisband-Obergrenze", "above the price band's stretch"),
}


def _number(x: float, language: str, decimals: int) -> str:
    text = f"{x:,.{decimals}f}"
    if language == "de":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def _custom_sentence(feature: str, value: Any, language: str, labels: CustomLabels) -> str:
    """``header: value`` for a custom feature, in the source's own words."""
    label, kind = labels.get(feature, (feature.removeprefix("custom."), "text"))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        text = MISSING_TEXT[language]
    elif kind == "flag":
        text = YES_NO[language][0 if float(value) >= 0.5 else 1]
    elif kind == "date":
        text = DAYS_AGO[language].format(v=_number(float(value), language, 0))
    elif kind == "number" or isinstance(value, int | float):
        number = float(value)
        text = _number(number, language, 0 if number.is_integer() else 1)
    else:
        text = str(value)
    return f"{label}: {text}"


def sentence(feature: str, value: Any, language: str, labels: CustomLabels | None = None) -> str:
    """One reason: the feature and its value in ``language`` (``de`` or ``en``).

    Custom features (``custom.<name>``) read ``header: value`` with the header from
    ``labels`` (their name without a label).

    Examples
    --------
    >>> sentence("digital_touches_14d", 3.0, "de")
    '3 digitale Kontakte in 14 Tagen'
    >>> sentence("discount_vs_norm", 0.18, "en")
    'discount 18 pts above segment norm'
    >>> sentence("discount_vs_band", 0.04, "de")
    'Rabatt 4 Punkte über dem Preisband-Ziel'
    >>> sentence("band_position", 0.0, "en")
    "price below the price band's floor"
    >>> sentence("milestone", "offer_sent", "de")
    'Phase Angebot versendet'
    >>> sentence("milestone_rank", 7.0, "en")
    'reached stage Contract negotiation'
    >>> sentence("custom.web_visits", 12.0, "de", {"custom.web_visits": ("Total Visits", "number")})
    'Total Visits: 12'
    """
    if feature.startswith("custom."):
        return _custom_sentence(feature, value, language, labels or {})
    de, en, fmt = TEMPLATES.get(feature, (feature + " {v}", feature + " {v}", "text"))
    template = de if language == "de" else en
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    direction = ""
    if missing:
        text = MISSING_TEXT[language]
    elif fmt == "int":
        text = _number(float(value), language, 0)
    elif fmt == "ratio":
        text = _number(float(value), language, 1)
    elif fmt == "pct":
        text = _number(100 * float(value), language, 0)
    elif fmt == "signed_pct":
        text = _number(abs(100 * float(value)), language, 0)
        direction = DIRECTION[language][0 if float(value) >= 0 else 1]
    elif fmt == "position":
        name = position_name(float(value))
        words = BAND_POSITION_TEXT.get(name or "")
        text = MISSING_TEXT[language] if words is None else words[0 if language == "de" else 1]
    elif feature == "milestone":
        text = _milestone_names().get(str(value), {}).get(language, str(value))
    elif fmt == "rank":
        path = _path_ids()
        rank = int(value)
        milestone = path[rank] if 0 <= rank < len(path) else str(rank)
        text = _milestone_names().get(milestone, {}).get(language, milestone)
    else:
        text = str(value)
    return template.format(v=text, dir=direction)


def top_reasons(
    contributions: dict[str, float],
    values: dict[str, Any],
    top: int = 3,
    threshold: float = 0.02,
    labels: CustomLabels | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The ``top`` strongest positive and negative contributions with their sentences.

    Contributions are in log-odds; those weaker than ``threshold`` are no reason. ``labels``
    names custom features by the source's headers.
    """
    ranked = sorted(contributions.items(), key=lambda kv: kv[1])
    negative = [kv for kv in ranked if kv[1] < -threshold][:top]
    positive = [kv for kv in reversed(ranked) if kv[1] > threshold][:top]

    def describe(items: list[tuple[str, float]]) -> list[dict[str, Any]]:
        return [
            {
                "feature": f,
                "effect": round(float(c), 4),
                "de": sentence(f, values.get(f), "de", labels),
                "en": sentence(f, values.get(f), "en", labels),
            }
            for f, c in items
        ]

    return {"positive": describe(positive), "negative": describe(negative)}
