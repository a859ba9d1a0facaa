"""Texts of the management report (PDF and workbook)."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
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
    "report.download": ("Management-Bericht herunterladen", "Download the management report"),
}
