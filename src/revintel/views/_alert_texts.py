"""Alert reasons in the reader's words: ids as labels, reps by name, German numbers and months.

:mod:`revintel.metrics` writes each alert's reason with its machine ids (``channel social``,
``step mql->sal``, ``rep R001``) and plain number formats; the surfaces show the reason after
this module has put those parts into words of the language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from babel.dates import format_date as babel_format_date

from revintel.i18n import LOCALES, Language, format_date, format_p_value, label
from revintel.metrics import Alert
from revintel.model import FunnelDefinition

#: How a group is named in a reason: (German, English) of each breakdown dimension.
_DIMENSIONS: dict[str, tuple[str, str]] = {
    "step": ("Schritt", "step"),
    "stage": ("Phase", "stage"),
}
_ABBREVIATION = re.compile(r"\(([^()]+)\)$")
_P_VALUE = re.compile(r"p = -?[0-9.,]+(?:e[-+]?[0-9]+)?")
_MONTH = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})\b(?!-)")
_QUARTER = re.compile(r"\b(?P<year>\d{4})-Q(?P<quarter>[1-4])\b")
_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_PERCENT_GAP = re.compile(r"(\d) %")


def group_value(
    dimension: str,
    value: str,
    lang: Language,
    rep_names: Mapping[str, str],
    funnel: FunnelDefinition | None = None,
) -> str:
    """One value of an alert's group in words: a channel's label, a rep's name, a step as
    ``MQL → SAL``.

    Examples
    --------
    >>> group_value("step", "mql->sal", "de", {}), group_value("channel", "trade_fair", "de", {})
    ('MQL → SAL', 'Messe')
    >>> group_value("rep", "R001", "en", {"R001": "Anna Berg"})
    'Anna Berg'
    """
    if dimension == "step":
        first, _, second = value.partition("->")
        return " → ".join(_short_milestone(m, lang, funnel) for m in (first, second) if m)
    if dimension == "stage":
        return label("milestone", value, lang, funnel)
    if dimension == "rep":
        return rep_names.get(value, value)
    if dimension == "channel":
        return label("channel", value, lang)
    return value


def _short_milestone(milestone: str, lang: Language, funnel: FunnelDefinition | None) -> str:
    """A milestone's abbreviation where its label ends in one (``… (MQL)``), else its label."""
    words = label("milestone", milestone, lang, funnel)
    found = _ABBREVIATION.search(words)
    return found[1] if found else words


def _dimension(name: str, lang: Language) -> str:
    texts = _DIMENSIONS.get(name)
    if texts is not None:
        return texts[0 if lang == "de" else 1]
    return label("dimension", name, lang)


def _where(
    group: Mapping[str, str],
    lang: Language,
    rep_names: Mapping[str, str],
    funnel: FunnelDefinition | None,
) -> str:
    parts = [
        f"{_dimension(k, lang)}: {group_value(k, v, lang, rep_names, funnel)}"
        for k, v in group.items()
    ]
    return f" ({', '.join(parts)})"


def _month(match: re.Match[str], lang: Language) -> str:
    day = date(int(match["year"]), int(match["month"]), 1)
    return babel_format_date(day, "MMMM yyyy", locale=LOCALES[lang])


def alert_text(
    alert: Alert,
    lang: Language,
    rep_names: Mapping[str, str],
    funnel: FunnelDefinition | None = None,
) -> str:
    """The reason of ``alert`` in ``lang`` with every id in words and numbers in its format.

    Parameters
    ----------
    alert
        A fired alert of :func:`revintel.metrics.evaluate_alerts`.
    lang
        ``"de"`` or ``"en"``.
    rep_names
        Each rep's name by rep id.
    funnel
        The funnel whose milestone labels apply; the packaged default when omitted.

    Examples
    --------
    >>> a = Alert("k", "conversion_drop", None, {"channel": "social", "step": "mql->sal"}, 0.1,
    ...           0.2, {"p_value": 5.6e-32}, "", "Rate (channel social, step mql->sal) fell in "
    ...           "2024-11 (p = 5.6e-32).")
    >>> alert_text(a, "en", {})
    'Rate (Channel: Social media, step: MQL → SAL) fell in November 2024 (p < 0.001).'
    """
    text = alert.reason(lang)
    group = dict(alert.group)
    stage = group.pop("stage", None) if alert.rule == "stalled" else None
    if stage is not None:
        stage_text = group_value("stage", stage, lang, rep_names, funnel)
        text = text.replace(f"Stufe {stage}", f"Phase {stage_text}")
        text = text.replace(f"stage {stage}", f"stage {stage_text}")
    if group:
        where = _where(group, lang, rep_names, funnel)
        raw = [
            f" ({', '.join(f'{k} {v}' for k, v in group.items())})",
            "".join(f" ({k} {v})" for k, v in group.items()),
        ]
        replacements = [(found, where) for found in raw]
        rep = group.get("rep")
        if rep is not None:  # discount drifts name the rep: "Rabatt von R001", "Discount of R001"
            word = "von" if lang == "de" else "of"
            replacements.insert(0, (f" {word} {rep}", f" {word} {rep_names.get(rep, rep)}"))
        for found, words in replacements:
            if found in text:
                text = text.replace(found, words, 1)
                break
    p_value = alert.numbers.get("p_adjusted", alert.numbers.get("p_value"))
    if isinstance(p_value, float):
        text = _P_VALUE.sub(format_p_value(p_value, lang), text)
    text = _QUARTER.sub(lambda m: f"Q{m['quarter']} {m['year']}", text)
    if lang == "en":  # English writes 12.5% and Dec 1, 2024
        text = _PERCENT_GAP.sub(r"\1%", text)
        text = _DAY.sub(lambda m: format_date(date.fromisoformat(m[0]), lang), text)
    return _MONTH.sub(lambda m: _month(m, lang), text)
