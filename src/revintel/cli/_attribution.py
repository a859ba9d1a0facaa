"""Attribution commands: ``attribution`` (one model's credits per channel for the journeys of a
funnel transition), ``attribution compare`` (every model side by side) and ``attribution
paths`` (an aggregated path file)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import pandas as pd
import typer
from rich.console import Group, RenderableType
from rich.text import Text

from revintel.attribution._credits import DEFAULT_MODELS, store_credits
from revintel.cli import app
from revintel.cli._attribution_output import (
    AttributionFormat,
    comparison_json,
    deliver,
    print_view,
    readable_comparison,
    transition_text,
    view_json,
)
from revintel.cli._common import (
    FunnelOption,
    LangOption,
    OutputFormat,
    console,
    emit,
    funnel_from,
    resolve_language,
    rich_table,
    store_from,
    translator,
)
from revintel.cli._summary import summary_section
from revintel.i18n import Translator
from revintel.metrics import MetricQuery, MetricSources, evaluate_kpi, load_catalogue
from revintel.store import Store
from revintel.views._attribution import (
    MODELS,
    AttributionRequestError,
    AttributionSettings,
    attribution_table,
    model_comparison,
    path_file_attribution,
)

#: Option of each request field, for errors that name it.
_OPTION_OF = {
    name: "--" + name.replace("_", "-")
    for name in ("model", "to", "level", "value", "lookback_days", "half_life_days", "order")
} | {"as_of": "--as-of"}

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--db", "--store", help="Store path or URL (default: $REVINTEL_DB or ./revintel.duckdb)."
    ),
]
ModelOption = Annotated[str, typer.Option("--model", "-m", help=f"One of {', '.join(MODELS)}.")]
ToOption = Annotated[
    str,
    typer.Option(
        "--to", help="Milestone the journeys convert to (a funnel milestone id, e.g. sql or won)."
    ),
]
LevelOption = Annotated[
    str, typer.Option("--level", help="Journeys of each lead, opportunity or account.")
]
LookbackOption = Annotated[
    int | None,
    typer.Option(
        "--lookback-days", min=1, help="Only touches this many days before the conversion."
    ),
]
StageOnlyOption = Annotated[
    bool,
    typer.Option(
        "--stage-only", help="Only touches after the journey reached the previous milestone."
    ),
]
HalfLifeOption = Annotated[
    float, typer.Option("--half-life-days", min=0.01, help="Half-life of the time_decay model.")
]
OrderOption = Annotated[
    int, typer.Option("--order", min=1, max=3, help="Order of the markov model's chain (1–3).")
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Evaluation day (ISO date; default: last event).")
]
FormatOption = Annotated[
    AttributionFormat,
    typer.Option("--format", "-f", help="table, json, csv or xlsx (xlsx needs --output)."),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the result to this file.")
]

attribution_app = typer.Typer()
app.add_typer(attribution_app, name="attribution")


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO date", param_hint="--as-of") from None


def _refuse(exc: AttributionRequestError, file_hint: str = "FILE") -> NoReturn:
    hint = file_hint if exc.field == "file" else _OPTION_OF.get(exc.field or "")
    if hint is None:
        raise exc  # the command line prints it as one line, exit code 1
    raise typer.BadParameter(str(exc), param_hint=hint)


@attribution_app.callback(invoke_without_command=True)
def attribution(
    ctx: typer.Context,
    model: ModelOption = "markov",
    to: ToOption = "won",
    level: LevelOption = "lead",
    lookback_days: LookbackOption = None,
    stage_only: StageOnlyOption = False,
    half_life_days: HalfLifeOption = 7.0,
    order: OrderOption = 1,
    as_of: AsOfOption = None,
    db: StoreOption = None,
    funnel_file: FunnelOption = None,
    lang: LangOption = None,
    fmt: FormatOption = AttributionFormat.table,
    output: OutputOption = None,
) -> None:
    """Value contribution of channels: one model's credits for the journeys converting to --to.

    Without a command: the conversions, revenue and margin MODEL credits to each channel for the
    journeys from the milestone before --to to --to (rule-based models first, last, linear,
    time_decay, u_shaped, w_shaped, full_path; data-driven markov and shapley; see
    docs/attribution.md). CSV columns: channel, conversions, revenue, margin, share (largest
    conversions first; a data-driven model's (baseline) row last). Example: `revintel
    attribution --model markov --to sql --format csv`.
    """
    if ctx.invoked_subcommand is not None:
        return
    t = Translator(resolve_language(lang))
    settings = AttributionSettings(level, lookback_days, stage_only, half_life_days, order,
                                   _day(as_of))  # fmt: skip
    funnel = funnel_from(funnel_file)
    try:
        with store_from(db, read_only=True) as store:
            view = attribution_table(store, None, model, to, settings, funnel)
    except AttributionRequestError as exc:
        _refuse(exc)
    t = Translator(t.lang, view.currency or t.currency)
    title = t("attribution.title").format(
        model=t(f"attribution.model.{model}"),
        transition=transition_text(funnel, view.came_from, to, t),
    )
    if not deliver(view.channels, fmt, output, view_json(view), model):
        print_view(view, title, t)


@attribution_app.command("compare")
def compare(
    to: ToOption = "won",
    value: Annotated[
        str, typer.Option("--value", help="What to compare: conversions or revenue.")
    ] = "conversions",
    level: LevelOption = "lead",
    lookback_days: LookbackOption = None,
    stage_only: StageOnlyOption = False,
    half_life_days: HalfLifeOption = 7.0,
    order: OrderOption = 1,
    as_of: AsOfOption = None,
    db: StoreOption = None,
    funnel_file: FunnelOption = None,
    lang: LangOption = None,
    fmt: FormatOption = AttributionFormat.table,
    output: OutputOption = None,
) -> None:
    """Every model side by side: the conversions (or revenue) each credits to each channel.

    CSV columns: channel, then one per model (first, last, linear, time_decay, u_shaped,
    w_shaped, full_path, markov, shapley).
    """
    t = Translator(resolve_language(lang))
    settings = AttributionSettings(level, lookback_days, stage_only, half_life_days, order,
                                   _day(as_of))  # fmt: skip
    funnel = funnel_from(funnel_file)
    try:
        with store_from(db, read_only=True) as store:
            found = model_comparison(store, None, to, settings, funnel, value)
    except AttributionRequestError as exc:
        _refuse(exc)
    if deliver(found.frame, fmt, output, comparison_json(found), "compare"):
        return
    title = t("attribution.compare.title").format(
        value=t(f"attribution.value.{value}"),
        transition=transition_text(funnel, found.came_from, to, t),
    )
    emit(readable_comparison(found, t), OutputFormat.table, title, split=False)
    for model, reason in found.skipped.items():
        console.print(f"{model}: {reason}", highlight=False)


@attribution_app.command("paths")
def paths(
    file: Annotated[
        Path,
        typer.Argument(
            help="Aggregated path file: a path column ('eta > iota > alpha'), conversions, "
            "optional value and nulls (CSV with ; , or tab).",
            exists=True,
            dir_okay=False,
        ),
    ],
    model: ModelOption = "markov",
    half_life_days: HalfLifeOption = 7.0,
    order: OrderOption = 1,
    lang: LangOption = None,
    fmt: FormatOption = AttributionFormat.table,
    output: OutputOption = None,
) -> None:
    """Credits of one model per channel for the journeys of an aggregated path file.

    Same CSV columns as `revintel attribution`; the value column of the file is `revenue`.
    Path files carry no dates or roles: time_decay, w_shaped and full_path need a store.
    """
    t = Translator(resolve_language(lang))
    settings = AttributionSettings(half_life_days=half_life_days, order=order)
    try:
        view = path_file_attribution(file, model, settings)
    except AttributionRequestError as exc:
        _refuse(exc, file_hint="FILE")
    if deliver(view.channels, fmt, output, view_json(view), model):
        return
    title = t("attribution.paths.title").format(
        model=t(f"attribution.model.{model}"), file=file.name
    )
    print_view(view, title, t)


def _names(values: list[str] | None) -> list[str]:
    """Names given repeatedly or separated by commas, in order, once each."""
    found = [v.strip() for text in values or () for v in text.split(",") if v.strip()]
    return list(dict.fromkeys(found))


@attribution_app.command("store")
def store_credits_command(
    models: Annotated[
        list[str] | None,
        typer.Option(
            "--models",
            help="Models to store, repeated or comma-separated (default: "
            f"{', '.join(DEFAULT_MODELS)}).",
        ),
    ] = None,
    milestones: Annotated[
        list[str] | None,
        typer.Option(
            "--to", help="Milestones converted to (repeatable; default: every one and won)."
        ),
    ] = None,
    level: LevelOption = "lead",
    as_of: AsOfOption = None,
    db: StoreOption = None,
    funnel_file: FunnelOption = None,
    lang: LangOption = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = OutputFormat.table,
) -> None:
    """Store what each model credits per milestone, month, channel, campaign and segment.

    The attributed pipeline, revenue and ROI KPIs (`revintel kpi roi --by channel`) read these
    credits. Running it again replaces the credits of the same models, milestones and level.
    CSV columns: model, milestone, journeys, conversions, revenue, margin, rows.
    """
    t = Translator(resolve_language(lang))
    chosen = _names(models) or list(DEFAULT_MODELS)
    unknown = [m for m in chosen if m not in MODELS]
    if unknown:
        raise typer.BadParameter(
            f"unknown model {', '.join(unknown)}; choose from {', '.join(MODELS)}",
            param_hint="--models",
        )
    try:
        with store_from(db) as store:
            summary = store_credits(
                store,
                models=chosen,
                milestones=_names(milestones) or None,
                level=level,
                as_of=_day(as_of),
                funnel=funnel_from(funnel_file),
            )
    except ValueError as exc:
        hint = "--level" if "level" in str(exc) else "--to" if "milestone" in str(exc) else None
        if hint is None:
            raise
        raise typer.BadParameter(str(exc), param_hint=hint) from None
    title = t("attribution.store.title").format(
        level=summary.level, as_of=summary.as_of.isoformat(), rows=summary.rows
    )
    emit(summary.totals, fmt, title, split=False)
    if fmt is OutputFormat.table:
        for what, reason in summary.skipped.items():
            console.print(t("attribution.store.skipped").format(what=what, reason=reason))


#: Models the demo stores: the rule-based ones a marketing team knows and the data-driven two.
DEMO_MODELS = ("first", "last", "linear", "u_shaped", "w_shaped", "markov", "shapley")
#: Milestones the demo stores: those the attributed KPIs read, and SQLs.
DEMO_MILESTONES = ("mql", "sql", "opportunity_generated", "won")


@summary_section("cli.demo.section.attribution")
def _demo_summary(store: Store) -> RenderableType:
    """Store the demo's credits (lead journeys) and show the marketing ROI per channel under the
    data-driven model; `revintel attribution store` stores every model and milestone."""
    summary = store_credits(store, models=DEMO_MODELS, milestones=DEMO_MILESTONES)
    catalogue = load_catalogue()
    roi = evaluate_kpi(
        MetricSources.from_store(store),
        catalogue.get("roi"),
        MetricQuery(grain="all", by=("channel",)),
        catalogue.settings,
    )
    t = translator()
    shown = roi[["channel", "numerator", "denominator"]].rename(
        columns={"numerator": "attributed_revenue", "denominator": "marketing_cost"}
    )
    shown["roi"] = [
        ("+" if v >= 0 else "") + t.percent(v, 0) if pd.notna(v) else "" for v in roi["value"]
    ]
    note = Text(
        t("cli.demo.attribution.note").format(
            rows=t.number(summary.rows),
            models=", ".join(DEMO_MODELS),
            milestones=", ".join(DEMO_MILESTONES),
        )
    )
    return Group(rich_table(shown, t("cli.demo.attribution.title")), note)
