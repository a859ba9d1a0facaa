"""``revintel pricing response``: the price response, its accuracy and one deal's curve."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import pandas as pd
import typer

from revintel._frames import json_value
from revintel.cli._common import (
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    console,
    emit,
    resolve_language,
    store_from,
)
from revintel.cli._pricing_app import pricing_app
from revintel.i18n import Translator
from revintel.pricing._deals import deal_frame
from revintel.pricing._optimum import Optimum, margin_optimum
from revintel.pricing._response import PriceResponse, fit_price_response
from revintel.pricing._response_features import price_population, train_window_targets
from revintel.store import store_currency

_METRICS = ("auc", "log_loss", "brier")
#: Curve columns shown as percentages.
_SHARES = ("discount", "win_probability", "lower", "upper")


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO date", param_hint="--as-of") from None


def evaluation_table(response: PriceResponse, t: Translator) -> pd.DataFrame:
    """Models × test-window AUC, log loss and Brier score, the chosen one marked."""
    rows = response.evaluation["test"]
    return pd.DataFrame(
        {
            t("pricing_response.model"): [t(f"pricing_response.model.{r['model']}") for r in rows],
            t("pricing_response.chosen"): [
                t(f"pricing_response.{bool(r['chosen'])}") for r in rows
            ],
            **{t(f"pricing_response.{m}"): [float(r[m]) for r in rows] for m in _METRICS},
        }
    )


def curve_table(
    curve: pd.DataFrame, list_price: float, cost: float, best: Optimum, t: Translator
) -> pd.DataFrame:
    """The curve with price, expected margin and the optimum marked, headers in the language."""
    price = list_price * curve["price_ratio"]
    margin = (price - (0.0 if cost != cost else cost)) * curve["win_probability"]
    return pd.DataFrame(
        {
            t("pricing_response.discount"): curve["discount"],
            t("pricing_response.price"): price.round(2),
            t("pricing_response.win_probability"): curve["win_probability"],
            t("pricing_response.lower"): curve["lower"],
            t("pricing_response.upper"): curve["upper"],
            t("pricing_response.expected_margin"): margin.round(2),
            t("pricing_response.optimal"): [
                t(f"pricing_response.{bool(d == best.discount)}") for d in curve["discount"]
            ],
        }
    )


def _fit(
    db: str | None, as_of: date | None, seed: int, bootstrap: int
) -> tuple[pd.DataFrame, PriceResponse, str]:
    with store_from(db, read_only=True) as store:
        deals = deal_frame(store, as_of)
        currency = store_currency(store)
    targets = train_window_targets(price_population(deals), deals)
    return deals, fit_price_response(deals, targets, seed=seed, bootstrap=bootstrap), currency


@pricing_app.command("response")
def response(
    db: DbOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Use deals created up to this day (ISO date).")
    ] = None,
    opportunity: Annotated[
        str | None,
        typer.Option("--opportunity", help="Also show this deal's curve and margin-optimal price."),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Refits on resamples behind the 90 % band.", min=0)
    ] = 30,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random step.")] = 0,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """P(win | discount, context), monotone in price, evaluated out of time against a
    discount-blind baseline; with --opportunity the deal's curve and margin-optimal discount."""
    language = resolve_language(lang)
    try:
        deals, fitted, currency = _fit(db, _as_of(as_of), seed, bootstrap)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    t = Translator(language, currency)
    table = evaluation_table(fitted, t)
    payload: dict[str, Any] = {"algorithm": fitted.algorithm, "evaluation": fitted.evaluation}
    curve = None
    if opportunity is not None:
        match = deals[deals["opportunity_id"].astype(str) == opportunity]
        if match.empty:
            message = t("pricing_response.unknown_deal").format(deal=opportunity)
            raise typer.BadParameter(message, param_hint="--opportunity")
        deal = match.iloc[0].to_dict()
        raw = fitted.curve(deal, interval=bootstrap > 0)
        list_price, cost = float(deal["list_price"]), float(deal["cost"])
        best = margin_optimum(list_price, cost, raw)
        curve = curve_table(raw, list_price, cost, best, t)
        payload["opportunity_id"] = opportunity
        payload["curve"] = [
            {k: json_value(v) for k, v in r.items()} for r in raw.to_dict("records")
        ]
        payload["optimum"] = {k: json_value(v) for k, v in best.__dict__.items()}
        summary = t("pricing_response.optimum").format(
            discount=t.percent(best.discount), low=t.percent(best.discount_low),
            high=t.percent(best.discount_high), price=t.money(best.price),
            win=t.percent(best.win_probability), margin=t.money(best.expected_margin),
        )  # fmt: skip
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if fmt is OutputFormat.csv:
        emit(table if curve is None else curve, fmt)
        return
    windows = fitted.evaluation["windows"]["test"]
    title = t("pricing_response.title").format(
        start=t.date(date.fromisoformat(windows[0])), end=t.date(date.fromisoformat(windows[1]))
    )
    emit(table, fmt, title, split=False)
    slope = fitted.evaluation["slope"]
    console.print(
        t("pricing_response.slope").format(
            slope=t.number(slope["logistic"], 2), low=t.number(slope["logistic_low"], 2),
            high=t.number(slope["logistic_high"], 2),
        ), highlight=False,
    )  # fmt: skip
    if curve is not None:
        title = t("pricing_response.curve_title").format(
            deal=opportunity, list_price=t.money(float(deal["list_price"])),
            cost=t.money(float(deal["cost"])),
        )  # fmt: skip
        shares = [t(f"pricing_response.{c}") for c in _SHARES]
        emit(curve, fmt, title, split=False, percent=shares)
        console.print(summary, highlight=False)
