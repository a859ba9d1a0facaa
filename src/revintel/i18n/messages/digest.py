"""German and English texts of the weekly digest: the e-mail, its plain-text part and the
webhook message."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "digest.subject": (
        "revintel Wochenüberblick {scope} – {day}",
        "revintel weekly digest {scope} – {day}",
    ),
    "digest.title": ("Wochenüberblick", "Weekly digest"),
    "digest.greeting": ("Hallo {name},", "Hello {name},"),
    "digest.greeting.all": ("Hallo zusammen,", "Hello everyone,"),
    "digest.scope.company": ("Unternehmen", "company"),
    "digest.scope.team": ("Ihr Team", "your team"),
    "digest.scope.own": ("Ihre Zahlen", "your figures"),
    "digest.intro.company": (
        "hier sind die Zahlen des Unternehmens mit Stand {as_of}.",
        "here are the company's figures as of {as_of}.",
    ),
    "digest.intro.team": (
        "hier sind die Zahlen und offenen Deals Ihres Teams mit Stand {as_of}.",
        "here are your team's figures and open deals as of {as_of}.",
    ),
    "digest.intro.own": (
        "hier sind Ihre Zahlen und Ihre offenen Deals mit Stand {as_of}.",
        "here are your figures and your open deals as of {as_of}.",
    ),
    "digest.figures": ("Auf einen Blick", "At a glance"),
    "digest.kpis": ("Kennzahlen gegenüber der Vorperiode", "KPIs against the previous period"),
    "digest.kpi": ("Kennzahl", "KPI"),
    "digest.change": ("Aktuell", "Current"),
    "digest.attainment": ("Zielerreichung im Quartal", "Target attainment this quarter"),
    "digest.attainment.company": ("Unternehmen", "Company"),
    "digest.attainment.own": ("Ihr Ziel", "Your target"),
    "digest.attainment.team": ("Ziel Ihres Teams", "Your team's target"),
    "digest.attainment.scope": ("Bereich", "Scope"),
    "digest.attainment.target": ("Ziel", "Target"),
    "digest.attainment.booked": ("Gebucht", "Booked"),
    "digest.attainment.p50": ("Erwartet (P50)", "Expected (P50)"),
    "digest.attainment.range": ("Spanne P10–P90", "Range P10–P90"),
    "digest.attainment.gap": ("Lücke", "Gap"),
    "digest.attainment.p_reach": ("Chance, das Ziel zu erreichen", "Chance of reaching the target"),
    "digest.attainment.none": (
        "Für dieses Quartal sind keine Ziele hinterlegt.",
        "No targets are set for this quarter.",
    ),
    "digest.alerts": ("Neue Warnungen seit {since}", "New alerts since {since}"),
    "digest.alerts.none": ("Keine neuen Warnungen.", "No new alerts."),
    "digest.alerts.open": ("Im Cockpit öffnen", "Open in the cockpit"),
    "digest.deals.own": ("Ihre offenen Deals", "Your open deals"),
    "digest.deals.company": ("Offene Deals", "Open deals"),
    "digest.deals.team": ("Offene Deals Ihres Teams", "Your team's open deals"),
    "digest.deals.none": ("Keine offenen Deals.", "No open deals."),
    "digest.deals.more": (
        "{shown} von {total} offenen Deals, alle im Cockpit: {url}",
        "{shown} of {total} open deals, all of them in the cockpit: {url}",
    ),
    "digest.deal.name": ("Deal", "Deal"),
    "digest.deal.stage": ("Phase", "Stage"),
    "digest.deal.amount": ("Betrag", "Amount"),
    "digest.deal.close": ("Erwarteter Abschluss", "Expected close"),
    "digest.deal.score": ("Score", "Score"),
    "digest.cockpit": ("Zum Cockpit", "Open the cockpit"),
    "digest.footer": (
        "Diese Nachricht wurde von revintel erstellt. Die Zahlen entsprechen der Übersicht im "
        "Cockpit für {user}.",
        "This message was written by revintel. Its figures are those of the cockpit's overview "
        "for {user}.",
    ),
    "digest.footer.all": (
        "Diese Nachricht wurde von revintel erstellt. Die Zahlen entsprechen der Übersicht im "
        "Cockpit mit allen Daten.",
        "This message was written by revintel. Its figures are those of the cockpit's overview "
        "of all data.",
    ),
    "digest.summary": (
        "{scope}: {leads} Leads, {open_deals} offene Deals ({pipeline}), {alerts} neue Warnungen",
        "{scope}: {leads} leads, {open_deals} open deals ({pipeline}), {alerts} new alerts",
    ),
}
