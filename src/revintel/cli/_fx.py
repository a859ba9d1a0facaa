"""Exchange-rate commands: ``fx import`` and ``fx list``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from revintel.cli import app
from revintel.cli._common import (
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    console,
    emit,
    err_console,
    store_from,
    translator,
)
from revintel.metrics import import_fx_rates, stored_fx_rates
from revintel.store import store_currency

fx_app = typer.Typer(
    help="Exchange rates into the store currency (`revintel store currency`).",
    no_args_is_help=True,
)
app.add_typer(fx_app, name="fx")
#: Rejections printed after an import (all of them are kept in rejected_rows).
SHOWN_REJECTIONS = 20


@fx_app.command("import")
def fx_import(
    file: Annotated[
        Path,
        typer.Argument(help="CSV or XLSX with currency;valid_from;rate (Währung;gültig ab;Kurs)."),
    ],
    db: DbOption = None,
) -> None:
    """Load exchange rates into the store currency from CSV or XLSX.

    RATE is the number of units of the store currency one unit of CURRENCY is worth from
    VALID_FROM until the currency's next rate. A rate already stored for the same currency and
    day is replaced; rows without a usable rate are kept in rejected_rows. Exits 1 when no row
    holds a rate.
    """
    with store_from(db) as store:
        report = import_fx_rates(store, file)
        currency = store_currency(store)
    for r in report.rejections[:SHOWN_REJECTIONS]:
        err_console.print(
            f"{r['file']}: row {r['row_number']}: column {r['column']}: {r['value']!r}: "
            f"{r['reason']}",
            highlight=False,
        )
    more = report.rows_rejected - SHOWN_REJECTIONS
    if more > 0:
        err_console.print(f"… and {more} more rejected rows (see rejected_rows)", highlight=False)
    console.print(
        f"imported {report.rows_accepted} of {report.rows_read} rate(s) into {currency} from "
        f"{file} (batch {report.batch_id}; {report.rows_rejected} rejected)",
        highlight=False,
    )


@fx_app.command("list")
def fx_list(
    db: DbOption = None, fmt: FormatOption = OutputFormat.table, lang: LangOption = None
) -> None:
    """Show the stored exchange rates by currency and first valid day."""
    with store_from(db, read_only=True) as store:
        rates = stored_fx_rates(store)
        currency = store_currency(store)
    frame = pd.DataFrame(
        {
            "currency": rates["currency"],
            "valid_from": rates["valid_from"].astype(str),
            "rate": rates["rate"],
            "import_batch_id": rates["import_batch_id"],
        }
    )
    t = translator()
    if frame.empty and fmt is OutputFormat.table:
        console.print(t("cli.fx.none").format(currency=currency), highlight=False)
        return
    emit(frame, fmt, title=t("cli.fx.title").format(currency=currency))
