"""The Lead-feedback page: why sales rejects marketing's MQLs per group (rate with its interval,
Holm-corrected test, reasons' shares) and the proposed MQL definition with its trade-off curve;
every table downloadable as CSV and Excel.

The page asks the same views as ``GET /api/v1/feedback/reasons`` and ``/mql-definition``
(through the result cache), so its numbers are the API's. A sales rep sees the feedback on
their own leads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from revintel.alignment._feedback import FEEDBACK_BY, NO_GROUP
from revintel.alignment._mql_definition import TARGET_ACCEPTANCE, NoScoresError
from revintel.auth import Permission
from revintel.charts._feedback_charts import RateChart, TradeoffChart
from revintel.i18n import Language, Translator, label
from revintel.views._feedback import (
    DefinitionView,
    FeedbackRequestError,
    ReasonsView,
    feedback_reasons,
    mql_definition,
)
from revintel.views._handover import rejection_reasons
from revintel.web._context import CachedPageRoute, PageContext, PageDep
from revintel.web._table_export import (
    EXPORT_FORMATS,
    Column,
    PageTable,
    export_response,
    page_table,
)

router = APIRouter(include_in_schema=False, route_class=CachedPageRoute)
PATH = "/feedback"
REASON_TABLES = ("groups", "reasons")
DEFINITION_TABLES = ("curve", "rules")
TABLES = REASON_TABLES + DEFINITION_TABLES
Text = Annotated[str | None, Query(max_length=40)]


def parse_target(text: str | None, lang: Language) -> float:
    """The target acceptance as typed: ``0,5`` (German), ``0.5`` (English), ``50 %`` or ``50``
    in both; :data:`~revintel.alignment._mql_definition.TARGET_ACCEPTANCE` when empty.

    Raises
    ------
    FeedbackRequestError
        When the text is not a share strictly between 0 and 1 (0 % and 100 %).
    """
    cleaned = (text or "").replace("\u00a0", "").replace(" ", "").strip()
    if not cleaned:
        return TARGET_ACCEPTANCE
    percent = cleaned.endswith("%")
    number = cleaned.rstrip("%")
    number = number.replace(",", ".") if lang == "de" else number
    try:
        value = float(number)
    except ValueError:
        raise FeedbackRequestError(f"target {text!r} is not a number", "target") from None
    if percent or value > 1:
        value /= 100
    if not (math.isfinite(value) and 0 < value < 1):
        raise FeedbackRequestError(f"target {text!r} must lie between 0 and 1", "target")
    return value


def _group_text(by: str, group: str, shown: Any, t: Translator) -> str:
    if by == "channel":
        return label("channel", group, t.lang)
    return str(shown) if isinstance(shown, str) and shown else group


def reasons_table(view: ReasonsView, t: Translator, reasons: dict[str, str]) -> PageTable:
    """Rejections per group: MQLs, decided, rejected, the rate with its interval, the Holm
    p-value, the marker and the reasons with their shares."""
    shares: dict[str, list[str]] = {}
    for row in view.reasons.to_dict("records"):
        shares.setdefault(str(row["group"]), []).append(
            f"{_reason_text(row['reason'], t, reasons)} {t.percent(row['share'], 0)}"
        )
    records = [
        {
            **row,
            "label": _group_text(view.by, str(row["group"]), row["label"], t),
            "marker": t(f"feedback.direction.{row['direction']}")
            if isinstance(row["direction"], str)
            else "",
            "reasons": "; ".join(shares.get(str(row["group"]), [])),
        }
        for row in view.groups.to_dict("records")
    ]
    columns = [
        Column("label", t(f"feedback.by.{view.by}")),
        Column("mqls", t("feedback.mqls"), "count"),
        Column("decided", t("feedback_page.col.decided"), "count"),
        Column("rejected", t("feedback.rejected"), "count"),
        Column("rate", t("feedback.rate"), "percent"),
        Column("rate_low", t("feedback_page.col.low"), "percent"),
        Column("rate_high", t("feedback_page.col.high"), "percent"),
        Column("p_adjusted", t("feedback_page.col.p_adjusted"), "number", 4),
        Column("marker", t("feedback_page.col.marker")),
        Column("reasons", t("feedback_page.col.reasons")),
    ]
    return page_table("groups", t("feedback_page.table.groups"), columns, records)


def _reason_text(reason: Any, t: Translator, reasons: dict[str, str]) -> str:
    text = str(reason)
    return reasons.get(text) or label("rejection_reason", text, t.lang)


def reason_shares_table(view: ReasonsView, t: Translator, reasons: dict[str, str]) -> PageTable:
    """One row per group and reason: rejections and their share of the group's rejections."""
    labels = dict(zip(view.groups["group"], view.groups["label"], strict=True))
    records = [
        {
            **row,
            "label": _group_text(view.by, str(row["group"]), labels.get(row["group"]), t),
            "reason": _reason_text(row["reason"], t, reasons),
        }
        for row in view.reasons.to_dict("records")
    ]
    columns = [
        Column("label", t(f"feedback.by.{view.by}")),
        Column("reason", t("feedback.reason")),
        Column("rejected", t("feedback.rejected"), "count"),
        Column("share", t("feedback.share"), "percent"),
    ]
    return page_table("reasons", t("feedback_page.table.reasons"), columns, records)


