"""Metric commands: ``funnel``, ``kpi``, ``alerts`` and ``targets import``."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Group, RenderableType
from rich.text import Text

from revintel.cli import app
from revintel.cli._common import (
    ColumnsOption,
    DbOption,
    FormatOption,
    FunnelOption,
    LangOption,
    OutputFormat,
    console,
    content_language,
    emit,
    funnel_from,
    parse_columns,
    resolve_language,
    rich_table,
    store_from,
    texts_for_readers,
    translator,
)
from revintel.cli._locale import day_text, share_text
from revintel.cli._summary import summary_section
from revintel.i18n import Language, Translator, format_number
from revintel.metrics import (
    Alert,
    MetricCatalogue,
    MetricQuery,
    MetricQueryError,
    MetricSources,
    alerts_frame,
    alerts_gap,
    evaluate_alerts,
    evaluate_kpis,
    funnel_gap,
    funnel_overview,
    funnel_view,
    import_targets,
    kpi_gap,
    load_catalogue,
    parse_filter,
)
from revintel.store import Store
from revintel.views import (
    alert_text,
    funnel_is_empty,
    gap_sentence,
    kpi_is_empty,
    rep_names,
)
from revintel.views._alert_texts import group_value

MetricsOption = Annotated[
    Path | None,
    typer.Option("--metrics", help="Company KPI file merged over the built-in catalogue."),
]
ByOption = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        help="Break down by channel, campaign, segment, industry, region, country, "
        "rep, team, product, product_family or a custom field custom.NAME (repeatable); "
        "the attributed KPIs (roi…) also by model.",
    ),
]
GrainOption = Annotated[
    str | None, typer.Option("--grain", help="week, month, quarter, year or all.")
]
FromOption = Annotated[str | None, typer.Option("--from", help="First day (ISO date).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day, inclusive (ISO date).")]
WhereOption = Annotated[
    list[str] | None,
    typer.Option("--where", help="Filter DIM=VALUE[,VALUE…] or DIM!=VALUE (repeatable)."),
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Evaluation date (default: the last event).")
]
MaturityOption = Annotated[
    int | None,
    typer.Option(
        "--maturity-days",
        help="Days since creation after which a lead counts in win probabilities (default: "
        "the catalogue's maturity_days); 0 counts every lead.",
    ),
]

#: Result columns holding shares, shown as percentages in tables.
_SHARES = ("value", "lower", "upper", "default", "previous", "last_year", "change")
#: Shares per funnel view (the overview is laid out by :func:`_overview_table`).
_VIEW_SHARES = {
    "report": ("conversion",),
    "cohort": _SHARES,
    "period": _SHARES,
    "probability": _SHARES,
    "leakage": _SHARES,
}


class FunnelView(StrEnum):
    """What ``revintel funnel`` shows."""

    overview = "overview"
    report = "report"
    cohort = "cohort"
    period = "period"
    probability = "probability"
    durations = "durations"
    stage = "stage"
    leakage = "leakage"


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MetricQueryError(f"{option} {text!r}: expected an ISO date (YYYY-MM-DD)") from None


def _query(
    by: list[str] | None,
    grain: str | None,
    start: str | None,
    end: str | None,
    where: list[str] | None,
    compare: bool = False,
    maturity_days: int | None = None,
) -> MetricQuery:
    grains = ("week", "month", "quarter", "year", "all")
    if grain is not None and grain not in grains:
        raise MetricQueryError(f"--grain {grain!r}: choose one of {', '.join(grains)}")
    last = _date(end, "--to")
    return MetricQuery(
        grain=grain,  # type: ignore[arg-type]
        by=tuple(by or ()),
        start=_date(start, "--from"),
        end=last + timedelta(days=1) if last else None,
        where=tuple(parse_filter(w) for w in where or ()),
        compare=compare,
        maturity_days=maturity_days,
    )


def _sources(
    store: Store, funnel: Path | None, as_of: str | None
) -> AbstractContextManager[MetricSources]:
    sources = MetricSources.from_store(store, funnel_from(funnel), _date(as_of, "--as-of"))
    # Many KPIs read the same journeys (Spark would recompute them for every milestone pair of
    # every KPI): compute them once, for the command's block.
    return sources.materialized()


def _said_why(title: str, sentence: str, fmt: OutputFormat) -> bool:
    """Say in one sentence why a result is empty, instead of the table in a terminal (``True``:
    nothing more to print); CSV and JSON keep their rows unchanged for scripts (``False``)."""
    if fmt is not OutputFormat.table:
        return False
    console.print(title, style="bold", highlight=False)
    console.print(sentence, highlight=False)
    return True


def _catalogue(metrics: Path | None, funnel: Path | None) -> MetricCatalogue:
    return load_catalogue(metrics, funnel=funnel_from(funnel))


@app.command()
def funnel(
    db: DbOption = None,
    view: Annotated[FunnelView, typer.Option("--view", help="What to show.")] = FunnelView.overview,
    by: ByOption = None,
    grain: GrainOption = None,
    start: FromOption = None,
    end: ToOption = None,
    where: WhereOption = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
    funnel_file: FunnelOption = None,
    metrics: MetricsOption = None,
    as_of: AsOfOption = None,
    maturity_days: MaturityOption = None,
    columns: ColumnsOption = None,
) -> None:
    """The funnel: conversion, P(won | milestone) with Wilson intervals, durations, leakage.

    P(won) counts leads created at least --maturity-days before the as-of date: `revintel
    funnel --by channel --maturity-days 0` shows MQL→won per channel over all leads.
    """
    query = _query(by, grain, start, end, where, maturity_days=maturity_days)
    cat = _catalogue(metrics, funnel_file)
    with store_from(db, read_only=True) as store, _sources(store, funnel_file, as_of) as sources:
        chosen = content_language(lang, fmt)
        frame = funnel_view(sources, cat, view.value, query, chosen)
        t = Translator(chosen)
        title = t("cli.funnel.title").format(
            view=t(f"cli.funnel.view.{view.value}"), as_of=_as_of(sources.as_of, chosen)
        )
        empty = funnel_is_empty(frame) if view is FunnelView.overview else kpi_is_empty(frame)
        gap = funnel_gap(sources, cat, query) if empty else None
    if gap is not None and _said_why(title, gap_sentence(gap, chosen), fmt):
        return
    if view is FunnelView.overview:
        table = _overview_table(frame, list(query.by), chosen)
    else:
        table = _readable_steps(frame.drop(columns=["kpi"], errors="ignore"))
    shares = _VIEW_SHARES.get(view.value, ())
    emit(
        frame,
        fmt,
        title,
        table=table,
        columns=parse_columns(columns),
        columns_option=True,
        percent=shares,
    )


@app.command()
def kpi(
    ids: Annotated[list[str] | None, typer.Argument(help="KPI ids (default: all).")] = None,
    db: DbOption = None,
    by: ByOption = None,
    grain: GrainOption = None,
    start: FromOption = None,
    end: ToOption = None,
    where: WhereOption = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Add previous period and same period last year.")
    ] = False,
    list_only: Annotated[bool, typer.Option("--list", help="List the catalogue.")] = False,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
    funnel_file: FunnelOption = None,
    metrics: MetricsOption = None,
    as_of: AsOfOption = None,
    maturity_days: MaturityOption = None,
    columns: ColumnsOption = None,
) -> None:
    """KPIs from the catalogue, by period and breakdown, in table, JSON or CSV.

    Example: `revintel kpi win_probability --by channel --maturity-days 0` counts every lead
    in the win probabilities, however young.
    """
    cat = _catalogue(metrics, funnel_file)
    chosen = content_language(lang, fmt)
    t = Translator(chosen)
    if list_only:
        emit(_catalogue_frame(cat, chosen), fmt, title=t("cli.kpi.catalogue"), split=False)
        return
    query = _query(by, grain, start, end, where, compare, maturity_days)
    with store_from(db, read_only=True) as store, _sources(store, funnel_file, as_of) as sources:
        frame = evaluate_kpis(sources, cat, ids or (), query)
        title = t("cli.kpi.title").format(
            as_of=_as_of(sources.as_of, chosen), currency=sources.currency
        )
        asked = [cat.get(i) for i in ids or ()]
        gap = kpi_gap(sources, query, asked) if kpi_is_empty(frame) else None
        if gap is None and fmt is OutputFormat.table:
            frame, unset = _without_empty_kpis(frame, sources, cat, query, chosen)
    if gap is not None and _said_why(title, gap_sentence(gap, chosen), fmt):
        return
    ratios = {k.id for k in cat.kpis if k.unit == "ratio"}
    emit(
        frame,
        fmt,
        title,
        table=_readable_steps(frame),
        columns=parse_columns(columns),
        columns_option=True,
        percent=lambda kpi_id: _SHARES if kpi_id in ratios else (),
        split="kpi",
    )
    if gap is None and fmt is OutputFormat.table:
        for kpi_id, sentence in unset:
            console.print(t("cli.kpi.unset").format(kpi=kpi_id, why=sentence), highlight=False)


def _without_empty_kpis(
    frame: pd.DataFrame,
    sources: MetricSources,
    cat: MetricCatalogue,
    query: MetricQuery,
    lang: Language = "en",
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """``frame`` without the KPIs that counted nothing, and why each is empty, so that no
    table of defaults or zeros stands there without a word."""
    if "kpi" not in frame:
        return frame, []
    empty = [k for k, part in frame.groupby("kpi", sort=False) if kpi_is_empty(part)]
    reasons = []
    t = Translator(lang)
    for kpi_id in empty:
        funnel_kind = cat.get(kpi_id).kind == "win_probability"
        gap = (
            funnel_gap(sources, cat, query)
            if funnel_kind
            else kpi_gap(sources, query, [cat.get(kpi_id)])
        )
        reasons.append((kpi_id, gap_sentence(gap, lang) if gap else t("cli.kpi.nothing_counted")))
    return frame[~frame["kpi"].isin(empty)], reasons


def _catalogue_frame(cat: MetricCatalogue, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [k.id for k in cat.kpis],
            "name": [k.label(lang) for k in cat.kpis],
            "unit": [k.unit for k in cat.kpis],
            "grain": [k.grain for k in cat.kpis],
            "good": [k.good_direction for k in cat.kpis],
            "alert": [k.alert.rule if k.alert else "" for k in cat.kpis],
        }
    )


@app.command()
def alerts(
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
    funnel_file: FunnelOption = None,
    metrics: MetricsOption = None,
    as_of: AsOfOption = None,
    columns: ColumnsOption = None,
) -> None:
    """Evaluate every alert of the catalogue; each comes with its numbers and reason."""
    cat = _catalogue(metrics, funnel_file)
    with store_from(db, read_only=True) as store, _sources(store, funnel_file, as_of) as sources:
        fired = evaluate_alerts(sources, cat)
        chosen = resolve_language(lang)
        t = Translator(chosen)
        title = t("cli.alerts.title").format(
            count=t.number(len(fired)), as_of=_as_of(sources.as_of, chosen)
        )
        gap = None if fired else alerts_gap(sources, cat)
        names, funnel = rep_names(store), sources.funnel
    if gap is not None and _said_why(title, gap_sentence(gap, chosen), fmt):
        return
    # the reasons are sentences for people, with ids in words (channels, steps, reps by name)
    # and numbers and months in the language: in --lang in tables and CSV, in both in JSON
    frame = texts_for_readers(
        alerts_frame(fired),
        fmt,
        chosen,
        {"reason": lambda language: [alert_text(a, language, names, funnel) for a in fired]},
    )
    if fmt is OutputFormat.table:
        frame["kpi"] = [cat.get(a.kpi).label(chosen) for a in fired]
        frame["group"] = [
            ", ".join(group_value(k, str(v), chosen, names, funnel) for k, v in a.group.items())
            for a in fired
        ]
    # The reason already states value and reference in words.
    table = frame[["kpi", "period", "group", "reason"]] if fmt is OutputFormat.table else None
    emit(
        frame,
        fmt,
        title,
        table=table,
        columns=parse_columns(columns),
        columns_option=True,
        split=False,
    )


targets_app = typer.Typer(
    help="Targets per period, team, rep or segment: order intake or milestone counts.",
    no_args_is_help=True,
)
app.add_typer(targets_app, name="targets")


@targets_app.command("import")
def targets_import(
    file: Annotated[Path, typer.Argument(help="CSV with period_start, period_end, amount…")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Load targets from CSV (rows with an existing target_id are replaced)."""
    with store_from(db) as store:
        n = import_targets(store, file)
    console.print(
        translator(lang)("cli.targets.imported").format(count=n, file=file), highlight=False
    )


