"""Charts of the pricing page: the price waterfall, a price band with its deals as points, and the
price-response curve with the margin-optimal price; each with the rows behind it as CSV."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from revintel.charts._charts import Chart, _plain

BLUE, GREEN, RED, AMBER, GREY = "#1f5f8b", "#2f855a", "#9b2c2c", "#b7791f", "#4a5568"
_LAYOUT = {"paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "legend": {"orientation": "h"}}


@dataclass(frozen=True)
class WaterfallChart:
    """From list price down to pocket margin, step by step.

    ``rows`` are ``(step, amount, kind)`` with kind ``total`` for a level (list price, invoice
    price, pocket price, pocket margin) and ``step`` for a change (a discount, an off-invoice
    item or the cost, negative when it lowers the price).
    """

    chart_id: str
    title: str
    columns: tuple[str, str, str]
    rows: Sequence[tuple[str, float, str]]

    def figure_json(self) -> str:
        """The Plotly figure as JSON: one ``waterfall`` trace, levels drawn from zero."""
        trace = {
            "type": "waterfall",
            "x": [r[0] for r in self.rows],
            "y": [r[1] for r in self.rows],
            "measure": ["absolute" if r[2] == "total" else "relative" for r in self.rows],
            "connector": {"line": {"color": "#a0aec0", "width": 1}},
            "decreasing": {"marker": {"color": RED}},
            "increasing": {"marker": {"color": GREEN}},
            "totals": {"marker": {"color": BLUE}},
            "name": self.columns[1],
        }
        layout = {
            **_LAYOUT,
            "title": {"text": self.title},
            "xaxis": {"automargin": True},
            "yaxis": {"title": {"text": self.columns[1]}, "rangemode": "tozero"},
            "margin": {"l": 80, "r": 20, "t": 50, "b": 90},
            "height": 400,
            "showlegend": False,
        }
        return json.dumps({"data": [trace], "layout": layout}, default=_plain)

    def csv_text(self) -> str:
        """The steps as CSV with a header line."""
        return Chart(self.chart_id, self.title, self.columns, self.rows).csv_text()


@dataclass(frozen=True)
class BandChart:
    """One price band (floor, target, stretch as price shares of list) behind its deals.

    ``band`` is ``(floor, target, stretch)``; ``rows`` are ``(deal, list price, price share,
    status text, is_open)`` — won and lost closed deals as points, open deals highlighted.
    ``labels`` are the texts of floor, target and stretch.
    """

    chart_id: str
    title: str
    columns: tuple[str, str, str, str]
    band: tuple[float, float, float]
    rows: Sequence[tuple[str, float, float, str, bool]]
    labels: tuple[str, str, str]

    def _points(self) -> list[dict[str, Any]]:
        groups = list(dict.fromkeys((r[3], r[4]) for r in self.rows))
        colours = [GREEN, RED, AMBER, GREY]
        traces = []
        for i, (status, is_open) in enumerate(groups):
            chosen = [r for r in self.rows if (r[3], r[4]) == (status, is_open)]
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": status,
                    "x": [r[1] for r in chosen],
                    "y": [r[2] for r in chosen],
                    "text": [r[0] for r in chosen],
                    "marker": {
                        "color": AMBER if is_open else colours[i % len(colours)],
                        "size": 11 if is_open else 6,
                        "symbol": "diamond" if is_open else "circle",
                        "opacity": 1.0 if is_open else 0.55,
                    },
                }
            )
        return traces

    def figure_json(self) -> str:
        """The Plotly figure as JSON: the band as a shaded span from floor to stretch with the
        target as a line, the deals as markers (x: list price, y: price as share of list)."""
        floor, target, stretch = self.band
        shapes = [
            {"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": floor,
             "y1": stretch, "fillcolor": "rgba(31,95,139,0.12)", "line": {"width": 0},
             "layer": "below"},
            {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": target,
             "y1": target, "line": {"color": BLUE, "width": 2, "dash": "dash"}},
        ]  # fmt: skip
        notes = [
            {"xref": "paper", "x": 1, "xanchor": "right", "yref": "y", "y": value,
             "text": text, "showarrow": False, "font": {"size": 11, "color": BLUE}}
            for value, text in zip(self.band, self.labels, strict=True)
        ]  # fmt: skip
        layout = {
            **_LAYOUT,
            "title": {"text": self.title},
            "xaxis": {"title": {"text": self.columns[1]}, "type": "log", "automargin": True},
            "yaxis": {"title": {"text": self.columns[2]}, "tickformat": ".0%"},
            "shapes": shapes,
            "annotations": notes,
            "margin": {"l": 70, "r": 20, "t": 50, "b": 60},
            "height": 400,
        }
        return json.dumps({"data": self._points(), "layout": layout}, default=_plain)

    def csv_text(self) -> str:
        """The deals as CSV: deal, list price, price share and status."""
        rows = [r[:4] for r in self.rows]
        return Chart(self.chart_id, self.title, self.columns, rows).csv_text()


@dataclass(frozen=True)
class ResponseChart:
    """Win chance and expected margin over the price of one deal.

    ``rows`` are ``(price share of list, win chance, lower, upper, expected margin)``;
    ``marks`` are ``(price share, text)`` drawn as vertical lines (the margin-optimal price,
    the current price).
    """

    chart_id: str
    title: str
    columns: tuple[str, str, str, str, str]
    rows: Sequence[tuple[float, float, float | None, float | None, float]]
    marks: Sequence[tuple[float, str]] = ()

    def figure_json(self) -> str:
        """The Plotly figure as JSON: the interval as a filled band, the win chance on the left
        axis, the expected margin on the right one, marks as dashed vertical lines."""
        x = [r[0] for r in self.rows]
        edge = {"type": "scatter", "mode": "lines", "line": {"width": 0}, "showlegend": False,
                "hoverinfo": "skip"}  # fmt: skip
        traces: list[dict[str, Any]] = []
        if all(r[2] is not None and r[3] is not None for r in self.rows):
            traces += [
                {**edge, "x": x, "y": [r[2] for r in self.rows], "name": self.columns[2]},
                {**edge, "x": x, "y": [r[3] for r in self.rows], "name": self.columns[3],
                 "fill": "tonexty", "fillcolor": "rgba(31,95,139,0.2)"},
            ]  # fmt: skip
        traces += [
            {"type": "scatter", "mode": "lines", "x": x, "y": [r[1] for r in self.rows],
             "name": self.columns[1], "line": {"color": BLUE, "width": 3}},
            {"type": "scatter", "mode": "lines", "x": x, "y": [r[4] for r in self.rows],
             "name": self.columns[4], "yaxis": "y2", "line": {"color": GREEN, "width": 2}},
        ]  # fmt: skip
        shapes = [
            {"type": "line", "xref": "x", "x0": at, "x1": at, "yref": "paper", "y0": 0, "y1": 1,
             "line": {"color": AMBER if i == 0 else GREY, "width": 2, "dash": "dash"}}
            for i, (at, _) in enumerate(self.marks)
        ]  # fmt: skip
        notes = [
            {"xref": "x", "x": at, "yref": "paper", "y": 1, "yanchor": "bottom", "text": text,
             "showarrow": False, "font": {"size": 11, "color": AMBER if i == 0 else GREY}}
            for i, (at, text) in enumerate(self.marks)
        ]  # fmt: skip
        layout = {
            **_LAYOUT,
            "title": {"text": self.title},
            "xaxis": {"title": {"text": self.columns[0]}, "tickformat": ".0%"},
            "yaxis": {"title": {"text": self.columns[1]}, "tickformat": ".0%",
                      "range": [0, 1]},
            "yaxis2": {"title": {"text": self.columns[4]}, "overlaying": "y", "side": "right",
                       "rangemode": "tozero"},
            "shapes": shapes,
            "annotations": notes,
            "margin": {"l": 70, "r": 80, "t": 70, "b": 60},
            "height": 420,
        }  # fmt: skip
        return json.dumps({"data": traces, "layout": layout}, default=_plain)

    def csv_text(self) -> str:
        """The curve as CSV with a header line."""
        return Chart(self.chart_id, self.title, self.columns, self.rows).csv_text()
