"""``revintel pricing bands`` and ``revintel pricing positions``: price bands per segment of
comparable deals, and where deals and open quotes sit in them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import pandas as pd
import typer

from revintel.cli._common import (
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    emit,
    err_console,
    resolve_language,
    store_from,
    texts_for_readers,
)
from revintel.cli._pricing_app import pricing_app
from revintel.i18n import Language, Translator
from revintel.pricing._band_store import new_fit_id, open_quotes, store_bands
from revintel.pricing._bands import PriceBands, band_positions, fit_bands, quote_positions
from revintel.pricing._deals import deal_frame
from revintel.store import Store, store_currency, store_now


class DealStatus(StrEnum):
    """Which deals ``pricing positions`` lists."""

    open = "open"
    won = "won"
    lost = "lost"
    all = "all"


MinWonOption = Annotated[
    int,
    typer.Option("--min-won", help="Fewest won deals behind a band (segment).", min=1),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Use deals created up to this day; deals closed later count as open (ISO date).",
    ),
]

_LIMITS = ("floor", "target", "stretch")


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO date", param_hint="--as-of") from None


def _fitted(store: Store, min_won: int, as_of: date | None) -> tuple[pd.DataFrame, PriceBands]:
    deals = deal_frame(store, as_of)
    try:
        return deals, fit_bands(deals, min_won, currency=store_currency(store))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--min-won") from None


def bands_frame(
    bands: PriceBands, lang: Language, fmt: OutputFormat = OutputFormat.table
) -> pd.DataFrame:
    """The bands with the segment described in ``lang`` (columns as in CSV; JSON describes it
    in both languages, ``segment_de`` and ``segment_en``)."""
    label = bands.segmentation.label
    ids = list(bands.table["band_id"])
    frame = bands.table.assign(segment=None)[
        ["band_id", "segment", *_LIMITS, "won_deals", "deals", "median_list_price", "rules"]
    ]
    return texts_for_readers(
        frame, fmt, lang, {"segment": lambda language: [label(b, language) for b in ids]}
    )


def _bands_display(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    shown = {
        t("pricing_bands.band"): frame["band_id"],
        t("pricing_bands.segment"): frame["segment"],
        **{t(f"pricing_bands.{c}"): [t.percent(v) for v in frame[c]] for c in _LIMITS},
        t("pricing_bands.won_deals"): [t.number(v) for v in frame["won_deals"]],
        t("pricing_bands.deals"): [t.number(v) for v in frame["deals"]],
    }
    return pd.DataFrame(shown)


def positions_frame(
    deals: pd.DataFrame,
    quotes: pd.DataFrame,
    bands: PriceBands,
    status: DealStatus,
    lang: Language,
    fmt: OutputFormat = OutputFormat.table,
) -> pd.DataFrame:
    """Deals of ``status`` and the open quotes of those deals: kind, ids, band, segment (in
    ``lang``; in JSON in both languages), price and band limits as shares of list price,
    position and percentile."""
    chosen = deals if status is DealStatus.all else deals[deals["status"] == status.value]
    deal_rows = band_positions(chosen, bands).assign(kind="deal", quote_id=None)
    of_chosen = quotes[quotes["opportunity_id"].isin(set(chosen["opportunity_id"]))]
    quote_rows = quote_positions(of_chosen, chosen, bands).assign(kind="quote")
    rows = pd.concat([deal_rows, quote_rows], ignore_index=True)
    rows = rows.sort_values(["opportunity_id", "kind", "quote_id"], ignore_index=True)
    limits = bands.table.set_index("band_id")
    rows = rows.assign(segment=None, **{c: rows["band_id"].map(limits[c]) for c in _LIMITS})
    columns = ["kind", "opportunity_id", "quote_id", "band_id", "segment", "price_ratio"]
    ids = list(rows["band_id"])

    def segments(language: Language) -> list[str | None]:
        labels = {b: bands.segmentation.label(b, language) for b in bands.segmentation.band_ids}
        return [labels.get(b) for b in ids]

    frame = rows[[*columns, *_LIMITS, "position", "percentile"]]
    return texts_for_readers(frame, fmt, lang, {"segment": segments})


def _positions_display(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    def share(values: pd.Series) -> list[str]:
        return [t.percent(v) if pd.notna(v) else "–" for v in values]

    return pd.DataFrame(
        {
            t("pricing_bands.kind"): [t(f"pricing_bands.kind.{k}") for k in frame["kind"]],
            t("pricing_bands.opportunity"): frame["opportunity_id"],
            t("pricing_bands.quote"): frame["quote_id"].fillna(""),
            t("pricing_bands.band"): frame["band_id"],
            t("pricing_bands.price"): share(frame["price_ratio"]),
            t("pricing_bands.target"): share(frame["target"]),
            t("pricing_bands.position"): [
                t(f"pricing_bands.position.{p}") if isinstance(p, str) else "–"
                for p in frame["position"]
            ],
            t("pricing_bands.percentile"): share(frame["percentile"]),
        }
    )


@pricing_app.command("bands")
def bands(
    db: DbOption = None,
    min_won: MinWonOption = 30,
    as_of: AsOfOption = None,
    store: Annotated[
        bool,
        typer.Option("--store", help="Store the bands and every deal's position as a new fit."),
    ] = False,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Price bands per segment of comparable deals: floor, target and stretch price as a share
    of list price (10th, 50th and 90th percentile of the won prices)."""
    language = resolve_language(lang)
    with store_from(db, read_only=not store) as opened:
        deals, fitted = _fitted(opened, min_won, _as_of(as_of))
        t = Translator(language, store_currency(opened))
        if store:
            fit_id = new_fit_id(store_now(opened))
            written = store_bands(opened, fitted, deals, fit_id)
            message = t("pricing_bands.stored").format(
                fit_id=fit_id, bands=len(fitted.table), deals=t.number(written)
            )
            err_console.print(message, highlight=False)
    frame = bands_frame(fitted, language, fmt)
    won = int(frame["won_deals"].sum())
    title = t("pricing_bands.title").format(won=t.number(won), min_won=min_won)
    table = _bands_display(frame, t) if fmt is OutputFormat.table else None
    emit(frame, fmt, title, table=table, split=False)


@pricing_app.command("positions")
def positions(
    db: DbOption = None,
    status: Annotated[
        DealStatus,
        typer.Option("--status", help="Deals to place: open, won, lost or all."),
    ] = DealStatus.open,
    min_won: MinWonOption = 30,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Where each deal's price (open deals: the latest quote) and each open quote sits in its
    price band: below floor, floor to target, target to stretch or above stretch."""
    language = resolve_language(lang)
    day = _as_of(as_of)
    with store_from(db, read_only=True) as opened:
        deals, fitted = _fitted(opened, min_won, day)
        quotes = open_quotes(opened)
        t = Translator(language, store_currency(opened))
    if day is not None:
        quotes = quotes[
            pd.to_datetime(quotes["created_at"])
            < pd.Timestamp(day).normalize() + pd.Timedelta(days=1)
        ]
    frame = positions_frame(deals, quotes, fitted, status, language, fmt)
    counts = frame["kind"].value_counts()
    title = t("pricing_bands.positions_title").format(
        deals=t.number(counts.get("deal", 0)), quotes=t.number(counts.get("quote", 0))
    )
    table = _positions_display(frame, t) if fmt is OutputFormat.table else None
    emit(frame, fmt, title, table=table, split=False)