def rate_chart(view: ReasonsView, t: Translator) -> RateChart | None:
    """The rejection rate per group with its interval, groups without decided MQLs left out."""
    rows = [
        (_group_text(view.by, str(r["group"]), r["label"], t), float(r["rate"]),
         r["rate_low"], r["rate_high"], r["direction"] == "higher")
        for r in view.groups.to_dict("records")
        if r["decided"] and not pd.isna(r["rate"])
    ]  # fmt: skip
    if not rows:
        return None
    columns = (
        t(f"feedback.by.{view.by}"), t("feedback.rate"),
        t("feedback_page.col.low"), t("feedback_page.col.high"),
    )  # fmt: skip
    return RateChart(
        "feedback-rates", t("feedback_page.chart.rate"), columns, rows, view.rate,
        t("feedback_page.chart.overall"), t.lang,
    )  # fmt: skip


def curve_table(view: DefinitionView, t: Translator) -> PageTable:
    """The trade-off curve of both periods, one row per period and threshold."""
    records = [
        {**row, "period": t(f"feedback.period.{row['period']}")}
        for row in view.proposal.curve.to_dict("records")
    ]
    columns = [
        Column("period", t("feedback.period")),
        Column("threshold", t("feedback.threshold"), "percent"),
        Column("mqls_kept", t("feedback_page.col.mqls_kept"), "count"),
        Column("share_kept", t("feedback.share_kept"), "percent"),
        Column("decided_kept", t("feedback_page.col.decided_kept"), "count"),
        Column("acceptance", t("feedback.acceptance"), "percent"),
        Column("wins_lost", t("feedback.wins_lost"), "count"),
        Column("won_amount_lost", t("feedback.amount_lost"), "money"),
    ]
    return page_table("curve", t("feedback_page.table.curve"), columns, records)


def rules_table(view: DefinitionView, t: Translator) -> PageTable:
    """The rule "no MQLs from channel X" per channel, for comparison with the threshold."""
    records = [
        {**row, "channel": label("channel", str(row["channel"]), t.lang)}
        for row in view.rules.to_dict("records")
    ]
    columns = [
        Column("channel", t("feedback_page.col.channel")),
        Column("mqls", t("feedback.mqls"), "count"),
        Column("acceptance", t("feedback_page.col.acceptance_channel"), "percent"),
        Column("acceptance_without", t("feedback_page.col.acceptance_without"), "percent"),
        Column("share_kept", t("feedback.share_kept"), "percent"),
        Column("wins_lost", t("feedback.wins_lost"), "count"),
        Column("won_amount_lost", t("feedback.amount_lost"), "money"),
    ]
    return page_table("rules", t("feedback_page.table.rules"), columns, records)


def tradeoff_chart(view: DefinitionView, t: Translator) -> TradeoffChart:
    """Acceptance of both periods, MQLs kept and wins lost per threshold, the proposal marked."""
    curve = view.proposal.curve
    chosen = curve[curve["period"] == "chosen"].set_index("threshold")
    test = curve[curve["period"] == "reported"].set_index("threshold")

    def value(frame: pd.DataFrame, threshold: float, column: str) -> float | None:
        found = frame[column].get(threshold) if threshold in frame.index else None
        return None if found is None or pd.isna(found) else float(found)

    rows = [
        (float(x), value(chosen, x, "acceptance"), value(test, x, "acceptance"),
         value(test, x, "share_kept"), value(test, x, "share_wins_lost"))
        for x in chosen.index
    ]  # fmt: skip
    columns = (
        t("feedback.threshold"), t("feedback_page.chart.acceptance_chosen"),
        t("feedback_page.chart.acceptance_test"), t("feedback_page.chart.kept"),
        t("feedback_page.chart.wins_lost"),
    )  # fmt: skip
    p = view.proposal
    threshold_name = "" if p.threshold is None else t("feedback_page.chart.threshold")
    return TradeoffChart(
        "feedback-tradeoff", t("feedback_page.chart.tradeoff"), columns, rows, p.target,
        t("feedback_page.chart.target").format(target=t.percent(p.target, 0)), p.threshold,
        threshold_name.format(threshold=t.percent(p.threshold)), t.lang,
    )  # fmt: skip


