"""Texts of the data quality page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
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
    "quality.guests": (
        "Gastbestellungen (ohne Kundennummer, auf einem Platzhalterkunden)",
        "Guest orders (no customer number, on a placeholder account)",
    ),
    "quality.review_duplicates": (
        "Mögliche Dubletten über alle Quellen prüfen",
        "Review possible duplicates across sources",
    ),
}
