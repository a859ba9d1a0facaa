"""``revintel pricing fit`` and ``revintel pricing guidance``: fitted price models and guidance
for a deal under negotiation, and the demo summary's pricing section."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Group, RenderableType
from rich.text import Text

from revintel.cli._common import (
    DbOption,
    LangOption,
    OutputFormat,
    err_console,
    output_language,
    print_table,
    resolve_language,
    rich_table,
    store_from,
)
from revintel.cli._pricing_app import pricing_app
from revintel.cli._summary import summary_section
from revintel.i18n import Translator
from revintel.pricing._drafts import DealNotFoundError, DraftError, draft_deal, open_deal
from revintel.pricing._guidance import guidance
from revintel.pricing._price_model import (
    PriceModel,
    PriceModelError,
    fit_price_model,
    load_price_model,
    store_price_model,
)
from revintel.store import Store, store_currency

_MONEY = (
    "list_price",
    "cost",
    "floor",
    "target",
    "stretch",
    "current_price",
    "recommended_price",
    "expected_margin_current",
    "expected_margin_recommended",
    "margin_at_stake",
)
_SHOWN = (
    "segment",
    "band_won_deals",
    "list_price",
    "cost",
    "floor",
    "target",
    "stretch",
    "current_price",
    "current_discount",
    "position",
    "approval",
    "recommended_price",
    "recommended_discount",
    "win_probability_current",
    "win_probability_recommended",
    "expected_margin_current",
    "expected_margin_recommended",
    "margin_at_stake",
    "fit_id",
)

#: Bootstrap refits of the demo's price model (fewer than the default 30 keep the demo quick).
DEMO_BOOTSTRAP = 10

FormatChoice = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format: table or json.")
]


def _product(text: str, t: Translator) -> tuple[str, float]:
    product_id, _, quantity = text.rpartition(":")
    try:
        amount = float(quantity) if product_id else float("nan")
    except ValueError:
        amount = float("nan")
    if not product_id or not amount > 0:
        raise typer.BadParameter(
            t("pricing_guidance.bad_product").format(value=text), param_hint="--product"
        )
    return product_id, amount


def guidance_rows(answer: dict[str, Any], t: Translator) -> pd.DataFrame:
    """The guidance as (label, value) rows in ``t``'s language and formats."""
    rows = []
    key = "opportunity_id" if "opportunity_id" in answer else "account_id"
    rows.append((t(f"pricing_guidance.field.{key}"), answer[key]))
    for field in _SHOWN:
        value = answer[field]
        if field in _MONEY:
            text = t.money(value) if value is not None else "–"
        elif field == "current_discount":
            text = t.percent(value)
        elif field == "recommended_discount":
            low, high = answer["recommended_discount_low"], answer["recommended_discount_high"]
            text = f"{t.percent(value)} ({t.percent(low)} – {t.percent(high)})"
        elif field.startswith("win_probability"):
            text = t.percent(value)
        elif field in ("position", "approval"):
            text = t(f"pricing_guidance.{field}.{value}")
        else:
            text = str(value)
        rows.append((t(f"pricing_guidance.field.{field}"), text))
    return pd.DataFrame(rows, columns=["", " "])


def comparables_frame(rows: list[dict[str, Any]], t: Translator) -> pd.DataFrame:
    """Comparable deals with translated column names and formatted values."""
    return pd.DataFrame(
        {
            t("pricing_guidance.field.opportunity_id"): [r["opportunity_id"] for r in rows],
            t("pricing_guidance.field.account_id"): [r["account_id"] for r in rows],
            t("pricing_guidance.column.closed_at"): [
                t.date(date.fromisoformat(r["closed_at"])) for r in rows
            ],
            t("pricing_guidance.field.list_price"): [t.money(r["list_price"]) for r in rows],
            t("pricing_guidance.column.discount"): [t.percent(r["discount"]) for r in rows],
            t("pricing_guidance.column.amount"): [t.money(r["amount"]) for r in rows],
            t("pricing_guidance.column.similarity"): [t.number(r["similarity"], 2) for r in rows],
        }
    )


def _loaded(store: Store, t: Translator) -> PriceModel:
    try:
        model = load_price_model(store)
    except PriceModelError as exc:
        err_console.print(str(exc), highlight=False)
        raise typer.Exit(1) from None
    if model is None:
        err_console.print(t("pricing_guidance.no_model"), highlight=False)
        raise typer.Exit(1)
    return model


@pricing_app.command("fit")
def fit(
    db: DbOption = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Use deals as known on this day (ISO date)."),
    ] = None,
    min_won: Annotated[
        int, typer.Option("--min-won", min=1, help="Fewest won deals behind a price band.")
    ] = 30,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the bootstrap.")] = 0,
    lang: LangOption = None,
) -> None:
    """Fit the price model (price bands, price response out of time, comparable deals) and
    store it as the model deal guidance answers from."""
    language = resolve_language(lang)
    try:
        day = None if as_of is None else date.fromisoformat(as_of)
    except ValueError:
        raise typer.BadParameter(f"{as_of!r} is not an ISO date", param_hint="--as-of") from None
    with store_from(db) as store:
        t = Translator(language, store_currency(store))
        try:
            model = fit_price_model(store, day, min_won=min_won, seed=seed)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--min-won") from None
        store_price_model(store, model)
    print_table(evaluation_frame(model), t("pricing_guidance.evaluation"), split=False)
    typer.echo(
        t("pricing_guidance.fitted").format(
            fit_id=model.fit_id, as_of=t.date(model.as_of), algorithm=model.algorithm
        )
    )


