"""German and English texts of pricing (pricing): the page "Preise / Pricing", its tables and
charts, and the guidance block of the deal page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "nav.pricing": ("Preise", "Pricing"),
    "pricing.page.title": ("Preise", "Pricing"),
    "pricing.page.segment": ("Kundensegment", "Customer segment"),
    "pricing.page.family": ("Produktfamilie", "Product family"),
    "pricing.page.period": ("Jahr", "Year"),
    "pricing.page.band": ("Preisband", "Price band"),
    "pricing.page.deal": ("Offener Deal", "Open deal"),
    "pricing.page.all": ("alle", "all"),
    "pricing.page.typical": ("typischer Deal des Bandes", "typical deal of the band"),
    "pricing.page.kpis": ("Rabattdisziplin", "Discount discipline"),
    "pricing.page.previous": ("Vorperiode", "Previous period"),
    "pricing.page.scope_rep": (
        "Deals, Auftragspositionen und Preisverluste zeigen Ihre eigenen Deals.",
        "Deals, order lines and leakage show your own deals.",
    ),
    # The waterfall.
    "pricing.page.waterfall": ("Preiswasserfall", "Price waterfall"),
    "pricing.page.waterfall_note": (
        "Vom Listenpreis über den Rechnungspreis zum Pocket-Preis und zur Pocket-Marge, "
        "aus {lines} Auftragspositionen.",
        "From list price over invoice price to pocket price and pocket margin, "
        "from {lines} order lines.",
    ),
    "pricing.page.waterfall_none": (
        "Für diese Auswahl gibt es keine Auftragspositionen.",
        "There are no order lines for this choice.",
    ),
    "pricing.step.list": ("Listenpreis", "List price"),
    "pricing.step.on_invoice": ("Rabatt auf der Rechnung", "On-invoice discount"),
    "pricing.step.invoice": ("Rechnungspreis", "Invoice price"),
    "pricing.step.rebate": ("Rückvergütung", "Rebate"),
    "pricing.step.freight": ("Fracht", "Freight"),
    "pricing.step.payment_terms": ("Zahlungskonditionen", "Payment terms"),
    "pricing.step.bonus": ("Bonus", "Bonus"),
    "pricing.step.other": ("Sonstige Posten", "Other items"),
    "pricing.step.pocket": ("Pocket-Preis", "Pocket price"),
    "pricing.step.cost": ("Kosten", "Cost"),
    "pricing.step.pocket_margin": ("Pocket-Marge", "Pocket margin"),
    "pricing.col.step": ("Stufe", "Step"),
    "pricing.col.amount": ("Betrag", "Amount"),
    "pricing.col.share_of_list": ("Anteil am Listenpreis", "Share of list price"),
    # Bands.
    "pricing.page.bands": ("Preisbänder", "Price bands"),
    "pricing.page.bands_note": (
        "Preisbänder und Preis-Absatz-Kurve sind Ergebnisse des unternehmensweiten Modells "
        "(angepasst am {date}) und für alle gleich; die Deals als Punkte sind die, die Sie "
        "sehen dürfen.",
        "Price bands and the price-response curve are facts of the company-wide model "
        "(fitted on {date}) and the same for everyone; the deals shown as points are those "
        "you may see.",
    ),
    "pricing.page.no_model": (
        "Es ist noch kein Preismodell gespeichert. Eine Administration oder Analyse legt es "
        "mit „revintel pricing fit“ an; bis dahin fehlen Preisbänder und Preis-Absatz-Kurve.",
        "No price model is stored yet. An admin or analyst creates one with "
        "\u201crevintel pricing fit\u201d; until then price bands and the price-response curve "
        "are missing.",
    ),
    "pricing.page.band_chart": ("Deals im Preisband {band}", "Deals in price band {band}"),
    "pricing.col.band": ("Preisband", "Price band"),
    "pricing.col.segment": ("Segment vergleichbarer Deals", "Segment of comparable deals"),
    "pricing.col.floor": ("Untergrenze", "Floor"),
    "pricing.col.target": ("Zielpreis", "Target"),
    "pricing.col.stretch": ("Ambitioniert", "Stretch"),
    "pricing.col.won_deals": ("Gewonnene Deals", "Won deals"),
    "pricing.col.deals": ("Abgeschlossene Deals", "Closed deals"),
    "pricing.col.deal": ("Deal", "Deal"),
    "pricing.col.account": ("Account", "Account"),
    "pricing.col.rep": ("Vertrieb", "Rep"),
    "pricing.col.list_price": ("Listenpreis", "List price"),
    "pricing.col.price": ("Preis", "Price"),
    "pricing.col.price_ratio": ("Preis in % des Listenpreises", "Price as % of list"),
    "pricing.col.discount": ("Rabatt", "Discount"),
    "pricing.col.status": ("Status", "Status"),
    "pricing.col.position": ("Lage im Band", "Position in band"),
    "pricing.position.below_floor": ("unter der Untergrenze", "below floor"),
    "pricing.position.floor_target": ("zwischen Untergrenze und Ziel", "floor to target"),
    "pricing.position.target_stretch": ("zwischen Ziel und ambitioniert", "target to stretch"),
    "pricing.position.above_stretch": ("über ambitioniert", "above stretch"),
    "pricing.page.rows_shown": (
        "Die ersten {shown} von {total} Zeilen; der Download enthält alle.",
        "The first {shown} of {total} rows; the download has all.",
    ),
    "pricing.page.positions": ("Offene Deals im Band", "Open deals in their band"),
    "pricing.page.open_deal": ("offen", "open"),
    # The price response.
    "pricing.page.response": ("Preis-Absatz-Kurve", "Price response"),
    "pricing.page.response_for": (
        "Gewinnchance und erwartete Marge über den Preis für {deal}.",
        "Win chance and expected margin over the price for {deal}.",
    ),
    "pricing.page.response_none": (
        "Für dieses Band lässt sich keine Kurve berechnen.",
        "No curve can be computed for this band.",
    ),
    "pricing.page.optimum": (
        "Margenoptimaler Preis: {price} des Listenpreises (Gewinnchance {win}, erwartete "
        "Marge {margin}).",
        "Margin-optimal price: {price} of list (win chance {win}, expected margin {margin}).",
    ),
    "pricing.page.evaluation": (
        "Außerhalb der Lernzeit geprüft: AUC {auc} gegenüber {baseline_auc} ohne Rabatt, "
        "Log-Loss {log_loss} gegenüber {baseline_log_loss}, {deals} Deals.",
        "Checked out of time: AUC {auc} against {baseline_auc} without the discount, "
        "log loss {log_loss} against {baseline_log_loss}, {deals} deals.",
    ),
    "pricing.chart.optimum": ("Optimum", "Optimum"),
    "pricing.chart.current": ("aktuell", "current"),
    "pricing.col.win_probability": ("Gewinnchance", "Win chance"),
    "pricing.col.lower": ("Gewinnchance, untere Grenze", "Win chance, lower bound"),
    "pricing.col.upper": ("Gewinnchance, obere Grenze", "Win chance, upper bound"),
    "pricing.col.expected_margin": ("Erwartete Marge", "Expected margin"),
    # Leakage.
    "pricing.page.leakage": ("Preisverluste", "Price leakage"),
    "pricing.page.leakage_note": (
        "Preisverlust ist alles zwischen Listenpreis und Pocket-Preis: Rabatte auf der "
        "Rechnung und Posten außerhalb der Rechnung.",
        "Leakage is everything between list price and pocket price: discounts on the invoice "
        "and items off the invoice.",
    ),
    "pricing.page.leakage.segment": ("Preisverluste je Kundensegment", "Leakage by segment"),
    "pricing.page.leakage.rep": ("Preisverluste je Vertriebsmitarbeiter", "Leakage by rep"),
    "pricing.page.leakage.family": ("Preisverluste je Produktfamilie", "Leakage by family"),
    "pricing.page.outliers.account": (
        "Accounts mit den höchsten Rabatten gegenüber vergleichbaren",
        "Accounts discounting furthest above their peers",
    ),
    "pricing.page.outliers.rep": (
        "Vertriebsmitarbeiter mit den höchsten Rabatten gegenüber vergleichbaren",
        "Reps discounting furthest above their peers",
    ),
    "pricing.group.segment": ("Kundensegment", "Customer segment"),
    "pricing.group.rep": ("Vertriebsmitarbeiter", "Sales rep"),
    "pricing.group.family": ("Produktfamilie", "Product family"),
    "pricing.group.account": ("Account", "Account"),
    "pricing.col.lines": ("Positionen", "Lines"),
    "pricing.col.list_amount": ("Listenumsatz", "List revenue"),
    "pricing.col.invoice_amount": ("Rechnungsumsatz", "Invoice revenue"),
    "pricing.col.pocket_amount": ("Pocket-Umsatz", "Pocket revenue"),
    "pricing.col.leakage": ("Preisverlust", "Leakage"),
    "pricing.col.leakage_rate": ("Verlustquote", "Leakage rate"),
    "pricing.col.pocket_margin_rate": ("Pocket-Margenquote", "Pocket margin rate"),
    "pricing.col.peer_discount": ("Rabatt der Vergleichsgruppe", "Peers' discount"),
    "pricing.col.name": ("Name", "Name"),
    "pricing.col.deals_compared": ("Verglichene Deals", "Deals compared"),
    "pricing.col.excess_points": (
        "Prozentpunkte über der Vergleichsgruppe",
        "Percentage points above peers",
    ),
    "pricing.col.excess_amount": ("Mehr gewährt als die Vergleichsgruppe", "Given beyond peers"),
    "pricing.col.z": ("Abstand in Standardfehlern", "Distance in standard errors"),
    # The guidance block of the deal page.
    "pricing.guidance.title": ("Preisempfehlung", "Price guidance"),
    "pricing.guidance.none": (
        "Für diesen Deal gibt es keine Preisempfehlung: {reason}",
        "There is no price guidance for this deal: {reason}",
    ),
    "pricing.guidance.no_model": (
        "Es ist noch kein Preismodell gespeichert (revintel pricing fit).",
        "no price model is stored yet (revintel pricing fit).",
    ),
    "pricing.guidance.no_list_price": (
        "Der Deal hat keinen Listenpreis.",
        "the deal has no list price.",
    ),
    "pricing.guidance.band": ("Preisband", "Price band"),
    "pricing.guidance.current": ("Aktueller Preis", "Current price"),
    "pricing.guidance.recommended": ("Empfohlener Preis", "Recommended price"),
    "pricing.guidance.win": ("Gewinnchance", "Win chance"),
    "pricing.guidance.margin": ("Erwartete Marge", "Expected margin"),
    "pricing.guidance.at_stake": ("Marge im Spiel", "Margin at stake"),
    "pricing.guidance.approval": ("Freigabe", "Approval"),
    "pricing.guidance.position": ("Lage im Band", "Position in band"),
    "pricing.approval.within_band": ("im Band: keine Freigabe nötig", "within band: no approval"),
    "pricing.approval.needs_manager": (
        "unter dem Zielpreis: Freigabe durch die Vertriebsleitung",
        "below target: needs a manager's approval",
    ),
    "pricing.approval.below_floor": (
        "unter der Untergrenze: nur in Ausnahmen",
        "below floor: exceptional cases only",
    ),
    "pricing.guidance.comparable": ("Vergleichbare Deals", "Comparable deals"),
    "pricing.guidance.price_of_list": ("{price} des Listenpreises", "{price} of list"),
}