def _as_of(day: date, lang: Language) -> str:
    return Translator(lang)("cli.as_of").format(day=day_text(day, lang))


def _readable_steps(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with steps written ``a → b`` so that a narrow column wraps between milestones."""
    if "step" not in frame:
        return frame
    return frame.assign(step=frame["step"].str.replace("->", " → ", regex=False))


def _overview_table(overview: pd.DataFrame, by: list[str], lang: Language = "en") -> pd.DataFrame:
    """The funnel overview as read in a terminal: the milestone's label in one column,
    percentages as text and the Wilson interval in one column."""

    def days(value: float) -> str:
        return "" if pd.isna(value) else format_number(value, lang, 1)

    def share(value: float) -> str:
        return share_text(value, lang)

    interval = "95-%-Intervall" if lang == "de" else "95 % interval"
    return pd.DataFrame(
        {
            **{dim: overview[dim] for dim in by},
            # the milestone's label, already in ``lang``
            "milestone": overview["label"],
            "reached": overview["reached"],
            "conversion": overview["conversion"].map(share),
            "P(gewonnen)" if lang == "de" else "P(won)": overview["p_won"].map(share),
            interval: [
                f"{share(lo)[:-2]}–{share(hi)}" if pd.notna(lo) else ""
                for lo, hi in zip(overview["p_won_low"], overview["p_won_high"], strict=True)
            ],
            "default": overview["default"].map(share),
            "median_days": overview["median_days"].map(days),
            "p90_days": overview["p90_days"].map(days),
        }
    )


@summary_section("cli.demo.section.funnel")
def _demo_summary(store: Store) -> RenderableType:
    sources = MetricSources.from_store(store)
    cat = load_catalogue()
    t = translator()
    lang = t.lang
    overview = funnel_overview(sources, cat, language=lang)
    shown = _overview_table(overview, [], lang)
    fired = evaluate_alerts(sources, cat)
    # One alert of each rule first, so every kind of problem shows up in the summary.
    firsts: dict[str, Alert] = {}
    for alert in fired:
        firsts.setdefault(alert.rule, alert)
    rest = [a for a in fired if a not in firsts.values()]
    shown_alerts = [*firsts.values(), *rest][:8]
    names = rep_names(store)
    lines = [Text(f"• {alert_text(a, lang, names, sources.funnel)}") for a in shown_alerts]
    more = [Text(t("cli.demo.funnel.more").format(count=len(fired) - 8))] if len(fired) > 8 else []
    return Group(
        rich_table(shown, t("cli.demo.funnel.title").format(day=day_text(sources.as_of, lang))),
        Text(t("cli.demo.funnel.alerts").format(count=len(fired)), style="bold"),
        *lines,
        *more,
    )


from revintel.cli import _targets  # noqa: E402,F401  (registers the other targets commands)
