"""The tables and the chart of the Resources page, built from the views' results in the reader's
language: the reps' load, the assignments with their reasons."""

from __future__ import annotations

from typing import Any

import pandas as pd

from revintel.allocation import AllocationReason
from revintel.charts._allocation_charts import LoadChart
from revintel.i18n import Translator
from revintel.views._allocation import AllocationView
from revintel.views._allocation_export import coverage_counts
from revintel.web._table_export import Column, PageTable, page_table

#: Placeholders of the reasons that hold euros.
_MONEY_PLACEHOLDERS = ("gain", "gain_over_owner")


def level_text(level: str, t: Translator) -> str:
    """A service level in words (the level's own name when it has no label)."""
    key = f"allocation.level.{level}"
    text = t(key)
    return level if text == key else text


def rule_text(rule: str, t: Translator) -> str:
    """A minimum-coverage rule's name in words (its own name when it has no label)."""
    key = f"allocation.rule.{rule}"
    text = t(key)
    return rule if text == key else text


def reason_text(reason: AllocationReason, t: Translator) -> str:
    """Why an assignment was made, in the reader's language: the reason's parts joined by
    ``; ``, euros as money, the level in words."""
    values: dict[str, Any] = dict(reason.placeholders())
    for key in _MONEY_PLACEHOLDERS:
        values[key] = t.money(float(values[key]))
    values["level"] = level_text(reason.level, t)
    values["fit"] = t.number(reason.fit, 2)
    values["rule"] = rule_text(reason.coverage_rule, t)
    return "; ".join(t(key).format(**values) for key in reason.parts())


def _share(hours: pd.Series, capacity: pd.Series) -> pd.Series:
    return hours / capacity.where(capacity > 0)


def load_table(view: AllocationView, t: Translator) -> PageTable:
    """Per rep: capacity, hours a week today and under the plan, each as a share of capacity,
    and the plan's accounts and deals."""
    load = view.load.copy()
    load["load_before"] = _share(load["hours_before"], load["capacity_hours_per_week"])
    load["load_after"] = _share(load["hours_after"], load["capacity_hours_per_week"])
    columns = [
        Column("rep_id", t("allocation.col.rep")),
        Column("name", t("allocation.col.name")),
        Column("team", t("allocation.col.team")),
        Column("region", t("allocation.col.region")),
        Column("capacity_hours_per_week", t("allocation.col.capacity"), "number", 1),
        Column("hours_before", t("allocation.col.hours_before"), "number", 1),
        Column("hours_after", t("allocation.col.hours_after"), "number", 1),
        Column("load_before", t("allocation.col.load_before"), "percent", 0),
        Column("load_after", t("allocation.col.load_after"), "percent", 0),
        Column("accounts", t("allocation.col.accounts"), "count"),
        Column("opportunities", t("allocation.col.opportunities"), "count"),
    ]
    records = load.to_dict(orient="records")
    return page_table("load", t("allocation.page.load"), columns, records)


def load_chart(view: AllocationView, t: Translator) -> LoadChart | None:
    """Hours a week today and planned beside each rep's capacity (``None`` without reps)."""
    if view.load.empty:
        return None
    rows = [
        (
            str(r.get("name") or r["rep_id"]),  # reps by name, as every filter shows them
            round(float(r["hours_before"]), 2),
            round(float(r["hours_after"]), 2),
            None if pd.isna(r["capacity_hours_per_week"]) else float(r["capacity_hours_per_week"]),
        )
        for r in view.load.to_dict(orient="records")
    ]
    columns = (
        t("allocation.col.rep"),
        t("allocation.page.chart.before"),
        t("allocation.page.chart.after"),
        t("allocation.page.chart.capacity"),
    )
    return LoadChart("allocation-load", t("allocation.page.load"), columns, rows)


