"""Charts: a Plotly figure and the rows behind it, downloadable as CSV, and plotly.js."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import plotly

#: ``charts.js`` (draws every chart of a page) and ``app.css`` (the look of pages and report).
STATIC_DIR = Path(__file__).parent / "static"


@cache
def plotly_js() -> bytes:
    """plotly.min.js as shipped inside the installed ``plotly`` package (never from a CDN)."""
    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


@dataclass(frozen=True)
class Chart:
    """One chart: an id (used for the PNG file name and the CSV link), its figure and rows."""

    chart_id: str
    title: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[Any, ...]]
    kind: str = "bar"
    percent: bool = False
    stacked: bool = False

    def figure_json(self) -> str:
        """The Plotly figure as JSON, drawn in the browser by ``/static/charts.js``.

        Written as plain data in Plotly's figure schema (``data`` traces and ``layout``): building
        a ``plotly.graph_objects`` figure validates every property and costs more than the page.
        Rows with a third column become one trace per value of it.
        """
        groups = list(dict.fromkeys(r[2] for r in self.rows)) if len(self.columns) > 2 else [None]
        traces = [
            {
                "type": self.kind,
                "x": [r[0] for r in self.rows if group is None or r[2] == group],
                "y": [r[1] for r in self.rows if group is None or r[2] == group],
                "name": self.columns[1] if group is None else str(group),
                **({"marker": {"color": "#1f5f8b"}} if group is None else {}),
            }
            for group in groups
        ]
        layout = {
            "title": {"text": self.title},
            "xaxis": {"title": {"text": self.columns[0]}, "automargin": True},
            "yaxis": {
                "title": {"text": self.columns[1]},
                "rangemode": "tozero",
                **({"tickformat": ".0%"} if self.percent else {}),
            },
            "margin": {"l": 60, "r": 20, "t": 50, "b": 80},
            "height": 360,
            "barmode": "stack" if self.stacked else "group",
            "showlegend": len(groups) > 1,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        }
        return json.dumps({"data": traces, "layout": layout}, default=_plain)

    def csv_text(self) -> str:
        """The chart's rows as CSV with a header line."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if v is None else v for v in row])
        return buffer.getvalue()


@dataclass(frozen=True)
class FanChart:
    """A forecast fan: the P50 line inside the P10–P90 band, one point per period.

    ``rows`` are ``(period, p10, p50, p90)``; ``columns`` names them for the CSV and the legend.
    """

    chart_id: str
    title: str
    columns: tuple[str, str, str, str]
    rows: Sequence[tuple[Any, float, float, float]]
    y_title: str = ""
    #: A target per period (``None`` where there is none), drawn as a dashed line; its name.
    targets: Sequence[float | None] = ()
    target_name: str = "target"

    def figure_json(self) -> str:
        """The Plotly figure as JSON: P10 and P90 as a filled band, P50 as a line with markers,
        and the periods' targets as a dashed line when there are any."""
        x = [r[0] for r in self.rows]
        band = {"type": "scatter", "mode": "lines", "line": {"width": 0.5, "color": "#8fb3cc"}}
        traces = [
            {**band, "x": x, "y": [r[1] for r in self.rows], "name": self.columns[1]},
            {
                **band,
                "x": x,
                "y": [r[3] for r in self.rows],
                "name": self.columns[3],
                "fill": "tonexty",
                "fillcolor": "rgba(31,95,139,0.2)",
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": x,
                "y": [r[2] for r in self.rows],
                "name": self.columns[2],
                "line": {"color": "#1f5f8b", "width": 3},
            },
        ]
        if any(t is not None for t in self.targets):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": x,
                    "y": list(self.targets),
                    "name": self.target_name,
                    "line": {"color": "#b03a2e", "width": 2, "dash": "dash"},
                    "marker": {"symbol": "line-ew-open", "size": 14},
                }
            )
        layout = {
            "title": {"text": self.title},
            "xaxis": {"title": {"text": self.columns[0]}, "type": "category"},
            "yaxis": {"title": {"text": self.y_title}, "rangemode": "tozero"},
            "margin": {"l": 80, "r": 20, "t": 50, "b": 60},
            "height": 380,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        }
        return json.dumps({"data": traces, "layout": layout}, default=_plain)

    def csv_text(self) -> str:
        """The chart's rows as CSV with a header line (and the target column when drawn)."""
        if any(t is not None for t in self.targets):
            rows = [(*r, t) for r, t in zip(self.rows, self.targets, strict=True)]
            columns = (*self.columns, self.target_name)
            return Chart(self.chart_id, self.title, columns, rows).csv_text()
        return Chart(self.chart_id, self.title, self.columns, self.rows).csv_text()


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} into a chart")
