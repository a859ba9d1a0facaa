"""``revintel allocate``: the reps' selling hours planned where they earn most, with a reason per
assignment; ``allocate potential``, ``allocate reps`` and ``allocate owners`` show what the plan
stands on (account potential, rep performance, suggested owners of open deals)."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from revintel._frames import json_records
from revintel.allocation import (
    Allocation,
    coverage_by_size,
    coverage_models,
    estimate_potential,
    over_served,
    plan_allocation,
    portfolio,
    read_rules,
    rep_performance,
    response_curve_report,
    suggest_owners,
    under_served,
)
from revintel.cli import app
from revintel.cli._common import (
    DbOption,
    LangOption,
    console,
    print_table,
    resolve_language,
    store_from,
)
from revintel.i18n import Language, Translator
from revintel.store import store_currency
from revintel.views._allocation_export import (
    assignment_rows,
    assignments_csv,
    assignments_workbook,
    coverage_rows,
    curve_display,
    portfolio_rows,
    suggestion_rows,
)

allocate_app = typer.Typer(
    help="Sales capacity where the potential is: assignments of the reps' hours, potential, "
    "rep performance, suggested owners, the account portfolio and the coverage model.",
)
app.add_typer(allocate_app, name="allocate")


class AllocateFormat(StrEnum):
    """How ``revintel allocate`` writes its result."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="Rules YAML (default: the packaged conf/allocation.yaml)."),
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Last day of history used (ISO date).")
]
FormatOption = Annotated[
    AllocateFormat, typer.Option("--format", "-f", help="table, csv, json or xlsx.")
]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]


class ServedList(StrEnum):
    """Which list ``revintel allocate portfolio --list`` shows."""

    under = "under"
    over = "over"


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO date", param_hint="--as-of") from None


def _deliver(
    frame: pd.DataFrame,
    fmt: AllocateFormat,
    out: Path | None,
    lang: Language,
    document: dict[str, Any],
    title: str,
) -> None:
    """Print or write ``frame`` in ``fmt``; JSON carries ``document``. ``title`` names the
    sheet of a workbook; a table's title says it in ``lang``."""
    t = Translator(lang)
    if fmt is AllocateFormat.xlsx:
        if out is None:
            raise typer.BadParameter("--format xlsx needs --out FILE.xlsx", param_hint="--out")
        assignments_workbook({title: frame}, out)
        console.print(t("cli.wrote").format(path=out), highlight=False)
        return
    if fmt is AllocateFormat.table:
        print_table(frame, t(f"cli.allocate.title.{title}"), split=False)
        return
    if fmt is AllocateFormat.json:
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    else:
        text = assignments_csv(frame, lang)
    if out is None:
        typer.echo(text, nl=False)
    else:
        # German Excel reads a CSV file as UTF-8 only with the byte order mark
        german_csv = fmt is AllocateFormat.csv and lang == "de"
        out.write_text(text, encoding="utf-8-sig" if german_csv else "utf-8")
        console.print(t("cli.wrote").format(path=out), highlight=False)


def plan_document(allocation: Allocation, rows: pd.DataFrame) -> dict[str, Any]:
    """The JSON of a plan: how good it is and one record per assignment (reason as text, its
    kind and level beside)."""
    records = json_records(rows)
    for record, reason in zip(records, allocation.assignments["reason"], strict=True):
        record["reason_kind"] = reason.kind
        record["level"] = reason.level
    return {
        "status": allocation.status,
        "objective": round(allocation.objective, 2),
        "bound": round(allocation.bound, 2),
        "gap": allocation.gap,
        "assignments": records,
    }


@allocate_app.callback(invoke_without_command=True)
def allocate(
    ctx: typer.Context,
    rules: RulesOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = AllocateFormat.table,
    lang: LangOption = None,
    out: OutOption = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="Seconds for the solver.")
    ] = 60.0,
    db: DbOption = None,
) -> None:
    """Which rep spends how many hours a week on which account and open deal, for the most
    expected margin within each rep's capacity and the rules (docs/allocation.md).

    CSV columns: rep_id, account_id (or opportunity_id), hours_per_week, expected_gain,
    reason (in --lang; German CSV with semicolons and decimal commas). Example: `revintel
    allocate --format csv --lang de --out zuordnung.csv`.
    """
    if ctx.invoked_subcommand is not None:
        return
    chosen = resolve_language(lang)
    day = _day(as_of)
    parsed = read_rules(rules) if rules is not None else None
    with store_from(db, read_only=True) as store:
        allocation = plan_allocation(store, as_of=day, rules=parsed, time_limit=time_limit)
        t = Translator(chosen, store_currency(store))
    rows = assignment_rows(allocation, t)
    _deliver(rows, fmt, out, chosen, plan_document(allocation, rows), "allocation")


