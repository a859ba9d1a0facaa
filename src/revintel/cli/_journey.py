"""Buying-journey commands: ``journey mix`` (channel mix), ``journey shares`` (digital,
self-service and mobile share over time), ``journey event`` (a share before and after an
event), ``journey before-sales`` (the journey done before the first sales contact), ``journey
content`` (content per buying phase) and ``journey sequences`` (channel sequences that convert
and those that stall); see docs/buying-journey.md."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import pandas as pd
import typer

from revintel.attribution._before_sales import DEFAULT_SALES_KINDS
from revintel.cli import app
from revintel.cli._attribution_output import AttributionFormat
from revintel.cli._common import DbOption, LangOption, resolve_language, store_from
from revintel.cli._journey_output import show
from revintel.i18n import Translator
from revintel.model import load_funnel
from revintel.views._journey_requests import (
    GRAINS,
    MEASURES,
    MIX_DIMENSIONS,
    SHARE_DIMENSIONS,
    JourneyRequestError,
    before_sales_frame,
    content_frame,
    event_frame,
    mix_frame,
    sequences_frame,
    shares_frame,
)

GrainOption = Annotated[str, typer.Option("--grain", help=f"Period: {', '.join(GRAINS)}.")]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate as of the end of this day (ISO date; default: all)."),
]
FormatOption = Annotated[
    AttributionFormat,
    typer.Option("--format", "-f", help="table, json, csv or xlsx (xlsx needs --output)."),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the result to this file.")
]

journey_app = typer.Typer(no_args_is_help=True)
app.add_typer(
    journey_app,
    name="journey",
    help="The digital buying journey: channel mix, digital and self-service shares, the journey "
    "before the first sales contact, content per phase, converting channel sequences.",
)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO date", param_hint=option) from None


def _names(values: list[str] | None) -> tuple[str, ...]:
    """Names given repeatedly or separated by commas, in order, once each."""
    found = [v.strip() for text in values or () for v in text.split(",") if v.strip()]
    return tuple(dict.fromkeys(found))


def _refuse(exc: JourneyRequestError) -> NoReturn:
    raise typer.BadParameter(str(exc), param_hint="--" + exc.field.replace("_", "-"))


def _grain_text(grain: str, t: Translator) -> str:
    return t(f"journey.grain.{grain}")


@journey_app.command("mix")
def mix(
    grain: GrainOption = "quarter",
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by", help=f"Breakdowns, repeated or comma-separated: {', '.join(MIX_DIMENSIONS)}."
        ),
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = AttributionFormat.table,
    output: OutputOption = None,
) -> None:
    """Touchpoints per period and channel, and each channel's share of the period.

    CSV columns: period (first day; none for --grain all), the --by columns, channel,
    touchpoints, share (of the period's touchpoints, within each breakdown value).
    """
    t = Translator(resolve_language(lang))
    dims = _names(by)
    try:
        with store_from(db, read_only=True) as store:
            frame = mix_frame(store, None, grain, dims)
    except JourneyRequestError as exc:
        _refuse(exc)
    title = (
        t("journey.cli.mix.title_all")
        if grain == "all"
        else t("journey.cli.mix.title").format(grain=_grain_text(grain, t))
    )
    show(
        frame,
        fmt,
        output,
        parameters={"grain": grain, "by": list(dims)},
        sheet="mix",
        title=title,
        t=t,
    )


@journey_app.command("shares")
def shares(
    grain: GrainOption = "quarter",
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by", help=f"Breakdowns, repeated or comma-separated: {', '.join(SHARE_DIMENSIONS)}."
        ),
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = AttributionFormat.table,
    output: OutputOption = None,
) -> None:
    """Digital, self-service and mobile share of the touchpoints per period.

    A share counts only touchpoints whose flag is recorded: self-service among those with a
    known self_service, mobile among digital ones with a known device; empty where nothing is
    known. CSV columns: period, the --by columns, touchpoints, digital, digital_share,
    self_service, self_service_known, self_service_share, mobile, mobile_known, mobile_share.
    """
    t = Translator(resolve_language(lang))
    dims = _names(by)
    try:
        with store_from(db, read_only=True) as store:
            frame = shares_frame(store, None, grain, dims)
    except JourneyRequestError as exc:
        _refuse(exc)
    title = t("journey.cli.shares.title").format(grain=_grain_text(grain, t))
    show(
        frame,
        fmt,
        output,
        parameters={"grain": grain, "by": list(dims)},
        sheet="shares",
        title=title,
        t=t,
    )


@journey_app.command("event")
def event(
    start: Annotated[str, typer.Option("--start", help="First day of the event (ISO date).")],
    end: Annotated[
        str | None,
        typer.Option("--end", help="First day after the event (ISO date; default: still on)."),
    ] = None,
    measure: Annotated[
        str, typer.Option("--measure", help=f"The share compared: {', '.join(MEASURES)}.")
    ] = "digital",
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = AttributionFormat.table,
    output: OutputOption = None,
) -> None:
    """A share before an event against the share during it and, with --end, after it.

    For instance the stop of trade fairs: `revintel journey event --start 2020-03-01 --end
    2022-01-01`. CSV columns: window (before, during, after), start, end, touchpoints (those
    the share is taken of), flagged, share, share_low, share_high (Wilson 95 %), difference
    (to before), difference_low, difference_high (Newcombe 95 %).
    """
    t = Translator(resolve_language(lang))
    first = _day(start, "--start")
    last = _day(end, "--end")
    assert first is not None  # a required option
    try:
        with store_from(db, read_only=True) as store:
            frame = event_frame(store, None, first, last, measure)
    except JourneyRequestError as exc:
        _refuse(exc)
    span = (
        t("journey.cli.event.from").format(start=t.date(first))
        if last is None
        else t("journey.cli.event.span").format(start=t.date(first), end=t.date(last))
    )
    title = t("journey.cli.event.title").format(measure=t(f"journey.measure.{measure}"), span=span)
    parameters = {"start": first, "end": last, "measure": measure}
    show(frame, fmt, output, parameters=parameters, sheet="event", title=title, t=t)


@journey_app.command("before-sales")
def before_sales(
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help="Groups, repeated or comma-separated: segment, industry, region, country "
            "(of the lead's account), channel (origin), year (of the first touch); "
            "default segment,year.",
        ),
    ] = None,
    sales_kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--sales-kinds",
            help="Touchpoint kinds that are a sales contact, repeated or comma-separated "
            f"(default: {', '.join(DEFAULT_SALES_KINDS)}).",
        ),
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = AttributionFormat.table,
    output: OutputOption = None,
) -> None:
    """How much of each lead journey is done before its first sales contact, per group.

    The last row (every group column empty) is all journeys together. CSV columns: the --by
    columns, journeys, with_sales_contact, without_sales_contact, without_sales_contact_share,
    touch_share_median, touch_share_mean, timed_journeys, time_share_median, time_share_mean.
    """
    t = Translator(resolve_language(lang))
    dims = _names(by) if by else ("segment", "year")
    kinds = _names(sales_kinds) or DEFAULT_SALES_KINDS
    day = _day(as_of, "--as-of")
    try:
        with store_from(db, read_only=True) as store:
            frame = before_sales_frame(store, None, dims, kinds, day)
    except JourneyRequestError as exc:
        _refuse(exc)
    parameters = {"by": list(dims), "sales_kinds": list(kinds), "as_of": day}
    show(
        frame,
        fmt,
        output,
        parameters=parameters,
        sheet="before-sales",
        title=t("journey.before_sales"),
        t=t,
        overall=dims,
    )


@journey_app.command("content")
def content(
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = AttributionFormat.table,
    output: OutputOption = None,
) -> None:
    """Content consumed per buying phase, and whether buyers who consumed it moved on more.

    Phases: before_mql, mql_to_sql, sql_to_offer, offer_to_decision. CSV columns: phase,
    content, touches, share (of the phase's touches), journeys, decided_with, converted_with,
    rate_with, decided_without, converted_without, rate_without, difference, difference_low,
    difference_high, lift, lift_low, lift_high (an association, not an effect).
    """
    t = Translator(resolve_language(lang))
    day = _day(as_of, "--as-of")
    with store_from(db, read_only=True) as store:
        frame = content_frame(store, None, day)
    show(
        frame,
        fmt,
        output,
        parameters={"as_of": day},
        sheet="content",
        title=t("journey.content_by_phase"),
        t=t,
    )


@journey_app.command("sequences")
def sequences(
    to: Annotated[
        str, typer.Option("--to", help="Milestone the journeys convert to (e.g. sql or won).")
    ] = "won",
    length: Annotated[
        int, typer.Option("--length", min=1, max=10, help="Last channels per sequence.")
    ] = 3,
    top: Annotated[int, typer.Option("--top", min=1, max=100, help="Sequences of each kind.")] = 10,
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = AttributionFormat.table,
    output: OutputOption = None,
) -> None:
    """The most frequent channel sequences of converting journeys next to stalled ones.

    CSV columns: sequence (channels joined by ' > ', oldest first), channels, converting,
    stalled, journeys, converting_share, stalled_share, conversion_rate, conversion_rate_low,
    conversion_rate_high, lift (the rate over that of all journeys).
    """
    t = Translator(resolve_language(lang))
    day = _day(as_of, "--as-of")
    try:
        with store_from(db, read_only=True) as store:
            frame = sequences_frame(store, None, to, length, top, day)
    except JourneyRequestError as exc:
        _refuse(exc)
    target = load_funnel().get(to).name(t.lang)
    found = frame.attrs.get("median_days")
    median = None if found is None or pd.isna(found) else float(found)
    notes = []
    if median is not None:
        days = t.number(median, 1)
        notes.append(t("journey.cli.stalled_after").format(days=days, to=target))
    parameters = {"to": to, "length": length, "top": top, "as_of": day, "median_days": median}
    title = t("journey.cli.sequences.title").format(to=target, length=length)
    show(
        frame, fmt, output, parameters=parameters, sheet="sequences", title=title, t=t, notes=notes
    )
