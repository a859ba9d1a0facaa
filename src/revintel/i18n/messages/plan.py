"""German and English texts of reverse-funnel planning: the page "Planung / Planning"."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "nav.plan": ("Planung", "Planning"),
    "plan.page.title": ("Planung des Trichters", "Funnel planning"),
    "plan.page.intro": (
        "Vom Auftragseingangsziel rückwärts durch die gemessenen Umwandlungsraten, Laufzeiten "
        "und Dealgrößen: wie viele MQLs, SALs, SQLs und Opportunities jeder Monat braucht.",
        "From the order-intake target backwards through the measured conversion rates, lags "
        "and deal sizes: how many MQLs, SALs, SQLs and opportunities each month needs.",
    ),
    # The form.
    "plan.form.target": ("Ziel Auftragseingang", "Order-intake target"),
    "plan.form.target_hint": ("leer: aus der Zieltabelle", "empty: from the targets table"),
    "plan.form.period": ("Zeitraum (JJJJ-Qn, JJJJ-MM, JJJJ)", "Period (YYYY-Qn, YYYY-MM, YYYY)"),
    "plan.form.by": ("Aufteilung", "Split"),
    "plan.form.by_channel": ("nach Kanal", "by channel"),
    "plan.form.by_segment": ("nach Segment", "by segment"),
    "plan.form.by_none": ("Unternehmen gesamt", "whole company"),
    "plan.form.scenario": ("Szenario", "Scenario"),
    "plan.form.mql_to_sal": ("Faktor MQL→SAL-Rate", "MQL→SAL rate factor"),
    "plan.form.deal_size": ("Faktor Dealgröße", "Deal size factor"),
    "plan.form.channel": ("Kanal mit mehr Leads", "Channel with more leads"),
    "plan.form.channel_none": ("keiner", "none"),
    "plan.form.channel_leads": ("Faktor Anteil des Kanals", "Channel share factor"),
    "plan.form.with_forecast": ("mit Prognose vergleichen", "compare with the forecast"),
    "plan.form.submit": ("Planen", "Plan"),
    # What the plan rests on.
    "plan.target.argument": (
        "Ziel: {target} Auftragseingang im Zeitraum {period} (eingegeben).",
        "Target: {target} order intake in the period {period} (entered).",
    ),
    "plan.target.table": (
        "Ziel: {target} Auftragseingang im Zeitraum {period}, aus der Zieltabelle.",
        "Target: {target} order intake in the period {period}, from the targets table.",
    ),
    "plan.target.none": (
        "Für den Zeitraum {period} ist kein Ziel gespeichert. Geben Sie oben ein Ziel ein "
        "oder laden Sie Ziele hoch: revintel targets import DATEI (oder POST /api/v1/targets).",
        "No target is stored for the period {period}. Enter a target above or upload targets: "
        "revintel targets import FILE (or POST /api/v1/targets).",
    ),
    "plan.forecast": (
        "Prognose des Auftragseingangs (Median) für den Zeitraum: {forecast}.",
        "Order-intake forecast (median) for the period: {forecast}.",
    ),
    "plan.scope_rep": (
        "Der Plan beruht auf Ihren eigenen Leads und Deals.",
        "The plan rests on your own leads and deals.",
    ),
    "plan.refused": ("Der Plan ist nicht möglich: {reason}", "No plan can be made: {reason}"),
    "plan.bad_input": ("Eingabe nicht verwendbar: {reason}", "Input cannot be used: {reason}"),
    "plan.interval_note": (
        "Bedarf als Median mit {level}-Intervall aus {draws} Simulationen; Lücke = Bedarf "
        "minus Ist-Rate (Monatsmittel der letzten vollständigen Monate).",
        "Need as the median with a {level} interval from {draws} simulations; gap = need "
        "minus run-rate (monthly mean of the latest complete months).",
    ),
    # Sections and tables.
    "plan.section.totals": ("Bedarf im Zeitraum", "Need in the period"),
    "plan.section.months": ("Bedarf je Monat", "Need per month"),
    "plan.section.rates": ("Verwendete Raten", "Rates used"),
    "plan.section.scenarios": ("Szenarien im Vergleich", "Scenarios compared"),
    "plan.scenarios.note": (
        "Basis: der gemessene Trichter; daneben bessere MQL→SAL-Rate (×1,2), höhere "
        "Dealgröße (×1,1) und Ihr Szenario aus dem Formular.",
        "Base: the measured funnel; beside it a better MQL→SAL rate (×1.2), a higher deal "
        "size (×1.1) and your scenario from the form.",
    ),
    "plan.scenario.base": ("Basis", "Base"),
    "plan.scenario.better_sal": ("Bessere MQL→SAL-Rate", "Better MQL→SAL rate"),
    "plan.scenario.bigger_deals": ("Höhere Dealgröße", "Higher deal size"),
    "plan.scenario.form": ("Ihr Szenario", "Your scenario"),
    "plan.col.month": ("Monat", "Month"),
    "plan.col.group": ("Gruppe", "Group"),
    "plan.col.stage": ("Stufe", "Stage"),
    "plan.col.required": ("Bedarf (Median)", "Need (median)"),
    "plan.col.low": ("Untergrenze", "Lower bound"),
    "plan.col.high": ("Obergrenze", "Upper bound"),
    "plan.col.run_rate": ("Ist-Rate je Monat", "Run-rate per month"),
    "plan.col.run_rate_period": ("Ist-Rate im Zeitraum", "Run-rate over the period"),
    "plan.col.gap": ("Lücke", "Gap"),
    "plan.col.step": ("Schritt", "Step"),
    "plan.col.rate": ("Rate", "Rate"),
    "plan.col.rate_low": ("Rate untere Grenze", "Rate lower bound"),
    "plan.col.rate_high": ("Rate obere Grenze", "Rate upper bound"),
    "plan.col.n": ("Gemessen an", "Measured on"),
    "plan.col.lag": ("Laufzeit (Median, Tage)", "Lag (median, days)"),
    "plan.col.deal_size": ("Dealgröße", "Deal size"),
    "plan.col.mql_share": ("Anteil an den MQLs", "Share of MQLs"),
    "plan.col.scenario": ("Szenario", "Scenario"),
    "plan.group.all": ("Unternehmen", "Company"),
    "plan.group.unknown": ("ohne Angabe", "not given"),
    "plan.download_all": ("Bedarf je Monat aller Gruppen", "Need per month of every group"),
    "plan.months_note": (
        "Die Tabelle zeigt das Unternehmen; der Download enthält jede Gruppe.",
        "The table shows the company; the download holds every group.",
    ),
    # The chart.
    "plan.chart.title": (
        "Benötigte MQLs je Monat und Ist-Rate",
        "Required MQLs per month and run-rate",
    ),
    "plan.chart.required": ("Benötigte MQLs", "Required MQLs"),
    "plan.chart.run_rate": ("Ist-Rate", "Run-rate"),
}
