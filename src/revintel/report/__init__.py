"""The management report: KPIs, alerts, funnel and forecast as HTML (opens offline) and Excel;
and the joint scorecard of marketing and sales as the HTML fragment the dashboard shows, its
PDF (printed from that HTML by headless Chromium) and its Excel workbook.

``revintel report``, the API's ``/api/v1/report`` and the dashboard's download all make it
here, from the same view functions as the pages, so its numbers equal theirs.
"""

from revintel.report._html import (
    REPORT_USER,
    ReportData,
    collect_report,
    render_html_report,
    report_charts,
    write_html_report,
)
from revintel.report._pdf import PdfError, html_to_pdf
from revintel.report._scorecard import render_scorecard, scorecard_pdf
from revintel.report._scorecard_workbook import scorecard_workbook
from revintel.report._workbook import write_xlsx_report

__all__ = [
    "REPORT_USER",
    "PdfError",
    "ReportData",
    "collect_report",
    "html_to_pdf",
    "render_html_report",
    "render_scorecard",
    "report_charts",
    "scorecard_pdf",
    "scorecard_workbook",
    "write_html_report",
    "write_xlsx_report",
]
