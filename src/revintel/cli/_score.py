"""Scoring commands: ``score train``, ``score apply``, ``score explain`` and ``score report``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Group, RenderableType
from rich.text import Text

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
    resolve_language,
    rich_table,
    store_from,
    texts_for_readers,
    translator,
)
from revintel.cli._locale import day_text
from revintel.cli._progress import progress_bar
from revintel.cli._summary import summary_section
from revintel.i18n import Translator

# revintel.predict loads scikit-learn and LightGBM (about a second): each command imports it
# when it runs, so the rest of the CLI starts fast.
from revintel.store import Store

score_app = typer.Typer(
    help="Lead and deal scores: train, apply, explain, report.", no_args_is_help=True
)
app.add_typer(score_app, name="score")


AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Prediction instant (default: the last event).")
]
HorizonOption = Annotated[
    int | None, typer.Option("--horizon-days", help="Days within which the target must be reached.")
]
TestDaysOption = Annotated[
    int | None,
    typer.Option(
        "--test-days", help="Length of the test period in days (default: chosen from the data)."
    ),
]
ValidationDaysOption = Annotated[
    int | None,
    typer.Option(
        "--validation-days",
        help="Length of the validation period in days (default: as --test-days, or from the data).",
    ),
]
MaxRowsOption = Annotated[
    int,
    typer.Option(
        "--max-training-rows",
        min=1000,
        help="Fit on a uniform sample of at most this many training rows (all rows are evaluated).",
    ),
]
#: Columns naming the windows of a training, shown above the table in a terminal.
WINDOW_COLUMNS = ["horizon_days", "train_to", "validation_from", "validation_to", "test_from",
                  "test_to"]  # fmt: skip


def _group(name: str, allow_all: bool = False) -> str:
    """``name`` if it is a score group (or ``all``); a usage error listing the groups if not."""
    from revintel.predict import GROUPS

    known = [*GROUPS, *(["all"] if allow_all else [])]
    if name not in known:
        raise typer.BadParameter(f"unknown group {name!r}; known: {', '.join(known)}")
    return name


def _as_of(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"--as-of {text!r} is not an ISO date or timestamp") from None


@score_app.command("train")
def train(
    group: Annotated[str, typer.Argument(help="leads or deals (or another score group)")],
    db: DbOption = None,
    funnel: FunnelOption = None,
    as_of: AsOfOption = None,
    horizon_days: HorizonOption = None,
    test_days: TestDaysOption = None,
    validation_days: ValidationDaysOption = None,
    max_training_rows: MaxRowsOption = 2_000_000,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Train the scores of GROUP, choose against the baselines on a validation period, report
    them on a later test period and register them; unset windows are chosen from the data."""
    from revintel.predict import GROUPS, entity, german, target, train_score

    language = resolve_language(lang)
    definition = funnel_from(funnel)
    frames = []
    evaluations = set()
    kinds = GROUPS[_group(group)]
    with store_from(db) as store, progress_bar("training", fmt, total=len(kinds)) as bar:
        for done, kind in enumerate(kinds):
            bar(f"training {kind}", done, len(kinds))
            result = train_score(store, kind, definition, as_of=_as_of(as_of),
                                 horizon_days=horizon_days, test_days=test_days,
                                 validation_days=validation_days,
                                 max_training_rows=max_training_rows)  # fmt: skip
            record, comparison, note = result.record, result.comparison, ""
            report = entity(target(kind).entity).report
            if report is not None:  # e.g. churn: its own baselines and the warning's lead time
                record, extra, note = report(store, record)
                comparison = pd.concat([comparison, extra], ignore_index=True)
            evaluations.add(record.metrics.get("evaluation"))
            windows = {"horizon_days": record.metrics["horizon_days"],
                       "train_to": record.metrics["choice_train_to"],
                       "validation_from": record.metrics["validation_from"],
                       "validation_to": record.metrics["validation_to"],
                       "test_from": record.metrics["test_from"],
                       "test_to": record.test_to}  # fmt: skip
            frames.append(comparison.assign(kind=kind, model_id=record.model_id, **windows))
            if fmt is OutputFormat.table:
                said = german(result.message) if language == "de" else result.message
                console.print(f"[bold]{kind}[/bold] ({record.model_id}): {said}",
                              highlight=False)  # fmt: skip
                if note:
                    said = german(note) if language == "de" else note
                    console.print(f"[bold]{kind}[/bold]: {said}", highlight=False)
    frame = pd.concat(frames, ignore_index=True)
    columns = ["kind", "algorithm", "auc", "log_loss", "brier", "lift_top_decile", "rows",
               "positives", "chosen", "validation_auc", "validation_log_loss", "model_id",
               *WINDOW_COLUMNS]  # fmt: skip
    if "average_precision" in frame:  # reported by entities with their own evaluation
        columns.insert(columns.index("brier"), "average_precision")
    if fmt is OutputFormat.table:  # printed above; keeps the table within a terminal
        columns = [c for c in columns if c not in ("model_id", "validation_log_loss",
                                                   *WINDOW_COLUMNS)]  # fmt: skip
    t = Translator(resolve_language(lang))
    title = t("cli.score.train_title")
    if "cross-validation" in evaluations:  # undated history: no period comes after another
        title = t("cli.score.train_title_cross_validated")
    emit(frame[columns], fmt, title=title)


