"""Cross-selling micro-campaigns: the export for the CRM, summaries and the measured uplift.

Placeholders: ``{campaign}`` the campaign id, ``{family}`` the product family, ``{size}`` and
``{control}`` the group sizes, ``{rows}`` rows written, ``{path}`` a file, ``{start}`` and
``{until}`` the measured window, ``{minimum}`` accounts needed per group.
"""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "campaigns.export.account_id": ("Kunden-ID", "Account ID"),
    "campaigns.export.account_name": ("Kunde", "Account"),
    "campaigns.export.contact_name": ("Ansprechpartner", "Contact person"),
    "campaigns.export.contact_email": ("E-Mail", "Email"),
    "campaigns.export.rep_name": ("Vertriebsmitarbeiter", "Sales rep"),
    "campaigns.export.products": ("Empfohlene Produkte", "Recommended products"),
    "campaigns.export.reasons": ("Begründung", "Reason"),
    "campaigns.export.priority": ("Priorität", "Priority"),
    "campaigns.export.sheet": ("Zielkunden", "Target accounts"),
    "campaigns.built": (
        "Kampagne {campaign} angelegt: {family}, {size} Zielkunden, {control} Kontrollkunden",
        "campaign {campaign} recorded: {family}, {size} target accounts, {control} control "
        "accounts",
    ),
    "campaigns.written": (
        "{rows} Zielkunden nach {path} geschrieben (die Kontrollgruppe bleibt im Datenbestand)",
        "{rows} target accounts written to {path} (the control group stays in the store)",
    ),
    "campaigns.note.propensity": (
        "Die Affinität ist relativ (bester Kandidat = 1), keine kalibrierte "
        "Kaufwahrscheinlichkeit.",
        "The propensity is relative (best candidate = 1), not a calibrated purchase probability.",
    ),
    "campaigns.note.control": (
        "Ziel- und Kontrollgruppe sind zufällig aus derselben Rangliste gezogen und damit "
        "vergleichbar.",
        "Treatment and control are drawn at random from the same ranked pool, so they are "
        "comparable.",
    ),
    "campaigns.title.list": ("Cross-Selling-Kampagnen", "Cross-selling campaigns"),
    "campaigns.title.members": ("Ausgewählte Kunden", "Selected accounts"),
    "campaigns.title.measure": (
        "Uplift von {campaign} ({family}), Bestellungen nach dem {start} bis zum {until}",
        "Uplift of {campaign} ({family}), orders after {start} up to {until}",
    ),
    "campaigns.too_few": (
        "Zu wenige Kunden ({size} Ziel-, {control} Kontrollkunden; mindestens {minimum} je "
        "Gruppe): nur die Mittelwerte, kein Konfidenzintervall.",
        "Too few accounts ({size} treatment, {control} control; at least {minimum} per group "
        "needed): means only, no confidence interval.",
    ),
    "campaigns.outcome.converted": (
        "Anteil Kunden mit Bestellung der Familie",
        "share of accounts ordering the family",
    ),
    "campaigns.outcome.orders_family": (
        "Bestellungen der Familie je Kunde",
        "orders of the family per account",
    ),
    "campaigns.outcome.margin_family": ("Marge der Familie je Kunde", "family margin per account"),
    "campaigns.outcome.orders_total": ("Bestellungen gesamt je Kunde", "orders per account"),
    "campaigns.outcome.margin_total": ("Marge gesamt je Kunde", "total margin per account"),
}
