"""``revintel feedback reasons`` and ``revintel feedback mql-definition``: why sales rejects
marketing's leads, and which lead-score threshold would have kept the MQL→SAL acceptance up."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import pandas as pd
import typer

from revintel.alignment._mql_definition import NoScoresError
from revintel.auth import Role, User
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
from revintel.i18n import Language, Translator, label
from revintel.views._feedback import DefinitionView, ReasonsView, feedback_reasons, mql_definition

feedback_app = typer.Typer(
    help="Sales' feedback on marketing's leads: rejection reasons and the MQL definition.",
    no_args_is_help=True,
)
app.add_typer(feedback_app, name="feedback")

#: The command line reads every lead of the store.
CLI_USER = User("cli", "Command line", Role.admin)


class FeedbackBreakdown(StrEnum):
    """Groups ``feedback reasons`` breaks the rejections down by."""

    channel = "channel"
    campaign = "campaign"
    segment = "segment"
    industry = "industry"
    size = "size"
    score_band = "score_band"


def _group_label(by: str, value: str, shown: str, lang: Language) -> str:
    return label("channel", value, lang) if by == "channel" else shown


def reasons_display(view: ReasonsView, t: Translator, lang: Language) -> pd.DataFrame:
    """The groups of ``view`` as the table shows them, in ``lang``."""
    g = view.groups
    return pd.DataFrame(
        {
            t(f"feedback.by.{view.by}"): [
                _group_label(view.by, v, shown, lang)
                for v, shown in zip(g["group"], g["label"], strict=True)
            ],
            t("feedback.mqls"): [t.number(v) for v in g["mqls"]],
            t("feedback.rejected"): [t.number(v) for v in g["rejected"]],
            t("feedback.rate"): [t.percent(v) for v in g["rate"]],
            t("feedback.interval"): [
                f"{t.percent(lo)}–{t.percent(hi)}"
                for lo, hi in zip(g["rate_low"], g["rate_high"], strict=True)
            ],
            t("feedback.difference"): [
                t(f"feedback.direction.{d}") if isinstance(d, str) else "" for d in g["direction"]
            ],
            t("feedback.top_reason"): [r if isinstance(r, str) else "" for r in g["top_reason"]],
        }
    )


@feedback_app.command("reasons")
def reasons(
    db: DbOption = None,
    by: Annotated[
        FeedbackBreakdown,
        typer.Option("--by", help="Break rejections down by this attribute of the lead."),
    ] = FeedbackBreakdown.channel,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Rejected MQLs per group: count, rejection rate with its 95 % interval, whether the group
    differs significantly from the rest (Holm-corrected), and the most frequent reason. JSON
    and CSV carry every column; ``--format json`` adds nothing else."""
    language = resolve_language(lang)
    with store_from(db, read_only=True) as opened:
        view = feedback_reasons(opened, CLI_USER, by.value)
    t = Translator(language)
    title = t("feedback.reasons_title").format(
        rejected=t.number(view.rejected), decided=t.number(view.decided),
        rate=t.percent(view.rate), by=t(f"feedback.by.{view.by}"),
    )  # fmt: skip
    emit(view.groups, fmt, title, table=reasons_display(view, t, language), split=False)


def definition_frame(view: DefinitionView) -> pd.DataFrame:
    """The trade-off curve of both periods (columns as in JSON and CSV)."""
    return view.proposal.curve


def _summary(view: DefinitionView, t: Translator) -> str:
    p = view.proposal
    periods = t("feedback.periods").format(
        chosen_from=t.date(p.chosen_from), chosen_to=t.date(p.chosen_to),
        reported_from=t.date(p.reported_from), reported_to=t.date(p.reported_to),
    )  # fmt: skip
    if p.threshold is None:
        return f"{t('feedback.no_threshold').format(target=t.percent(p.target))} {periods}"
    chosen, reported = p.at("chosen", p.threshold), p.at("reported", p.threshold)
    key = "feedback.keep_all" if p.threshold == 0 else "feedback.proposal"
    proposal = t(key).format(
        threshold=t.percent(p.threshold), target=t.percent(p.target),
        acceptance=t.percent(reported["acceptance"]), kept=t.percent(reported["share_kept"]),
        wins_lost=t.number(reported["wins_lost"]),
        amount_lost=t.money(reported["won_amount_lost"], view.currency),
        chosen_acceptance=t.percent(chosen["acceptance"]),
    )  # fmt: skip
    return f"{proposal} {periods}"


def _curve_display(curve: pd.DataFrame, t: Translator, currency: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("feedback.period"): [t(f"feedback.period.{p}") for p in curve["period"]],
            t("feedback.threshold"): [t.percent(v) for v in curve["threshold"]],
            t("feedback.acceptance"): [t.percent(v) for v in curve["acceptance"]],
            t("feedback.share_kept"): [t.percent(v) for v in curve["share_kept"]],
            t("feedback.wins_lost"): [t.number(v) for v in curve["wins_lost"]],
            t("feedback.amount_lost"): [t.money(v, currency) for v in curve["won_amount_lost"]],
        }
    )


@feedback_app.command("mql-definition")
def mql_definition_command(
    db: DbOption = None,
    target: Annotated[
        float,
        typer.Option(
            "--target-acceptance",
            min=0.01,
            max=0.99,
            help="MQL→SAL acceptance rate the definition must keep (0–1).",
        ),
    ] = 0.5,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The lowest lead-score threshold (score at the MQL time) that would have kept the MQL→SAL
    acceptance at or above the target, chosen on the earlier two thirds of the scored MQLs and
    reported on the latest third, with the trade-off curve: acceptance, share of MQLs kept and
    later wins lost per threshold."""  # fmt: skip
    language = resolve_language(lang)
    with store_from(db, read_only=True) as opened:
        try:
            view = mql_definition(opened, CLI_USER, target)
        except NoScoresError as exc:
            raise typer.BadParameter(str(exc), param_hint="--db") from None
    t = Translator(language, view.currency)
    emit(
        definition_frame(view), fmt, _summary(view, t),
        table=_curve_display(view.proposal.curve, t, view.currency), split=False,
    )  # fmt: skip
