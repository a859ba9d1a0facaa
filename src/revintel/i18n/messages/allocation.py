"""German and English texts of resource allocation.

``allocation.solver.*``: why the capacity allocation assigns a rep's hours to an account or an
open deal (``revintel.allocation.AllocationReason``). Render each key of ``reason.parts()``
with ``str.format(**reason.placeholders())`` (euros formatted first) and join with "; ".

``allocation.match.*``: which rep for which deal (``revintel.allocation.suggest_owners``): the
reason of each suggested owner and the column labels of its table.
"""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "allocation.solver.reason.keep": (
        "Bestehende Betreuung bleibt: {level}, erwarteter Mehrertrag {gain} im Jahr",
        "existing relationship kept: {level}, expected extra margin {gain} a year",
    ),
    "allocation.solver.reason.switch": (
        "Wechsel des Betreuers: {level}, {gain_over_owner} mehr Deckungsbeitrag im Jahr als "
        "beim bisherigen Betreuer",
        "new rep takes over: {level}, {gain_over_owner} more margin a year than the current owner",
    ),
    "allocation.solver.reason.relieve": (
        "Übernahme, weil die Stunden des bisherigen Betreuers anderswo mehr bringen: {level}, "
        "erwarteter Mehrertrag {gain} im Jahr",
        "taken over because the current owner's hours earn more elsewhere: {level}, expected "
        "extra margin {gain} a year",
    ),
    "allocation.solver.reason.new": (
        "Ohne Betreuer, der bleiben darf: {level}, erwarteter Mehrertrag {gain} im Jahr",
        "no owner who may keep it: {level}, expected extra margin {gain} a year",
    ),
    "allocation.solver.reason.deal": (
        "Offene Opportunity: erwarteter Mehrertrag {gain} durch höhere Abschlusschance",
        "open deal: expected extra margin {gain} from a higher chance to win",
    ),
    "allocation.solver.basis.region": ("eigene Region {region}", "own region {region}"),
    "allocation.solver.basis.exception": (
        "Gebietsausnahme für Region {region}",
        "territory exception for region {region}",
    ),
    "allocation.solver.basis.owner": (
        "bestehende Betreuung über die Regionsgrenze",
        "existing relationship across regions",
    ),
    "allocation.solver.basis.anywhere": ("ohne Gebietsregel", "no territory rule"),
    "allocation.solver.fit": (
        "Eignung des Betreuers {fit}× des Durchschnitts",
        "the rep's fit {fit}× the average",
    ),
    "allocation.solver.coverage": (
        "Mindestbetreuung nach Regel {rule}",
        "minimum coverage by rule {rule}",
    ),
    # Which rep for which deal (``revintel.allocation.suggest_owners``): the ``reason`` of a
    # suggestion, formatted with the row's columns ({suggested_rep_id}, {current_rep_id},
    # {p_win_suggested}, {p_win_current} as percentages, {expected_gain} as money, {industry}).
    "allocation.match.reason.keep": (
        "Bleibt bei {current_rep_id}: niemand hat eine höhere Abschlusschance ({p_win_current})",
        "stays with {current_rep_id}: nobody has a higher chance to win ({p_win_current})",
    ),
    "allocation.match.reason.better_match": (
        "{suggested_rep_id} gewinnt solche Geschäfte häufiger: Abschlusschance "
        "{p_win_suggested} statt {p_win_current}, erwartet {expected_gain} mehr",
        "{suggested_rep_id} wins deals like this more often: chance to win {p_win_suggested} "
        "instead of {p_win_current}, {expected_gain} more expected",
    ),
    "allocation.match.reason.specialist": (
        "{suggested_rep_id} schließt in der Branche {industry} besonders gut ab: "
        "Abschlusschance {p_win_suggested} statt {p_win_current}",
        "{suggested_rep_id} closes especially well in {industry}: chance to win "
        "{p_win_suggested} instead of {p_win_current}",
    ),
    "allocation.match.reason.owner_full": (
        "{current_rep_id} ist ausgelastet; {suggested_rep_id} hat Kapazität "
        "(Abschlusschance {p_win_suggested} statt {p_win_current})",
        "{current_rep_id} is fully booked; {suggested_rep_id} has room "
        "(chance to win {p_win_suggested} instead of {p_win_current})",
    ),
    "allocation.match.reason.better_full": (
        "Bleibt bei {current_rep_id}: wer höhere Chancen hätte, ist ausgelastet",
        "stays with {current_rep_id}: the reps with a higher chance are fully booked",
    ),
    "allocation.match.reason.no_owner": (
        "Bisher ohne Verantwortlichen: {suggested_rep_id} hat die höchste Abschlusschance mit "
        "freier Kapazität ({p_win_suggested})",
        "no owner yet: {suggested_rep_id} has the highest chance to win among reps with room "
        "({p_win_suggested})",
    ),
    "allocation.match.reason.no_capacity": (
        "Kein Vertriebler hat freie Kapazität für weitere offene Opportunities",
        "no rep has room for another open deal",
    ),
    "allocation.match.col.opportunity": ("Opportunity", "Opportunity"),
    "allocation.match.col.suggested": ("Vorschlag", "Suggested rep"),
    "allocation.match.col.current": ("Bisher", "Current rep"),
    "allocation.match.col.p_win_suggested": ("Chance (Vorschlag)", "Chance (suggested)"),
    "allocation.match.col.p_win_current": ("Chance (bisher)", "Chance (current)"),
    "allocation.match.col.expected_gain": ("Erwarteter Mehrwert", "Expected gain"),
    "allocation.match.col.reason": ("Begründung", "Reason"),
    "allocation.match.col.skill": ("Können (Logit)", "Skill (logit)"),
    "allocation.match.col.win_rate": ("Gewinnquote", "Win rate"),
    "allocation.match.col.win_rate_shrunk": ("Gewinnquote (geglättet)", "Win rate (pooled)"),
    "allocation.match.col.cycle_days": ("Zyklus (Tage, Median)", "Cycle (days, median)"),
    # The coverage model per account (``revintel.allocation.coverage_models``): the chosen
    # model in words and why it earns the most margin after its cost.
    "allocation.coverage.model.field": ("Außendienst", "field sales"),
    "allocation.coverage.model.inside": ("Innendienst", "inside sales"),
    "allocation.coverage.model.digital": ("Digital (Self-Service)", "digital self-service"),
    "allocation.coverage.reason.complexity": (
        "Komplexe Geschäfte (große Abschlüsse, viele Produktfamilien, lange Zyklen) brauchen "
        "persönliche Betreuung",
        "complex deals (large orders, many product families, long cycles) need a person on site",
    ),
    "allocation.coverage.reason.potential": (
        "Das Potenzial trägt die Kosten des Außendienstes",
        "the potential pays for field sales",
    ),
    "allocation.coverage.reason.digital": (
        "Kauft überwiegend digital oder im Self-Service",
        "buys mostly digitally or by self-service",
    ),
    "allocation.coverage.reason.cost": (
        "Bringt nach Kosten den höchsten Deckungsbeitrag",
        "earns the most margin after its cost",
    ),
    # What set an account's recommended service level (``revintel.allocation.portfolio``).
    "allocation.portfolio.reason.potential": ("Potenzialklasse", "potential tier"),
    "allocation.portfolio.reason.white_space": (
        "Kauft weniger als die Hälfte seines Potenzials",
        "buys less than half its potential",
    ),
    "allocation.portfolio.reason.churn": (
        "Wertvoller Kunde mit Abwanderungsrisiko",
        "valuable customer at risk of churning",
    ),
    "allocation.portfolio.reason.rule": ("Regel zur Mindestbetreuung", "minimum-coverage rule"),
    # What an hour of selling buys (``revintel.allocation.response_curve_report``).
    "allocation.curve.summary": (
        "Reaktionskurve, gelesen {method} aus {years} Kundenjahren bis {as_of}; die Tabelle "
        "gilt für einen typischen Kunden mit {potential} Potenzial im Jahr",
        "Response curve read {method} from {years} customer-years up to {as_of}; the table is "
        "for a typical customer with a potential of {potential} a year",
    ),
    "allocation.curve.method.within": (
        "innerhalb der Kunden (Jahre mit mehr oder weniger Betreuung)",
        "within the customers (years with more or less service)",
    ),
    "allocation.curve.method.across": (
        "über die Kunden hinweg (die Stunden folgen der Größe: mit Vorsicht lesen)",
        "across the customers (hours follow size: read with care)",
    ),
    "allocation.curve.parameters": ("Parameter (95-%-Intervall)", "Parameters (95 % interval)"),
    "allocation.curve.points": ("Was Betreuung einbringt", "What service earns"),
    "allocation.curve.col.parameter": ("Parameter", "parameter"),
    "allocation.curve.col.value": ("Wert", "value"),
    "allocation.curve.col.low": ("von", "low"),
    "allocation.curve.col.high": ("bis", "high"),
    "allocation.curve.col.hours_per_week": ("Stunden pro Woche", "hours a week"),
    "allocation.curve.col.hours_per_year": ("Stunden im Jahr", "hours a year"),
    "allocation.curve.col.share_of_potential": ("Anteil am Potenzial", "share of potential"),
    "allocation.curve.col.intake": ("Auftragseingang im Jahr", "order intake a year"),
    "allocation.curve.col.lift": ("mehr als ohne Betreuung", "more than without service"),
    "allocation.curve.col.next_hour": (
        "die nächste Stunde im Jahr bringt",
        "the next hour a year adds",
    ),
}
