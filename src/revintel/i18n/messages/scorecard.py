"""German and English texts of the joint scorecard of marketing and sales (page, PDF, workbook,
command line)."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "nav.scorecard": ("Scorecard", "Scorecard"),
    "scorecard.title": (
        "Scorecard Marketing & Vertrieb",
        "Marketing & sales scorecard",
    ),
    "scorecard.intro": (
        "Die gemeinsamen Zahlen für das Treffen von Marketing und Vertrieb: vereinbarte KPIs, "
        "Ziele gegen Ist, der Beitrag beider Seiten je Meilenstein, die qualitätsgewichtete "
        "Lead Velocity Rate, die Erfüllung der Service-Level und offene Alarme.",
        "The shared figures for the marketing and sales meeting: agreed KPIs, targets against "
        "actuals, what each side contributed per milestone, the quality-weighted lead velocity "
        "rate, service-level attainment and open alerts.",
    ),
    "scorecard.meta": (
        "Monat {month} · Datenstand {as_of}",
        "Month {month} · data as of {as_of}",
    ),
    "scorecard.month": ("Monat", "Month"),
    "scorecard.show": ("Anzeigen", "Show"),
    "scorecard.download": ("Herunterladen", "Download"),
    "scorecard.scope_rep": (
        "Sie sehen die Zahlen Ihrer eigenen Leads und Deals.",
        "You see the figures of your own leads and deals.",
    ),
    "scorecard.bad_month": ("Der Monat ist ungültig: {reason}", "The month is invalid: {reason}"),
    # KPIs
    "scorecard.section.kpis": ("Vereinbarte KPIs", "Agreed KPIs"),
    "scorecard.kpis.note": (
        "Definitionen aus dem KPI-Katalog, auf die sich Marketing und Vertrieb geeinigt haben. "
        "Mit „Quartal“ markierte KPIs gelten für das Quartal, das den Monat enthält.",
        "Definitions from the KPI catalogue marketing and sales agreed on. KPIs marked "
        "“quarter” are for the quarter containing the month.",
    ),
    "scorecard.col.kpi": ("KPI", "KPI"),
    "scorecard.col.value": ("Wert", "Value"),
    "scorecard.col.previous": ("Vorperiode", "Previous period"),
    "scorecard.col.last_year": ("Vorjahr", "Last year"),
    "scorecard.col.definition": ("Definition", "Definition"),
    "scorecard.col.formula": ("Formel", "Formula"),
    "scorecard.col.direction": ("Gut ist", "Good is"),
    "scorecard.col.period": ("Zeitraum", "Period"),
    "scorecard.direction.up": ("höher", "higher"),
    "scorecard.direction.down": ("niedriger", "lower"),
    "scorecard.direction.none": ("–", "–"),
    "scorecard.grain.month": ("Monat", "month"),
    "scorecard.grain.quarter": ("Quartal", "quarter"),
    # targets
    "scorecard.section.targets": ("Ziele und Ist je Team und Person", "Targets vs actuals"),
    "scorecard.targets.note": (
        "Ziele werden je Quartal gesetzt: gezeigt sind die Ziele von {quarter} "
        "({start} – {end}) und das Ist des Quartals bis {to_date}.",
        "Targets are set per quarter: shown are the targets of {quarter} ({start} – {end}) "
        "and the quarter's actuals up to {to_date}.",
    ),
    "scorecard.targets.none": (
        "Für {quarter} sind keine Ziele gespeichert (revintel targets import DATEI).",
        "No targets are stored for {quarter} (revintel targets import FILE).",
    ),
    "scorecard.col.owner": ("Für", "For"),
    "scorecard.col.measure": ("Größe", "Measure"),
    "scorecard.col.target": ("Ziel", "Target"),
    "scorecard.col.actual": ("Ist", "Actual"),
    "scorecard.col.attainment": ("Erreicht", "Attainment"),
    "scorecard.owner.company": ("Unternehmen", "Company"),
    "scorecard.owner.team": ("Team", "Team"),
    "scorecard.owner.person": ("Person", "Person"),
    "scorecard.owner.segment": ("Segment", "Segment"),
    "scorecard.measure.order_intake": ("Auftragseingang", "Order intake"),
    "scorecard.measure.mqls": ("MQLs", "MQLs"),
    "scorecard.measure.sals": ("SALs", "SALs"),
    "scorecard.measure.sqls": ("SQLs", "SQLs"),
    "scorecard.measure.opportunities": ("Opportunities", "Opportunities"),
    # contribution
    "scorecard.section.contribution": (
        "Beitrag von Marketing und Vertrieb je Meilenstein",
        "Contribution of marketing and sales per milestone",
    ),
    "scorecard.contribution.note": (
        "Gespeicherte Attributions-Gutschriften des Modells „{model}“ für die Konversionen des "
        "Monats, je Kanal der Marketing- oder der Vertriebsseite zugeordnet "
        "(conf/scorecard.yaml). {why}",
        "Stored attribution credits of the model “{model}” for the month's conversions, each "
        "channel assigned to marketing or sales (conf/scorecard.yaml). {why}",
    ),
    "scorecard.contribution.why.u_shaped": (
        "Das positionsbasierte Modell gibt 40 % dem ersten Kontakt, 40 % dem Kontakt, der den "
        "Lead erzeugt hat, und 20 % den Kontakten dazwischen: keine Seite gewinnt durch die "
        "Bauart des Modells, und als Regelmodell bleibt es von Monat zu Monat stabil.",
        "The position-based model gives 40 % to the first touch, 40 % to the touch that "
        "created the lead and 20 % to the touches between: neither side wins by the model's "
        "design, and as a rule-based model it stays stable from month to month.",
    ),
    "scorecard.contribution.why.other": (
        "Das Modell ist in der Scorecard-Datei gewählt.",
        "The model is chosen in the scorecard file.",
    ),
    "scorecard.contribution.none": (
        "Für das Modell „{model}“ sind keine Attributions-Gutschriften gespeichert. Speichern "
        "Sie sie mit: revintel attribution store --models {model_id} --level {level}",
        "No attribution credits of the model “{model}” are stored. Store them with: "
        "revintel attribution store --models {model_id} --level {level}",
    ),
    "scorecard.contribution.empty": (
        "Im Monat wurden keine Konversionen gutgeschrieben.",
        "No conversions were credited in the month.",
    ),
    "scorecard.contribution.hidden": (
        "Die Gutschriften summieren alle Journeys des Unternehmens; sie sehen nur Nutzer mit "
        "Zugriff auf alle Zeilen.",
        "The credits add up every journey of the company; only users seeing every row see them.",
    ),
    "scorecard.col.milestone": ("Meilenstein", "Milestone"),
    "scorecard.col.conversions": ("Konversionen", "Conversions"),
    "scorecard.col.marketing": ("Marketing", "Marketing"),
    "scorecard.col.sales": ("Vertrieb", "Sales"),
    "scorecard.col.unattributed": ("Nicht zugeordnet", "Unattributed"),
    "scorecard.col.marketing_share": ("Anteil Marketing", "Marketing share"),
    # velocity
    "scorecard.section.velocity": (
        "Qualitätsgewichtete Lead Velocity Rate",
        "Quality-weighted lead velocity rate",
    ),
    "scorecard.velocity.note": (
        "Jeder MQL zählt mit seinem Lead-Score ({kind}) zum Zeitpunkt der MQL-Einstufung; MQLs "
        "ohne Score zählen mit dem mittleren Score der bewerteten MQLs des Monats. Wächst die "
        "gewichtete Zahl langsamer als die einfache, kam das Volumen mit schlechteren Leads.",
        "Each MQL counts with its lead score ({kind}) as of the time it became an MQL; MQLs "
        "without a score count with the mean score of the month's scored MQLs. When the "
        "weighted count grows slower than the plain one, the volume came with worse leads.",
    ),
    "scorecard.velocity.no_scores": (
        "Ohne gespeicherte Lead-Scores ({kind}) gibt es keine gewichtete Zahl: "
        "revintel score train leads && revintel score apply",
        "Without stored lead scores ({kind}) there is no weighted count: "
        "revintel score train leads && revintel score apply",
    ),
    "scorecard.col.figure": ("Kennzahl", "Figure"),
    "scorecard.col.month": ("Monat", "Month"),
    "scorecard.col.previous_month": ("Vormonat", "Previous month"),
    "scorecard.velocity.mqls": ("MQLs", "MQLs"),
    "scorecard.velocity.weighted": ("MQLs, qualitätsgewichtet", "MQLs, quality-weighted"),
    "scorecard.velocity.scored_share": ("Anteil bewerteter MQLs", "Share of scored MQLs"),
    "scorecard.velocity.lvr": ("Lead Velocity Rate", "Lead velocity rate"),
    "scorecard.velocity.lvr_weighted": (
        "Lead Velocity Rate, qualitätsgewichtet",
        "Lead velocity rate, quality-weighted",
    ),
    # service levels
    "scorecard.section.sla": ("Erfüllung der Service-Level", "Service-level attainment"),
    "scorecard.sla.note": (
        "MQLs des Monats: fällig = eingehalten + verletzt (zu spät erledigt oder noch wartend "
        "nach Fristablauf); offen = noch innerhalb der Frist.",
        "The month's MQLs: due = met + breached (handled late or still waiting past the "
        "level); open = still within the level.",
    ),
    "scorecard.col.level": ("Frist", "Level"),
    "scorecard.col.due": ("Fällig", "Due"),
    "scorecard.col.met": ("Eingehalten", "Met"),
    "scorecard.col.breached": ("Verletzt", "Breached"),
    "scorecard.col.open": ("Offen", "Open"),
    "scorecard.col.target_hours": ("Frist (Std.)", "Level (hours)"),
    # alerts
    "scorecard.section.alerts": ("Offene Alarme", "Open alerts"),
    "scorecard.alerts.note": (
        "Alarme, die zum Datenstand noch auslösen und den Monat betreffen.",
        "Alerts still firing at the data's as-of date that concern the month.",
    ),
    "scorecard.alerts.none": ("Keine offenen Alarme.", "No open alerts."),
    # exports
    "scorecard.sheet.kpis": ("KPIs", "KPIs"),
    "scorecard.sheet.targets": ("Ziele", "Targets"),
    "scorecard.sheet.contribution": ("Beitrag", "Contribution"),
    "scorecard.sheet.velocity": ("LVR", "LVR"),
    "scorecard.sheet.sla": ("SLA", "SLA"),
    "scorecard.sheet.alerts": ("Alarme", "Alerts"),
    "scorecard.col.reason": ("Grund", "Reason"),
    "scorecard.written": ("Geschrieben: {path}", "Written: {path}"),
}
