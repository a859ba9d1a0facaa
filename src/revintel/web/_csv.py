"""A chart's rows as a CSV download, for every page that offers one."""

from __future__ import annotations

from fastapi.responses import PlainTextResponse, Response

from revintel.charts import Chart


def chart_csv(chart: Chart, chart_id: str) -> Response:
    """The rows behind ``chart`` as ``chart_id.csv``, to be saved rather than shown."""
    return PlainTextResponse(
        chart.csv_text(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{chart_id}.csv"'},
    )
