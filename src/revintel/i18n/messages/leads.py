"""Texts of the lead list and lead detail pages."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "leads.title": ("Leads", "Leads"),
}