@allocate_app.command("potential")
def potential(
    as_of: AsOfOption = None,
    fmt: FormatOption = AllocateFormat.table,
    lang: LangOption = None,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """What each account could buy a year (its potential, from comparable accounts) beside
    today's revenue, largest white space first. Columns: account_id, current_revenue,
    potential, white_space."""
    chosen = resolve_language(lang)
    with store_from(db, read_only=True) as store:
        frame = estimate_potential(store, _day(as_of)).by_account()
    document = {"accounts": json_records(frame)}
    _deliver(frame, fmt, out, chosen, document, "potential")


@allocate_app.command("reps")
def reps(
    as_of: AsOfOption = None,
    fmt: FormatOption = AllocateFormat.table,
    lang: LangOption = None,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """Win rate, cycle time and skill of every rep, pooled toward team and company and
    adjusted for the deals each rep was given."""
    chosen = resolve_language(lang)
    with store_from(db, read_only=True) as store:
        frame = rep_performance(store, _day(as_of)).reps
    _deliver(frame, fmt, out, chosen, {"reps": json_records(frame)}, "reps")


@allocate_app.command("owners")
def owners(
    fmt: FormatOption = AllocateFormat.table,
    lang: LangOption = None,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """A suggested owner for every open deal, within the hours the reps have for open deals,
    with the reason in --lang."""
    chosen = resolve_language(lang)
    with store_from(db, read_only=True) as store:
        t = Translator(chosen, store_currency(store))
        frame = suggestion_rows(suggest_owners(store), t)
    _deliver(frame, fmt, out, chosen, {"suggestions": json_records(frame)}, "owners")


@allocate_app.command("portfolio")
def portfolio_command(
    as_of: AsOfOption = None,
    fmt: FormatOption = AllocateFormat.table,
    lang: LangOption = None,
    out: OutOption = None,
    served: Annotated[
        ServedList | None,
        typer.Option(
            "--list",
            help="under: high-potential accounts with less than half the hours of their "
            "recommended level; over: low-potential accounts with the hours of the level above.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Every account with revenue, potential, churn risk, value, today's hours and a level.

    Columns of the library's portfolio, largest white space first, and level_reason_text:
    what set the recommended level, in --lang. --list under: high-potential accounts with too
    little attention; --list over: low-potential accounts with too much. Example: `revintel
    allocate portfolio --list under --format csv --lang de --out unterversorgt.csv`.
    """
    chosen = resolve_language(lang)
    with store_from(db, read_only=True) as store:
        frame = portfolio(store, as_of=_day(as_of))
        t = Translator(chosen, store_currency(store))
    if served is ServedList.under:
        frame = under_served(frame)
    elif served is ServedList.over:
        frame = over_served(frame)
    rows = portfolio_rows(frame, t)
    name = "portfolio" if served is None else f"{served.value}-served"
    _deliver(rows, fmt, out, chosen, {"accounts": json_records(rows)}, name)


@allocate_app.command("curve")
def curve_command(
    as_of: AsOfOption = None,
    fmt: FormatOption = AllocateFormat.table,
    lang: LangOption = None,
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """What an hour of selling buys: the response curve the plan uses, with 95 % intervals.

    One row per weekly level of service (hours_per_week, hours_per_year, share_of_potential,
    intake, lift over no contact, next_hour: what one more hour a year adds) for a customer of
    median potential; the table format also shows the parameters s0, s_max and h_half and
    whether the curve was read within the customers or across them.
    """
    chosen = resolve_language(lang)
    with store_from(db, read_only=True) as store:
        report = response_curve_report(store, _day(as_of))
        t = Translator(chosen, store_currency(store))
    points, parameters = report.points(), report.parameters()
    if fmt is AllocateFormat.table:
        method = "within" if report.curve.method == "within accounts" else "across"
        summary = t("allocation.curve.summary").format(
            method=t(f"allocation.curve.method.{method}"),
            years=t.number(report.customer_years),
            as_of=t.date(report.as_of),
            potential=t.money(report.typical_potential),
        )
        console.print(summary, highlight=False)
        shown = curve_display(parameters, points, t)
        print_table(shown[0], t("allocation.curve.parameters"), split=False)
        print_table(shown[1], t("allocation.curve.points"), split=False)
        return
    document = {
        "as_of": report.as_of.isoformat(),
        "method": report.curve.method,
        "customer_years": report.customer_years,
        "typical_potential": round(report.typical_potential, 2),
        "weeks_per_year": report.weeks_per_year,
        "parameters": json_records(parameters),
        "points": json_records(points),
    }
    _deliver(points, fmt, out, chosen, document, "curve")


@allocate_app.command("coverage")
def coverage_command(
    as_of: AsOfOption = None,
    fmt: FormatOption = AllocateFormat.table,
    lang: LangOption = None,
    out: OutOption = None,
    by_size: Annotated[
        bool,
        typer.Option(
            "--by-size",
            help="Today's coverage instead: logged hours a week per segment and per revenue "
            "tier against revenue and potential.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Field sales, inside sales or digital self-service per account, with the reason.

    Whichever model earns the most margin after its cost, with each model's expected margin,
    the chosen one's cost and the reason in --lang, largest potential first. With --by-size:
    today's hours a week per segment and revenue tier (by, group, accounts, accounts_served,
    hours_per_week, hours_per_account, current_revenue, potential, hours_per_million).
    """
    chosen = resolve_language(lang)
    with store_from(db, read_only=True) as store:
        day = _day(as_of)
        if by_size:
            frame = coverage_by_size(portfolio(store, as_of=day))
        else:
            frame = coverage_models(store, as_of=day)
        t = Translator(chosen, store_currency(store))
    if by_size:
        _deliver(frame, fmt, out, chosen, {"groups": json_records(frame)}, "coverage-by-size")
        return
    rows = coverage_rows(frame, t)
    _deliver(rows, fmt, out, chosen, {"accounts": json_records(rows)}, "coverage")
