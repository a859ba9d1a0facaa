"""Texts of the overview page: tiles, KPI table and alerts."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "overview.title": ("Übersicht", "Overview"),
    "overview.attainment": ("Zielerreichung (erwartet)", "Target attainment (expected)"),
    "overview.attainment_expected": (
        "Gebucht + Prognose (P50)",
        "Booked + forecast (P50)",
    ),
    "overview.attainment_open": ("Zur Prognose", "Open the forecast"),
    "tile.leads": ("Leads", "Leads"),
    "tile.accounts": ("Accounts", "Accounts"),
    "tile.open_deals": ("Offene Deals", "Open deals"),
    "tile.open_pipeline": ("Offene Pipeline", "Open pipeline"),
    "tile.won_amount": ("Gewonnener Umsatz", "Won revenue"),
    "tile.win_rate": ("Gewinnquote", "Win rate"),
    "kpi.title": ("Kennzahlen (letzter vollständiger Zeitraum)", "KPIs (last complete period)"),
    "kpi.previous": ("Vorperiode", "previous period"),
    "alerts.title": ("Warnungen", "Alerts"),
    "alerts.none": ("Keine Warnungen.", "No alerts."),
}
