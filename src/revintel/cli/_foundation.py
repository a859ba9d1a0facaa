"""Foundation commands: ``init``, ``synth``, ``demo`` and ``info``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import RenderableType
from rich.panel import Panel

from revintel.cli import app
from revintel.cli._common import (
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    console,
    emit,
    emit_mapping,
    rich_table,
    store_from,
    translator,
)
from revintel.cli._progress import progress_bar
from revintel.cli._summary import DEMO_SERVERS, SUMMARY_SECTIONS, summary_section
from revintel.model import SCHEMA_VERSION, TABLES
from revintel.store import (
    DEFAULT_CURRENCY,
    DEFAULT_TIMEZONE,
    Store,
    parse_currency,
    parse_timezone,
    resolve_location,
    set_store_currency,
    set_store_timezone,
    store_currency,
    store_timezone,
)
from revintel.synth import (
    SynthConfig,
    SynthResult,
    truth_path_for,
    write_demo_company,
    write_demo_exports,
)

TimezoneOption = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        help=f"IANA time zone of the store's times and periods (default {DEFAULT_TIMEZONE}).",
    ),
]
CurrencyOption = Annotated[
    str | None,
    typer.Option(
        "--currency",
        help=f"ISO 4217 currency figures are summed and shown in (default {DEFAULT_CURRENCY}).",
    ),
]


@app.command()
def init(
    db: DbOption = None, timezone: TimezoneOption = None, currency: CurrencyOption = None
) -> None:
    """Create an empty store (or upgrade an existing one to the current schema)."""
    if timezone is not None:
        parse_timezone(timezone)  # an unknown zone fails before a store file is created
    if currency is not None:
        parse_currency(currency)  # so does an unknown currency
    with store_from(db) as store:
        before = store.migrated_from
        if before is None:
            zone = set_store_timezone(store, timezone or DEFAULT_TIMEZONE)
            money = set_store_currency(store, currency or DEFAULT_CURRENCY)
            console.print(
                f"created store {store.location} (schema version {SCHEMA_VERSION}, "
                f"time zone {zone.key}, currency {money})"
            )
            return
        if timezone is not None:
            set_store_timezone(store, timezone)
        if currency is not None:
            set_store_currency(store, currency)
        current = store_timezone(store).key
        if before < SCHEMA_VERSION:
            console.print(f"upgraded {store.location} from schema {before} to {SCHEMA_VERSION}")
        else:
            console.print(f"{store.location} is up to date (schema version {SCHEMA_VERSION})")
        console.print(f"time zone: {current}")
        console.print(f"currency: {store_currency(store)}")


store_app = typer.Typer(help="Settings kept in the store.", no_args_is_help=True)
app.add_typer(store_app, name="store")


@store_app.command("timezone")
def timezone_command(
    zone: Annotated[
        str | None, typer.Argument(help="New IANA zone, e.g. Europe/Berlin or UTC; omit to show.")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Change it although the store holds data (stored times are not converted).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Show or set the store's time zone: stored times are wall-clock times of this zone, and
    days, months and quarters are its periods."""
    if zone is None:
        with store_from(db, read_only=True) as store:
            console.print(store_timezone(store).key)
        return
    with store_from(db) as store:
        before = store_timezone(store).key
        after = set_store_timezone(store, zone, force=force).key
    console.print(
        f"time zone: {after}" + ("" if before == after else f" (was {before})"), highlight=False
    )


