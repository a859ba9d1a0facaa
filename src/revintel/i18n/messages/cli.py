"""Texts of the command line: the titles and sentences printed around its tables."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "cli.as_of": ("Stand {day}", "as of {day}"),
    "cli.wrote": ("geschrieben: {path}", "wrote {path}"),
    "cli.nothing": ("nichts", "nothing"),
    # funnel, kpi, alerts, targets
    "cli.funnel.title": ("Trichter · {view} · {as_of}", "funnel · {view} · {as_of}"),
    "cli.funnel.view.overview": ("Übersicht", "overview"),
    "cli.funnel.view.report": ("Bericht", "report"),
    "cli.funnel.view.cohort": ("Kohorten", "cohort"),
    "cli.funnel.view.period": ("Perioden", "period"),
    "cli.funnel.view.probability": ("Gewinnwahrscheinlichkeit", "probability"),
    "cli.funnel.view.durations": ("Dauern", "durations"),
    "cli.funnel.view.stage": ("Stufen", "stage"),
    "cli.funnel.view.leakage": ("Verluste", "leakage"),
    "cli.kpi.catalogue": ("Kennzahlenkatalog", "KPI catalogue"),
    "cli.kpi.title": (
        "KPIs · {as_of} · Beträge in {currency}",
        "KPIs · {as_of} · amounts in {currency}",
    ),
    "cli.kpi.unset": ("Kennzahl {kpi}: {why}", "kpi {kpi}: {why}"),
    "cli.kpi.nothing_counted": (
        "im gewählten Zeitraum nichts gezählt",
        "nothing counted in the range asked for",
    ),
    "cli.alerts.title": ("{count} Warnung(en) · {as_of}", "{count} alert(s) · {as_of}"),
    "cli.targets.imported": (
        "{count} Ziel(e) aus {file} importiert",
        "imported {count} target(s) from {file}",
    ),
    # customers, crosssell
    "cli.customers.title": (
        "Kunden, Stand {day}, nächste {days} Tage",
        "Customers as of {day}, next {days} days",
    ),
    "cli.crosssell.title": ("Nächstbeste Produkte, Stand {day}", "Next-best products as of {day}"),
    # scores
    "cli.score.train_title": (
        "Testzeitraum (die Validierung hat die Wahl getroffen)",
        "Test period (validation decided the choice)",
    ),
    "cli.score.train_title_cross_validated": (
        "Kreuzvalidiert: keine datierte Historie, kein Test auf späteren Daten",
        "Cross-validated: no dated history, no out-of-time test",
    ),
    "cli.score.apply_title": ("Geschriebene Scores", "Scores written"),
    "cli.score.report_title": (
        "Bewertung der aktuellen Modelle auf späteren Daten",
        "Out-of-time evaluation of the current models",
    ),
    "cli.score.explain_title": ("Score {entity}", "Score {entity}"),
    "cli.score.history": (
        "{count} Lead(s) zum Meilenstein {milestone} bewertet",
        "{count} lead(s) scored at their {milestone}",
    ),
    "cli.score.history_mean": (", mittlerer Score {mean}", ", mean score {mean}"),
    "cli.targets.title": ("Ziele", "Targets"),
    "cli.targets.history_title": ("Änderungen an Zielen", "Target changes"),
    # import, quality, dedupe
    "cli.import.title": ("Import {batch} · {status}", "import {batch} · {status}"),
    "cli.import.rows": (
        "{read} Zeilen gelesen = {accepted} übernommen + {rejected} abgewiesen",
        "{read} rows read = {accepted} accepted + {rejected} rejected",
    ),
    "cli.import.written": (
        "geschrieben (neu oder geändert): {tables}",
        "written (new or changed): {tables}",
    ),
    "cli.import.guests": (
        "Gastbestellungen (ohne Kundennummer, auf dem Platzhalterkonto): {orders}, Betrag {amount}",
        "guest orders (no customer number, on the placeholder account): {orders}, amount {amount}",
    ),
    "cli.import.rejected_title": (
        "abgewiesen (Einzelheiten in der Tabelle rejected_rows)",
        "rejected (details in table rejected_rows)",
    ),
    "cli.import.problems_title": ("erste Probleme", "first problems"),
    "cli.import.list_title": (
        "Importe, neueste zuerst (rückgängig machen mit: revintel import undo BATCH)",
        "imports, newest first (undo one with: revintel import undo BATCH)",
    ),
    "cli.import.undone": (
        "Import {batch} rückgängig gemacht: entfernt {removed}",
        "import {batch} undone: removed {removed}",
    ),
    "cli.import.restored": (
        "wiederhergestellt wie vor dem Import: {restored}",
        "restored as they were before it: {restored}",
    ),
    "cli.quality.none": ("{title}: keine", "{title}: none"),
    "cli.quality.completeness": ("Vollständigkeit je Feld", "completeness per field"),
    "cli.quality.completeness_gaps": (
        "Vollständigkeit je Feld (nicht immer gefüllte Felder)",
        "completeness per field (fields not always filled)",
    ),
    "cli.quality.rejections": ("abgewiesene Zeilen nach Grund", "rejected rows by reason"),
    "cli.quality.duplicates": (
        "wahrscheinliche Dubletten (gleicher normalisierter Name)",
        "likely duplicate accounts (same normalised name)",
    ),
    "cli.quality.history": (
        "Opportunities mit Stufenhistorie, datiert vom Quellsystem",
        "opportunities with stage history dated by the source",
    ),
    "cli.quality.guests": (
        "Gastbestellungen (ohne Kundennummer, auf einem Platzhalterkonto)",
        "guest orders (no customer number, on a placeholder account)",
    ),
    "cli.dedupe.title": (
        "mögliche doppelte Accounts (p ≥ {threshold})",
        "candidate duplicate accounts (p >= {threshold})",
    ),
    "cli.dedupe.summary": (
        "{pairs} Kandidatenpaare, {decided} entschieden; annehmen oder ablehnen mit "
        "--accept PAIR_ID / --reject PAIR_ID",
        "{pairs} candidate pairs, {decided} decided; accept or reject with "
        "--accept PAIR_ID / --reject PAIR_ID",
    ),
    # info
    "cli.info.title": (
        "{location} · Schemaversion {version} · Zeitzone {zone} · Währung {currency}",
        "{location} · schema version {version} · time zone {zone} · currency {currency}",
    ),
    "cli.info.truth": ("Ground Truth: {path}", "ground truth: {path}"),
    "cli.info.no_truth": (
        "keine (kein erzeugter Demo-Speicher)",
        "none (not a generated demo store)",
    ),
    # forecast
    "cli.forecast.pipeline_title": (
        "Gewichtete Pipeline, Stand {day}",
        "Weighted pipeline as of {day}",
    ),
    "cli.forecast.probabilities_title": (
        "Gewinnwahrscheinlichkeit je Meilenstein, Stand {day}",
        "Win probability by milestone as of {day}",
    ),
    "cli.forecast.backtest": ("Backtest", "Backtest"),
    "cli.forecast.backtest_title": (
        "Backtest: P50 und Vergleichsverfahren gegen den tatsächlichen Auftragseingang",
        "Backtest: P50 and baselines against actual order intake",
    ),
    "cli.forecast.backtest_details_title": (
        "Backtest: Prognosen und tatsächlicher Auftragseingang je Ausgangspunkt",
        "Backtest: forecasts and actual order intake per origin",
    ),
    # allocate
    "cli.allocate.title.allocation": ("Zuteilung der Verkaufsstunden", "allocation"),
    "cli.allocate.title.potential": ("Potenzial je Account", "potential"),
    "cli.allocate.title.reps": ("Vertriebsmitarbeiter", "reps"),
    "cli.allocate.title.owners": ("Vorgeschlagene Betreuer", "owners"),
    "cli.allocate.title.portfolio": ("Portfolio", "portfolio"),
    "cli.allocate.title.under-served": ("Unterversorgte Accounts", "under-served"),
    "cli.allocate.title.over-served": ("Überversorgte Accounts", "over-served"),
    "cli.allocate.title.curve": ("Reaktionskurve", "curve"),
    "cli.allocate.title.coverage-by-size": ("Abdeckung nach Größe", "coverage-by-size"),
    "cli.allocate.title.coverage": ("Abdeckung", "coverage"),
    # report
    "cli.report.html": (
        " ({size} MB, offline lesbar)",
        " ({size} MB, opens offline)",
    ),
    # fx
    "cli.fx.title": (
        "Wechselkurse in {currency} ({currency} je Einheit der Währung)",
        "exchange rates into {currency} (units of {currency} for one unit)",
    ),
    "cli.fx.none": (
        "keine Wechselkurse: jeder Betrag muss in {currency} sein",
        "no exchange rates: every amount must be in {currency}",
    ),
    # handover
    "cli.handover.queue_title": ("Leads warten auf den Vertrieb", "Leads waiting for sales"),
    "cli.handover.decisions_title": ("Entscheidungen", "Decisions"),
    # demo
    "cli.demo.written": (
        "Demo-Firma nach {location} geschrieben: {tables}",
        "demo company written to {location}: {tables}",
    ),
    "cli.demo.imported": (
        "{file} importiert: {read} Zeilen gelesen, {accepted} übernommen, {rejected} "
        "abgewiesen (siehe `revintel quality`)",
        "imported {file}: {read} rows read, {accepted} accepted, {rejected} rejected "
        "(see `revintel quality`)",
    ),
    "cli.demo.section.store": ("Speicher", "Store"),
    "cli.demo.section.quality": ("Datenqualität", "Data quality"),
    "cli.demo.section.funnel": ("Trichter und Warnungen", "Funnel and alerts"),
    "cli.demo.section.forecast": ("Prognose Auftragseingang", "Order intake forecast"),
    "cli.demo.section.attribution": ("Attribution", "Attribution"),
    "cli.demo.section.customers": ("Kunden", "Customers"),
    "cli.demo.section.pricing": ("Preise", "Pricing"),
    "cli.demo.section.lead_scoring": ("Lead-Scoring", "Lead scoring"),
    "cli.demo.section.deal_scoring": ("Deal-Scoring", "Deal scoring"),
    "cli.demo.quality.none": (
        "noch keine Opportunities importiert",
        "no opportunities imported yet",
    ),
    "cli.demo.quality.title": (
        "Opportunities mit vom Quellsystem datierter Phasenhistorie",
        "opportunities with stage history dated by the source",
    ),
    "cli.demo.funnel.title": ("Trichter, Stand {day}", "funnel as of {day}"),
    "cli.demo.funnel.alerts": ("{count} Warnung(en):", "{count} alert(s):"),
    "cli.demo.funnel.more": (
        "… und {count} weitere: revintel alerts",
        "… and {count} more: revintel alerts",
    ),
    "cli.demo.forecast.title": (
        "P10 / P50 / P90 (gesamt und je Quelle)",
        "P10 / P50 / P90 ({total} and by source)",
    ),
    "cli.demo.attribution.title": (
        "Marketing-ROI je Kanal, gesamter Zeitraum (Markov)",
        "Marketing ROI per channel, all time (markov)",
    ),
    "cli.demo.attribution.note": (
        "{rows} Zuschreibungszeilen gespeichert (Modelle {models}; Meilensteine {milestones}; "
        "Lead-Journeys). Probieren Sie `revintel kpi roi --by channel --by model` oder "
        "`revintel kpi attributed_pipeline --by campaign --where model=linear`.",
        "{rows} credit rows stored (models {models}; milestones {milestones}; lead journeys). "
        "Try `revintel kpi roi --by channel --by model` or `revintel kpi attributed_pipeline "
        "--by campaign --where model=linear`.",
    ),
    "cli.demo.customers.no_orders": (
        "keine Aufträge: keine Kundenanalyse",
        "no orders: no customer analysis",
    ),
    "cli.demo.customers.no_churn": (
        "keine Abwanderungswarnung: {reason}",
        "no churn warning: {reason}",
    ),
    "cli.demo.customers.churn": (
        "Abwanderungswarnung trainiert (`revintel score report`); siehe `revintel customers` und "
        "die Seite Kunden.",
        "Churn warning trained (`revintel score report`); see `revintel customers` and the "
        "Customers page.",
    ),
    "cli.demo.customers.title": (
        "Größter gefährdeter Wert, {count} Kunden, Stand {day}",
        "Most value at stake, {count} customers as of {day}",
    ),
    "cli.demo.pricing.none": ("Kein Preismodell: {reason}", "No price model: {reason}"),
    "cli.demo.leads.none": ("kein Lead-Score: {reason}", "no lead score: {reason}"),
    "cli.demo.leads.note": (
        "P(SQL) der Leads: {algorithm}, AUC auf späteren Daten {auc}; offene Leads bewertet, "
        "und {count} MQLs seit {since} zum Zeitpunkt ihres MQL bewertet, für die "
        "qualitätsgewichtete MQL-Zahl (`revintel score history`).",
        "P(SQL) of leads: {algorithm}, out-of-time AUC {auc}; open leads scored, and {count} "
        "MQLs since {since} scored at their MQL for the quality-weighted MQL count "
        "(`revintel score history`).",
    ),
    "cli.demo.deals.none": ("kein Deal-Score: {reason}", "no deal score: {reason}"),
    "cli.demo.deals.title": (
        "P(gewonnen) der Deals, auf späteren Daten",
        "P(won) of deals, out of time",
    ),
    "cli.demo.deals.note": (
        "{message}. Offene Deals sind bewertet; probieren Sie `revintel score explain "
        "<Opportunity-ID>` oder `revintel score report --html scores.html`.",
        "{message}. Open deals are scored; try `revintel score explain <opportunity id>` or "
        "`revintel score report --html scores.html`.",
    ),
    "cli.demo.ready": (
        "Der Speicher ist bereit: probieren Sie `revintel info --db {location}`",
        "the store is ready: try `revintel info --db {location}`",
    ),
}
