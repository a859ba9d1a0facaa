"""Texts of the duplicate review page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
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
}
