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
    "quality.col.source_system": ("Quellsystem", "Source system"),
    "quality.col.table": ("Tabelle", "Table"),
    "quality.col.column": ("Feld", "Field"),
    "quality.col.rows": ("Zeilen", "Rows"),
    "quality.col.filled": ("Gefüllt", "Filled"),
    "quality.col.completeness": ("Vollständigkeit", "Completeness"),
    "quality.col.accounts": ("Accounts", "Accounts"),
    "quality.col.duplicate_in_source": ("Dubletten in der Quelle", "Duplicates in the source"),
    "quality.col.in_other_sources": ("Auch in anderen Quellen", "Also in other sources"),
    "quality.col.opportunities": ("Opportunities", "Opportunities"),
    "quality.col.with_dated_history": ("Mit datierter Historie", "With dated history"),
    "quality.col.fully_dated": ("Vollständig datiert", "Fully dated"),
    "quality.col.share_dated": ("Anteil datiert", "Share dated"),
    "quality.col.share_fully_dated": ("Anteil vollständig datiert", "Share fully dated"),
    "quality.col.orders": ("Aufträge", "Orders"),
    "quality.col.returns": ("Retouren", "Returns"),
    "quality.col.amount": ("Nettobetrag", "Net amount"),
    "quality.reason_code": ("Gespeicherter Code: {code}", "Stored code: {code}"),
}
