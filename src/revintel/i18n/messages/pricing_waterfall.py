"""Price waterfall, leakage, discount outliers and off-invoice terms.

Placeholders: ``{rows}`` terms written, ``{path}`` the terms file, ``{opportunity}`` a deal id.
"""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "pricing.waterfall.title": ("Preiswasserfall", "Price waterfall"),
    "pricing.waterfall.deal_title": (
        "Preiswasserfall des Deals {opportunity}",
        "Price waterfall of deal {opportunity}",
    ),
    "pricing.waterfall.col.lines": ("Positionen", "Lines"),
    "pricing.waterfall.not_ordered": (
        "Noch nicht bestellt: Listenpreis und Betrag des Deals, Abzüge aus den Konditionen, "
        "Kosten geschätzt.",
        "Not ordered yet: the deal's list price and amount, items from the terms, cost estimated.",
    ),
    "pricing.group.team": ("Team", "Team"),
    "pricing.group.customer": ("Kunde", "Account"),
    "pricing.group.product": ("Produkt", "Product"),
    "pricing.group.month": ("Monat", "Month"),
    "pricing.group.quarter": ("Quartal", "Quarter"),
    "pricing.group.year": ("Jahr", "Year"),
    "pricing.leakage.title": ("Preisverluste", "Price leakage"),
    "pricing.leakage.col.lines": ("Positionen", "Lines"),
    "pricing.leakage.col.list_amount": ("Listenpreis", "List"),
    "pricing.leakage.col.invoice_amount": ("Rechnung", "Invoice"),
    "pricing.leakage.col.pocket_amount": ("Pocket", "Pocket"),
    "pricing.leakage.col.on_invoice": ("Rabatt", "Discount"),
    "pricing.leakage.col.off_invoice": ("Abzüge nach Rechnung", "Off-invoice"),
    "pricing.leakage.col.leakage": ("Preisverlust", "Leakage"),
    "pricing.leakage.col.leakage_share": ("Verlustquote", "Leakage share"),
    "pricing.leakage.col.on_invoice_share": ("Rabatt-Anteil", "Discount share"),
    "pricing.leakage.col.off_invoice_share": ("Abzugs-Anteil", "Off-invoice share"),
    "pricing.leakage.col.pocket_margin": ("Pocket-Marge", "Pocket margin"),
    "pricing.leakage.col.pocket_margin_rate": ("Pocket-Margenquote", "Pocket margin rate"),
    "pricing.outliers.title": (
        "Rabatte über dem Vergleichsniveau",
        "Discounts above their peers",
    ),
    "pricing.outliers.col.account": ("Kunde", "Account"),
    "pricing.outliers.col.rep": ("Vertriebsmitarbeiter", "Sales rep"),
    "pricing.outliers.col.name": ("Name", "Name"),
    "pricing.outliers.col.deals": ("Deals", "Deals"),
    "pricing.outliers.col.list_amount": ("Listenvolumen", "List volume"),
    "pricing.outliers.col.discount": ("Rabatt", "Discount"),
    "pricing.outliers.col.peer_discount": ("Rabatt der Vergleichsgruppe", "Peers' discount"),
    "pricing.outliers.col.excess_points": ("Mehr-Rabatt (Punkte)", "Excess (points)"),
    "pricing.outliers.col.excess_amount": ("Mehr-Rabatt (Betrag)", "Excess (amount)"),
    "pricing.outliers.col.z": ("z-Wert", "z-score"),
    "pricing.outliers.note": (
        "Vergleich je Segment × Produktfamilie mit allen übrigen, über den eigenen Mix; "
        "|z| ≥ 2 ist auffällig.",
        "Compared per segment × product family with everyone else, over the own mix; "
        "|z| ≥ 2 stands out.",
    ),
    "pricing.terms.title": ("Konditionen nach Kundengruppe", "Terms per customer group"),
    "pricing.terms.imported": (
        "{rows} Konditionen aus {path} übernommen (die bisherigen ersetzt)",
        "{rows} terms imported from {path} (replacing the previous ones)",
    ),
    "pricing.terms.none": (
        "Keine Konditionen gespeichert: revintel pricing terms import DATEI",
        "No terms stored: revintel pricing terms import FILE",
    ),
    "pricing.terms.col.group_by": ("Gruppiert nach", "Grouped by"),
    "pricing.terms.col.customer_group": ("Kundengruppe", "Customer group"),
    "pricing.terms.col.kind": ("Art", "Kind"),
    "pricing.terms.col.rate": ("Satz", "Rate"),
    "pricing.terms.col.source_file": ("Datei", "File"),
    "pricing.terms.col.imported_at": ("Übernommen am", "Imported at"),
    "pricing.terms.every_group": ("alle übrigen", "every other"),
}
