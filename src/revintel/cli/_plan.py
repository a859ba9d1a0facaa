"""``revintel plan``: the MQLs, SALs, SQLs and opportunities an order-intake target needs per
month, with intervals, against the run-rate; scenarios side by side; table, JSON, CSV or Excel."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from revintel.alignment._plan import (
    Plan,
    PlanDataError,
    PlanError,
    PlanRequest,
    compare_scenarios,
    reverse_plan,
)
from revintel.alignment._plan_period import PeriodError, parse_period
from revintel.alignment._plan_scenarios import ScenarioTextError, parse_scenario
from revintel.cli import app
from revintel.cli._common import (
    DbOption,
    LangOption,
    console,
    json_records,
    print_table,
    resolve_language,
    store_from,
)
from revintel.cli._locale import csv_text
from revintel.i18n import Language, Translator, label
from revintel.model import load_funnel
from revintel.store import store_currency


class PlanFormat(StrEnum):
    """How ``revintel plan`` prints its result."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class PlanBy(StrEnum):
    """The groups a plan is split into."""

    channel = "channel"
    segment = "segment"
    none = "none"


_MONTH_COLUMNS = {
    "month": "plan.col.month",
    "group": "plan.col.group",
    "stage": "plan.col.stage",
    "required_p50": "plan.col.required",
    "required_low": "plan.col.low",
    "required_high": "plan.col.high",
    "run_rate": "plan.col.run_rate",
    "gap": "plan.col.gap",
}
_STAGE_MILESTONES = {"opportunity": "opportunity_generated"}


def stage_name(stage: str, lang: Language) -> str:
    """The funnel's name of a plan stage in ``lang``."""
    funnel = load_funnel()
    if stage == "won":
        return funnel.won.name(lang)
    return funnel.get(_STAGE_MILESTONES.get(stage, stage)).name(lang)


def _group_name(group: str, lang: Language) -> str:
    """A group of the plan: a channel in German words in German, other groups as they are."""
    return label("channel", group, lang) if lang == "de" else group


