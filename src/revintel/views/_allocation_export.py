"""The capacity allocation as scripts and the CRM read it: one row per assignment with its reason
in words, as CSV (German: semicolons and decimal commas) or an Excel workbook, for the command
line and the API alike."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

from revintel.allocation import ASSIGNMENT_COLUMNS, Allocation, AllocationReason
from revintel.i18n import Language, Translator

_MONEY_PLACEHOLDERS = ("gain", "gain_over_owner")


def allocation_reason_text(reason: AllocationReason, t: Translator) -> str:
    """Why an assignment was made, in the translator's language: the reason's parts joined by
    ``; ``, euros as money in the store currency, the fit factor with two decimals."""
    values: dict[str, Any] = dict(reason.placeholders())
    for key in _MONEY_PLACEHOLDERS:
        values[key] = t.money(float(values[key]))
    values["fit"] = t.number(reason.fit, 2)
    return "; ".join(t(key).format(**values) for key in reason.parts())


def assignment_rows(allocation: Allocation, t: Translator) -> pd.DataFrame:
    """The contract columns (:data:`~revintel.allocation.ASSIGNMENT_COLUMNS`) with the reason
    as text in the translator's language."""
    rows = allocation.assignments.copy()
    rows["reason"] = [allocation_reason_text(r, t) for r in rows["reason"]]
    return rows[list(ASSIGNMENT_COLUMNS)].reset_index(drop=True)


def assignments_csv(rows: pd.DataFrame, lang: Language) -> str:
    """``rows`` as CSV with a header line: German with semicolons and decimal commas (as Excel
    in Germany reads it), English with commas and decimal points.

    Examples
    --------
    >>> rows = pd.DataFrame({"rep_id": ["R1"], "hours_per_week": [0.25]})
    >>> assignments_csv(rows, "de")
    'rep_id;hours_per_week\\nR1;0,25\\n'
    >>> assignments_csv(rows, "en")
    'rep_id,hours_per_week\\nR1,0.25\\n'
    """
    buffer = io.StringIO()
    german = lang == "de"
    rows.to_csv(
        buffer,
        sep=";" if german else ",",
        decimal="," if german else ".",
        index=False,
        lineterminator="\n",
    )
    return buffer.getvalue()


def assignments_workbook(sheets: dict[str, pd.DataFrame], target: Path | io.BytesIO) -> None:
    """One worksheet per frame: a bold header row, numbers as numbers."""
    import xlsxwriter

    if isinstance(target, io.BytesIO):
        book = xlsxwriter.Workbook(target, {"in_memory": True})
    else:
        book = xlsxwriter.Workbook(str(target))
    with book:
        bold = book.add_format({"bold": True})
        for name, frame in sheets.items():
            page = book.add_worksheet(name[:31])
            for col, header in enumerate(frame.columns):
                page.write(0, col, str(header), bold)
                page.set_column(col, col, max(12, len(str(header)) + 2))
            for row, record in enumerate(frame.itertuples(index=False), start=1):
                for col, value in enumerate(record):
                    if value is not None and not (isinstance(value, float) and value != value):
                        page.write(row, col, value)
            page.freeze_panes(1, 0)


def suggestion_rows(suggestions: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """Suggested owners (:func:`~revintel.allocation.suggest_owners`) with the reason in words:
    chances as percentages and the expected gain as money in its template."""
    rows = suggestions.copy()
    texts = []
    for record in rows.to_dict("records"):
        values = {k: ("" if v is None or v != v else v) for k, v in record.items()}
        for key in ("p_win_suggested", "p_win_current"):
            values[key] = t.percent(_number(record.get(key)))
        values["expected_gain"] = t.money(_number(record.get("expected_gain")))
        texts.append(t(str(record["reason"])).format(**values))
    rows["reason"] = texts
    return rows.reset_index(drop=True)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if number != number else number


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """:func:`assignments_workbook` in memory."""
    buffer = io.BytesIO()
    assignments_workbook(sheets, buffer)
    return buffer.getvalue()


def portfolio_rows(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """The portfolio (:func:`~revintel.allocation.portfolio`) or one of its lists with
    ``level_reason_text``: what set the recommended level, in the translator's language."""
    rows = frame.copy()
    rows["level_reason_text"] = [
        t(f"allocation.portfolio.reason.{kind}") for kind in rows["level_reason"]
    ]
    return rows.reset_index(drop=True)


def coverage_rows(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """The coverage model per account (:func:`~revintel.allocation.coverage_models`) with the
    reason in words in the translator's language (``reason``) and its kind beside
    (``reason_kind``: complexity, potential, digital or cost)."""
    rows = frame.copy()
    rows["reason_kind"] = rows["reason"]
    rows["reason"] = [t(f"allocation.coverage.reason.{kind}") for kind in rows["reason_kind"]]
    return rows.reset_index(drop=True)


def coverage_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Accounts, potential, expected margin and cost per coverage model of ``frame`` (all three
    models, most personal first, empty ones with zeros)."""
    models = ["field", "inside", "digital"]
    grouped = frame.groupby("model").agg(
        accounts=("account_id", "size"),
        potential=("potential", "sum"),
        expected_margin=("expected_margin", "sum"),
        cost=("cost", "sum"),
    )
    counts = grouped.reindex(models, fill_value=0).rename_axis("model").reset_index()
    counts["accounts"] = counts["accounts"].astype(int)
    return counts


def curve_display(
    parameters: pd.DataFrame, points: pd.DataFrame, t: Translator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The response curve's parameters and points (:class:`~revintel.allocation.CurveReport`)
    as text in the translator's language: headers, numbers, shares and money."""

    def value(v: float, name: str) -> str:  # shares to four places, hours to one
        return "" if pd.isna(v) else t.number(v, 1 if name == "h_half" else 4)

    params = pd.DataFrame(
        {
            t("allocation.curve.col.parameter"): parameters["parameter"],
            **{
                t(f"allocation.curve.col.{c}"): [
                    value(v, name)
                    for v, name in zip(parameters[c], parameters["parameter"], strict=True)
                ]
                for c in ("value", "low", "high")
            },
        }
    )
    shown = pd.DataFrame(
        {
            t("allocation.curve.col.hours_per_week"): [
                t.number(v, 2) for v in points["hours_per_week"]
            ],
            t("allocation.curve.col.hours_per_year"): [
                t.number(v, 1) for v in points["hours_per_year"]
            ],
            t("allocation.curve.col.share_of_potential"): [
                t.percent(v) for v in points["share_of_potential"]
            ],
            **{
                t(f"allocation.curve.col.{c}"): [t.money(v) for v in points[c]]
                for c in ("intake", "lift", "next_hour")
            },
        }
    )
    return params, shown
