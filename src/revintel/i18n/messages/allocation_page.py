"""German and English texts of the Resources page: the portfolio of accounts, each rep's load
today and under the plan, and the plan's assignments with their reasons."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "nav.allocation": ("Ressourcen", "Allocation"),
    "allocation.page.title": ("Ressourcen", "Resource allocation"),
    "allocation.page.intro": (
        "Wo Vertriebszeit am meisten Deckungsbeitrag bringt: welcher Vertriebler wie viele "
        "Stunden pro Woche für welchen Kunden und welche offene Opportunity einsetzt — innerhalb "
        "der Kapazität jedes Vertrieblers und der Regeln zu Gebiet, Kontinuität und "
        "Mindestbetreuung.",
        "Where selling time earns the most margin: which rep spends how many hours a week on "
        "which account and which open deal — within each rep's capacity and the rules on "
        "territory, continuity and minimum coverage.",
    ),
    "allocation.page.as_of": ("Planung zum {date}", "Planned as of {date}"),
    "allocation.page.quality": (
        "Erwarteter Mehrertrag des Plans {objective} im Jahr; Optimalitätslücke {gap} ({status}).",
        "Expected extra margin of the plan {objective} a year; optimality gap {gap} ({status}).",
    ),
    "allocation.page.status.optimal": ("optimal", "optimal"),
    "allocation.page.status.time_limit": ("Zeitlimit erreicht", "time limit reached"),
    "allocation.page.status.greedy": ("Näherung", "heuristic"),
    "allocation.page.scope_rep": (
        "Sie sehen die Ihnen vorgeschlagenen Kunden und Opportunities.",
        "You see the accounts and deals suggested for you.",
    ),
    "allocation.page.scope_team": (
        "Sie sehen die Vorschläge für die Vertriebler Ihres Teams.",
        "You see the suggestions for the reps of your team.",
    ),
    "allocation.page.none": (
        "Kein Plan möglich: {reason}",
        "No plan possible: {reason}",
    ),
    "allocation.page.load": ("Auslastung vorher und nachher", "Rep load before and after"),
    "allocation.page.load_note": (
        "Heute: Stunden pro Woche laut Aktivitäten der letzten zwölf Monate; Plan: die "
        "zugewiesenen Stunden pro Woche; beides gegen die Kapazität des Vertrieblers.",
        "Today: hours a week logged in the activities of the last twelve months; plan: the "
        "assigned hours a week; both against the rep's capacity.",
    ),
    "allocation.page.assignments": ("Zuweisungen", "Assignments"),
    "allocation.page.assignments_note": (
        "Eine Zeile je Zuweisung mit Begründung; der Export geht als CSV oder Excel ins CRM.",
        "One row per assignment with its reason; export it as CSV or Excel for the CRM.",
    ),
    "allocation.page.rows_shown": (
        "Die ersten {shown} von {total} Zeilen; der Export enthält alle.",
        "The first {shown} of {total} rows; the export holds all of them.",
    ),
    "allocation.page.portfolio": ("Portfolio", "Portfolio"),
    "allocation.page.portfolio_note": (
        "Kunden nach heutigem Umsatz und Potenzial: Anzahl, Umsatz und Potenzial je Feld.",
        "Accounts by today's revenue and potential: number, revenue and potential per cell.",
    ),
    "allocation.page.under_served": (
        "Unterversorgt: hohes Potenzial, wenig Betreuung",
        "Under-served: high potential, little attention",
    ),
    "allocation.page.over_served": (
        "Überversorgt: geringes Potenzial, viel Betreuung",
        "Over-served: low potential, much attention",
    ),
    "allocation.page.chart.before": ("Heute", "Today"),
    "allocation.page.chart.after": ("Plan", "Plan"),
    "allocation.page.chart.capacity": ("Kapazität", "Capacity"),
    "allocation.col.rep": ("Vertriebler", "Rep"),
    "allocation.col.name": ("Name", "Name"),
    "allocation.col.team": ("Team", "Team"),
    "allocation.col.region": ("Region", "Region"),
    "allocation.col.capacity": ("Kapazität (Std./Woche)", "Capacity (hours/week)"),
    "allocation.col.hours_before": ("Heute (Std./Woche)", "Today (hours/week)"),
    "allocation.col.hours_after": ("Plan (Std./Woche)", "Plan (hours/week)"),
    "allocation.col.load_before": ("Auslastung heute", "Load today"),
    "allocation.col.load_after": ("Auslastung Plan", "Load planned"),
    "allocation.col.accounts": ("Kunden", "Accounts"),
    "allocation.col.opportunities": ("Opportunities", "Deals"),
    "allocation.col.account": ("Kunde", "Account"),
    "allocation.col.opportunity": ("Opportunity", "Deal"),
    "allocation.col.hours_per_week": ("Stunden pro Woche", "Hours a week"),
    "allocation.col.expected_gain": ("Erwarteter Mehrertrag", "Expected gain"),
    "allocation.col.level": ("Betreuung", "Service level"),
    "allocation.col.reason": ("Begründung", "Reason"),
    "allocation.col.revenue": ("Umsatz", "Revenue"),
    "allocation.col.potential": ("Potenzial", "Potential"),
    "allocation.col.white_space": ("Ungenutztes Potenzial", "White space"),
    "allocation.col.cell": ("Feld", "Cell"),
    "allocation.col.segment": ("Segment", "Segment"),
    "allocation.col.owner": ("Betreuer heute", "Owner today"),
    "allocation.col.churn_risk": ("Abwanderungsrisiko", "Churn risk"),
    "allocation.col.clv": ("Kundenwert (12 Monate)", "Customer value (12 months)"),
    "allocation.col.recommended_level": ("Empfohlene Betreuung", "Recommended service level"),
    "allocation.page.cell": (
        "Umsatz {revenue} · Potenzial {potential}",
        "Revenue {revenue} · potential {potential}",
    ),
    "allocation.page.grid_revenue": ("Umsatz heute", "Revenue today"),
    "allocation.page.grid_potential": ("Potenzial", "Potential"),
    "allocation.page.grid_accounts": ("Kunden: {count}", "Accounts: {count}"),
    "allocation.level.digital": ("digital", "digital"),
    "allocation.level.inside": ("Innendienst", "inside sales"),
    "allocation.level.field_light": ("Außendienst (leicht)", "field sales (light)"),
    "allocation.level.field": ("Außendienst", "field sales"),
    "allocation.level.deal": ("Opportunity", "deal"),
    "allocation.rule.high_potential": ("hohes Potenzial", "high potential"),
    "allocation.rule.enterprise": ("Großkunde", "enterprise"),
    "allocation.page.by_size": ("Betreuung heute nach Größe", "Today's coverage by size"),
    "allocation.page.by_size_note": (
        "Protokollierte Vertriebsstunden pro Woche der letzten zwölf Monate je Segment und "
        "Umsatzklasse, gegen Umsatz und Potenzial: wohin die Zeit heute geht und wo das "
        "Potenzial liegt.",
        "Logged selling hours a week of the last twelve months per segment and revenue tier, "
        "against revenue and potential: where the time goes today and where the potential is.",
    ),
    "allocation.page.size.by.segment": ("Segment", "Segment"),
    "allocation.page.size.by.revenue_tier": ("Umsatzklasse", "Revenue tier"),
    "allocation.page.size.tier": ("Umsatzklasse {tier}", "Revenue tier {tier}"),
    "allocation.page.size.no_segment": ("ohne Segment", "no segment"),
    "allocation.page.coverage_models": (
        "Betreuungsmodell je Kunde",
        "Coverage model per account",
    ),
    "allocation.page.coverage_note": (
        "Außendienst, Innendienst oder digitaler Self-Service: je Kunde das Modell mit dem "
        "höchsten erwarteten Deckungsbeitrag nach seinen Kosten, aus Potenzial, Komplexität "
        "der Geschäfte und digitalem Kaufverhalten.",
        "Field sales, inside sales or digital self-service: per account the model with the "
        "highest expected margin after its cost, from potential, deal complexity and how "
        "digitally the account buys.",
    ),
    "allocation.page.coverage": ("Betreuungsmodell der Kunden", "Coverage model of the accounts"),
    "allocation.page.coverage_none": (
        "Für das Betreuungsmodell ist die Historie zu kurz.",
        "The history is too short for the coverage model.",
    ),
    "allocation.col.size_by": ("Nach", "By"),
    "allocation.col.size_group": ("Gruppe", "Group"),
    "allocation.col.accounts_served": ("Davon betreut", "With logged hours"),
    "allocation.col.hours_per_account": ("Std./Woche je Kunde", "Hours a week per account"),
    "allocation.col.hours_per_million": (
        "Std./Woche je Mio. Potenzial",
        "Hours a week per million of potential",
    ),
    "allocation.col.model": ("Betreuungsmodell", "Coverage model"),
    "allocation.col.expected_margin": ("Erwarteter Deckungsbeitrag", "Expected margin"),
    "allocation.col.cost": ("Kosten im Jahr", "Cost a year"),
    "allocation.col.complexity": ("Komplexität", "Complexity"),
    "allocation.col.digital_share": ("Digitaler Anteil", "Digital share"),
    "allocation.page.curve_note": (
        "Die Reaktionskurve, mit der der Plan rechnet: wie viel ein Kunde mittleren Potenzials "
        "bei wie viel Betreuung bestellt und was die nächste Stunde noch einbringt. Je flacher "
        "die letzte Spalte, desto mehr lohnt die Stunde anderswo.",
        "The response curve the plan works with: what a customer of median potential orders "
        "with how much service, and what the next hour still adds. The lower the last column, "
        "the more the hour earns elsewhere.",
    ),
}