def labelled(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """``frame`` with headers, stage and group names in the translator's language (the totals'
    run-rate, over the whole period, under its own header)."""
    out = frame.copy()
    if "month" not in out and "run_rate" in out:
        out = out.rename(columns={"run_rate": t("plan.col.run_rate_period")})
    if "stage" in out:
        out["stage"] = [stage_name(s, t.lang) for s in out["stage"]]
    if "group" in out:
        out["group"] = [
            t("plan.group.all") if g == "total" else _group_name(g, t.lang) for g in out["group"]
        ]
    columns = {**_MONTH_COLUMNS, "low": "plan.col.low", "high": "plan.col.high"}
    return out.rename(columns={c: t(k) for c, k in columns.items() if c in out})


def plan_document(plan: Plan, scenarios: pd.DataFrame | None, currency: str) -> dict[str, Any]:
    """The JSON document of a plan: request, target, per-month and total needs, rates used."""
    request = plan.request
    return {
        "target": plan.target,
        "target_source": plan.target_source,
        "currency": currency,
        "period": {
            "start": request.period_start.isoformat(),
            "end": request.period_end.isoformat(),
        },
        "as_of": None if request.as_of is None else request.as_of.isoformat(),
        "by": request.by or "none",
        "level": request.level,
        "draws": request.draws,
        "seed": request.seed,
        "forecast_p50": plan.forecast_p50,
        "feed_lag_days": round(plan.feed_lag_days, 1),
        "months": json_records(plan.months),
        "totals": json_records(plan.totals),
        "rates": json_records(plan.rates),
        "scenarios": None if scenarios is None else json_records(scenarios),
    }


def write_workbook(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """One worksheet per frame: a bold header row, numbers as numbers."""
    import xlsxwriter

    with xlsxwriter.Workbook(str(path)) as book:
        bold = book.add_format({"bold": True})
        for name, frame in sheets.items():
            page = book.add_worksheet(name[:31])
            for col, header in enumerate(frame.columns):
                page.write(0, col, str(header), bold)
                page.set_column(col, col, max(12, len(str(header)) + 2))
            for row, record in enumerate(json_records(frame), start=1):
                for col, value in enumerate(record.values()):
                    if value is not None:
                        page.write(row, col, value)
            page.freeze_panes(1, 0)


def _request(
    target: float | None,
    period: str,
    by: PlanBy,
    as_of: str | None,
    draws: int,
    seed: int,
    with_forecast: bool,
) -> PlanRequest:
    try:
        start, end = parse_period(period)
    except PeriodError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None
    try:
        day = None if as_of is None else date.fromisoformat(as_of)
    except ValueError:
        raise typer.BadParameter(f"{as_of!r} is not an ISO date", param_hint="--as-of") from None
    grouping = "" if by is PlanBy.none else by.value
    return PlanRequest(
        target,
        start,
        end,
        by=grouping,
        as_of=day,
        draws=draws,
        seed=seed,
        with_forecast=with_forecast,
    )


def _print_tables(plan: Plan, scenarios: pd.DataFrame | None, t: Translator) -> None:
    company = plan.months[plan.months["group"] == "total"]
    print_table(labelled(plan.totals, t), t("plan.section.totals"), split=False)
    print_table(labelled(company, t), t("plan.section.months"), split=False)
    if scenarios is not None:
        print_table(labelled(scenarios, t), t("plan.section.scenarios"), split=False)
    console.print(
        t("plan.interval_note").format(level=f"{plan.request.level:.0%}", draws=plan.request.draws),
        highlight=False,
    )


@app.command("plan")
def plan_command(
    period: Annotated[str, typer.Option("--period", help="Period: 2026-Q3, 2026-07 or 2026.")],
    target: Annotated[
        float | None,
        typer.Option(
            "--target", help="Order-intake target (default: from the targets table).", min=0.01
        ),
    ] = None,
    by: Annotated[
        PlanBy, typer.Option("--by", help="Split: channel, segment or none.")
    ] = PlanBy.channel,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Measure rates before this ISO date.")
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario", help="NAME=mql_to_sal:1.2,deal_size:1.1,CHANNEL:1.5 (repeatable)."
        ),
    ] = None,
    with_forecast: Annotated[
        bool, typer.Option("--with-forecast", help="Also run the order-intake forecast.")
    ] = False,
    fmt: Annotated[
        PlanFormat, typer.Option("--format", "-f", help="table, json, csv or xlsx.")
    ] = PlanFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    lang: LangOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 0,
    draws: Annotated[int, typer.Option("--draws", min=100, max=50_000, help="Simulations.")] = 2000,
    db: DbOption = None,
) -> None:
    """How many MQLs, SALs, SQLs and opportunities each month needs to reach an order-intake
    target, with intervals and the gap to the run-rate."""
    t_lang = resolve_language(lang)
    if fmt is PlanFormat.xlsx and output is None:
        raise typer.BadParameter("--format xlsx needs --output FILE.xlsx", param_hint="--output")
    request = _request(target, period, by, as_of, draws, seed, with_forecast)
    try:
        extra = [parse_scenario(s) for s in scenario or []]
    except ScenarioTextError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scenario") from None
    with store_from(db, read_only=True) as store:
        try:
            plan = reverse_plan(store, request)
            compared = compare_scenarios(store, request, extra) if extra else None
        except (PlanError, PlanDataError) as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from None
        currency = store_currency(store)
    t = Translator(t_lang, currency)
    if fmt is PlanFormat.table:
        _print_tables(plan, compared, t)
        return
    if fmt is PlanFormat.xlsx:
        assert output is not None
        sheets = {"months": plan.months, "totals": plan.totals, "rates": plan.rates}
        if compared is not None:
            sheets["scenarios"] = compared
        write_workbook({k: labelled(v, t) for k, v in sheets.items()}, output)
        console.print(t("cli.wrote").format(path=output), highlight=False)
        return
    if fmt is PlanFormat.json:
        text = (
            json.dumps(plan_document(plan, compared, currency), ensure_ascii=False, indent=2) + "\n"
        )
    else:
        text = csv_text(labelled(plan.months, t) if t_lang == "de" else plan.months, t_lang)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(t("cli.wrote").format(path=output), highlight=False)
