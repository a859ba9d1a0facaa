"""Labels in German and English, and numbers, money and dates formatted per locale with Babel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = ("de", "en")
LOCALES: dict[Language, str] = {"de": "de_DE", "en": "en_US"}
DATE_FORMATS: dict[Language, str] = {"de": "dd.MM.yyyy", "en": "MMM d, yyyy"}

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "app.title": ("Vertriebscockpit", "Revenue cockpit"),
    "nav.overview": ("Übersicht", "Overview"),
    "nav.leads": ("Leads", "Leads"),
    "nav.funnel": ("Funnel", "Funnel"),
    "nav.velocity": ("Lead Velocity", "Lead velocity"),
    "velocity.title": ("Lead Velocity", "Lead velocity"),
    "velocity.mqls-per-month": ("MQLs pro Monat", "MQLs per month"),
    "velocity.mqls-per-month.value": ("MQLs", "MQLs"),
    "velocity.lead-velocity-rate": (
        "Lead Velocity Rate (Wachstum der MQLs zum Vormonat)",
        "Lead velocity rate (growth of MQLs over the previous month)",
    ),
    "velocity.lead-velocity-rate.value": ("LVR", "LVR"),
    "velocity.note": (
        "MQLs nach Datum der Qualifizierung; Zeitraum filtert dieses Datum.",
        "MQLs by date of qualification; the period filters that date.",
    ),
    "funnel.title": ("Funnel", "Funnel"),
    "funnel.chart": ("Erreicht je Meilenstein", "Reached per milestone"),
    "funnel.by": ("Aufschlüsseln nach", "Break down by"),
    "funnel.reached": ("Erreicht", "Reached"),
    "funnel.conversion": ("Konversion zum nächsten", "Conversion to next"),
    "funnel.p_won": ("P(gewonnen)", "P(won)"),
    "funnel.interval": ("95-%-Intervall", "95 % interval"),
    "funnel.default": ("Vorgabe", "Default"),
    "funnel.median_days": ("Median Tage bis zum nächsten", "Median days to next"),
    "funnel.p90_days": ("P90 Tage", "P90 days"),
    "funnel.note": (
        "Reife Leads (Zeit genug, den Funnel zu durchlaufen) der gewählten Anlage-Periode.",
        "Mature leads (with time to finish the funnel) created in the chosen period.",
    ),
    "nav.deals": ("Deals", "Deals"),
    "nav.forecast": ("Prognose", "Forecast"),
    "report.title": ("Vertriebsbericht", "Revenue report"),
    "report.created": ("erstellt am", "created on"),
    "report.sheet.kpis": ("Kennzahlen", "KPIs"),
    "report.sheet.deals": ("Deals", "Deals"),
    "report.sheet.funnel": ("Funnel", "Funnel"),
    "report.sheet.forecast": ("Prognose", "Forecast"),
    "report.sheet.alerts": ("Warnungen", "Alerts"),
    "report.kpi": ("Kennzahl", "KPI"),
    "report.value": ("Wert", "Value"),
    "report.previous": ("Vorperiode", "Previous period"),
    "report.trend": ("Trend", "Trend"),
    "report.count": ("Anzahl", "Count"),
    "forecast.title": ("Auftragseingangsprognose", "Order intake forecast"),
    "forecast.fan": (
        "Auftragseingang gesamt: P10 – P50 – P90",
        "Total order intake: P10 – P50 – P90",
    ),
    "forecast.sources": (
        "P50 nach Herkunft: offene Pipeline und noch nicht erzeugte",
        "P50 by source: open pipeline and not yet created",
    ),
    "forecast.groups": ("P50 gesamt je Gruppe", "Total P50 per group"),
    "forecast.intake": ("Auftragseingang (€)", "Order intake (€)"),
    "forecast.period": ("Periode", "Period"),
    "forecast.source": ("Herkunft", "Source"),
    "forecast.source.open pipeline": ("offene Pipeline", "open pipeline"),
    "forecast.source.not yet created": ("noch nicht erzeugt", "not yet created"),
    "forecast.source.total": ("gesamt", "total"),
    "forecast.all": ("alle", "all"),
    "forecast.by": ("Aufteilung nach", "Split by"),
    "forecast.dim.segment": ("Segment", "Segment"),
    "forecast.dim.team": ("Team", "Team"),
    "forecast.dim.product": ("Produkt", "Product"),
    "forecast.grain": ("Raster", "Grain"),
    "forecast.grain.month": ("Monat", "Month"),
    "forecast.grain.quarter": ("Quartal", "Quarter"),
    "forecast.horizon": ("Horizont", "Horizon"),
    "forecast.months": ("Monate", "months"),
    "forecast.simulations": ("Simulationen", "simulations"),
    "forecast.as_of": ("Stand", "As of"),
    "forecast.note": (
        "Monte-Carlo-Simulation des Auftragseingangs aus der offenen Pipeline und aus Leads, "
        "die noch zu Opportunities werden; 80 % der Simulationen liegen zwischen P10 und P90.",
        "Monte Carlo simulation of order intake from the open pipeline and from leads that have "
        "yet to become opportunities; 80% of the draws fall between P10 and P90.",
    ),
    "nav.logout": ("Abmelden", "Sign out"),
    "nav.quality": ("Datenqualität", "Data quality"),
    "nav.import": ("Import", "Import"),
    "import.title": ("Daten importieren", "Import data"),
    "import.files": ("Exportdateien (CSV, XLSX, Parquet)", "Export files (CSV, XLSX, Parquet)"),
    "import.preset": ("Quellsystem", "Source system"),
    "import.strict": (
        "Nichts laden, wenn eine Zeile abgelehnt wird",
        "Load nothing if any row is rejected",
    ),
    "import.submit": ("Importieren", "Import"),
    "import.report": ("Ergebnis", "Result"),
    "import.batch": ("Importlauf", "Import batch"),
    "import.file": ("Datei", "File"),
    "import.table": ("Tabelle", "Table"),
    "import.read": ("Gelesen", "Read"),
    "import.accepted": ("Übernommen", "Accepted"),
    "import.rejected": ("Abgelehnt", "Rejected"),
    "quality.title": ("Datenqualität", "Data quality"),
    "quality.batches": ("Importläufe", "Import batches"),
    "quality.reasons": ("Ablehnungsgründe", "Rejection reasons"),
    "quality.rows": ("Abgelehnte Zeilen", "Rejected rows"),
    "quality.started": ("Gestartet", "Started"),
    "quality.source": ("Quelle", "Source"),
    "quality.row": ("Zeile", "Row"),
    "quality.column": ("Spalte", "Column"),
    "quality.value": ("Wert", "Value"),
    "quality.cells": ("Zellen", "Cells"),
    "quality.completeness": (
        "Vollständigkeit (nicht immer gefüllte Felder)",
        "Completeness (fields not always filled)",
    ),
    "quality.duplicates": (
        "Wahrscheinliche Dubletten (gleicher normalisierter Name)",
        "Likely duplicate accounts (same normalised name)",
    ),
    "quality.history": (
        "Opportunities mit von der Quelle datierter Phasenhistorie",
        "Opportunities with stage history dated by the source",
    ),
    "quality.review_duplicates": (
        "Mögliche Dubletten über alle Quellen prüfen",
        "Review possible duplicates across sources",
    ),
    "duplicates.title": ("Dubletten prüfen", "Review duplicate accounts"),
    "duplicates.intro": (
        "Accounts, die nach Name, Domain und Ort wahrscheinlich dieselbe Firma sind "
        "(Fellegi-Sunter-Modell). Ihre Entscheidung wird gespeichert.",
        "Accounts that name, domain and city suggest are the same company (Fellegi-Sunter "
        "model). Your verdict is stored.",
    ),
    "duplicates.threshold": ("Mindest-Übereinstimmung", "Smallest match probability"),
    "duplicates.open": ("Offene Paare", "Open pairs"),
    "duplicates.decided": ("Entschiedene Paare", "Decided pairs"),
    "duplicates.probability": ("Übereinstimmung", "Match probability"),
    "duplicates.account": ("Account", "Account"),
    "duplicates.same": ("Gleiche Firma", "Same company"),
    "duplicates.different": ("Verschiedene Firmen", "Different companies"),
    "duplicates.verdict": ("Entscheidung", "Verdict"),
    "duplicates.none": ("Keine offenen Paare.", "No open pairs."),
    "login.title": ("Anmelden", "Sign in"),
    "login.username": ("Benutzername", "Username"),
    "login.password": ("Passwort", "Password"),
    "login.submit": ("Anmelden", "Sign in"),
    "login.failed": ("Benutzername oder Passwort ist falsch.", "Wrong username or password."),
    "login.throttled": (
        "Zu viele fehlgeschlagene Anmeldungen. Bitte erneut versuchen in",
        "Too many failed sign-ins. Try again in",
    ),
    "login.minutes": ("Minuten", "minutes"),
    "overview.title": ("Übersicht", "Overview"),
    "tile.leads": ("Leads", "Leads"),
    "tile.accounts": ("Accounts", "Accounts"),
    "tile.open_deals": ("Offene Deals", "Open deals"),
    "tile.open_pipeline": ("Offene Pipeline", "Open pipeline"),
    "tile.won_amount": ("Gewonnener Umsatz", "Won revenue"),
    "tile.win_rate": ("Gewinnquote", "Win rate"),
    "chart.leads_per_month": ("Leads pro Monat", "Leads per month"),
    "chart.download_csv": ("Daten als CSV", "Data as CSV"),
    "report.download": ("Management-Bericht herunterladen", "Download the management report"),
    "chart.month": ("Monat", "Month"),
    "chart.count": ("Anzahl", "Count"),
    "filter.apply": ("Filtern", "Apply"),
    "filter.reset": ("Zurücksetzen", "Reset"),
    "filter.all": ("alle", "all"),
    "filter.from": ("Von", "From"),
    "filter.to": ("Bis", "To"),
    "col.lead": ("Lead", "Lead"),
    "col.deal": ("Deal", "Deal"),
    "col.account": ("Account", "Account"),
    "col.rep": ("Vertriebsmitarbeiter", "Sales rep"),
    "col.channel": ("Kanal", "Channel"),
    "col.segment": ("Segment", "Segment"),
    "col.team": ("Team", "Team"),
    "col.status": ("Status", "Status"),
    "col.stage": ("Phase", "Stage"),
    "col.created": ("Angelegt am", "Created"),
    "col.amount": ("Betrag", "Amount"),
    "col.discount": ("Rabatt", "Discount"),
    "col.expected_close": ("Erwarteter Abschluss", "Expected close"),
    "col.closed": ("Abgeschlossen am", "Closed"),
    "col.milestone": ("Meilenstein", "Milestone"),
    "col.date": ("Datum", "Date"),
    "col.days_since_previous": ("Tage seit vorigem", "Days since previous"),
    "col.reason": ("Grund", "Reason"),
    "col.kind": ("Art", "Kind"),
    "col.score": ("Score", "Score"),
    "score.title": ("Scores", "Scores"),
    "score.kind": ("Modell", "Model"),
    "score.scored_at": ("Bewertet am", "Scored on"),
    "score.reasons": ("Gründe", "Reasons"),
    "score.top_reasons": ("Wichtigste Gründe", "Top reasons"),
    "score.none": (
        "Noch kein Score (revintel score train/apply).",
        "Not scored yet (revintel score train/apply).",
    ),
    "score.kind.lead_to_sql": ("Lead → SQL", "Lead → SQL"),
    "score.kind.lead_to_won": ("Lead → gewonnen", "Lead → won"),
    "score.kind.deal_win": ("Deal gewonnen", "Deal won"),
    "col.digital": ("Digital", "Digital"),
    "col.cost": ("Kosten", "Cost"),
    "leads.title": ("Leads", "Leads"),
    "deals.title": ("Deals", "Deals"),
    "detail.timeline": ("Meilensteine", "Milestone timeline"),
    "detail.touchpoints": ("Kontaktpunkte", "Touchpoints"),
    "detail.none": ("Keine Einträge.", "None."),
    "list.total": ("Treffer", "matches"),
    "list.previous": ("Zurück", "Previous"),
    "list.next": ("Weiter", "Next"),
    "list.page": ("Seite", "Page"),
    "unit.days": ("Tage", "days"),
    "unit.hours": ("Std.", "hours"),
    "kpi.title": ("Kennzahlen (letzter vollständiger Zeitraum)", "KPIs (last complete period)"),
    "kpi.previous": ("Vorperiode", "previous period"),
    "alerts.title": ("Warnungen", "Alerts"),
    "alerts.none": ("Keine Warnungen.", "No alerts."),
    "yes": ("ja", "yes"),
    "no": ("nein", "no"),
    "error.title": ("Fehler", "Error"),
    "error.403": ("Kein Zugriff auf diese Seite.", "You may not open this page."),
    "error.404": ("Nicht gefunden.", "Not found."),
    "error.other": ("Etwas ist schiefgegangen.", "Something went wrong."),
    "status.open": ("offen", "open"),
    "status.won": ("gewonnen", "won"),
    "status.lost": ("verloren", "lost"),
    "status.converted": ("konvertiert", "converted"),
    "status.disqualified": ("disqualifiziert", "disqualified"),
}


@dataclass(frozen=True)
class Translator:
    """Labels and formats for one language; templates call it as ``t``."""

    lang: Language

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

    def number(self, value: float | int | None, digits: int = 0) -> str:
        """``1.234`` (de) or ``1,234`` (en); empty for missing values."""
        if value is None:
            return ""
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def money(self, value: float | None, currency: str | None = "EUR") -> str:
        """``1.234,56 €`` (de) or ``€1,234.56`` (en)."""
        if value is None:
            return ""
        return format_currency(value, currency or "EUR", locale=self.locale)

    def percent(self, value: float | None, digits: int = 1) -> str:
        """``12,5 %`` (de) or ``12.5%`` (en)."""
        if value is None:
            return ""
        number = "#,##0" + ("." + "0" * digits if digits else "")
        # German sets a (non-breaking) space before the percent sign, English does not.
        pattern = number + ("\u00a0%" if self.lang == "de" else "%")
        return format_percent(value, format=pattern, locale=self.locale)

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
        if value is None:
            return ""
        day = value.date() if isinstance(value, datetime) else value
        return format_date(day, DATE_FORMATS[self.lang], locale=self.locale)


def language_or_default(value: str | None, default: Language) -> Language:
    """``value`` if it names a supported language, else ``default``."""
    return value if value in LANGUAGES else default
