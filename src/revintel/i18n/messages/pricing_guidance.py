"""German and English texts of pricing (pricing_guidance): fitted price models, deal guidance."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "pricing_guidance.title": ("Preisempfehlung", "Price guidance"),
    "pricing_guidance.title_draft": ("Preisempfehlung (Angebotsentwurf)", "Price guidance (draft)"),
    "pricing_guidance.no_model": (
        "Es ist noch kein Preismodell gespeichert; rechnen Sie es mit `revintel pricing fit`.",
        "No price model is stored yet; fit one with `revintel pricing fit`.",
    ),
    "pricing_guidance.fitted": (
        "Preismodell {fit_id} gespeichert (Abschlüsse bis {as_of}; Preisreaktion: {algorithm}).",
        "Price model {fit_id} stored (deals closed up to {as_of}; price response: {algorithm}).",
    ),
    "pricing_guidance.evaluation": (
        "Preisreaktion außerhalb der Zeit",
        "Price response out of time",
    ),
    "pricing_guidance.bands": ("Preisbänder", "Price bands"),
    "pricing_guidance.comparables_won": (
        "Vergleichbare gewonnene Abschlüsse",
        "Comparable won deals",
    ),
    "pricing_guidance.comparables_lost": (
        "Vergleichbare verlorene Abschlüsse",
        "Comparable lost deals",
    ),
    "pricing_guidance.demo_note": (
        "Preismodell {fit_id}: {bands} Preisbänder. Probieren Sie "
        "`revintel pricing guidance {opportunity}`.",
        "Price model {fit_id}: {bands} price bands. Try `revintel pricing guidance {opportunity}`.",
    ),
    "pricing_guidance.field.opportunity_id": ("Verkaufschance", "Opportunity"),
    "pricing_guidance.field.account_id": ("Kunde", "Account"),
    "pricing_guidance.field.segment": ("Segment (Preisband)", "Segment (price band)"),
    "pricing_guidance.field.band_won_deals": ("Gewonnene Abschlüsse im Band", "Won deals in band"),
    "pricing_guidance.field.list_price": ("Listenpreis", "List price"),
    "pricing_guidance.field.cost": ("Kosten", "Cost"),
    "pricing_guidance.field.floor": ("Untergrenze", "Floor"),
    "pricing_guidance.field.target": ("Zielpreis", "Target"),
    "pricing_guidance.field.stretch": ("Ambitionierter Preis", "Stretch"),
    "pricing_guidance.field.current_price": ("Aktueller Preis", "Current price"),
    "pricing_guidance.field.current_discount": ("Aktueller Rabatt", "Current discount"),
    "pricing_guidance.field.position": ("Lage im Band", "Position in band"),
    "pricing_guidance.field.approval": ("Freigabe", "Approval"),
    "pricing_guidance.field.recommended_price": ("Empfohlener Preis", "Recommended price"),
    "pricing_guidance.field.recommended_discount": (
        "Empfohlener Rabatt (90-%-Intervall)",
        "Recommended discount (90 % interval)",
    ),
    "pricing_guidance.field.win_probability_current": (
        "Gewinnchance zum aktuellen Preis",
        "Win chance at current price",
    ),
    "pricing_guidance.field.win_probability_recommended": (
        "Gewinnchance zum empfohlenen Preis",
        "Win chance at recommended price",
    ),
    "pricing_guidance.field.expected_margin_current": (
        "Erwartete Marge zum aktuellen Preis",
        "Expected margin at current price",
    ),
    "pricing_guidance.field.expected_margin_recommended": (
        "Erwartete Marge zum empfohlenen Preis",
        "Expected margin at recommended price",
    ),
    "pricing_guidance.field.margin_at_stake": ("Marge im Spiel", "Margin at stake"),
    "pricing_guidance.field.fit_id": ("Preismodell", "Price model"),
    "pricing_guidance.approval.within_band": ("im Band", "within band"),
    "pricing_guidance.approval.needs_manager": ("Freigabe durch Vorgesetzte", "needs manager"),
    "pricing_guidance.approval.below_floor": ("unter der Untergrenze", "below floor"),
    "pricing_guidance.position.below_floor": ("unter der Untergrenze", "below floor"),
    "pricing_guidance.position.floor_target": (
        "zwischen Untergrenze und Ziel",
        "between floor and target",
    ),
    "pricing_guidance.position.target_stretch": (
        "zwischen Ziel und ambitioniertem Preis",
        "between target and stretch",
    ),
    "pricing_guidance.position.above_stretch": (
        "über dem ambitionierten Preis",
        "above stretch",
    ),
    "pricing_guidance.column.closed_at": ("Abschluss", "Closed"),
    "pricing_guidance.column.similarity": ("Ähnlichkeit", "Similarity"),
    "pricing_guidance.column.amount": ("Betrag", "Amount"),
    "pricing_guidance.column.discount": ("Rabatt", "Discount"),
    "pricing_guidance.bad_product": (
        "--product {value!r}: erwartet PRODUKT:MENGE mit einer Menge über 0, z. B. P001:2",
        "--product {value!r}: expected PRODUCT:QUANTITY with a quantity above 0, e.g. P001:2",
    ),
    "pricing_guidance.deal_or_draft": (
        "Geben Sie eine Verkaufschance oder --account mit --product an, nicht beides.",
        "Give an opportunity or --account with --product, not both.",
    ),
}
