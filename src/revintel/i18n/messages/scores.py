"""Texts of lead and deal scores and their reasons."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "score.title": ("Scores", "Scores"),
    "score.kind": ("Modell", "Model"),
    "score.scored_at": ("Bewertet am", "Scored on"),
    "score.reasons": ("Gründe", "Reasons"),
    "score.top_reasons": ("Wichtigste Gründe", "Top reasons"),
    "score.none": (
        "Noch kein Score (revintel score train/apply).",
        "Not scored yet (revintel score train/apply).",
    ),
    "score.kind.lead_to_sql": ("Lead → SQL", "Lead → SQL"),
    "score.kind.lead_to_won": ("Lead → gewonnen", "Lead → won"),
    "score.kind.deal_win": ("Deal gewonnen", "Deal won"),
    "score.kind.account_churn": ("Kundenabwanderung", "Customer churn"),
}