def assignments_table(view: AllocationView, t: Translator) -> PageTable:
    """The plan's rows the user sees, with the level and the reason in words: the file for the
    CRM (``rep_id``, ``account_id`` or ``opportunity_id``, hours, expected gain, reason)."""
    records = view.assignments.to_dict(orient="records")
    for r in records:
        r["level"] = level_text(str(r["level"]), t)
        r["reason"] = reason_text(r["reason"], t)
    columns = [
        Column("rep_id", t("allocation.col.rep")),
        Column("account_id", t("allocation.col.account")),
        Column("opportunity_id", t("allocation.col.opportunity")),
        Column("hours_per_week", t("allocation.col.hours_per_week"), "number", 2),
        Column("expected_gain", t("allocation.col.expected_gain"), "money"),
        Column("level", t("allocation.col.level")),
        Column("reason", t("allocation.col.reason")),
    ]
    return page_table("assignments", t("allocation.page.assignments"), columns, records)


def quality_text(view: AllocationView, t: Translator) -> str:
    """The plan's expected extra margin, its optimality gap and the solver's status."""
    key = f"allocation.page.status.{view.status}"
    status = t(key)
    return t("allocation.page.quality").format(
        objective=t.money(view.objective),
        gap=t.percent(view.gap, 2),
        status=view.status if status == key else status,
    )


def cell_text(cell: str, t: Translator) -> str:
    """A cell of the portfolio matrix in words: ``Umsatz A · Potenzial C``."""
    return t("allocation.page.cell").format(revenue=cell[:1], potential=cell[1:])


def matrix_table(view: AllocationView, t: Translator) -> PageTable:
    """Per cell of revenue tier × potential tier: accounts, revenue, potential, white space and
    today's hours a week."""
    records = view.matrix.to_dict(orient="records")
    for r in records:
        r["cell"] = cell_text(str(r["cell"]), t)
    columns = [
        Column("cell", t("allocation.col.cell")),
        Column("accounts", t("allocation.col.accounts"), "count"),
        Column("current_revenue", t("allocation.col.revenue"), "money"),
        Column("potential", t("allocation.col.potential"), "money"),
        Column("white_space", t("allocation.col.white_space"), "money"),
        Column("hours_per_week", t("allocation.col.hours_before"), "number", 1),
    ]
    return page_table("portfolio", t("allocation.page.portfolio"), columns, records)


def matrix_grid(view: AllocationView) -> dict[str, dict[str, Any]]:
    """The matrix's cells by name (``AC`` …) for the page's 3 × 3 grid."""
    return {str(r["cell"]): r for r in view.matrix.to_dict(orient="records")}


def served_table(frame: pd.DataFrame, table_id: str, t: Translator) -> PageTable:
    """Accounts of the under- or over-served list: revenue, potential, churn risk, value,
    today's hours and the recommended level."""
    records = frame.to_dict(orient="records")
    for r in records:
        r["recommended_level"] = level_text(str(r["recommended_level"]), t)
    columns = [
        Column("account_id", t("allocation.col.account")),
        Column("name", t("allocation.col.name")),
        Column("segment", t("allocation.col.segment")),
        Column("region", t("allocation.col.region")),
        Column("owner_rep_id", t("allocation.col.owner")),
        Column("current_revenue", t("allocation.col.revenue"), "money"),
        Column("potential", t("allocation.col.potential"), "money"),
        Column("white_space", t("allocation.col.white_space"), "money"),
        Column("churn_risk", t("allocation.col.churn_risk"), "percent", 0),
        Column("clv", t("allocation.col.clv"), "money"),
        Column("hours_per_week", t("allocation.col.hours_before"), "number", 2),
        Column("recommended_level", t("allocation.col.recommended_level")),
    ]
    title = t(f"allocation.page.{table_id.replace('-', '_')}")
    return page_table(table_id, title, columns, records)


def size_group_text(by: str, group: str, t: Translator) -> str:
    """A group of today's coverage by size in words: the segment as stored, a revenue tier as
    ``Umsatzklasse A``."""
    if by == "revenue_tier":
        return t("allocation.page.size.tier").format(tier=group)
    return group or t("allocation.page.size.no_segment")


