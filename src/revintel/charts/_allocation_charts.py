"""The chart of the Resources page: each rep's weekly hours today and under the plan as bars
beside the rep's capacity; with the rows behind it as CSV."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from revintel.charts._charts import Chart, _plain

GREY, BLUE, RED = "#a0aec0", "#1f5f8b", "#c53030"


@dataclass(frozen=True)
class LoadChart:
    """Hours a week per rep before and after against capacity.

    ``rows`` are ``(rep, hours today, hours planned, capacity)``; ``columns`` names them for the
    CSV and the legend.
    """

    chart_id: str
    title: str
    columns: tuple[str, str, str, str]
    rows: Sequence[tuple[str, float, float, float | None]]

    def figure_json(self) -> str:
        """The Plotly figure as JSON: today's hours grey, the plan's blue, capacity as red
        markers over each rep's bars."""
        x = [r[0] for r in self.rows]
        traces = [
            {
                "type": "bar",
                "x": x,
                "y": [r[1] for r in self.rows],
                "name": self.columns[1],
                "marker": {"color": GREY},
            },
            {
                "type": "bar",
                "x": x,
                "y": [r[2] for r in self.rows],
                "name": self.columns[2],
                "marker": {"color": BLUE},
            },
            {
                "type": "scatter",
                "mode": "markers",
                "x": x,
                "y": [r[3] for r in self.rows],
                "name": self.columns[3],
                "marker": {"color": RED, "symbol": "line-ew", "size": 28, "line": {"width": 3}},
            },
        ]
        layout = {
            "title": {"text": self.title},
            "xaxis": {"title": {"text": self.columns[0]}, "type": "category"},
            "yaxis": {"rangemode": "tozero"},
            "barmode": "group",
            "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
            "height": 360,
            "legend": {"orientation": "h"},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        }
        return json.dumps({"data": traces, "layout": layout}, default=_plain)

    def csv_text(self) -> str:
        """The chart's rows as CSV with a header line."""
        return Chart(self.chart_id, self.title, self.columns, self.rows).csv_text()
