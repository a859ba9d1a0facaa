"""German and English texts of price bands: the bands per segment and the deals' positions."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "pricing_bands.title": (
        "Preisbänder je Segment aus {won} gewonnenen Deals (mindestens {min_won} je Band)",
        "Price bands per segment from {won} won deals (at least {min_won} per band)",
    ),
    "pricing_bands.positions_title": (
        "Lage im Preisband: {deals} Deals und {quotes} offene Angebote",
        "Position in the price band: {deals} deals and {quotes} open quotes",
    ),
    "pricing_bands.band": ("Band", "Band"),
    "pricing_bands.segment": ("Segment", "Segment"),
    "pricing_bands.floor": ("Untergrenze", "Floor"),
    "pricing_bands.target": ("Ziel", "Target"),
    "pricing_bands.stretch": ("Spitze", "Stretch"),
    "pricing_bands.won_deals": ("gewonnen", "Won"),
    "pricing_bands.deals": ("abgeschlossen", "Closed"),
    "pricing_bands.kind": ("Art", "Kind"),
    "pricing_bands.kind.deal": ("Deal", "deal"),
    "pricing_bands.kind.quote": ("Angebot", "quote"),
    "pricing_bands.opportunity": ("Opportunity", "Opportunity"),
    "pricing_bands.quote": ("Angebot", "Quote"),
    "pricing_bands.price": ("Preis/Liste", "Price/list"),
    "pricing_bands.position": ("Lage", "Position"),
    "pricing_bands.percentile": ("Perzentil", "Percentile"),
    "pricing_bands.position.below_floor": ("unter Untergrenze", "below floor"),
    "pricing_bands.position.floor_target": ("Untergrenze–Ziel", "floor–target"),
    "pricing_bands.position.target_stretch": ("Ziel–Spitze", "target–stretch"),
    "pricing_bands.position.above_stretch": ("über Spitze", "above stretch"),
    "pricing_bands.stored": (
        "Preisbänder gespeichert: Fit {fit_id}, {bands} Bänder, {deals} Deals",
        "Price bands stored: fit {fit_id}, {bands} bands, {deals} deals",
    ),
    "pricing_bands.too_few": (
        "Zu wenige gewonnene Deals für Preisbänder: {reason}",
        "Too few won deals for price bands: {reason}",
    ),
}
