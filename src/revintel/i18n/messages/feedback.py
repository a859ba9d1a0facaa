"""German and English texts of sales' feedback on marketing's leads: rejection reasons and the
proposed MQL definition."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "feedback.reasons_title": (
        "Abgelehnte MQLs nach {by}: {rejected} von {decided} entschiedenen ({rate})",
        "Rejected MQLs by {by}: {rejected} of {decided} decided ({rate})",
    ),
    "feedback.by.channel": ("Kanal", "Channel"),
    "feedback.by.campaign": ("Kampagne", "Campaign"),
    "feedback.by.segment": ("Segment", "Segment"),
    "feedback.by.industry": ("Branche", "Industry"),
    "feedback.by.size": ("Unternehmensgröße (Mitarbeitende)", "Company size (employees)"),
    "feedback.by.score_band": ("Lead-Score bei MQL", "Lead score at MQL"),
    "feedback.mqls": ("MQLs", "MQLs"),
    "feedback.rejected": ("abgelehnt", "Rejected"),
    "feedback.rate": ("Ablehnungsquote", "Rejection rate"),
    "feedback.interval": ("95-%-Intervall", "95 % interval"),
    "feedback.difference": ("Unterschied zum Rest", "Difference from the rest"),
    "feedback.direction.higher": ("deutlich höher", "significantly higher"),
    "feedback.direction.lower": ("deutlich niedriger", "significantly lower"),
    "feedback.top_reason": ("häufigster Grund", "Most frequent reason"),
    "feedback.reason": ("Grund", "Reason"),
    "feedback.share": ("Anteil", "Share"),
    "feedback.proposal": (
        "Vorschlag: MQL ab einem Lead-Score von {threshold} (Ziel: Akzeptanz ≥ {target}; "
        "{chosen_acceptance} im Auswahlzeitraum). Im Prüfzeitraum: Akzeptanz {acceptance}, "
        "{kept} der MQLs bleiben, {wins_lost} spätere Gewinne ({amount_lost}) wären verloren.",
        "Proposal: MQL from a lead score of {threshold} (target: acceptance ≥ {target}; "
        "{chosen_acceptance} in the choosing period). In the test period: acceptance "
        "{acceptance}, {kept} of MQLs kept, {wins_lost} later wins ({amount_lost}) lost.",
    ),
    "feedback.keep_all": (
        "Kein Schwellenwert nötig: alle MQLs zusammen erreichen die Ziel-Akzeptanz von {target} "
        "({chosen_acceptance} im Auswahlzeitraum, {acceptance} im Prüfzeitraum).",
        "No threshold needed: all MQLs together reach the target acceptance of {target} "
        "({chosen_acceptance} in the choosing period, {acceptance} in the test period).",
    ),
    "feedback.no_threshold": (
        "Kein Score-Schwellenwert erreicht im Auswahlzeitraum eine Akzeptanz von {target}.",
        "No score threshold reaches an acceptance of {target} in the choosing period.",
    ),
    "feedback.periods": (
        "Gewählt auf MQLs vom {chosen_from} bis {chosen_to}, geprüft auf MQLs vom "
        "{reported_from} bis {reported_to}.",
        "Chosen on MQLs from {chosen_from} to {chosen_to}, tested on MQLs from "
        "{reported_from} to {reported_to}.",
    ),
    "feedback.period": ("Zeitraum", "Period"),
    "feedback.period.chosen": ("Auswahl", "choosing"),
    "feedback.period.reported": ("Prüfung", "test"),
    "feedback.threshold": ("Schwellenwert", "Threshold"),
    "feedback.acceptance": ("Akzeptanz", "Acceptance"),
    "feedback.share_kept": ("MQLs behalten", "MQLs kept"),
    "feedback.wins_lost": ("Gewinne verloren", "Wins lost"),
    "feedback.amount_lost": ("Gewonnener Betrag verloren", "Won amount lost"),
}
