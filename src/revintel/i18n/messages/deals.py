"""Texts of the deal list and deal detail pages."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "deals.title": ("Deals", "Deals"),
}
