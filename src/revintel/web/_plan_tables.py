"""The tables and the chart of the Planning page, built from the plan views in the reader's
language: stages by the funnel's labels, channels by the label registry, months as dates."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from revintel.charts._plan_charts import NeedChart
from revintel.i18n import Translator, label
from revintel.model import FunnelDefinition
from revintel.views._plan import TOTAL, PlanView
from revintel.web._table_export import Column, PageTable, page_table

#: The funnel milestone each stage of the plan stands for.
STAGE_MILESTONES = {"opportunity": "opportunity_generated"}
#: Scenarios the page compares with the base besides the one of the form: name → factors.
COMPARED = {"better_sal": {"mql_to_sal": 1.2}, "bigger_deals": {"deal_size": 1.1}}


def stage_text(stage: str, t: Translator, funnel: FunnelDefinition) -> str:
    """A stage of the plan in words: the funnel's label, its abbreviation when it has one."""
    text = label("milestone", STAGE_MILESTONES.get(stage, stage), t.lang, funnel)
    short = re.search(r"\(([A-Z]{2,4})\)$", text)
    return short.group(1) if short else text


def step_text(step: str, t: Translator, funnel: FunnelDefinition) -> str:
    """A conversion step (``mql->sal``) in words: ``MQL → SAL``."""
    parts = re.split(r"->|→|_to_", step)
    return " → ".join(stage_text(p, t, funnel) for p in parts)


def group_text(group: str, by: str, t: Translator) -> str:
    """A group of the plan in words: the company, a channel's label or the segment."""
    if group == TOTAL:
        return t("plan.group.all")
    if group in ("", "unknown", "None", "nan"):
        return t("plan.group.unknown")
    return label("channel", group, t.lang) if by == "channel" else group


def scenario_text(name: str, t: Translator) -> str:
    """A scenario's name in words (the page's own scenarios by their labels)."""
    key = f"plan.scenario.{name}"
    text = t(key)
    return name if text == key else text


def _need_columns(t: Translator, month: bool = False) -> list[Column]:
    first = [Column("month", t("plan.col.month"), "date")] if month else []
    return [
        *first,
        Column("group", t("plan.col.group")),
        Column("stage", t("plan.col.stage")),
        Column("required_p50", t("plan.col.required"), "number", 1),
        Column("required_low", t("plan.col.low"), "number", 1),
        Column("required_high", t("plan.col.high"), "number", 1),
        Column(
            "run_rate", t("plan.col.run_rate" if month else "plan.col.run_rate_period"), "number", 1
        ),
        Column("gap", t("plan.col.gap"), "number", 1),
    ]


def _worded(frame: pd.DataFrame, view: PlanView, t: Translator, funnel: FunnelDefinition) -> Any:
    for r in frame.to_dict("records"):
        yield {
            **r,
            "group": group_text(str(r["group"]), view.by, t),
            "stage": stage_text(str(r["stage"]), t, funnel),
        }


def totals_table(view: PlanView, t: Translator, funnel: FunnelDefinition) -> PageTable:
    """What the period needs per group and stage, with interval, run-rate and gap."""
    records = _worded(view.totals, view, t, funnel)
    return page_table("totals", t("plan.section.totals"), _need_columns(t), records)


def months_table(
    view: PlanView, t: Translator, funnel: FunnelDefinition, company_only: bool
) -> PageTable:
    """What each month needs per stage (the company's rows when ``company_only``)."""
    frame = view.months
    if company_only:
        frame = frame[frame["group"] == TOTAL]
    table_id = "months" if company_only else "months-all"
    records = _worded(frame, view, t, funnel)
    return page_table(table_id, t("plan.section.months"), _need_columns(t, True), records)


def rates_table(view: PlanView, t: Translator, funnel: FunnelDefinition) -> PageTable:
    """The rates, lags, deal sizes and MQL shares the plan used."""
    records = [
        {
            **r,
            "group": group_text(str(r["group"]), view.by, t),
            "step": step_text(str(r["step"]), t, funnel),
        }
        for r in view.rates.to_dict("records")
    ]
    columns = [
        Column("group", t("plan.col.group")),
        Column("step", t("plan.col.step")),
        Column("rate", t("plan.col.rate"), "percent", 1),
        Column("low", t("plan.col.rate_low"), "percent", 1),
        Column("high", t("plan.col.rate_high"), "percent", 1),
        Column("n", t("plan.col.n"), "count"),
        Column("median_lag_days", t("plan.col.lag"), "number", 0),
        Column("deal_size", t("plan.col.deal_size"), "money"),
        Column("mql_share", t("plan.col.mql_share"), "percent", 1),
    ]
    return page_table("rates", t("plan.section.rates"), columns, records)


def scenarios_table(frame: pd.DataFrame, t: Translator, funnel: FunnelDefinition) -> PageTable:
    """The company's need per stage in the base plan and each scenario."""
    company = frame[frame["group"] == TOTAL]
    records = [
        {
            **r,
            "scenario": scenario_text(str(r["scenario"]), t),
            "stage": stage_text(str(r["stage"]), t, funnel),
        }
        for r in company.to_dict("records")
    ]
    columns = [
        Column("scenario", t("plan.col.scenario")),
        Column("stage", t("plan.col.stage")),
        Column("required_p50", t("plan.col.required"), "number", 1),
        Column("required_low", t("plan.col.low"), "number", 1),
        Column("required_high", t("plan.col.high"), "number", 1),
    ]
    return page_table("scenarios", t("plan.section.scenarios"), columns, records)


def need_chart(view: PlanView, t: Translator) -> NeedChart | None:
    """Required MQLs of the company per month with their interval, beside the run-rate."""
    rows = view.months[(view.months["group"] == TOTAL) & (view.months["stage"] == "mql")]
    if rows.empty:
        return None
    columns = (
        t("plan.col.month"),
        t("plan.chart.required"),
        t("plan.col.low"),
        t("plan.col.high"),
        t("plan.chart.run_rate"),
    )
    points = [
        (t.date(r["month"]), float(r["required_p50"]), r["required_low"], r["required_high"],
         r["run_rate"])
        for r in rows.to_dict("records")
    ]  # fmt: skip
    return NeedChart("plan-mqls", t("plan.chart.title"), columns, points)
