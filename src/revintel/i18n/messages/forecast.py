"""Texts of the order intake forecast page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "forecast.title": ("Auftragseingangsprognose", "Order intake forecast"),
    "forecast.fan": (
        "Auftragseingang gesamt: P10 – P50 – P90",
        "Total order intake: P10 – P50 – P90",
    ),
    "forecast.sources": (
        "P50 nach Herkunft: offene Pipeline, noch nicht erzeugte, Folge- und Direktaufträge",
        "P50 by source: open pipeline, not yet created, repeat and direct orders",
    ),
    "forecast.groups": ("P50 gesamt je Gruppe", "Total P50 per group"),
    "forecast.intake": ("Auftragseingang ({symbol})", "Order intake ({symbol})"),
    "forecast.period": ("Periode", "Period"),
    "forecast.source": ("Herkunft", "Source"),
    "forecast.source.open pipeline": ("offene Pipeline", "open pipeline"),
    "forecast.source.not yet created": ("noch nicht erzeugt", "not yet created"),
    "forecast.source.repeat and direct orders": (
        "Folge- und Direktaufträge",
        "repeat and direct orders",
    ),
    "forecast.source.total": ("gesamt", "total"),
    "forecast.all": ("alle", "all"),
    "forecast.by": ("Aufteilung nach", "Split by"),
    "forecast.dim.segment": ("Segment", "Segment"),
    "forecast.dim.team": ("Team", "Team"),
    "forecast.dim.product": ("Produkt", "Product"),
    "forecast.grain": ("Raster", "Grain"),
    "forecast.grain.month": ("Monat", "Month"),
    "forecast.grain.quarter": ("Quartal", "Quarter"),
    "forecast.horizon": ("Horizont", "Horizon"),
    "forecast.months": ("Monate", "months"),
    "forecast.simulations": ("Simulationen", "simulations"),
    "forecast.as_of": ("Stand", "As of"),
    "forecast.note": (
        "Monte-Carlo-Simulation des Auftragseingangs aus der offenen Pipeline, aus Leads, "
        "die noch zu Opportunities werden, und aus Aufträgen ohne Opportunity (Folgegeschäft, "
        "Webshop, EDI; abzüglich Retouren); 80 % der Simulationen liegen zwischen P10 und P90.",
        "Monte Carlo simulation of order intake from the open pipeline, from leads that have "
        "yet to become opportunities and from orders without an opportunity (repeat business, "
        "webshop, EDI; net of returns); 80% of the draws fall between P10 and P90.",
    ),
}