def by_size_table(view: AllocationView, t: Translator) -> PageTable:
    """Today's coverage by size: per segment and per revenue tier the accounts, those with
    logged hours, the hours a week in all and per account, revenue, potential and hours a week
    per million of potential."""
    frame = view.by_size if view.by_size is not None else pd.DataFrame()
    records = frame.to_dict(orient="records")
    for r in records:
        r["group"] = size_group_text(str(r["by"]), str(r["group"]), t)
        r["by"] = t(f"allocation.page.size.by.{r['by']}")
    columns = [
        Column("by", t("allocation.col.size_by")),
        Column("group", t("allocation.col.size_group")),
        Column("accounts", t("allocation.col.accounts"), "count"),
        Column("accounts_served", t("allocation.col.accounts_served"), "count"),
        Column("hours_per_week", t("allocation.col.hours_before"), "number", 1),
        Column("hours_per_account", t("allocation.col.hours_per_account"), "number", 2),
        Column("current_revenue", t("allocation.col.revenue"), "money"),
        Column("potential", t("allocation.col.potential"), "money"),
        Column("hours_per_million", t("allocation.col.hours_per_million"), "number", 2),
    ]
    return page_table("by-size", t("allocation.page.by_size"), columns, records)


def model_text(model: str, t: Translator) -> str:
    """A coverage model (field, inside, digital) in words."""
    return t(f"allocation.coverage.model.{model}")


def coverage_counts_table(view: AllocationView, t: Translator) -> PageTable:
    """Per coverage model: accounts, their potential, expected margin and cost a year."""
    frame = view.coverage
    records = [] if frame is None else coverage_counts(frame).to_dict(orient="records")
    for r in records:
        r["model"] = model_text(str(r["model"]), t)
    columns = [
        Column("model", t("allocation.col.model")),
        Column("accounts", t("allocation.col.accounts"), "count"),
        Column("potential", t("allocation.col.potential"), "money"),
        Column("expected_margin", t("allocation.col.expected_margin"), "money"),
        Column("cost", t("allocation.col.cost"), "money"),
    ]
    return page_table("coverage-models", t("allocation.page.coverage_models"), columns, records)


def coverage_table(view: AllocationView, t: Translator) -> PageTable:
    """The coverage model of each account, largest potential first: complexity, digital share,
    the chosen model, its expected margin and cost a year and the reason in words."""
    frame = view.coverage if view.coverage is not None else pd.DataFrame()
    records = frame.to_dict(orient="records")
    for r in records:
        r["reason"] = t(f"allocation.coverage.reason.{r['reason']}")
        r["model"] = model_text(str(r["model"]), t)
    columns = [
        Column("account_id", t("allocation.col.account")),
        Column("segment", t("allocation.col.segment")),
        Column("potential", t("allocation.col.potential"), "money"),
        Column("complexity", t("allocation.col.complexity"), "number", 2),
        Column("digital_share", t("allocation.col.digital_share"), "percent", 0),
        Column("model", t("allocation.col.model")),
        Column("expected_margin", t("allocation.col.expected_margin"), "money"),
        Column("cost", t("allocation.col.cost"), "money"),
        Column("reason", t("allocation.col.reason")),
    ]
    return page_table("coverage", t("allocation.page.coverage"), columns, records)


def curve_table(view: AllocationView, t: Translator) -> PageTable:
    """What an hour of selling buys a customer of median potential, per weekly level."""
    records = [] if view.curve is None else view.curve.points().to_dict(orient="records")
    columns = [
        Column("hours_per_week", t("allocation.curve.col.hours_per_week"), "number", 2),
        Column("hours_per_year", t("allocation.curve.col.hours_per_year"), "number", 1),
        Column("share_of_potential", t("allocation.curve.col.share_of_potential"), "percent", 1),
        Column("intake", t("allocation.curve.col.intake"), "money"),
        Column("lift", t("allocation.curve.col.lift"), "money"),
        Column("next_hour", t("allocation.curve.col.next_hour"), "money"),
    ]
    return page_table("curve", t("allocation.curve.points"), columns, records)


def curve_line(view: AllocationView, t: Translator) -> str | None:
    """How the response curve was read, from how many customer-years, for which customer."""
    report = view.curve
    if report is None:
        return None
    method = "within" if report.curve.method == "within accounts" else "across"
    return t("allocation.curve.summary").format(
        method=t(f"allocation.curve.method.{method}"),
        years=t.number(report.customer_years),
        as_of=t.date(report.as_of),
        potential=t.money(report.typical_potential),
    )
