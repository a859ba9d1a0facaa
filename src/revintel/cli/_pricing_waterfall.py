"""``revintel pricing waterfall``, ``leakage``, ``outliers`` and ``terms``: from list price to
pocket margin, where the money leaks, who discounts most, and the off-invoice terms."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from revintel.cli._common import (
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    console,
    emit,
    err_console,
    resolve_language,
    store_from,
)
from revintel.cli._pricing_app import pricing_app
from revintel.i18n import Translator
from revintel.pricing._leakage import discount_outliers, leakage
from revintel.pricing._terms import read_terms, store_terms, stored_terms
from revintel.pricing._waterfall import BREAKDOWNS, deal_waterfall, waterfall
from revintel.store import store_currency

terms_app = typer.Typer(
    help="Off-invoice terms per customer group (YAML): import and list.", no_args_is_help=True
)
pricing_app.add_typer(terms_app, name="terms")


class LeakageBy(StrEnum):
    """Breakdowns of ``pricing leakage``."""

    segment = "segment"
    rep = "rep"
    family = "family"
    account = "account"


class OutlierLevel(StrEnum):
    """Levels of ``pricing outliers``."""

    account = "account"
    rep = "rep"


AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Only orders placed up to this day (ISO date).")
]


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO date", param_hint="--as-of") from None


def _group_text(value: object, t: Translator) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, pd.Timestamp | date):
        return t.date(value)
    return str(value)


def readable_waterfall(frame: pd.DataFrame, by: str | None, t: Translator) -> pd.DataFrame:
    """The waterfall with steps, headers and numbers in the language of ``t``."""
    shown: dict[str, list[str]] = {}
    if by is not None:
        shown[t(f"pricing.group.{by}")] = [_group_text(v, t) for v in frame[by]]
    shown[t("pricing.col.step")] = [t(f"pricing.step.{s}") for s in frame["step"]]
    shown[t("pricing.col.amount")] = [t.money(v) for v in frame["amount"]]
    shown[t("pricing.col.share_of_list")] = [t.percent(v) for v in frame["share_of_list"]]
    return pd.DataFrame(shown)


@pricing_app.command("waterfall")
def waterfall_command(
    by: Annotated[
        str | None,
        typer.Option("--by", help=f"Break down by one of: {', '.join(BREAKDOWNS)}."),
    ] = None,
    opportunity: Annotated[
        str | None, typer.Option("--opportunity", help="The waterfall of one deal.")
    ] = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The price waterfall: list → invoice → pocket price → pocket margin, with every step."""
    t = resolve_language(lang)
    if by is not None and by not in BREAKDOWNS:
        raise typer.BadParameter(f"{by!r}: use one of {', '.join(BREAKDOWNS)}", param_hint="--by")
    with store_from(db, read_only=True) as store:
        tr = Translator(t, store_currency(store))
        if opportunity is not None:
            frame = deal_waterfall(store, opportunity)
            title = tr("pricing.waterfall.deal_title").format(opportunity=opportunity)
            by = None
        else:
            frame = waterfall(store, _as_of(as_of), by)
            title = tr("pricing.waterfall.title")
    emit(frame, fmt, title, table=readable_waterfall(frame, by, tr), split=bool(by))
    if opportunity is not None and fmt is OutputFormat.table and frame["lines"].iloc[0] == 0:
        console.print(tr("pricing.waterfall.not_ordered"), style="dim", highlight=False)


_LEAKAGE_MONEY = (
    *("list_amount", "invoice_amount", "pocket_amount", "on_invoice", "off_invoice"),
    *("leakage", "pocket_margin"),
)
#: Columns of the leakage table in table format (JSON and CSV carry all).
_LEAKAGE_SHOWN = (
    *("list_amount", "leakage", "leakage_share", "on_invoice_share"),
    *("off_invoice_share", "pocket_margin_rate"),
)
_LEAKAGE_SHARES = ("leakage_share", "on_invoice_share", "off_invoice_share", "pocket_margin_rate")


