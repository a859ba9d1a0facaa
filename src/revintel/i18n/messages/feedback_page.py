"""German and English texts of the Lead-feedback page: rejection reasons per group and the
proposed MQL definition with its trade-off curve."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "nav.feedback": ("Lead-Feedback", "Lead feedback"),
    "feedback_page.title": ("Lead-Feedback", "Lead feedback"),
    "feedback_page.intro": (
        "Warum der Vertrieb MQLs ablehnt — je Gruppe mit 95-%-Intervall und Test gegen die "
        "übrigen Gruppen (Holm-korrigiert) — und welcher Lead-Score-Schwellenwert die "
        "MQL→SAL-Akzeptanz über dem Ziel gehalten hätte.",
        "Why sales rejects MQLs — per group with a 95 % interval and a test against the other "
        "groups (Holm-corrected) — and which lead-score threshold would have kept the MQL→SAL "
        "acceptance above the target.",
    ),
    "feedback_page.scope_rep": (
        "Sie sehen das Feedback zu Ihren eigenen Leads.",
        "You see the feedback on your own leads.",
    ),
    "feedback_page.form.by": ("Aufschlüsseln nach", "Break down by"),
    "feedback_page.form.target": ("Ziel-Akzeptanz", "Target acceptance"),
    "feedback_page.form.target_hint": ("z. B. 0,5 oder 50 %", "e.g. 0.5 or 50%"),
    "feedback_page.form.submit": ("Anzeigen", "Show"),
    "feedback_page.bad_input": ("Eingabe nicht verwendbar: {reason}", "Unusable input: {reason}"),
    "feedback_page.bad_target": (
        "Ziel-Akzeptanz „{text}“ ist keine Zahl zwischen 0 und 1 (oder 0 % und 100 %).",
        "target acceptance “{text}” is not a number between 0 and 1 (or 0% and 100%).",
    ),
    "feedback_page.section.reasons": ("Ablehnungsgründe", "Rejection reasons"),
    "feedback_page.section.definition": (
        "Vorgeschlagene MQL-Definition",
        "Proposed MQL definition",
    ),
    "feedback_page.section.rules": ("Regeln je Kanal", "Rules per channel"),
    "feedback_page.rules_note": (
        "Die einfache Regel „keine MQLs aus diesem Kanal“ zum Vergleich, auf allen MQLs.",
        "The simple rule “no MQLs from this channel” for comparison, on all MQLs.",
    ),
    "feedback_page.summary": (
        "{rejected} von {decided} entschiedenen MQLs abgelehnt ({rate}); {mqls} MQLs insgesamt.",
        "{rejected} of {decided} decided MQLs rejected ({rate}); {mqls} MQLs in all.",
    ),
    "feedback_page.significance_note": (
        "„deutlich höher/niedriger“: die Ablehnungsquote der Gruppe unterscheidet sich von der "
        "der übrigen Gruppen (p-Wert nach Holm-Korrektur unter 5 %).",
        "“Significantly higher/lower”: the group's rejection rate differs from that of the other "
        "groups (p-value after Holm correction below 5%).",
    ),
    "feedback_page.col.group": ("Gruppe", "Group"),
    "feedback_page.col.decided": ("entschieden", "Decided"),
    "feedback_page.col.low": ("Intervall von", "Interval from"),
    "feedback_page.col.high": ("Intervall bis", "Interval to"),
    "feedback_page.col.p_adjusted": ("p-Wert (Holm)", "p-value (Holm)"),
    "feedback_page.col.marker": ("Auffällig", "Marker"),
    "feedback_page.col.reasons": ("Gründe (Anteil)", "Reasons (share)"),
    "feedback_page.col.mqls_kept": ("MQLs behalten (Anzahl)", "MQLs kept (count)"),
    "feedback_page.col.decided_kept": ("entschieden behalten", "Decided kept"),
    "feedback_page.col.channel": ("Kanal", "Channel"),
    "feedback_page.col.acceptance_channel": ("Akzeptanz des Kanals", "Acceptance of the channel"),
    "feedback_page.col.acceptance_without": ("Akzeptanz ohne ihn", "Acceptance without it"),
    "feedback_page.table.groups": ("Ablehnungen je Gruppe", "Rejections per group"),
    "feedback_page.table.reasons": ("Gründe je Gruppe", "Reasons per group"),
    "feedback_page.table.curve": ("Trade-off-Kurve", "Trade-off curve"),
    "feedback_page.table.rules": ("Regeln je Kanal", "Rules per channel"),
    "feedback_page.chart.rate": (
        "Ablehnungsquote je Gruppe mit 95-%-Intervall",
        "Rejection rate per group with 95 % interval",
    ),
    "feedback_page.chart.overall": ("alle Gruppen", "All groups"),
    "feedback_page.chart.tradeoff": (
        "Akzeptanz und Kosten je Score-Schwellenwert",
        "Acceptance and cost per score threshold",
    ),
    "feedback_page.chart.acceptance_chosen": ("Akzeptanz (Auswahl)", "Acceptance (choosing)"),
    "feedback_page.chart.acceptance_test": ("Akzeptanz (Prüfung)", "Acceptance (test)"),
    "feedback_page.chart.kept": ("MQLs behalten (Prüfung)", "MQLs kept (test)"),
    "feedback_page.chart.wins_lost": (
        "Anteil Gewinne verloren (Prüfung)",
        "Share of wins lost (test)",
    ),
    "feedback_page.chart.target": ("Ziel {target}", "Target {target}"),
    "feedback_page.chart.threshold": ("Vorschlag {threshold}", "Proposal {threshold}"),
    "feedback_page.threshold_note": (
        "Lead-Scores sind Gewinnwahrscheinlichkeiten zum MQL-Zeitpunkt; der Schwellenwert ist "
        "daher in Prozent angegeben.",
        "Lead scores are win probabilities at the MQL time, so the threshold is given in percent.",
    ),
    "feedback_page.open_note": (
        "{open} MQLs des Prüfzeitraums sind noch nicht entschieden: die verlorenen Gewinne dort "
        "sind eine Untergrenze.",
        "{open} MQLs of the test period are not decided yet: the wins lost there are a lower "
        "bound.",
    ),
    "feedback_page.unscored_note": (
        "{unscored} MQLs ohne Lead-Score zum MQL-Zeitpunkt sind nicht berücksichtigt.",
        "{unscored} MQLs without a lead score at their MQL time are left out.",
    ),
    "feedback_page.no_scores": (
        "Für diesen Teil fehlen Lead-Scores zum MQL-Zeitpunkt. Trainieren Sie ein Lead-Modell "
        "mit „revintel score train leads“; für einen Bestand ohne frühere Scores schreiben Sie "
        "sie danach mit „revintel score history“ nach.",
        "This part needs lead scores from the MQL time. Train a lead model with “revintel score "
        "train leads”; for a store without past scores, write them afterwards with “revintel "
        "score history”.",
    ),
    "feedback_page.no_mqls": (
        "Keine MQLs in Ihrem Sichtbereich.",
        "No MQLs among the leads you see.",
    ),
}
