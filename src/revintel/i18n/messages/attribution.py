"""Texts of the attribution commands, the attribution API and (later) its dashboard page."""

#: key → (German, English).
MESSAGES: dict[str, tuple[str, str]] = {
    "nav.attribution": ("Wertbeitrag", "Attribution"),
    "attribution.title": (
        "Wertbeitrag der Kanäle: {model}, {transition}",
        "Channel attribution: {model}, {transition}",
    ),
    "attribution.compare.title": (
        "Alle Modelle im Vergleich ({value}), {transition}",
        "Every model side by side ({value}), {transition}",
    ),
    "attribution.paths.title": (
        "Wertbeitrag der Kanäle: {model}, Pfaddatei {file}",
        "Channel attribution: {model}, path file {file}",
    ),
    "attribution.summary": (
        "{journeys} Journeys, davon {converted} konvertiert; Beträge in {currency}.",
        "{journeys} journeys, {converted} of them converted; amounts in {currency}.",
    ),
    "attribution.open": (
        "{count} noch offene Journeys (weder konvertiert noch beendet) sind nicht gezählt.",
        "{count} journeys still open (neither converted nor ended) are not counted.",
    ),
    "attribution.empty": (
        "Keine Journeys für diesen Übergang bis zum Stichtag: nichts zuzuordnen.",
        "No journeys of this transition up to the as-of date: nothing to attribute.",
    ),
    "attribution.baseline": ("(Grundrate)", "(baseline)"),
    "attribution.start": ("Beginn", "start"),
    "attribution.col.channel": ("Kanal", "Channel"),
    "attribution.col.conversions": ("Konversionen", "Conversions"),
    "attribution.col.revenue": ("Umsatz", "Revenue"),
    "attribution.col.margin": ("Deckungsbeitrag", "Margin"),
    "attribution.col.share": ("Anteil", "Share"),
    "attribution.value.conversions": ("Konversionen", "conversions"),
    "attribution.value.revenue": ("Umsatz", "revenue"),
    "attribution.model.first": ("Erster Kontakt", "First touch"),
    "attribution.model.last": ("Letzter Kontakt", "Last touch"),
    "attribution.model.linear": ("Linear", "Linear"),
    "attribution.model.time_decay": ("Zeitverfall", "Time decay"),
    "attribution.model.u_shaped": ("U-förmig", "U-shaped"),
    "attribution.model.w_shaped": ("W-förmig", "W-shaped"),
    "attribution.model.full_path": ("Voller Pfad", "Full path"),
    "attribution.model.markov": ("Markov-Kette", "Markov chain"),
    "attribution.model.shapley": ("Shapley-Wert", "Shapley value"),
    "attribution.level.lead": ("Lead", "lead"),
    "attribution.level.opportunity": ("Opportunity", "opportunity"),
    "attribution.level.account": ("Account (Buying Center)", "account (buying group)"),
    # The Buying journey page (docs/buying-journey.md) and what both dashboard pages share.
    "nav.journey": ("Customer Journey", "Buying journey"),
    "attribution.download": ("Tabelle herunterladen", "Download the table"),
    "attribution.docs": ("Definitionen:", "Definitions:"),
    "journey.title": ("Digitale Customer Journey", "The digital buying journey"),
    "journey.note": (
        "Aus den Kontaktpunkten und der Phasenhistorie der Leads, die Sie sehen: wie Ihre "
        "Käufer Sie treffen, wie viel sie vor dem ersten Vertriebskontakt erledigen, welche "
        "Inhalte sie in welcher Phase lesen und welche Kanalfolgen zum Abschluss führen.",
        "From the touchpoints and the stage history of the leads you see: how your buyers meet "
        "you, how much they do before the first sales contact, which content they read in which "
        "phase and which channel sequences end in an order.",
    ),
    "journey.by": ("Gruppiert nach", "Grouped by"),
    "journey.by.segment,year": ("Segment und Jahr", "segment and year"),
    "journey.by.segment": ("Segment", "segment"),
    "journey.by.year": ("Jahr", "year"),
    "journey.by.industry": ("Branche", "industry"),
    "journey.by.region": ("Region", "region"),
    "journey.by.country": ("Land", "country"),
    "journey.by.channel": ("Herkunftskanal", "origin channel"),
    "journey.grain": ("Zeitraster", "Periods"),
    "journey.grain.month": ("Monat", "month"),
    "journey.grain.quarter": ("Quartal", "quarter"),
    "journey.grain.year": ("Jahr", "year"),
    "journey.event_start": ("Ereignis von", "Event from"),
    "journey.event_end": ("Ereignis bis (erster Tag danach)", "Event until (first day after)"),
    "journey.to": ("Kanalfolgen bis", "Sequences up to"),
    "journey.length": ("Kanäle je Folge", "Channels per sequence"),
    "journey.before_sales": (
        "Anteil der Customer Journey vor dem ersten Vertriebskontakt",
        "Share of the buying journey completed before the first sales contact",
    ),
    "journey.before_sales.chart": (
        "Vor dem ersten Vertriebskontakt erledigt (Median)",
        "Completed before the first sales contact (median)",
    ),
    "journey.tile.touch_share": (
        "Kontaktpunkte vor dem Vertriebskontakt (Median)",
        "Touchpoints before the sales contact (median)",
    ),
    "journey.tile.time_share": (
        "Zeit vor dem Vertriebskontakt (Median)",
        "Time before the sales contact (median)",
    ),
    "journey.tile.journeys": ("Journeys mit Vertriebskontakt", "Journeys with a sales contact"),
    "journey.tile.without_sales": (
        "Journeys ohne Vertriebskontakt",
        "Journeys without a sales contact",
    ),
    "journey.headline": (
        "Im Median lagen {touch} der Kontaktpunkte und {time} der Zeit einer Customer Journey "
        "vor dem ersten Vertriebskontakt (Anruf, Termin, Besuch oder Videotermin); im "
        "Mittel {touch_mean} und {time_mean}.",
        "In the median, {touch} of a buying journey's touchpoints and {time} of its time came "
        "before the first sales contact (call, meeting, visit or video call); on average "
        "{touch_mean} and {time_mean}.",
    ),
    "journey.none": (
        "Noch keine Lead-Journey mit Kontaktpunkten und Vertriebskontakt: nichts zu messen.",
        "No lead journey with touchpoints and a sales contact yet: nothing to measure.",
    ),
    "journey.all": ("alle", "all"),
    "journey.year": ("Jahr", "Year"),
    "journey.group": ("Gruppe", "Group"),
    "journey.share": ("Anteil", "Share"),
    "journey.measure": ("Kennzahl", "Measure"),
    "journey.measure.digital": ("Digitaler Anteil", "Digital share"),
    "journey.measure.self_service": ("Self-Service-Anteil", "Self-service share"),
    "journey.measure.mobile": ("Mobiler Anteil", "Mobile share"),
    "journey.period": ("Zeitraum", "Period"),
    "journey.shares": (
        "Digitaler, Self-Service- und mobiler Anteil im Zeitverlauf",
        "Digital, self-service and mobile share over time",
    ),
    "journey.shares.note": (
        "Ein Anteil zählt nur Kontaktpunkte mit erfasstem Merkmal: Self-Service unter denen "
        "mit bekanntem Self-Service, mobil unter den digitalen mit bekanntem Gerät. Markiert: "
        "das gewählte Ereignis.",
        "A share counts only touchpoints whose flag is recorded: self-service among those with "
        "a known self-service flag, mobile among the digital ones with a known device. Shaded: "
        "the chosen event.",
    ),
    "journey.event": ("Ereignis", "Event"),
    "journey.shift": ("Vorher und nachher", "Before and after"),
    "journey.shift.note": (
        "Anteile vor dem Ereignis ({start} bis {end}) gegen die Anteile währenddessen und "
        "danach, mit 95-%-Intervall der Differenz (Newcombe): enthält es 0, lassen sich die "
        "Anteile nicht unterscheiden. Beschreibend, keine Wirkung: was sich zugleich änderte, "
        "bewegt den Anteil mit.",
        "Shares before the event ({start} to {end}) against the shares during and after it, "
        "with the 95 % interval of the difference (Newcombe): when it contains 0, the shares "
        "cannot be told apart. Descriptive, not an effect: whatever else changed at the same "
        "time moves the share too.",
    ),
    "journey.window": ("Zeitfenster", "Window"),
    "journey.window.before": ("vorher", "before"),
    "journey.window.during": ("während", "during"),
    "journey.window.after": ("danach", "after"),
    "journey.content_by_phase": ("Inhalte je Kaufphase", "Content per buying phase"),
    "journey.content.note": (
        "Anstieg: Konversionsrate der entschiedenen Journeys, die den Inhalt in der Phase "
        "nutzten, geteilt durch die Rate derer, die ihn nicht nutzten (mit 95-%-Intervall). "
        "Ein Zusammenhang, keine Wirkung: wer die Preisliste lädt, ist oft schon weiter.",
        "Lift: conversion rate of the decided journeys that used the content in the phase, "
        "divided by the rate of those that did not (with a 95 % interval). An association, "
        "not an effect: buyers who download the price list are often further along anyway.",
    ),
    "journey.phase": ("Phase", "Phase"),
    "journey.phase.before_mql": ("bis MQL", "before MQL"),
    "journey.phase.mql_to_sql": ("MQL bis SQL", "MQL to SQL"),
    "journey.phase.sql_to_offer": ("SQL bis Angebot", "SQL to offer"),
    "journey.phase.offer_to_decision": ("Angebot bis Entscheidung", "offer to decision"),
    "journey.content": ("Inhalt", "Content"),
    "journey.content.blog": ("Blogartikel", "Blog post"),
    "journey.content.whitepaper": ("Whitepaper", "Whitepaper"),
    "journey.content.checklist": ("Checkliste", "Checklist"),
    "journey.content.product_page": ("Produktseite", "Product page"),
    "journey.content.case_study": ("Fallstudie", "Case study"),
    "journey.content.product_video": ("Produktvideo", "Product video"),
    "journey.content.price_list": ("Preisliste", "Price list"),
    "journey.content.webinar": ("Webinar", "Webinar"),
    "journey.content.configurator": ("Produktkonfigurator", "Product configurator"),
    "journey.sequences": (
        "Kanalfolgen, die konvertieren, und solche, die stocken",
        "Channel sequences that convert and those that stall",
    ),
    "journey.sequences.chart": (
        "Häufigste Kanalfolgen bis zum Ergebnis",
        "Most frequent channel sequences to their outcome",
    ),
    "journey.sequences.note": (
        "Folge: die letzten Kanäle einer Journey, Wiederholungen eines Kanals einmal gezählt. "
        "Gestockt: beendet ohne das Ziel, oder offen und älter als die {days} Tage, die "
        "konvertierende Journeys im Median brauchten. Anstieg: Konversionsrate der Folge "
        "geteilt durch die aller Journeys.",
        "Sequence: a journey's last channels, repeats of one channel counted once. Stalled: "
        "ended without the target, or open and older than the {days} days converting journeys "
        "took in the median. Lift: the sequence's conversion rate over that of all journeys.",
    ),
    "journey.sequence": ("Kanalfolge", "Sequence"),
    "journey.converted": ("konvertiert", "converted"),
    "journey.stalled": ("gestockt", "stalled"),
    "journey.col.journeys": ("Journeys", "Journeys"),
    "journey.col.with_sales_contact": ("mit Vertriebskontakt", "With sales contact"),
    "journey.col.without_share": ("Anteil ohne Vertriebskontakt", "Share without sales contact"),
    "journey.col.touch_median": ("Kontaktpunkte vorher (Median)", "Touchpoints before (median)"),
    "journey.col.touch_mean": ("Kontaktpunkte vorher (Mittel)", "Touchpoints before (mean)"),
    "journey.col.time_median": ("Zeit vorher (Median)", "Time before (median)"),
    "journey.col.time_mean": ("Zeit vorher (Mittel)", "Time before (mean)"),
    "journey.col.timed_journeys": ("Journeys mit Dauer", "Journeys with a duration"),
    "journey.col.touchpoints": ("Kontaktpunkte", "Touchpoints"),
    "journey.col.self_service_known": ("mit bekanntem Self-Service", "Self-service known"),
    "journey.col.mobile_known": ("digital mit bekanntem Gerät", "Digital, device known"),
    "journey.col.start": ("Beginn", "Start"),
    "journey.col.end": ("Ende (erster Tag danach)", "End (first day after)"),
    "journey.col.low": ("untere Grenze", "Lower bound"),
    "journey.col.high": ("obere Grenze", "Upper bound"),
    "journey.col.difference": ("Differenz zu vorher", "Difference to before"),
    "journey.col.touches": ("Kontaktpunkte", "Touches"),
    "journey.col.phase_share": ("Anteil der Phase", "Share of the phase"),
    "journey.col.rate_with": ("Konversion mit", "Conversion with"),
    "journey.col.rate_without": ("Konversion ohne", "Conversion without"),
    "journey.col.lift": ("Anstieg", "Lift"),
    "journey.col.converting": ("konvertiert", "Converting"),
    "journey.col.stalled": ("gestockt", "Stalled"),
    "journey.col.converting_share": ("Anteil der konvertierten", "Share of converting"),
    "journey.col.stalled_share": ("Anteil der gestockten", "Share of stalled"),
    "journey.col.conversion_rate": ("Konversionsrate", "Conversion rate"),
    "journey.col.from": ("Von", "From"),
    "journey.col.to": ("Nach", "To"),
    # The Attribution page of the dashboard.
    "attribution.page.title": ("Wertbeitrag der Kanäle", "Channel attribution"),
    "attribution.page.transition": ("Übergang", "Transition"),
    "attribution.page.level": ("Ebene", "Level"),
    "attribution.page.touches": ("Kontaktpunkte", "Touchpoints"),
    "attribution.page.touches.journey": ("ganze Journey", "whole journey"),
    "attribution.page.touches.stage": ("nur dieser Phase", "this stage only"),
    "attribution.page.value": ("Vergleichen nach", "Compare by"),
    "attribution.page.roi_model": ("Modell für den ROI", "Model for the ROI"),
    "attribution.page.model": ("Modell", "Model"),
    "attribution.page.comparison": ("Alle Modelle im Vergleich", "Every model side by side"),
    "attribution.page.summary": (
        "{journeys} Journeys im Übergang {transition}; verteilt werden {total} ({value}).",
        "{journeys} journeys of the transition {transition}; {total} ({value}) distributed.",
    ),
    "attribution.page.models": (
        "Datengetrieben (lernen aus konvertierten und nicht konvertierten Journeys): {driven}. "
        "Regelbasiert (feste Gewichte nach Position des Kontaktpunkts): {rules}.",
        "Data-driven (learn from converting and non-converting journeys alike): {driven}. "
        "Rule-based (fixed weights by the touch's position): {rules}.",
    ),
    "attribution.page.chart": (
        "Zurechnung je Kanal und Modell",
        "Credit per channel and model",
    ),
    "attribution.page.roi_channels": (
        "Marketingrendite je Kanal",
        "Return on marketing per channel",
    ),
    "attribution.page.roi_campaigns": (
        "Marketingrendite je Kampagne",
        "Return on marketing per campaign",
    ),
    "attribution.page.roi_note": (
        "Umsatz und Deckungsbeitrag gewonnener Aufträge, zugerechnet mit dem Modell {model}, "
        "gegen die Marketingkosten über den ganzen Zeitraum. ROI = (zugerechneter Umsatz − "
        "Kosten) / Kosten; Margen-ROI ebenso mit dem Deckungsbeitrag.",
        "Revenue and margin of won deals credited by the {model} model, against the marketing "
        "cost over the whole history. ROI = (credited revenue − cost) / cost; margin ROI the "
        "same with the margin.",
    ),
    "attribution.page.roi_shapley": (
        "Der Shapley-Wert rechnet einem Kanal nur zu, was er über die Grundrate hinaus bewirkt; "
        "ein negativer Wert heißt, dass Journeys mit dem Kanal seltener gewonnen wurden.",
        "The Shapley value credits a channel only with what it adds beyond the baseline; a "
        "negative credit means journeys with the channel were won less often.",
    ),
    "attribution.page.roi_stored": (
        "Aus den am {date} gespeicherten Zurechnungen: die Kennzahlen roi und margin_roi.",
        "From the credits stored on {date}: the KPIs roi and margin_roi.",
    ),
    "attribution.page.roi_computed": (
        "Eben berechnet; mit „revintel attribution store“ gespeichert, stehen die Zurechnungen "
        "auch als Kennzahlen roi und margin_roi bereit.",
        "Computed just now; stored with 'revintel attribution store', the credits also serve "
        "the KPIs roi and margin_roi.",
    ),
    "attribution.page.col.attributed_revenue": ("Zugerechneter Umsatz", "Credited revenue"),
    "attribution.page.col.attributed_margin": (
        "Zugerechneter Deckungsbeitrag",
        "Credited margin",
    ),
    "attribution.page.col.marketing_cost": ("Marketingkosten", "Marketing cost"),
    "attribution.page.col.roi": ("ROI", "ROI"),
    "attribution.page.col.margin_roi": ("Margen-ROI", "Margin ROI"),
    "attribution.page.col.campaign_id": ("Kampagnen-ID", "Campaign id"),
    "attribution.page.col.campaign": ("Kampagne", "Campaign"),
    "attribution.page.no_campaign": (
        "(ohne Kampagne, mit Grundrate)",
        "(no campaign, baseline included)",
    ),
    "attribution.page.no_channel": ("(ohne Kanal)", "(no channel)"),
    "attribution.page.campaigns_shown": (
        "Die {shown} Kampagnen mit dem höchsten zugerechneten Umsatz von {total}; die "
        "Tabelle zum Herunterladen enthält alle.",
        "The {shown} campaigns with the highest credited revenue of {total}; the download holds "
        "them all.",
    ),
    "attribution.page.sequences_note": (
        "Die letzten drei Kanäle der Journeys bis zum gewählten Meilenstein, die ihn erreichten "
        "(konvertiert), neben denen, die ohne ihn endeten oder länger offen sind als "
        "konvertierende im Median brauchten (gestockt).",
        "The last three channels of the journeys up to the chosen milestone that reached it "
        "(converted), next to those that ended without it or have been open longer than "
        "converting ones took in the median (stalled).",
    ),
    "attribution.page.refused.level": (
        "Die Ebene Opportunity gibt es nur für Meilensteine, die Opportunities erreichen "
        "(ab „Opportunity generiert“): bitte Lead oder Account wählen.",
        "The opportunity level exists only for milestones opportunities reach (from "
        "'Opportunity generated' on): choose lead or account.",
    ),
    "attribution.store.title": (
        "Attributionsgutschriften gespeichert · Ebene {level} · Stichtag {as_of} · {rows} Zeilen",
        "Attribution credits stored · level {level} · as of {as_of} · {rows} rows",
    ),
    "attribution.store.skipped": (
        "{what} ausgelassen: {reason}",
        "{what} skipped: {reason}",
    ),
    # The buying-journey commands (revintel journey …): titles, notes and column headers.
    "journey.grain.week": ("Woche", "week"),
    "journey.grain.all": ("gesamt", "all time"),
    "journey.cli.mix.title": ("Kanalmix je {grain}", "Channel mix per {grain}"),
    "journey.cli.mix.title_all": ("Kanalmix, gesamter Zeitraum", "Channel mix, all time"),
    "journey.cli.shares.title": (
        "Digitaler, Self-Service- und mobiler Anteil je {grain}",
        "Digital, self-service and mobile share per {grain}",
    ),
    "journey.cli.event.title": (
        "{measure} vor, während und nach dem Ereignis ({span})",
        "{measure} before, during and after the event ({span})",
    ),
    "journey.cli.event.from": ("ab {start}", "from {start}"),
    "journey.cli.event.span": ("{start} bis vor {end}", "{start} until before {end}"),
    "journey.cli.stalled_after": (
        "Offene Journeys gelten als gestockt, wenn sie älter sind als {days} Tage "
        "(Median der konvertierten bis {to}).",
        "Open journeys count as stalled when older than {days} days (the median of converting "
        "ones up to {to}).",
    ),
    "journey.cli.sequences.title": (
        "Kanalfolgen bis {to}: die letzten {length} Kanäle",
        "Channel sequences up to {to}: the last {length} channels",
    ),
    "journey.cli.empty": (
        "Keine Kontaktpunkte im Bestand: nichts zu messen.",
        "The store holds no touchpoints: nothing to measure.",
    ),
    "journey.cli.col.period": ("Zeitraum", "Period"),
    "journey.cli.col.channel": ("Kanal", "Channel"),
    "journey.cli.col.touchpoints": ("Kontaktpunkte", "Touchpoints"),
    "journey.cli.col.share": ("Anteil", "Share"),
    "journey.cli.col.kind": ("Art", "Kind"),
    "journey.cli.col.campaign": ("Kampagne", "Campaign"),
    "journey.cli.col.segment": ("Segment", "Segment"),
    "journey.cli.col.industry": ("Branche", "Industry"),
    "journey.cli.col.region": ("Region", "Region"),
    "journey.cli.col.country": ("Land", "Country"),
    "journey.cli.col.year": ("Jahr", "Year"),
    "journey.cli.col.digital": ("digital", "Digital"),
    "journey.cli.col.digital_share": ("Digitaler Anteil", "Digital share"),
    "journey.cli.col.self_service": ("Self-Service", "Self-service"),
    "journey.cli.col.self_service_known": ("mit bekanntem Self-Service", "Self-service known"),
    "journey.cli.col.self_service_share": ("Self-Service-Anteil", "Self-service share"),
    "journey.cli.col.mobile": ("mobil", "Mobile"),
    "journey.cli.col.mobile_known": ("digital mit bekanntem Gerät", "Digital, device known"),
    "journey.cli.col.mobile_share": ("Mobiler Anteil", "Mobile share"),
    "journey.cli.col.window": ("Zeitfenster", "Window"),
    "journey.cli.col.start": ("Beginn", "Start"),
    "journey.cli.col.end": ("Ende (erster Tag danach)", "End (first day after)"),
    "journey.cli.col.flagged": ("mit Merkmal", "Flagged"),
    "journey.cli.col.share_low": ("Anteil untere Grenze", "Share lower bound"),
    "journey.cli.col.share_high": ("Anteil obere Grenze", "Share upper bound"),
    "journey.cli.col.difference": ("Differenz zu vorher", "Difference to before"),
    "journey.cli.col.difference_low": ("Differenz untere Grenze", "Difference lower bound"),
    "journey.cli.col.difference_high": ("Differenz obere Grenze", "Difference upper bound"),
    "journey.cli.col.journeys": ("Journeys", "Journeys"),
    "journey.cli.col.with_sales_contact": ("mit Vertriebskontakt", "With sales contact"),
    "journey.cli.col.without_sales_contact": ("ohne Vertriebskontakt", "Without sales contact"),
    "journey.cli.col.without_sales_contact_share": (
        "Anteil ohne Vertriebskontakt",
        "Share without sales contact",
    ),
    "journey.cli.col.touch_share_median": (
        "Kontaktpunkte vorher (Median)",
        "Touchpoints before (median)",
    ),
    "journey.cli.col.touch_share_mean": (
        "Kontaktpunkte vorher (Mittel)",
        "Touchpoints before (mean)",
    ),
    "journey.cli.col.timed_journeys": ("Journeys mit Dauer", "Journeys with a duration"),
    "journey.cli.col.time_share_median": ("Zeit vorher (Median)", "Time before (median)"),
    "journey.cli.col.time_share_mean": ("Zeit vorher (Mittel)", "Time before (mean)"),
    "journey.cli.col.phase": ("Phase", "Phase"),
    "journey.cli.col.content": ("Inhalt", "Content"),
    "journey.cli.col.touches": ("Kontaktpunkte", "Touches"),
    "journey.cli.col.decided_with": ("entschieden mit", "Decided with"),
    "journey.cli.col.converted_with": ("konvertiert mit", "Converted with"),
    "journey.cli.col.rate_with": ("Konversion mit", "Conversion with"),
    "journey.cli.col.decided_without": ("entschieden ohne", "Decided without"),
    "journey.cli.col.converted_without": ("konvertiert ohne", "Converted without"),
    "journey.cli.col.rate_without": ("Konversion ohne", "Conversion without"),
    "journey.cli.col.lift": ("Anstieg", "Lift"),
    "journey.cli.col.lift_low": ("Anstieg untere Grenze", "Lift lower bound"),
    "journey.cli.col.lift_high": ("Anstieg obere Grenze", "Lift upper bound"),
    "journey.cli.col.sequence": ("Kanalfolge", "Sequence"),
    "journey.cli.col.channels": ("Kanäle", "Channels"),
    "journey.cli.col.converting": ("konvertiert", "Converting"),
    "journey.cli.col.stalled": ("gestockt", "Stalled"),
    "journey.cli.col.converting_share": ("Anteil der konvertierten", "Share of converting"),
    "journey.cli.col.stalled_share": ("Anteil der gestockten", "Share of stalled"),
    "journey.cli.col.conversion_rate": ("Konversionsrate", "Conversion rate"),
    "journey.cli.col.conversion_rate_low": (
        "Konversionsrate untere Grenze",
        "Conversion rate lower bound",
    ),
    "journey.cli.col.conversion_rate_high": (
        "Konversionsrate obere Grenze",
        "Conversion rate upper bound",
    ),
    "journey.cli.col.content.difference": ("Differenz mit − ohne", "Difference with − without"),
}
