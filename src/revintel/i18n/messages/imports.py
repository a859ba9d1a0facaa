"""Texts of the import page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "import.title": ("Daten importieren", "Import data"),
    "import.files": ("Exportdateien (CSV, XLSX, Parquet)", "Export files (CSV, XLSX, Parquet)"),
    "import.preset": ("Quellsystem", "Source system"),
    "import.strict": (
        "Nichts laden, wenn eine Zeile abgelehnt wird",
        "Load nothing if any row is rejected",
    ),
    "import.timezone": (
        "Zeitzone der Zeiten (leer: die des Quellsystems)",
        "Time zone of the times (empty: the source system's)",
    ),
    "import.submit": ("Importieren", "Import"),
    "import.report": ("Ergebnis", "Result"),
    "import.batch": ("Importlauf", "Import batch"),
    "import.file": ("Datei", "File"),
    "import.table": ("Tabelle", "Table"),
    "import.read": ("Gelesen", "Read"),
    "import.accepted": ("Übernommen", "Accepted"),
    "import.rejected": ("Abgelehnt", "Rejected"),
}
