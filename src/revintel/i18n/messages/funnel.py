"""Texts of the funnel page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
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
}
