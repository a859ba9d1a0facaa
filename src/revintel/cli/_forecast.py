"""Forecast commands: ``forecast`` (with ``--what-if``), ``forecast pipeline`` and ``backtest``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import RenderableType

from revintel.cli import app
from revintel.cli._common import (
    DbOption,
    FormatOption,
    FunnelOption,
    LangOption,
    OutputFormat,
    console,
    emit,
    funnel_from,
    output_language,
    rich_table,
    store_from,
    translator,
)
from revintel.cli._locale import resolve_language
from revintel.cli._progress import progress_bar
from revintel.cli._summary import summary_section
from revintel.forecast import (
    TOTAL,
    ForecastSettings,
    backtest,
    fit_funnel_model,
    forecast,
    forecast_gap,
    load_history,
    parse_horizon,
    weighted_pipeline,
)
from revintel.i18n import Translator
from revintel.metrics import DataGap
from revintel.model import load_funnel
from revintel.store import Store, store_currency
from revintel.views import (
    forecast_is_empty,
    forecast_what_if,
    gap_sentence,
    order_intake_targets,
)

forecast_app = typer.Typer(
    help="Expected order intake: P10/P50/P90 per month and quarter, backtests, what-if.",
    invoke_without_command=True,
)
app.add_typer(forecast_app, name="forecast")


class Grain(StrEnum):
    """Which periods ``revintel forecast`` prints."""

    month = "month"
    quarter = "quarter"
    all = "all"


HorizonOption = Annotated[str, typer.Option("--horizon", help="How far ahead: 3M, 2Q, 1Y…")]
ByOption = Annotated[str | None, typer.Option("--by", help="Split by segment, team or product.")]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Forecast as known at this date (ISO; default: last event)."),
]
SimulationsOption = Annotated[
    int, typer.Option("--simulations", help="Monte Carlo draws.", min=100)
]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed; same seed, same numbers.")]
PaceOption = Annotated[
    bool,
    typer.Option("--pace/--no-pace", help="Time deals by their industry's recent pace."),
]


class Timing(StrEnum):
    """How the close month of an open deal is drawn."""

    slips = "slips"
    survival = "survival"


TimingOption = Annotated[
    Timing,
    typer.Option(
        "--timing",
        help="Close months from historical slips against the expected close date (slips) "
        "or from time-to-close curves only (survival).",
    ),
]


def _as_of(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@forecast_app.callback()
def forecast_command(
    ctx: typer.Context,
    db: DbOption = None,
    horizon: HorizonOption = "2Q",
    by: ByOption = None,
    what_if: Annotated[
        list[str] | None,
        typer.Option(
            "--what-if", help='e.g. "mql_sal_rate=0.6", "win_rate[segment=Enterprise]*1.1".'
        ),
    ] = None,
    grain: Annotated[Grain, typer.Option("--grain", help="month, quarter or all.")] = Grain.all,
    as_of: AsOfOption = None,
    simulations: SimulationsOption = 2_000,
    seed: SeedOption = 42,
    timing: TimingOption = Timing.slips,
    pace: PaceOption = True,
    funnel: FunnelOption = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Forecast order intake from the open pipeline and the pipeline not yet created."""
    if ctx.invoked_subcommand is not None:
        return
    definition = funnel_from(funnel)
    with store_from(db) as store:
        history = load_history(store, definition)
        currency = store_currency(store)
        targets = order_intake_targets(store)
    settings = ForecastSettings(
        months=parse_horizon(horizon),
        by=by,
        simulations=simulations,
        seed=seed,
        use_slips=timing is Timing.slips,
        use_pace=pace,
    )
    base, frame = forecast_what_if(
        history, _as_of(as_of), settings, what_if or (), definition, targets
    )
    t = Translator(resolve_language(lang))
    title = t("forecast.cli_title").format(currency=currency, day=f"{base.model.as_of:%d.%m.%Y}")
    if what_if:
        title += f" — {t('forecast.cli_what_if')}: {'; '.join(what_if)}"
    if grain is not Grain.all:
        frame = frame[frame["grain"] == grain.value]
    if fmt is OutputFormat.table and forecast_is_empty(frame):
        # zeros everywhere: say what the history lacks instead (CSV and JSON keep the rows)
        _say_why(title, forecast_gap(history))
        return
    emit(
        frame.reset_index(drop=True),
        fmt,
        title,
        money=_AMOUNTS,
        currency=currency,
        percent=("p_reach_target",),
    )


