"""Texts of the order intake forecast page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "forecast.title": ("Auftragseingangsprognose", "Order intake forecast"),
    "forecast.fan": (
        "Auftragseingang gesamt (gebucht + Prognose): P10 – P50 – P90",
        "Total order intake (booked + forecast): P10 – P50 – P90",
    ),
    "forecast.cli_title": (
        "Erwarteter Auftragseingang ({currency}), Stand {day}",
        "Expected order intake ({currency}) as of {day}",
    ),
    "forecast.cli_what_if": ("Was-wäre-wenn", "what-if"),
    "forecast.target": ("Ziel", "Target"),
    "forecast.booked": ("Gebucht", "Booked"),
    "forecast.expected": ("Erwartet (P50)", "Expected (P50)"),
    "forecast.gap": ("Lücke zum Ziel", "Gap to target"),
    "forecast.p_reach": ("Wahrscheinlichkeit, das Ziel zu erreichen", "Chance of reaching it"),
    "forecast.p_reach_short": ("Chance", "Chance"),
    "forecast.attainment": ("Ziel gegen Prognose", "Target against forecast"),
    "forecast.attainment_note": (
        "Gebucht bis zum Stichtag plus die Prognose für den Rest der Periode. Die "
        "Wahrscheinlichkeit ist der Anteil der Simulationen, in denen das Ziel erreicht wird – "
        "dieselben Simulationen wie P10/P50/P90.",
        "Booked up to the cut-off plus the forecast of the rest of the period. The chance is "
        "the share of simulations that reach the target – the same simulations as "
        "P10/P50/P90.",
    ),
    "forecast.attainment_none": (
        "Für die Perioden der Prognose sind keine Auftragseingangsziele hinterlegt "
        "(Ziele: Seite „Ziele“ oder revintel targets import).",
        "No order-intake targets exist for the forecast's periods (targets: the Targets page "
        "or revintel targets import).",
    ),
    "forecast.short": ("fehlen", "short"),
    "forecast.ahead": ("über Ziel", "ahead"),
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