def evaluation_frame(model: PriceModel) -> pd.DataFrame:
    """The price response's out-of-time figures that are single numbers, one row each."""
    rows = [(k, v) for k, v in _flat(model.evaluation) if isinstance(v, int | float | str)]
    return pd.DataFrame(rows, columns=["measure", "value"])


def _flat(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for key, item in value.items():
            out += _flat(item, f"{prefix}{key}.")
        return out
    if isinstance(value, list):  # rows named by their model (out-of-time test figures)
        named = [v for v in value if isinstance(v, dict) and "model" in v]
        out = []
        for row in named:
            out += _flat({k: v for k, v in row.items() if k != "model"}, f"{prefix}{row['model']}.")
        return out
    return [(prefix.rstrip("."), value)]


@pricing_app.command("guidance")
def guidance_command(
    opportunity_id: Annotated[
        str | None, typer.Argument(help="An open opportunity (else a draft: --account …).")
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Draft quote: the customer.")
    ] = None,
    product: Annotated[
        list[str] | None,
        typer.Option("--product", help="Draft quote: PRODUCT:QUANTITY (repeatable)."),
    ] = None,
    discount: Annotated[
        float | None, typer.Option("--discount", help="Draft quote: discount as a share (0.12).")
    ] = None,
    amount: Annotated[
        float | None, typer.Option("--amount", help="Draft quote: price in the store currency.")
    ] = None,
    rep: Annotated[str | None, typer.Option("--rep", help="Draft quote: the rep quoting.")] = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatChoice = OutputFormat.table,
) -> None:
    """Price guidance for an open opportunity or a draft quote: band position, win chance and
    expected margin at the current and the recommended price, the five most comparable won
    and lost deals and an approval hint."""
    language = resolve_language(lang)
    t = Translator(language)
    if fmt is OutputFormat.csv:
        raise typer.BadParameter("use table or json", param_hint="--format")
    if (opportunity_id is None) == (account is None) or (account is not None and not product):
        raise typer.BadParameter(t("pricing_guidance.deal_or_draft"))
    lines = [_product(p, t) for p in product or []]
    with store_from(db, read_only=True) as store:
        t = Translator(language, store_currency(store))
        model = _loaded(store, t)
        try:
            if opportunity_id is not None:
                deal = open_deal(store, opportunity_id)
            else:
                assert account is not None
                deal = draft_deal(store, account, lines, discount, amount, rep)
        except (DealNotFoundError, DraftError) as exc:
            err_console.print(str(exc).strip("'\""), highlight=False)
            raise typer.Exit(1) from None
        answer = guidance(model, deal, t.currency)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    title = t(
        "pricing_guidance.title" if "opportunity_id" in answer else "pricing_guidance.title_draft"
    )
    print_table(guidance_rows(answer, t), title, split=False)
    for outcome in ("won", "lost"):
        rows = answer["comparable_deals"][outcome]
        if rows:
            heading = t(f"pricing_guidance.comparables_{outcome}")
            print_table(comparables_frame(rows, t), heading, split=False)


@summary_section("cli.demo.section.pricing")
def _demo_summary(store: Store) -> RenderableType:
    """Fit and store the demo's price model; show its bands and one open deal's guidance."""
    started = time.perf_counter()
    t = Translator(output_language(), store_currency(store))
    try:
        model = fit_price_model(store, bootstrap=DEMO_BOOTSTRAP)
    except ValueError as exc:  # a demo company too small for bands of 30 won deals
        return Text(t("cli.demo.pricing.none").format(reason=exc))
    store_price_model(store, model)
    table = model.bands.table
    bands = pd.DataFrame(
        {
            "band": table["band_id"],
            "segment": [model.bands.segmentation.label(b, t.lang) for b in table["band_id"]],
            **{c: [t.percent(v) for v in table[c]] for c in ("floor", "target", "stretch")},
            "won_deals": table["won_deals"],
        }
    )
    parts: list[RenderableType] = [rich_table(bands, t("pricing_guidance.bands"))]
    deals = model.deals if model.deals is not None else pd.DataFrame()
    open_deals = deals[deals["status"] == "open"] if not deals.empty else deals
    example = None
    if not open_deals.empty:
        record = open_deals.sort_values("list_price", ascending=False).iloc[0].to_dict()
        answer = guidance(model, record, t.currency)
        example = answer["opportunity_id"]
        parts.append(rich_table(guidance_rows(answer, t), t("pricing_guidance.title")))
    note = t("pricing_guidance.demo_note").format(
        fit_id=model.fit_id, bands=len(table), opportunity=example or "OPPORTUNITY_ID"
    )
    parts.append(Text(f"{note} ({t.number(time.perf_counter() - started, 1)} s)"))
    return Group(*parts)
