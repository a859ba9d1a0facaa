"""Customer commands: ``customers`` (still buying, expected orders, value, churn risk per
account) and ``crosssell`` (next-best products per account)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group, RenderableType
from rich.text import Text

from revintel.cli import app
from revintel.cli._common import (
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    emit,
    err_console,
    resolve_language,
    rich_table,
    store_from,
    texts_for_readers,
    translator,
)
from revintel.cli._locale import day_text
from revintel.cli._summary import summary_section
from revintel.i18n import Translator
from revintel.store import Store
from revintel.views import (
    CHURN_MISSING_KEY,
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_HORIZON_DAYS,
    churn_reason_texts,
    crosssell_table,
    customer_table,
    has_churn_model,
    last_order_day,
    reason_text,
)

AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Use orders up to and including this day (ISO date; default: the last order).",
    ),
]
HorizonDaysOption = Annotated[
    int,
    typer.Option("--horizon-days", help="Days after --as-of to predict orders for.", min=1),
]
DiscountOption = Annotated[
    float,
    typer.Option(
        "--discount-rate", help="Annual discount rate of the customer value (0.10 = 10 %).", min=0
    ),
]
TopOption = Annotated[int, typer.Option("--top", help="Products per account.", min=1, max=100)]


def _as_of(store: Store, text: str | None) -> date:
    if text is not None:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise typer.BadParameter(f"{text!r} is not an ISO date", param_hint="--as-of") from None
    found = last_order_day(store)
    if found is None:
        raise typer.BadParameter("the store holds no orders yet", param_hint="--as-of")
    return found


@app.command("customers")
def customers(
    db: DbOption = None,
    as_of: AsOfOption = None,
    horizon_days: HorizonDaysOption = DEFAULT_HORIZON_DAYS,
    discount_rate: DiscountOption = DEFAULT_DISCOUNT_RATE,
    alerts: Annotated[
        bool,
        typer.Option(
            "--alerts",
            help="Only the churn alerts: customers of high value (top 20 % by customer value) "
            "past the churn warning threshold, most valuable first.",
        ),
    ] = False,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Per account: P(active), expected orders and P(no order) in the next days, expected
    order value, 12-month customer value (CLV) and churn risk with its reasons."""
    language = resolve_language(lang)
    with store_from(db, read_only=True) as store:
        day = _as_of(store, as_of)
        frame = customer_table(store, day, horizon_days, discount_rate)
    if not has_churn_model(frame):
        err_console.print(Translator(language)(CHURN_MISSING_KEY), highlight=False)
    if alerts:
        frame = frame[frame["churn_alert"].fillna(False).astype(bool)]
        frame = frame.sort_values("clv", ascending=False, ignore_index=True)
    reasons = list(frame["churn_reasons"])
    frame = texts_for_readers(
        frame,
        fmt,
        language,
        {
            "churn_reasons": lambda lang: [
                "; ".join(churn_reason_texts(r, lang)) or None for r in reasons
            ]
        },
    )
    t = Translator(language)
    title = t("cli.customers.title").format(
        day=day_text(day, language), days=t.number(horizon_days)
    )
    emit(frame, fmt, title, split=False, percent=("p_alive", "p_no_order", "churn_risk"))


@app.command("crosssell")
def crosssell(
    db: DbOption = None,
    as_of: AsOfOption = None,
    top: TopOption = 5,
    method: Annotated[
        str,
        typer.Option("--method", help="auto (item-to-item), popularity, cooccurrence or als."),
    ] = "auto",
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            help="YAML file of product rules (requires / excludes / only_with), see "
            "docs/cross-selling.md.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Next-best products per account from what similar accounts bought, with the reason."""
    from revintel.customers import METHODS, ProductRulesError

    language = resolve_language(lang)
    if method != "auto" and method not in METHODS:
        raise typer.BadParameter(
            f"{method!r}: use auto, {', '.join(METHODS)}", param_hint="--method"
        )
    with store_from(db, read_only=True) as store:
        day = _as_of(store, as_of)
        try:
            frame = crosssell_table(store, day, top, method=method, rules=rules)
        except ProductRulesError as exc:
            raise typer.BadParameter(str(exc), param_hint="--rules") from None
    reasons = list(frame["reason"])
    frame = texts_for_readers(
        frame, fmt, language, {"reason": lambda lang: [reason_text(r, lang) for r in reasons]}
    )
    title = Translator(language)("cli.crosssell.title").format(day=day_text(day, language))
    emit(frame, fmt, title, split=False)


@summary_section("cli.demo.section.customers")
def _demo_summary(store: Store) -> RenderableType:
    """Train the churn warning if there is none, then the accounts with most value at stake."""
    from revintel.predict import churn_risk

    t = translator()
    day = last_order_day(store)
    if day is None:
        return Text(t("cli.demo.customers.no_orders"))
    try:
        churn_risk(store, train=True)  # trains and evaluates the account_churn model once
    except ValueError as exc:  # too short a history for an out-of-time evaluation
        note = Text(t("cli.demo.customers.no_churn").format(reason=exc))
    else:
        note = Text(t("cli.demo.customers.churn"))
    frame = customer_table(store, day, DEFAULT_HORIZON_DAYS, DEFAULT_DISCOUNT_RATE)
    top = frame.sort_values("value_at_stake", ascending=False, na_position="last").head(5)
    shown = top[["account_id", "p_alive", "expected_orders", "clv", "churn_risk", "value_at_stake"]]
    title = t("cli.demo.customers.title").format(
        count=t.number(len(frame)), day=day_text(day, t.lang)
    )
    return Group(rich_table(shown.round(3), title), note)
