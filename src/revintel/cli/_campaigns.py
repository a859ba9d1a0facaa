"""Cross-selling micro-campaigns: ``campaign build``, ``campaign list`` and ``campaign measure``."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

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
    resolve_language,
    store_from,
)
from revintel.i18n import Translator

# revintel.customers loads the recommenders (implicit, scipy): each command imports it when it
# runs, so the rest of the CLI starts fast.

campaign_app = typer.Typer(
    help="Cross-selling micro-campaigns: select target accounts, export them, measure uplift.",
    no_args_is_help=True,
)
app.add_typer(campaign_app, name="campaign")

EXPORT_SUFFIXES = (".csv", ".xlsx")


def _user_name() -> str | None:
    """The operating-system user recorded as the campaign's creator, if known."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return None


def _export_frame(targets: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """The targets with readable reasons and headers in the language of ``t``."""
    reasons = [
        " | ".join(t(r.message_key).format(**r.placeholders()) for r in dict.fromkeys(row))
        for row in targets["reasons"]
    ]
    frame = targets.assign(
        products=[", ".join(p) for p in targets["products"]],
        reasons=reasons,
        priority=targets["priority"].round(2),
    )
    return frame.rename(columns={c: t(f"campaigns.export.{c}") for c in frame.columns})


def write_targets(targets: pd.DataFrame, path: Path, t: Translator) -> int:
    """Write the treatment accounts to ``path`` (CSV or XLSX); returns the rows written.

    German CSV uses semicolons and decimal commas, as Excel in Germany expects.
    """
    frame = _export_frame(targets, t)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(frame, path, t("campaigns.export.sheet"))
    elif t.lang == "de":
        frame.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    else:
        frame.to_csv(path, index=False, encoding="utf-8")
    return len(frame)


def _write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    import xlsxwriter

    with xlsxwriter.Workbook(str(path)) as book:
        page = book.add_worksheet(sheet)
        bold = book.add_format({"bold": True})
        for col, name in enumerate(frame.columns):
            page.write(0, col, name, bold)
            widest = max([len(str(name)), *(len(str(v)) for v in frame[name])])
            page.set_column(col, col, min(60, widest + 2))
        for row, values in enumerate(frame.itertuples(index=False), start=1):
            for col, value in enumerate(values):
                page.write(row, col, value)
        page.freeze_panes(1, 0)


@campaign_app.command("build")
def build(
    product: Annotated[str, typer.Option("--product", help="Product family to offer.")],
    size: Annotated[int, typer.Option("--size", min=1, help="Accounts to contact.")],
    control_share: Annotated[
        float, typer.Option("--control-share", help="Share of selected accounts held out.")
    ] = 0.2,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Last day of purchases read (default: latest).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the random split (default: drawn).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Name of the campaign.")] = None,
    method: Annotated[
        str, typer.Option("--method", help="Cross-selling method: auto, cooccurrence, als…")
    ] = "auto",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the targets to FILE.csv|.xlsx.")
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Select target accounts for a product family, hold out a control group, record both."""
    from revintel.customers._campaign_export import campaign_targets
    from revintel.customers._campaign_records import record_campaign
    from revintel.customers._campaigns import plan_campaign

    t = Translator(resolve_language(lang))
    if output is not None and output.suffix.lower() not in EXPORT_SUFFIXES:
        raise typer.BadParameter(f"--output must end in .csv or .xlsx, got {output.name!r}")
    if output is not None and not output.resolve().parent.is_dir():
        raise typer.BadParameter(f"--output: folder {output.parent} does not exist")
    with store_from(db) as store:
        plan = plan_campaign(store, product, size, control_share=control_share, as_of=as_of,
                             seed=seed, method=method)  # fmt: skip
        record = record_campaign(store, plan, name=name, created_by=_user_name())
        targets = campaign_targets(store, record) if output is not None else None
    if fmt is OutputFormat.table:
        built = t("campaigns.built").format(
            campaign=record.campaign_id, family=product, size=plan.size, control=plan.control_size
        )
        console.print(built, highlight=False)
        console.print(t("campaigns.note.propensity"))
        console.print(t("campaigns.note.control"))
    shown = record.members.drop(columns=["recommendations", "campaign_id"])
    emit(shown, fmt, title=t("campaigns.title.members"))
    if output is not None and targets is not None:
        rows = write_targets(targets, output, t)
        # beside JSON or CSV on standard output, the note goes to standard error
        note = console if fmt is OutputFormat.table else err_console
        note.print(t("campaigns.written").format(rows=rows, path=output), highlight=False)


@campaign_app.command("list")
def list_command(
    db: DbOption = None, lang: LangOption = None, fmt: FormatOption = OutputFormat.table
) -> None:
    """List the recorded campaigns, newest first."""
    from revintel.customers._campaign_records import list_campaigns

    t = Translator(resolve_language(lang))
    with store_from(db, read_only=True) as store:
        frame = list_campaigns(store)
    main = ["campaign_id", "name", "product_family", "as_of", "size", "control_size", "status"]
    emit(frame.drop(columns=["notes"]), fmt, title=t("campaigns.title.list"), table=frame[main])


@campaign_app.command("measure")
def measure(
    campaign_id: Annotated[str, typer.Argument(help="The campaign's id (see campaign list).")],
    until: Annotated[
        str | None, typer.Option("--until", help="Last day measured (default: latest order).")
    ] = None,
    window_days: Annotated[
        int | None, typer.Option("--window-days", min=1, help="Measure N days after the as-of day.")
    ] = None,
    db: DbOption = None,
    lang: LangOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Uplift of a campaign: treatment against control, with 95 % confidence intervals."""
    from revintel.customers._campaign_uplift import measure_campaign
    from revintel.customers._uplift import MIN_GROUP_ACCOUNTS

    t = Translator(resolve_language(lang))
    with store_from(db, read_only=True) as store:
        report = measure_campaign(store, campaign_id, until=until, window_days=window_days)
    frame = report.frame()
    if fmt is not OutputFormat.table:
        emit(frame.assign(treatment_accounts=report.treatment_accounts,
                          control_accounts=report.control_accounts), fmt)  # fmt: skip
        return
    frame["outcome"] = [t(f"campaigns.outcome.{o}") for o in frame["outcome"]]
    title = t("campaigns.title.measure").format(
        campaign=campaign_id, family=report.campaign["product_family"],
        start=t.date(report.start), until=t.date(report.until),
    )  # fmt: skip
    emit(frame, fmt, title=title, split=False, percent=("relative",))
    if not report.enough:
        details: dict[str, Any] = {"size": report.treatment_accounts,
                                   "control": report.control_accounts,
                                   "minimum": MIN_GROUP_ACCOUNTS}  # fmt: skip
        console.print(t("campaigns.too_few").format(**details))
