"""The chart of the planning page: required MQLs per month as bars with their interval, beside
the run-rate; with the rows behind it as CSV."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from revintel.charts._charts import Chart, _plain

BLUE, GREY = "#1f5f8b", "#a0aec0"


@dataclass(frozen=True)
class NeedChart:
    """Need per month against the run-rate.

    ``rows`` are ``(month, required P50, low, high, run-rate)``; ``columns`` names them for
    the CSV and the legend (the first, third and fourth name the axis and the interval).
    """

    chart_id: str
    title: str
    columns: tuple[str, str, str, str, str]
    rows: Sequence[tuple[str, float, float | None, float | None, float | None]]

    def figure_json(self) -> str:
        """The Plotly figure as JSON: the need as bars with error bars from low to high, the
        run-rate as grey bars beside them."""
        x = [r[0] for r in self.rows]
        need = [r[1] for r in self.rows]
        plus = [None if r[3] is None else max(0.0, r[3] - r[1]) for r in self.rows]
        minus = [None if r[2] is None else max(0.0, r[1] - r[2]) for r in self.rows]
        traces = [
            {
                "type": "bar",
                "x": x,
                "y": need,
                "name": self.columns[1],
                "marker": {"color": BLUE},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": plus,
                    "arrayminus": minus,
                    "color": "#2d3748",
                },
            },
            {
                "type": "bar",
                "x": x,
                "y": [r[4] for r in self.rows],
                "name": self.columns[4],
                "marker": {"color": GREY},
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
