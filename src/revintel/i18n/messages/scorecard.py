"""German and English texts of the scorecard page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "nav.scorecard": ("Scorecard", "Scorecard"),
}