@score_app.command("apply")
def apply(
    group: Annotated[str, typer.Argument(help="leads, deals (another score group) or all")] = "all",
    db: DbOption = None,
    funnel: FunnelOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Score every open lead or deal with the current models and store the scores."""
    from revintel.predict import apply_group

    with store_from(db) as store, progress_bar("scoring open leads and deals", fmt):
        results = apply_group(store, _group(group, allow_all=True), funnel_from(funnel),
                              as_of=_as_of(as_of))  # fmt: skip
    rows: list[dict[str, Any]] = [
        result.summary()
        if result is not None
        else {"kind": kind, "model_id": None, "algorithm": "(not trained)", "scored": 0}
        for kind, result in results.items()
    ]
    emit(pd.DataFrame(rows), fmt, title=translator(lang)("cli.score.apply_title"))


@score_app.command("history")
def history(
    kind: Annotated[
        str, typer.Argument(help="A lead score (default lead_to_sql).")
    ] = "lead_to_sql",
    milestone: Annotated[
        str, typer.Option("--milestone", help="Score each lead as it stood when it reached this.")
    ] = "mql",
    since: Annotated[
        str | None, typer.Option("--since", help="Only leads reaching it on or after (YYYY-MM-DD).")
    ] = None,
    db: DbOption = None,
    funnel: FunnelOption = None,
    lang: LangOption = None,
) -> None:
    """Write a score history: every lead scored at its milestone with the current model.

    For stores without scores from the time (the quality-weighted MQL count weighs each MQL
    with its score at the MQL). The model has seen many of these leads' outcomes, so the
    history describes lead quality, not the model's accuracy.
    """
    from revintel.predict import ScoreHistoryError, score_history

    try:
        day = date.fromisoformat(since) if since else None
    except ValueError:
        message = f"{since!r} is not a date (YYYY-MM-DD)"
        raise typer.BadParameter(message, param_hint="--since") from None
    with store_from(db) as store:
        try:
            rows = score_history(store, kind, milestone, funnel_from(funnel), since=day)
        except (ScoreHistoryError, LookupError) as exc:
            raise typer.BadParameter(str(exc).strip("'\""), param_hint="KIND") from None
    t = translator(lang)
    line = t("cli.score.history").format(count=t.number(len(rows)), milestone=milestone)
    if len(rows):
        line += t("cli.score.history_mean").format(mean=t.number(rows["score"].mean(), 3))
    console.print(line, highlight=False)


@score_app.command("explain")
def explain(
    entity_id: Annotated[str, typer.Argument(help="Lead, opportunity (or other scored) id.")],
    db: DbOption = None,
    funnel: FunnelOption = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show the score of one lead or deal with its strongest reasons for and against."""
    from revintel.predict import explain_entity

    language = resolve_language(lang)
    with store_from(db, read_only=True) as store:
        results = explain_entity(store, entity_id, funnel_from(funnel), as_of=_as_of(as_of))
    rows, texts = [], []
    for res in results:
        reasons = res.get("reasons") or {"positive": [], "negative": []}
        for sign in ("positive", "negative"):
            for reason in reasons[sign]:
                rows.append({"kind": res["kind"], "score": res["score"], "direction": sign,
                             "reason": None, "effect": reason["effect"]})  # fmt: skip
                texts.append({"de": reason["de"], "en": reason["en"]})
        if not rows or rows[-1]["kind"] != res["kind"]:
            rows.append({"kind": res["kind"], "score": res["score"], "direction": "",
                         "reason": None, "effect": None})  # fmt: skip
            note = res.get("note", "")  # from the model registry, in English only
            texts.append({"de": note, "en": note})
    frame = pd.DataFrame(rows, columns=["kind", "score", "direction", "reason", "effect"])
    frame = texts_for_readers(
        frame, fmt, language, {"reason": lambda lang: [text[lang] for text in texts]}
    )
    title = Translator(language)("cli.score.explain_title").format(entity=entity_id)
    emit(frame, fmt, title=title)


@score_app.command("report")
def report(
    db: DbOption = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the HTML report with charts here.")
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Out-of-time metrics of the current models and their baselines (optionally as HTML)."""
    from revintel.predict import RegistryError, evaluation_frame, list_models, render_report

    with store_from(db, read_only=True) as store:
        records = [r for r in list_models(store) if r.status in ("active", "fallback")]
    if not records:
        raise RegistryError("no trained models in the store; run `revintel score train`")
    t = translator(lang)
    if html is not None:
        html.write_text(render_report(records, t.lang), encoding="utf-8")
        if fmt is OutputFormat.table:
            console.print(t("cli.wrote").format(path=html), highlight=False)
    frame = evaluation_frame(records).drop(columns=["test_to"])
    if fmt is OutputFormat.table:
        frame = frame.drop(columns=["model_id"])
    emit(frame, fmt, title=t("cli.score.report_title"))


@summary_section("cli.demo.section.lead_scoring")
def _lead_summary(store: Store) -> RenderableType:
    from revintel.predict import apply_scores, history_end, score_history, train_score

    t = translator()
    try:
        record = train_score(store, "lead_to_sql").record
    except ValueError as exc:  # too short a history for an out-of-time evaluation
        return Text(t("cli.demo.leads.none").format(reason=exc))
    apply_scores(store, "lead_to_sql")
    # The scorecard's quality-weighted MQLs read each MQL's score at its MQL: 14 months back
    # cover a month, the month before and the same month a year before.
    since = history_end(store).date() - timedelta(days=430)
    rows = score_history(store, "lead_to_sql", since=since)
    return Text(
        t("cli.demo.leads.note").format(
            algorithm=record.algorithm,
            auc=t.number(record.metrics.get("auc", float("nan")), 3),
            count=t.number(len(rows)),
            since=day_text(since, t.lang),
        )
    )


@summary_section("cli.demo.section.deal_scoring")
def _demo_summary(store: Store) -> RenderableType:
    from revintel.predict import (
        apply_scores,
        evaluation_frame,
        load_model,
        train_score,
    )

    t = translator()
    try:
        record = load_model(store, "deal_win")
    except LookupError:
        try:
            record = train_score(store, "deal_win").record
            apply_scores(store, "deal_win")
        except ValueError as exc:  # too short a history for an out-of-time evaluation
            return Text(t("cli.demo.deals.none").format(reason=exc))
    frame = evaluation_frame([record])
    shown = frame[["algorithm", "auc", "log_loss", "brier", "lift_top_decile", "chosen"]]
    key = "message_de" if t.lang == "de" and "message_de" in record.metrics else "message"
    note = Text(t("cli.demo.deals.note").format(message=record.metrics.get(key, "")))
    return Group(rich_table(shown, t("cli.demo.deals.title")), note)
