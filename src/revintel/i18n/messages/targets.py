"""German and English texts of the targets page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "nav.targets": ("Ziele", "Targets"),
}
