"""Texts of the lead velocity page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
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
}
