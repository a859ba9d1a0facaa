"""The management report: KPIs, alerts, funnel and forecast as HTML (opens offline) and Excel.

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
from revintel.report._workbook import write_xlsx_report

__all__ = [
    "REPORT_USER",
    "ReportData",
    "collect_report",
    "render_html_report",
    "report_charts",
    "write_html_report",
    "write_xlsx_report",
]
