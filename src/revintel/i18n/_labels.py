"""Words for the machine ids a page, report or command shows: milestones, channels, statuses….

One lookup per kind of id; an id without a label is shown as itself, so a stage name a company
added to its own funnel still appears.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Literal, get_args

from revintel.i18n._catalogue import Texts
from revintel.i18n._format import Language
from revintel.model import FunnelDefinition, load_funnel

LabelKind = Literal[
    "milestone",
    "channel",
    "touchpoint_kind",
    "content",
    "campaign_kind",
    "lead_status",
    "opportunity_status",
    "quote_status",
    "role",
    "import_status",
    "decision",
    "rejection_reason",
    "dimension",
    "unit",
]
LABEL_KINDS: tuple[LabelKind, ...] = get_args(LabelKind)

#: Channels of leads and touchpoints: the demo company's and those the presets set.
CHANNELS: dict[str, Texts] = {
    "search": ("Suchmaschine", "Search"),
    "webinar": ("Webinar", "Webinar"),
    "content": ("Inhalte", "Content"),
    "email": ("E-Mail", "E-mail"),
    "social": ("Soziale Medien", "Social media"),
    "trade_fair": ("Messe", "Trade fair"),
    "field_sales": ("Außendienst", "Field sales"),
    "phone": ("Telefon", "Phone"),
    "referral": ("Empfehlung", "Referral"),
    "video": ("Video", "Video"),
    "inside_sales": ("Vertriebsinnendienst", "Inside sales"),
    "campaign": ("Kampagne", "Campaign"),
}

TOUCHPOINT_KINDS: dict[str, Texts] = {
    "web_visit": ("Website-Besuch", "Web visit"),
    "webinar": ("Webinar", "Webinar"),
    "download": ("Download", "Download"),
    "email_click": ("Klick in E-Mail", "E-mail click"),
    "social_click": ("Klick in sozialen Medien", "Social media click"),
    "trade_fair_visit": ("Messebesuch", "Trade fair visit"),
    "visit": ("Kundenbesuch", "Customer visit"),
    "call": ("Anruf", "Call"),
    "meeting": ("Termin", "Meeting"),
    "video_call": ("Videotermin", "Video call"),
    "configurator": ("Produktkonfigurator", "Product configurator"),
    "follow_up_call": ("Nachfassanruf", "Follow-up call"),
}

#: Content consumed at a touchpoint (touchpoints.content).
CONTENTS: dict[str, Texts] = {
    "blog": ("Blogbeitrag", "Blog post"),
    "whitepaper": ("Whitepaper", "White paper"),
    "checklist": ("Checkliste", "Checklist"),
    "product_page": ("Produktseite", "Product page"),
    "case_study": ("Fallstudie", "Case study"),
    "product_video": ("Produktvideo", "Product video"),
    "price_list": ("Preisliste", "Price list"),
    "webinar": ("Webinar", "Webinar"),
    "configurator": ("Produktkonfigurator", "Product configurator"),
}

CAMPAIGN_KINDS: dict[str, Texts] = {
    "digital": ("digital", "digital"),
    "offline": ("offline", "offline"),
}

LEAD_STATUSES: dict[str, Texts] = {
    "open": ("offen", "open"),
    "converted": ("konvertiert", "converted"),
    "disqualified": ("disqualifiziert", "disqualified"),
}

OPPORTUNITY_STATUSES: dict[str, Texts] = {
    "open": ("offen", "open"),
    "won": ("gewonnen", "won"),
    "lost": ("verloren", "lost"),
}

QUOTE_STATUSES: dict[str, Texts] = {
    "sent": ("versendet", "sent"),
    "accepted": ("angenommen", "accepted"),
    "rejected": ("abgelehnt", "rejected"),
    "revised": ("überarbeitet", "revised"),
}

ROLES: dict[str, Texts] = {
    "admin": ("Administration", "Administrator"),
    "manager": ("Vertriebsleitung", "Sales manager"),
    "marketing": ("Marketing", "Marketing"),
    "sales_rep": ("Vertriebsmitarbeiter", "Sales rep"),
    "team_lead": ("Teamleiter Vertrieb", "Sales team lead"),
}

IMPORT_STATUSES: dict[str, Texts] = {
    "committed": ("geladen", "loaded"),
    "failed": ("fehlgeschlagen", "failed"),
}

#: Verdicts on a pair of possibly duplicate accounts.
DECISIONS: dict[str, Texts] = {
    "accepted": ("gleiche Firma", "same company"),
    "rejected": ("verschiedene Firmen", "different companies"),
}

#: Breakdown dimensions of KPIs, funnel and forecast.
DIMENSION_LABELS: dict[str, Texts] = {
    "channel": ("Kanal", "Channel"),
    "campaign": ("Kampagne", "Campaign"),
    "segment": ("Segment", "Segment"),
    "industry": ("Branche", "Industry"),
    "region": ("Region", "Region"),
    "country": ("Land", "Country"),
    "rep": ("Vertriebsmitarbeiter", "Sales rep"),
    "team": ("Team", "Team"),
    "product": ("Produkt", "Product"),
    "product_family": ("Produktfamilie", "Product family"),
}

#: Units of KPI values.
UNITS: dict[str, Texts] = {
    "count": ("Anzahl", "count"),
    "ratio": ("Anteil", "ratio"),
    "days": ("Tage", "days"),
    "hours": ("Stunden", "hours"),
    "currency": ("Betrag", "amount"),
    "currency_per_day": ("Betrag pro Tag", "amount per day"),
}

#: Reasons the importer gives for a rejected cell or row, written out in full.
REJECTION_REASONS: dict[str, Texts] = {
    "missing source id": ("Quell-ID fehlt", "Source id missing"),
    "duplicate source id": ("Quell-ID mehrfach vergeben", "Source id used more than once"),
    "negative amount": ("Negativer Betrag", "Negative amount"),
    "neither order nor return": ("Weder Auftrag noch Retoure", "Neither order nor return"),
    "closed before created": ("Abgeschlossen vor der Anlage", "Closed before it was created"),
    "ended before started": ("Beendet vor dem Beginn", "Ended before it started"),
    "date in the future": ("Datum in der Zukunft", "Date in the future"),
    "missing stage": ("Phase fehlt", "Stage missing"),
    "unknown stage": ("Unbekannte Phase", "Unknown stage"),
    "not a number": ("Keine Zahl", "Not a number"),
    "not a whole number": ("Keine ganze Zahl", "Not a whole number"),
    "not yes or no": ("Weder ja noch nein", "Neither yes nor no"),
    "not text": ("Kein Text", "Not text"),
}

#: Reasons that carry a detail (a field, a date format, counts): pattern → (German, English)
#: templates filled with the pattern's named groups.
REJECTION_REASON_PATTERNS: tuple[tuple[re.Pattern[str], Texts], ...] = (
    (
        re.compile(r"not a date \((?P<format>.+)\)"),
        ("Kein Datum ({format})", "Not a date ({format})"),
    ),
    (
        re.compile(r"expected (?P<expected>\d+) fields, found (?P<found>\d+)"),
        (
            "{expected} Felder erwartet, {found} gefunden",
            "{expected} fields expected, {found} found",
        ),
    ),
    (re.compile(r"missing (?P<field>\S+)"), ("Pflichtfeld fehlt: {field}", "Missing {field}")),
    (
        re.compile(r"unknown (?P<target>\S+)"),
        ("Verweis auf unbekannte Zeile: {target}", "Reference to an unknown {target}"),
    ),
)

_STATIC: Mapping[LabelKind, Mapping[str, Texts]] = {
    "channel": CHANNELS,
    "touchpoint_kind": TOUCHPOINT_KINDS,
    "content": CONTENTS,
    "campaign_kind": CAMPAIGN_KINDS,
    "lead_status": LEAD_STATUSES,
    "opportunity_status": OPPORTUNITY_STATUSES,
    "quote_status": QUOTE_STATUSES,
    "role": ROLES,
    "import_status": IMPORT_STATUSES,
    "decision": DECISIONS,
    "rejection_reason": REJECTION_REASONS,
    "dimension": DIMENSION_LABELS,
    "unit": UNITS,
}


@cache
def _default_funnel() -> FunnelDefinition:
    return load_funnel()


def _milestone_texts(funnel: FunnelDefinition) -> dict[str, Texts]:
    return {m.id: (m.label.de, m.label.en) for m in funnel.milestones}


def _rejection_texts(reason: str) -> Texts | None:
    for pattern, (german, english) in REJECTION_REASON_PATTERNS:
        match = pattern.fullmatch(reason)
        if match:
            return german.format(**match.groupdict()), english.format(**match.groupdict())
    return None


def label_texts(
    kind: LabelKind, value: str, funnel: FunnelDefinition | None = None
) -> Texts | None:
    """The German and English label of ``value``, or ``None`` when the catalogue lacks it.

    Parameters
    ----------
    kind
        Which ids ``value`` is one of (see :data:`LABEL_KINDS`).
    value
        The id as stored.
    funnel
        The funnel whose milestone labels apply; the packaged default when omitted.

    Raises
    ------
    ValueError
        When ``kind`` is not a known kind of id.
    """
    if kind == "milestone":
        return _milestone_texts(funnel or _default_funnel()).get(value)
    catalogue = _STATIC.get(kind)
    if catalogue is None:
        raise ValueError(f"unknown kind of label {kind!r}; known: {', '.join(LABEL_KINDS)}")
    texts = catalogue.get(value)
    if texts is None and kind == "rejection_reason":
        return _rejection_texts(value)
    return texts


def known_ids(kind: LabelKind, funnel: FunnelDefinition | None = None) -> tuple[str, ...]:
    """The ids of ``kind`` the registry has labels for (rejection reasons without detail).

    Examples
    --------
    >>> known_ids("opportunity_status")
    ('open', 'won', 'lost')
    """
    if kind == "milestone":
        return tuple(m.id for m in (funnel or _default_funnel()).milestones)
    return tuple(_STATIC[kind])


def label(
    kind: LabelKind, value: str | None, lang: Language, funnel: FunnelDefinition | None = None
) -> str:
    """``value`` in words of ``lang``; the id itself when it has no label, empty for ``None``.

    Parameters
    ----------
    kind
        Which ids ``value`` is one of (see :data:`LABEL_KINDS`).
    value
        The id as stored, e.g. ``"field_sales"``.
    lang
        ``"de"`` or ``"en"``.
    funnel
        The funnel whose milestone labels apply; the packaged default when omitted.

    Examples
    --------
    >>> label("channel", "field_sales", "de"), label("opportunity_status", "won", "en")
    ('Außendienst', 'won')
    >>> label("milestone", "my_own_stage", "de")
    'my_own_stage'
    """
    if value is None:
        return ""
    texts = label_texts(kind, value, funnel)
    if texts is None:
        return value
    return texts[0 if lang == "de" else 1]