@store_app.command("currency")
def currency_command(
    code: Annotated[
        str | None, typer.Argument(help="New ISO 4217 code, e.g. EUR, CHF or GBP; omit to show.")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Change it although the store holds amounts (amounts and rates are not "
            "converted).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Show or set the store's currency: every summed amount is converted into it with the
    exchange rates of `revintel fx import`, and shown with its symbol."""
    if code is None:
        with store_from(db, read_only=True) as store:
            console.print(store_currency(store))
        return
    with store_from(db) as store:
        before = store_currency(store)
        after = set_store_currency(store, code, force=force)
    console.print(f"currency: {after}" + ("" if before == after else f" (was {before})"))


SeedOption = Annotated[int, typer.Option(help="Random seed; the same seed gives the same company.")]
LeadsOption = Annotated[int, typer.Option(help="Number of leads over the whole period.")]
AccountsOption = Annotated[int, typer.Option(help="Number of accounts.")]
YearsOption = Annotated[int, typer.Option(help="Years of history.")]
StartOption = Annotated[str, typer.Option(help="First day of the history (ISO date).")]
RepsOption = Annotated[int, typer.Option(help="Number of sales reps.")]


def _synthesise(
    db: str | None, seed: int, leads: int, accounts: int, years: int, start: str, reps: int
) -> SynthResult:
    config = SynthConfig(
        seed=seed,
        leads=leads,
        accounts=accounts,
        years=years,
        start=date.fromisoformat(start),
        reps=reps,
    )
    location = resolve_location(db)
    with (
        store_from(location) as store,
        progress_bar("building the demo company") as report,
    ):
        result = write_demo_company(store, config, progress=report)
        counts = result.row_counts
    truth = truth_path_for(location)
    t = translator()
    tables = ", ".join(f"{t.number(n)} {name}" for name, n in counts.items() if n)
    console.print(t("cli.demo.written").format(location=location, tables=tables))
    if truth is not None:
        console.print(t("cli.info.truth").format(path=truth), highlight=False)
    return result


@app.command()
def synth(
    db: DbOption = None,
    seed: SeedOption = 42,
    leads: LeadsOption = 60_000,
    accounts: AccountsOption = 3_000,
    years: YearsOption = 5,
    start: StartOption = "2020-01-01",
    reps: RepsOption = 20,
) -> None:
    """Generate the demo company (a German B2B manufacturer) into the store, replacing its data."""
    _synthesise(db, seed, leads, accounts, years, start, reps)


@app.command()
def demo(
    db: DbOption = None,
    seed: SeedOption = 42,
    leads: LeadsOption = 60_000,
    serve: Annotated[bool, typer.Option(help="Serve the dashboard afterwards.")] = True,
    lang: LangOption = None,
) -> None:
    """Build the demo company, run every analysis and print a summary."""
    result = _synthesise(db, seed, leads, 3_000, 5, "2020-01-01", 20)
    _import_demo_exports(db, result)
    t = translator()
    with store_from(db) as store:
        for title, section in SUMMARY_SECTIONS:
            console.print(Panel(section(store), title=t(title), expand=False))
    if serve:
        _serve_if_available(db)


def _import_demo_exports(db: str | None, result: SynthResult) -> None:
    """Import the files a demo user gets from other departments, as a user would."""
    from revintel.ingest import import_files

    location = resolve_location(db)
    folder = Path(location).parent / "exports"
    with store_from(location) as store, progress_bar("importing the exports") as bar:
        for path in write_demo_exports(result, folder):
            report = import_files(store, "generic", [path], progress=bar)
            t = translator()
            line = t("cli.demo.imported").format(
                file=path.name,
                read=t.number(report.rows_read),
                accepted=t.number(report.rows_accepted),
                rejected=t.number(report.rows_rejected),
            )
            console.print(line)


def _serve_if_available(db: str | None) -> None:
    location = resolve_location(db)
    if not DEMO_SERVERS:
        console.print(translator()("cli.demo.ready").format(location=location))
        return
    for serve_demo in DEMO_SERVERS:
        serve_demo(location)


@app.command()
def info(
    db: DbOption = None, fmt: FormatOption = OutputFormat.table, lang: LangOption = None
) -> None:
    """Show the store's tables, row counts, schema version, time zone, currency and ground-truth
    location."""
    with store_from(db) as store:
        counts = store.row_counts()
        version = store.schema_version
        location = store.location
        zone = store_timezone(store).key
        currency = store_currency(store)
    truth = truth_path_for(location)
    truth_file = str(truth) if truth is not None and truth.exists() else None
    tables = pd.DataFrame(
        {
            "table": [t.name for t in TABLES],
            "rows": [counts[t.name] for t in TABLES],
            "description": [t.description for t in TABLES],
        }
    )
    if fmt is OutputFormat.json:
        emit_mapping(
            [
                ("store", location),
                ("schema_version", version),
                ("timezone", zone),
                ("currency", currency),
                ("ground_truth", truth_file),
                ("tables", dict(zip(tables["table"], tables["rows"], strict=True))),
            ],
            fmt,
        )
        return
    t = translator()
    title = t("cli.info.title").format(
        location=location, version=version, zone=zone, currency=currency
    )
    emit(tables, fmt, title=title)
    if fmt is OutputFormat.table:
        truth_text = truth_file or t("cli.info.no_truth")
        console.print(t("cli.info.truth").format(path=truth_text), highlight=False)


@summary_section("cli.demo.section.store")
def _store_summary(store: Store) -> RenderableType:
    counts = store.row_counts()
    frame = pd.DataFrame({"table": list(counts), "rows": list(counts.values())})
    return rich_table(frame[frame["rows"] > 0])