def proposal_text(view: DefinitionView, t: Translator) -> tuple[str, str]:
    """The proposal in one sentence (threshold, test-period acceptance, MQLs kept, wins and
    order intake lost) and the periods it was chosen and tested on."""
    p = view.proposal
    periods = t("feedback.periods").format(
        chosen_from=t.date(p.chosen_from), chosen_to=t.date(p.chosen_to),
        reported_from=t.date(p.reported_from), reported_to=t.date(p.reported_to),
    )  # fmt: skip
    if p.threshold is None:
        return t("feedback.no_threshold").format(target=t.percent(p.target)), periods
    chosen, reported = p.at("chosen", p.threshold), p.at("reported", p.threshold)
    key = "feedback.keep_all" if p.threshold == 0 else "feedback.proposal"
    sentence = t(key).format(
        threshold=t.percent(p.threshold), target=t.percent(p.target),
        acceptance=t.percent(reported["acceptance"]), kept=t.percent(reported["share_kept"]),
        wins_lost=t.number(reported["wins_lost"]),
        amount_lost=t.money(reported["won_amount_lost"], view.currency),
        chosen_acceptance=t.percent(chosen["acceptance"]),
    )  # fmt: skip
    return sentence, periods


@dataclass(frozen=True)
class Section:
    """One part of the page: its tables and chart, or why there are none."""

    tables: dict[str, PageTable] = field(default_factory=dict)
    chart: RateChart | TradeoffChart | None = None
    lines: tuple[str, ...] = ()
    problem: str | None = None
    no_scores: bool = False


def reasons_section(page: PageContext, by: str) -> Section:
    """The rejections of the user's MQLs by ``by``."""
    t = page.t
    try:
        view = page.query(feedback_reasons, by)
    except NoScoresError:
        return Section(no_scores=True)
    except FeedbackRequestError as exc:
        return Section(problem=t("feedback_page.bad_input").format(reason=str(exc)))
    if view.mqls == 0:
        return Section(problem=t("feedback_page.no_mqls"))
    if by == "score_band" and (view.groups["group"] == NO_GROUP).all():
        return Section(no_scores=True)  # no MQL has a score band: there are no scores
    reasons = dict(rejection_reasons(t.lang))
    summary = t("feedback_page.summary").format(
        rejected=t.number(view.rejected), decided=t.number(view.decided),
        rate=t.percent(view.rate), mqls=t.number(view.mqls),
    )  # fmt: skip
    tables = {
        "groups": reasons_table(view, t, reasons),
        "reasons": reason_shares_table(view, t, reasons),
    }
    return Section(tables, rate_chart(view, t), (summary,))


def definition_section(page: PageContext, target: float) -> Section:
    """The proposed MQL definition for ``target`` on the user's MQLs."""
    t = page.t
    try:
        view = page.query(mql_definition, target)
    except NoScoresError:
        return Section(no_scores=True)
    except FeedbackRequestError as exc:
        return Section(problem=t("feedback_page.bad_input").format(reason=str(exc)))
    p = view.proposal
    lines = [*proposal_text(view, t)]
    if p.open_reported:
        lines.append(t("feedback_page.open_note").format(open=t.number(p.open_reported)))
    if p.unscored:
        lines.append(t("feedback_page.unscored_note").format(unscored=t.number(p.unscored)))
    tables = {"curve": curve_table(view, t), "rules": rules_table(view, t)}
    return Section(tables, tradeoff_chart(view, t), tuple(lines))


def _by(value: str | None) -> str:
    return value if value else "channel"


@router.get(PATH, response_class=HTMLResponse)
def feedback_page(page: PageDep, by: Text = None, target: Text = None) -> Response:
    """Rejection reasons by the chosen breakdown and the MQL definition for the typed target."""
    t, chosen_by = page.t, _by(by)
    reasons = reasons_section(page, chosen_by)
    try:
        definition = definition_section(page, parse_target(target, t.lang))
    except FeedbackRequestError:
        definition = Section(problem=t("feedback_page.bad_target").format(text=target))
    params = {"by": chosen_by, "target": target}
    return page.render(
        "feedback.html",
        by=chosen_by,
        breakdowns=FEEDBACK_BY,
        target=target,
        reasons=reasons,
        definition=definition,
        scope_note=None
        if page.user.can(Permission.view_all_rows)
        else t("feedback_page.scope_rep"),
        export_urls={
            (name, fmt): page.url(f"{PATH}/export", table=name, format=fmt, **params)
            for name in TABLES
            for fmt in EXPORT_FORMATS
        },
    )


@router.get(f"{PATH}/export")
def feedback_export(
    page: PageDep,
    table: Annotated[str, Query(max_length=40)],
    format: Annotated[str, Query(max_length=10)] = "csv",
    by: Text = None,
    target: Text = None,
) -> Response:
    """One table of the page as CSV (in the page's language) or Excel."""
    if table not in TABLES or format not in EXPORT_FORMATS:
        return Response(
            f"unknown table {table!r} or format {format!r}; tables: {', '.join(TABLES)}; "
            "formats: csv, xlsx",
            status_code=404,
            media_type="text/plain",
        )
    if table in REASON_TABLES:
        section = reasons_section(page, _by(by))
    else:
        try:
            section = definition_section(page, parse_target(target, page.t.lang))
        except FeedbackRequestError as exc:
            return Response(str(exc), status_code=422, media_type="text/plain")
    chosen = section.tables.get(table)
    if chosen is None:
        reason = section.problem or page.t("feedback_page.no_scores")
        return Response(reason, status_code=409, media_type="text/plain")
    return export_response(chosen, format, page.t)
