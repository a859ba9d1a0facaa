"""Why an analysis is empty: one sentence per gap in the data (``revintel.metrics.DataGap``).

Placeholders: ``{span}`` the dates the data covers, ``{first}`` its first date, ``{as_of}`` the
evaluation date, ``{range}`` the range asked for, ``{needed}`` and ``{found}`` counts.
"""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "gap.no_leads": (
        "Keine Daten: Der Bestand enthält noch keine Leads – Exporte importieren oder "
        "`revintel synth` ausführen.",
        "no data: the store holds no leads yet — import exports or run `revintel synth`",
    ),
    "gap.no_stage_history": (
        "Keine Stufenhistorie: Die Daten ({span}) enthalten keine Meilensteine, daher erreicht "
        "kein Lead eine Stufe des Funnels.",
        "no stage history: the data ({span}) holds no milestones, so no lead reaches a stage "
        "of the funnel",
    ),
    "gap.no_mature_lead": (
        "Noch kein Lead ist reif (angelegt ≥ {needed} Tage vor dem Stichtag {as_of}) – "
        "versuchen Sie --maturity-days 0.",
        "no lead is mature yet (created ≥ {needed} days before the as-of date) — try "
        "--maturity-days 0",
    ),
    "gap.no_rows_in_range": (
        "Keine Daten im gewählten Zeitraum {range}: Die Daten reichen von {span}.",
        "no rows in the range asked for ({range}): the data covers {span}",
    ),
    "gap.no_complete_period": (
        "Kein abgeschlossener Zeitraum: Die Daten reichen von {span}.",
        "no complete period: the data covers {span}",
    ),
    "gap.short_history": (
        "Zu kurze Historie: Die Alarme vergleichen bis zu {needed} abgeschlossene Monate, die "
        "Daten ({span}) enthalten {found}.",
        "not enough history: the alerts compare up to {needed} complete months, the data "
        "({span}) holds {found}",
    ),
    "gap.no_alert": (
        "Kein Alarm ausgelöst: Alle Regeln über {found} abgeschlossene Monate ({span}) geprüft.",
        "no alert fired: every rule checked over {found} complete months ({span})",
    ),
    "gap.no_forecast_data": (
        "Nichts zu prognostizieren: Der Bestand enthält weder Leads noch Opportunities – "
        "importieren oder `revintel synth` ausführen.",
        "nothing to forecast: the store holds no leads and no opportunities — import them or "
        "run `revintel synth`",
    ),
    "gap.undated_history": (
        "Keine datierte Historie: Alle Datensätze wurden am {first} angelegt, daher lassen sich "
        "weder Zugänge je Monat noch Zeiten bis zum Abschluss messen.",
        "no dated history: every record was created on {first}, so neither arrivals per month "
        "nor times to close can be measured",
    ),
    "gap.no_opportunities": (
        "Keine Opportunities in den Daten ({span}): nichts zu gewichten.",
        "no opportunities in the data ({span}): nothing to weigh",
    ),
    "gap.no_open_pipeline": (
        "Keine offene Opportunity zu gewichten: Die Opportunities der Daten ({span}) sind alle "
        "abgeschlossen.",
        "no open opportunity to weigh: every opportunity in the data ({span}) is closed",
    ),
    "gap.no_forecast_basis": (
        "Keine Grundlage: Keine offene Opportunity und kein gewonnenes Geschäft in den Daten "
        "({span}).",
        "nothing to forecast from: no open opportunity and no won deal in the data ({span})",
    ),
    "gap.no_attribution_credits": (
        "Keine Attributionsgutschriften für Meilenstein und Modell dieser Kennzahl gespeichert "
        "(Standard markov): `revintel attribution store` ausführen, dann zeigen attribuierte "
        "Pipeline, Umsatz und ROI die Daten ({span}).",
        "no attribution credits stored for this KPI's milestone and model (default markov): "
        "run `revintel attribution store`, then the attributed pipeline, revenue and ROI show "
        "the data ({span})",
    ),
    "gap.no_price_bands": (
        "Keine Preisbänder gespeichert: `revintel pricing bands --store` ausführen, dann zeigen "
        "Anteil unter Preisuntergrenze und Preisdurchsetzung die Daten ({span}).",
        "no price bands stored: run `revintel pricing bands --store`, then the share below floor "
        "and the price realisation show the data ({span})",
    ),
}
