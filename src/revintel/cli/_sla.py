"""``revintel sla status``, ``sla breaches`` and ``sla effect``: service levels for answering
leads, the MQLs waiting past them, and what response time does to acceptance."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from revintel.alignment._response_effect import ResponseEffect, estimate_response_effect
from revintel.alignment._sla import SlaGroup, lead_status, sla_breaches, sla_summary
from revintel.cli import app
from revintel.cli._common import (
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    emit,
    resolve_language,
    store_from,
)
from revintel.i18n import Translator
from revintel.metrics import MetricSources
from revintel.metrics._sla_levels import SlaConfigError, SlaLevels, load_sla_levels

sla_app = typer.Typer(
    help="Service levels for answering leads: attainment, breaches, response-time effect.",
    no_args_is_help=True,
)
app.add_typer(sla_app, name="sla")


class SlaBy(StrEnum):
    """Groups ``sla status`` breaks down by."""

    segment = "segment"
    channel = "channel"
    rep = "rep"
    team = "team"


SlaOption = Annotated[
    Path | None,
    typer.Option("--sla", help="Service-level YAML replacing the built-in conf/sla.yaml."),
]


def _levels(path: Path | None) -> SlaLevels:
    try:
        return load_sla_levels(path)
    except SlaConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--sla") from None


def _status_display(frame: pd.DataFrame, by: str | None, t: Translator) -> pd.DataFrame:
    shown: dict[str, object] = {}
    if by:
        shown[t(f"sla.group.{by}")] = frame[by].fillna("–").astype(str)
    shown.update(
        {
            t("sla.level"): [t(f"sla.level.{v}") for v in frame["level"]],
            t("sla.due"): [t.number(v) for v in frame["due"]],
            t("sla.met"): [t.number(v) for v in frame["met"]],
            t("sla.breached"): [t.number(v) for v in frame["breached"]],
            t("sla.open"): [t.number(v) for v in frame["open"]],
            t("sla.attainment"): [
                t.percent(v) if pd.notna(v) else "–" for v in frame["attainment"]
            ],
            t("sla.median_hours"): [t.number(v, 1) for v in frame["median_hours"]],
            t("sla.target_hours"): [t.number(v, 1) for v in frame["target_hours"]],
        }
    )
    return pd.DataFrame(shown)


@sla_app.command("status")
def status(
    db: DbOption = None,
    by: Annotated[SlaBy | None, typer.Option("--by", help="Break down by this group.")] = None,
    sla: SlaOption = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """SLA attainment per level: MQLs due, met, breached and still open, and the median hours
    to acceptance and to first contact."""
    language, levels = resolve_language(lang), _levels(sla)
    with store_from(db, read_only=True) as opened:
        sources = MetricSources.from_store(opened)
        leads = lead_status(sources, levels)
        as_of = sources.as_of
    group: SlaGroup | None = by.value if by else None
    frame = sla_summary(leads, group)
    t = Translator(language)
    title = t("sla.status_title").format(leads=t.number(len(leads)), as_of=t.date(as_of))
    emit(frame, fmt, title, table=_status_display(frame, group, t))


@sla_app.command("breaches")
def breaches(
    db: DbOption = None,
    days: Annotated[
        float, typer.Option("--days", help="Only MQLs of the last this many days.", min=1)
    ] = 30,
    sla: SlaOption = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """MQLs waiting past their deadline to be accepted or first contacted, longest first, with
    their rep."""
    language, levels = resolve_language(lang), _levels(sla)
    with store_from(db, read_only=True) as opened:
        frame = sla_breaches(
            lead_status(MetricSources.from_store(opened), levels), within_days=days
        )
    t = Translator(language)
    if frame.empty and fmt is OutputFormat.table:
        typer.echo(t("sla.no_breaches").format(days=t.number(days)))
        return
    shown = pd.DataFrame(
        {
            t("sla.lead"): frame["lead_id"],
            t("sla.level"): [t(f"sla.level.{v}") for v in frame["level"]],
            t("sla.due_at"): [t.date(v) for v in frame["due_at"]],
            t("sla.waited_hours"): [t.number(v, 1) for v in frame["waited_hours"]],
            t("sla.target_hours"): [t.number(v, 1) for v in frame["due_hours"]],
            t("sla.rep"): frame["rep_id"].fillna("–"),
        }
    )
    title = t("sla.breaches_title").format(count=t.number(len(frame)), days=t.number(days))
    emit(frame, fmt, title, table=shown)


def effect_sentences(effect: ResponseEffect, t: Translator) -> tuple[str, str]:
    """The effect in a sentence (per doubling of response time) and its basis, in ``t``'s
    language."""
    change = effect.doubling_change
    low, high = sorted((2.0**effect.lower - 1.0, 2.0**effect.upper - 1.0))
    if change <= 0:
        key, low, high = "sla.effect_sentence", -high, -low
    else:
        key = "sla.effect_sentence_up"
    sentence = t(key).format(
        change=t.percent(abs(change)),
        confidence=t.percent(effect.confidence, 0),
        low=t.percent(low),
        high=t.percent(high),
    )
    basis = t("sla.effect_basis").format(
        leads=t.number(effect.leads),
        accepted=t.number(effect.accepted),
        hours=t.number(effect.median_hours, 1),
        coefficient=t.number(effect.coefficient, 3),
        se=t.number(effect.std_error, 3),
    )
    return sentence, basis


@sla_app.command("effect")
def effect(
    db: DbOption = None,
    sla: SlaOption = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """How response time moves acceptance: the logit effect of log(hours to first contact) on
    MQL→SAL acceptance, controlled for channel, segment and quarter, with its interval."""
    language, levels = resolve_language(lang), _levels(sla)
    t = Translator(language)
    with store_from(db, read_only=True) as opened:
        try:
            found = estimate_response_effect(MetricSources.from_store(opened), levels)
        except ValueError:
            typer.echo(t("sla.effect_missing"))
            raise typer.Exit(1) from None
    if fmt is not OutputFormat.table:
        frame = pd.DataFrame([{**found.__dict__, "doubling_change": found.doubling_change}])
        emit(frame, fmt)
        return
    sentence, basis = effect_sentences(found, t)
    typer.echo(t("sla.effect_title"))
    typer.echo(sentence)
    typer.echo(basis)