#: Forecast columns holding amounts, written with the currency in German tables.
_AMOUNTS = ("p10", "p50", "p90", "mean", "booked", "target", "gap")


def _say_why(title: str, gap: DataGap) -> None:
    """The title and, instead of a table of zeros or defaults, why there is nothing to show."""
    console.print(title, style="bold", highlight=False)
    console.print(gap_sentence(gap, output_language()), highlight=False)


@forecast_app.command("pipeline")
def pipeline_command(
    db: DbOption = None,
    by: ByOption = None,
    grain: Annotated[str, typer.Option("--grain", help="month or quarter.")] = "month",
    as_of: AsOfOption = None,
    funnel: FunnelOption = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Weighted open pipeline by expected close period: measured beside default probabilities."""
    with store_from(db) as store:
        history = load_history(store, funnel_from(funnel))
    model = fit_funnel_model(history, _as_of(as_of))
    frame = weighted_pipeline(model, by, grain)
    title = translator()("cli.forecast.pipeline_title").format(day=f"{model.as_of:%d.%m.%Y}")
    if fmt is OutputFormat.table and frame.empty:
        gap = forecast_gap(history)
        if gap.code != "no_forecast_data":  # records exist, but no open opportunity
            closed = not history.opportunities.empty
            gap = replace(gap, code="no_open_pipeline" if closed else "no_opportunities")
        _say_why(title, gap)
        return
    emit(frame, fmt, title)


@forecast_app.command("probabilities")
def probabilities_command(
    db: DbOption = None,
    as_of: AsOfOption = None,
    funnel: FunnelOption = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """P(won | milestone) per segment: measured (censoring-aware), default and shrunk."""
    with store_from(db) as store:
        history = load_history(store, funnel_from(funnel))
    model = fit_funnel_model(history, _as_of(as_of))
    frame = model.probability_table()
    title = translator()("cli.forecast.probabilities_title").format(day=f"{model.as_of:%d.%m.%Y}")
    if fmt is OutputFormat.table and not frame["entrants"].fillna(0).any():
        # only the configured defaults: no deal has entered a milestone to measure from
        _say_why(title, forecast_gap(history))
        return
    emit(frame, fmt, title)


@forecast_app.command("backtest")
def backtest_command(
    db: DbOption = None,
    origins: Annotated[
        int, typer.Option("--origins", help="Past month-ends to replay.", min=1)
    ] = 12,
    horizon: HorizonOption = "3M",
    simulations: SimulationsOption = 1_000,
    seed: SeedOption = 42,
    timing: TimingOption = Timing.slips,
    pace: PaceOption = True,
    details: Annotated[
        bool, typer.Option("--details", help="One row per origin and window.")
    ] = False,
    funnel: FunnelOption = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Replay forecasts as of past month-ends; WAPE, bias and P10–P90 coverage vs baselines."""
    with store_from(db) as store:
        history = load_history(store, funnel_from(funnel))
    settings = ForecastSettings(
        months=parse_horizon(horizon),
        simulations=simulations,
        seed=seed,
        use_slips=timing is Timing.slips,
        use_pace=pace,
    )
    gap = forecast_gap(history)
    t = translator()
    if fmt is OutputFormat.table and gap.code in ("no_forecast_data", "undated_history"):
        _say_why(t("cli.forecast.backtest"), gap)  # no month-end to replay from
        return
    with progress_bar("replaying forecasts", fmt) as bar:
        result = backtest(history, origins, settings, progress=bar)
    if details:
        emit(result.points, fmt, t("cli.forecast.backtest_details_title"))
    else:
        emit(result.summary, fmt, t("cli.forecast.backtest_title"))


@summary_section("cli.demo.section.forecast")
def _demo_summary(store: Store) -> RenderableType:
    history = load_history(store, load_funnel())
    result = forecast(history, settings=ForecastSettings(months=6, simulations=1_000))
    frame = result.frame
    quarters = frame[(frame["grain"] == "quarter")][["period", "source", "p10", "p50", "p90"]]
    title = translator()("cli.demo.forecast.title").format(total=TOTAL)
    return rich_table(quarters.reset_index(drop=True), title)
