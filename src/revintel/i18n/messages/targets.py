"""German and English texts of the targets page "Ziele / Targets"."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "nav.targets": ("Ziele", "Targets"),
    "targets.page.title": ("Ziele", "Targets"),
    "targets.page.intro": (
        "Ziele je Zeitraum für Auftragseingang und Funnel-Meilensteine, daneben das Erreichte: "
        "beim Auftragseingang die im Zeitraum gewonnenen Opportunities, bei MQLs, SALs, SQLs "
        "und Opportunities die Leads, die den Meilenstein im Zeitraum erstmals erreicht haben.",
        "Targets per period for order intake and funnel milestones, next to what was reached: "
        "for order intake the opportunities won in the period, for MQLs, SALs, SQLs and "
        "opportunities the leads first reaching that milestone in the period.",
    ),
    "targets.page.scope_rep": (
        "Sie sehen nur Ihre eigenen Ziele.",
        "You see only your own targets.",
    ),
    "targets.page.read_only": (
        "Ziele ändern dürfen Administratoren, Manager und Teamleiter (die ihres Teams).",
        "Administrators, managers and team leads (their team's) may change targets.",
    ),
    "targets.page.scope_team": (
        "Sie sehen und ändern die Ziele der Vertriebler Ihres Teams.",
        "You see and change the targets of the reps in your team.",
    ),
    "targets.page.intake": ("Auftragseingang", "Order intake"),
    "targets.page.counts": ("Funnel-Ziele (Anzahl)", "Funnel targets (counts)"),
    "targets.page.empty": ("Keine Ziele für diese Auswahl.", "No targets for this selection."),
    "targets.page.history": ("Änderungsverlauf", "Change history"),
    "targets.page.no_history": ("Noch keine Änderungen.", "No changes yet."),
    "targets.page.add": ("Ziel anlegen", "Add a target"),
    "targets.page.download": ("Herunterladen", "Download"),
    "targets.filter.year": ("Jahr", "Year"),
    "targets.filter.measure": ("Messgröße", "Measure"),
    "targets.filter.team": ("Team", "Team"),
    "targets.filter.all": ("alle", "all"),
    "targets.filter.apply": ("Anzeigen", "Show"),
    "targets.measure.order_intake": ("Auftragseingang", "Order intake"),
    "targets.measure.mqls": ("MQLs", "MQLs"),
    "targets.measure.sals": ("SALs", "SALs"),
    "targets.measure.sqls": ("SQLs", "SQLs"),
    "targets.measure.opportunities": ("Opportunities", "Opportunities"),
    "targets.col.target_id": ("Ziel-ID", "Target id"),
    "targets.col.period_start": ("Beginn", "Start"),
    "targets.col.period_end": ("Ende", "End"),
    "targets.col.measure": ("Messgröße", "Measure"),
    "targets.col.team": ("Team", "Team"),
    "targets.col.rep": ("Vertriebler", "Rep"),
    "targets.col.segment": ("Segment", "Segment"),
    "targets.col.target": ("Ziel", "Target"),
    "targets.col.actual": ("Ist", "Actual"),
    "targets.col.attainment": ("Zielerreichung", "Attainment"),
    "targets.col.actions": ("Ändern", "Change"),
    "targets.col.changed_at": ("Zeitpunkt", "When"),
    "targets.col.action": ("Aktion", "Action"),
    "targets.col.actor": ("Wer", "Who"),
    "targets.col.change": ("Vorher → nachher", "Before → after"),
    "targets.col.note": ("Notiz", "Note"),
    "targets.action.create": ("angelegt", "created"),
    "targets.action.update": ("geändert", "changed"),
    "targets.action.delete": ("gelöscht", "deleted"),
    "targets.action.import": ("importiert", "imported"),
    "targets.label.period": (
        "Zeitraum (2027-Q1, 2027-03, 2027)",
        "Period (2027-Q1, 2027-03, 2027)",
    ),
    "targets.label.amount": ("Zielwert", "Target value"),
    "targets.label.new_amount": ("Neuer Zielwert für {target}", "New target value of {target}"),
    "targets.label.note": ("Notiz (optional)", "Note (optional)"),
    "targets.label.company": ("ganzes Unternehmen", "whole company"),
    "targets.button.add": ("Anlegen", "Add"),
    "targets.button.save": ("Speichern", "Save"),
    "targets.button.delete": ("Löschen", "Delete"),
    "targets.done.create": ("Ziel {target} angelegt.", "Target {target} created."),
    "targets.done.update": ("Ziel {target} geändert.", "Target {target} changed."),
    "targets.done.delete": ("Ziel {target} gelöscht.", "Target {target} deleted."),
    "targets.refused": (
        "Nicht gespeichert: {why}",
        "Not saved: {why}",
    ),
    "targets.refused.amount": (
        "Der Zielwert ist keine positive Zahl.",
        "The target value is not a positive number.",
    ),
    "targets.refused.period": (
        "Der Zeitraum ist ungültig; schreiben Sie 2027-Q1, 2027-03 oder 2027.",
        "The period is invalid; write 2027-Q1, 2027-03 or 2027.",
    ),
    "targets.refused.team": (
        "Teamleiter setzen nur Ziele der Vertriebler ihres Teams.",
        "Team leads set targets of the reps in their team only.",
    ),
    "targets.refused.unknown": (
        "Dieses Ziel gibt es nicht (mehr).",
        "This target does not exist (any more).",
    ),
    "targets.refused.other": (
        "Eine Angabe ist ungültig ({field}).",
        "An entry is invalid ({field}).",
    ),
}
