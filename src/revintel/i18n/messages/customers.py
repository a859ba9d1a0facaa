"""Texts of the customers page, the account's customer section and the customers commands."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "nav.customers": ("Kunden", "Customers"),
    "customers.title": ("Kunden", "Customers"),
    "customers.note": (
        "Modelle auf allen Bestellungen bis {as_of}; Prognose für die nächsten {days} Tage, "
        "Kundenwert über 12 Monate, abgezinst mit {rate} im Jahr.",
        "Models fitted on every order up to {as_of}; prediction for the next {days} days, "
        "customer value over 12 months, discounted at {rate} a year.",
    ),
    "customers.churn_missing": (
        "Noch kein Abwanderungsmodell trainiert: mit „revintel score train accounts“ "
        "erscheinen Abwanderungsrisiko, Gründe und gefährdeter Wert.",
        "No churn model trained yet: run 'revintel score train accounts' to see churn risk, "
        "its reasons and the value at stake.",
    ),
    "customers.none": (
        "Noch keine Bestellungen bis zu diesem Tag: keine Kunden zu bewerten.",
        "No orders up to this day yet: no customers to assess.",
    ),
    "customers.too_few": (
        "Erst {customers} Kunden mit Bestellungen: die Kaufmodelle brauchen mindestens {least}.",
        "Only {customers} accounts with orders so far: the purchase models need at least {least}.",
    ),
    "customers.at_risk": ("Gefährdete Kunden", "Accounts at risk"),
    "customers.alerts": ("Abwanderungswarnungen", "Churn alerts"),
    "customers.alerts.note": (
        "Kunden mit hohem Kundenwert (oberste 20 %), deren Abwanderungsrisiko die Warnschwelle "
        "des Modells erreicht hat.",
        "High-value customers (top 20 % by customer value) whose churn risk has reached the "
        "model's warning threshold.",
    ),
    "customers.alerts.line": (
        "Abwanderungsrisiko {risk}, Kundenwert {clv}",
        "churn risk {risk}, customer value {clv}",
    ),
    "customers.campaigns": ("Cross-Selling-Kampagnen", "Cross-selling campaigns"),
    "customers.campaigns.name": ("Kampagne", "Campaign"),
    "customers.campaigns.family": ("Produktfamilie", "Product family"),
    "customers.campaigns.created": ("Angelegt", "Created"),
    "customers.campaigns.treatment": ("Angesprochen", "Treated"),
    "customers.campaigns.members": ("Mit Kontrollgruppe", "With control group"),
    "customers.campaigns.measure": (
        "Wirkung gegen die Kontrollgruppe: revintel campaign measure KAMPAGNE.",
        "Effect against the control group: revintel campaign measure CAMPAIGN.",
    ),
    "customers.campaigns.none": (
        "Noch keine Kampagne: {command}",
        "No campaign yet: {command}",
    ),
    "customers.top_value": ("Wertvollste Kunden", "Most valuable accounts"),
    "customers.horizon": ("Horizont", "Horizon"),
    "customers.days": ("Tage", "days"),
    "customers.sort": ("Sortieren nach", "Sort by"),
    "customers.sort.value_at_stake": ("gefährdetem Wert", "value at stake"),
    "customers.sort.clv": ("Kundenwert", "customer value"),
    "customers.sort.churn_risk": ("Abwanderungsrisiko", "churn risk"),
    "customers.show": ("Anzahl", "Show"),
    "customers.as_of": ("Stichtag", "As of"),
    "customers.col.account": ("Kunde", "Account"),
    "customers.col.p_alive": ("P(aktiv)", "P(active)"),
    "customers.col.expected_orders": ("Erwartete Bestellungen", "Expected orders"),
    "customers.col.p_no_order": ("P(keine Bestellung)", "P(no order)"),
    "customers.col.expected_order_value": ("Erwarteter Bestellwert", "Expected order value"),
    "customers.col.clv": ("Kundenwert (12 Mon.)", "Customer value (12 mo.)"),
    "customers.col.churn_risk": ("Abwanderungsrisiko", "Churn risk"),
    "customers.col.value_at_stake": ("Gefährdeter Wert", "Value at stake"),
    "customers.col.reasons": ("Gründe", "Reasons"),
    "customers.col.orders": ("Bestellungen", "Orders"),
    "customers.col.last_order": ("Letzte Bestellung", "Last order"),
    "customers.col.products": ("Nächste Produkte", "Next-best products"),
    "customers.next_best": ("Nächste passende Produkte", "Next-best products"),
    "customers.col.product": ("Produkt", "Product"),
    "customers.col.rank": ("Rang", "Rank"),
    "customers.col.score": ("Stärke", "Score"),
    "customers.col.reason": ("Warum", "Why"),
    "customers.calibration": (
        "Modellprüfung: Wiederholungskäufe je bisheriger Kaufzahl, erwartet gegen tatsächlich "
        "(letzte {days} Tage)",
        "Model check: repeat purchases by earlier purchase count, expected vs actual "
        "(last {days} days)",
    ),
    "customers.calibration.frequency": ("Wiederholungskäufe davor", "Repeat purchases before"),
    "customers.calibration.mean": ("Käufe je Kunde", "Purchases per account"),
    "customers.calibration.actual": ("tatsächlich", "actual"),
    "customers.calibration.expected": ("erwartet", "expected"),
    "customers.section": ("Kundenentwicklung", "Customer development"),
    "customers.not_customer": (
        "Noch keine Bestellung bis zum Stichtag: keine Kundenprognose.",
        "No order up to the as-of date: no customer prediction.",
    ),
    "customers.all": ("Alle Kunden", "All accounts"),
    "customers.campaigns.command": (
        "revintel campaign build --product FAMILIE --size N",
        "revintel campaign build --product FAMILY --size N",
    ),
}