def readable_table(
    frame: pd.DataFrame,
    section: str,
    t: Translator,
    money: tuple[str, ...],
    shares: tuple[str, ...],
    group: str,
    group_label: str,
) -> pd.DataFrame:
    """``frame`` with headers ``pricing.<section>.col.<column>`` and numbers in the language of
    ``t``; the column ``group`` first, headed ``group_label``."""
    shown: dict[str, list[str]] = {group_label: [_group_text(v, t) for v in frame[group]]}
    for column in frame.columns:
        if column == group:
            continue
        values = frame[column]
        if column in money:
            cells = [t.money(v) for v in values]
        elif column in shares:
            cells = [t.percent(v) for v in values]
        elif column in ("excess_points", "z"):
            cells = [t.number(v, 1) for v in values]
        elif pd.api.types.is_numeric_dtype(values):
            cells = [t.number(v) for v in values]
        else:
            cells = [_group_text(v, t) for v in values]
        shown[t(f"pricing.{section}.col.{column}")] = cells
    return pd.DataFrame(shown)


@pricing_app.command("leakage")
def leakage_command(
    by: Annotated[LeakageBy, typer.Option("--by", help="segment, rep, family or account.")] = (
        LeakageBy.segment
    ),
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Leakage (list price − pocket price) and its share, per segment, rep, family or account."""
    t = resolve_language(lang)
    with store_from(db, read_only=True) as store:
        tr = Translator(t, store_currency(store))
        frame = leakage(store, by.value, _as_of(as_of))
    group = tr(f"pricing.group.{by.value}")
    main = frame[[by.value, *_LEAKAGE_SHOWN]]
    table = readable_table(main, "leakage", tr, _LEAKAGE_MONEY, _LEAKAGE_SHARES, by.value, group)
    emit(frame, fmt, tr("pricing.leakage.title"), table=table, split=False)


@pricing_app.command("outliers")
def outliers_command(
    level: Annotated[OutlierLevel, typer.Option("--level", help="account or rep.")] = (
        OutlierLevel.account
    ),
    top: Annotated[int, typer.Option("--top", min=1, help="How many to list.")] = 10,
    min_deals: Annotated[
        int, typer.Option("--min-deals", min=1, help="Fewest deals an account or rep needs.")
    ] = 5,
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """The accounts or reps whose discount sits furthest above their peers'."""
    t = resolve_language(lang)
    with store_from(db, read_only=True) as store:
        tr = Translator(t, store_currency(store))
        frame = discount_outliers(store, level.value, min_deals, top, _as_of(as_of))
    money, shares = ("list_amount", "excess_amount"), ("discount", "peer_discount")
    group = tr(f"pricing.outliers.col.{level.value}")
    main = frame.drop(columns=["list_amount"])
    table = readable_table(main, "outliers", tr, money, shares, level.value, group)
    emit(frame, fmt, tr("pricing.outliers.title"), table=table, split=False)
    if fmt is OutputFormat.table:
        console.print(tr("pricing.outliers.note"), style="dim", highlight=False)


def readable_terms(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """The stored terms with kinds, rates and dates in the language of ``t``."""
    every = t("pricing.terms.every_group")
    return pd.DataFrame(
        {
            t("pricing.terms.col.group_by"): frame["group_by"],
            t("pricing.terms.col.customer_group"): [
                f"* ({every})" if g == "*" else g for g in frame["customer_group"]
            ],
            t("pricing.terms.col.kind"): [t(f"pricing.step.{k}") for k in frame["kind"]],
            t("pricing.terms.col.rate"): [t.percent(r, 2) for r in frame["rate"]],
            t("pricing.terms.col.source_file"): frame["source_file"].fillna(""),
            t("pricing.terms.col.imported_at"): [t.date(d) for d in frame["imported_at"]],
        }
    )


@terms_app.command("import")
def terms_import(
    path: Annotated[Path, typer.Argument(help="YAML file: group_by and terms per group.")],
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Replace the stored off-invoice terms by those of FILE."""
    t = Translator(resolve_language(lang))
    terms = read_terms(path)
    with store_from(db) as store:
        rows = store_terms(store, terms, path.name)
        frame = stored_terms(store)
    note = console if fmt is OutputFormat.table else err_console
    note.print(t("pricing.terms.imported").format(rows=rows, path=path), highlight=False)
    emit(frame, fmt, t("pricing.terms.title"), table=readable_terms(frame, t), split=False)


@terms_app.command("list")
def terms_list(
    db: DbOption = None, lang: LangOption = None, fmt: FormatOption = OutputFormat.table
) -> None:
    """The stored off-invoice terms per customer group."""
    t = Translator(resolve_language(lang))
    with store_from(db, read_only=True) as store:
        frame = stored_terms(store)
    if frame.empty and fmt is OutputFormat.table:
        console.print(t("pricing.terms.none"), highlight=False)
        return
    emit(frame, fmt, t("pricing.terms.title"), table=readable_terms(frame, t), split=False)
