"""German and English texts of sla: service levels for answering leads, their breaches and the
effect of response time on acceptance."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "sla.status_title": (
        "SLA-Erfüllung von {leads} MQLs (Stand {as_of})",
        "SLA attainment of {leads} MQLs (as of {as_of})",
    ),
    "sla.breaches_title": (
        "{count} MQLs warten über ihre Frist hinaus (MQL in den letzten {days} Tagen)",
        "{count} MQLs waiting past their deadline (MQL in the last {days} days)",
    ),
    "sla.no_breaches": (
        "Kein MQL der letzten {days} Tage wartet über seine Frist hinaus.",
        "No MQL of the last {days} days is waiting past its deadline.",
    ),
    "sla.level": ("Frist", "Level"),
    "sla.level.accept": ("Annahme", "acceptance"),
    "sla.level.first_contact": ("Erstkontakt", "first contact"),
    "sla.due": ("fällig", "Due"),
    "sla.met": ("erfüllt", "Met"),
    "sla.breached": ("verpasst", "Breached"),
    "sla.open": ("offen", "Open"),
    "sla.attainment": ("Erfüllung", "Attainment"),
    "sla.median_hours": ("Stunden (Median)", "Hours (median)"),
    "sla.target_hours": ("Frist in Stunden", "Level in hours"),
    "sla.group.segment": ("Segment", "Segment"),
    "sla.group.channel": ("Kanal", "Channel"),
    "sla.group.rep": ("Vertriebler", "Rep"),
    "sla.group.team": ("Team", "Team"),
    "sla.lead": ("Lead", "Lead"),
    "sla.mql_at": ("MQL seit", "MQL at"),
    "sla.due_at": ("fällig seit", "Due at"),
    "sla.waited_hours": ("wartet seit (Stunden)", "Waiting (hours)"),
    "sla.rep": ("Vertriebler", "Rep"),
    "sla.effect_title": (
        "Wirkung der Reaktionszeit auf die Annahme durch den Vertrieb",
        "Effect of response time on acceptance by sales",
    ),
    "sla.effect_sentence": (
        "Jede Verdopplung der Reaktionszeit senkt die Chance (Odds) der Annahme um {change} "
        "({confidence}-Intervall {low} bis {high}).",
        "Each doubling of response time lowers acceptance odds by {change} "
        "({confidence} interval {low} to {high}).",
    ),
    "sla.effect_sentence_up": (
        "Jede Verdopplung der Reaktionszeit erhöht die Chance (Odds) der Annahme um {change} "
        "({confidence}-Intervall {low} bis {high}).",
        "Each doubling of response time raises acceptance odds by {change} "
        "({confidence} interval {low} to {high}).",
    ),
    "sla.effect_basis": (
        "Logistische Regression über {leads} kontaktierte und entschiedene MQLs ({accepted} "
        "angenommen), Median der Reaktionszeit {hours} Stunden, kontrolliert für Kanal, Segment "
        "und Quartal. Koeffizient je Log-Stunde: {coefficient} (Standardfehler {se}).",
        "Logistic regression over {leads} contacted and decided MQLs ({accepted} accepted), "
        "median response time {hours} hours, controlled for channel, segment and quarter. "
        "Coefficient per log-hour: {coefficient} (standard error {se}).",
    ),
    "sla.effect_missing": (
        "Zu wenige kontaktierte und entschiedene MQLs, um die Wirkung zu messen.",
        "Too few contacted and decided MQLs to measure the effect.",
    ),
}
