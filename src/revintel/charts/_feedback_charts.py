"""The charts of the lead-feedback page: the rejection rate per group with its interval, and the
trade-off curve of the proposed MQL definition (acceptance against the MQLs kept and the wins
lost per score threshold); with the rows behind them as CSV."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from revintel.charts._charts import Chart, _plain

BLUE, RED, GREY, ORANGE = "#1f5f8b", "#c53030", "#718096", "#dd6b20"
#: Plotly's decimal and thousands separators per language.
SEPARATORS = {"de": ",.", "en": ".,"}


def _layout(title: str, lang: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title},
        "margin": {"l": 60, "r": 60, "t": 50, "b": 80},
        "height": 380,
        "legend": {"orientation": "h"},
        "separators": SEPARATORS.get(lang, ".,"),
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        **extra,
    }


@dataclass(frozen=True)
class RateChart:
    """The rejection rate per group as bars with their 95 % interval as error bars, and the
    rate of all groups as a line.

    ``rows`` are ``(group, rate, low, high, significantly higher)``; ``columns`` names the
    first four for the CSV and the axes. ``overall`` is the rate of all decided MQLs.
    """

    chart_id: str
    title: str
    columns: tuple[str, str, str, str]
    rows: Sequence[tuple[str, float | None, float | None, float | None, bool]]
    overall: float | None
    overall_name: str
    lang: str = "en"

    def figure_json(self) -> str:
        """The Plotly figure as JSON; groups significantly above the rest are drawn red."""
        x = [r[0] for r in self.rows]
        rate = [r[1] for r in self.rows]
        plus = [None if r[1] is None or r[3] is None else max(0.0, r[3] - r[1]) for r in self.rows]
        minus = [None if r[1] is None or r[2] is None else max(0.0, r[1] - r[2]) for r in self.rows]
        traces: list[dict[str, Any]] = [
            {
                "type": "bar",
                "x": x,
                "y": rate,
                "name": self.columns[1],
                "marker": {"color": [RED if r[4] else BLUE for r in self.rows]},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": plus,
                    "arrayminus": minus,
                    "color": "#2d3748",
                },
            }
        ]
        if self.overall is not None and x:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": x,
                    "y": [self.overall] * len(x),
                    "name": self.overall_name,
                    "line": {"color": GREY, "dash": "dash"},
                }
            )
        layout = _layout(
            self.title,
            self.lang,
            xaxis={"title": {"text": self.columns[0]}, "type": "category", "automargin": True},
            yaxis={"title": {"text": self.columns[1]}, "tickformat": ".0%", "range": [0, 1]},
        )
        return json.dumps({"data": traces, "layout": layout}, default=_plain)

    def csv_text(self) -> str:
        """The chart's rows as CSV with a header line."""
        rows = [r[:4] for r in self.rows]
        return Chart(self.chart_id, self.title, self.columns, rows).csv_text()


@dataclass(frozen=True)
class TradeoffChart:
    """Acceptance per score threshold in the choosing and the test period (left axis), the
    share of MQLs kept and of wins lost in the test period (right axis), the target acceptance
    as a line and the chosen threshold marked.

    ``rows`` are ``(threshold, acceptance chosen, acceptance test, share kept, share of wins
    lost)``, shares between 0 and 1; ``columns`` names them.
    """

    chart_id: str
    title: str
    columns: tuple[str, str, str, str, str]
    rows: Sequence[tuple[float, float | None, float | None, float | None, float | None]]
    target: float
    target_name: str
    threshold: float | None
    threshold_name: str
    lang: str = "en"

    def _line(self, index: int, color: str, axis: str, dash: str = "solid") -> dict[str, Any]:
        return {
            "type": "scatter",
            "mode": "lines+markers",
            "x": [r[0] for r in self.rows],
            "y": [r[index] for r in self.rows],
            "name": self.columns[index],
            "yaxis": axis,
            "line": {"color": color, "dash": dash, "shape": "hv"},
        }

    def figure_json(self) -> str:
        """The Plotly figure as JSON with two y axes."""
        traces = [
            self._line(1, BLUE, "y", "dot"),
            self._line(2, BLUE, "y"),
            self._line(3, GREY, "y2"),
            self._line(4, ORANGE, "y2"),
        ]
        shapes: list[dict[str, Any]] = [
            {
                "type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                "y0": self.target, "y1": self.target,
                "line": {"color": RED, "dash": "dash", "width": 1},
            }
        ]  # fmt: skip
        annotations: list[dict[str, Any]] = [
            {"xref": "paper", "x": 1, "y": self.target, "yref": "y", "text": self.target_name,
             "showarrow": False, "xanchor": "right", "yanchor": "bottom", "font": {"color": RED}}
        ]  # fmt: skip
        if self.threshold is not None:
            shapes.append(
                {
                    "type": "line", "yref": "paper", "y0": 0, "y1": 1, "xref": "x",
                    "x0": self.threshold, "x1": self.threshold,
                    "line": {"color": "#2d3748", "width": 2},
                }
            )  # fmt: skip
            annotations.append(
                {"x": self.threshold, "xref": "x", "y": 1, "yref": "paper",
                 "text": self.threshold_name, "showarrow": False, "xanchor": "left",
                 "yanchor": "bottom"}
            )  # fmt: skip
        layout = _layout(
            self.title,
            self.lang,
            xaxis={"title": {"text": self.columns[0]}, "tickformat": ".0%"},
            yaxis={"title": {"text": self.columns[2]}, "tickformat": ".0%", "range": [0, 1.05]},
            yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%",
                    "range": [0, 1.05], "showgrid": False},
            shapes=shapes,
            annotations=annotations,
        )  # fmt: skip
        return json.dumps({"data": traces, "layout": layout}, default=_plain)

    def csv_text(self) -> str:
        """The chart's rows as CSV with a header line."""
        return Chart(self.chart_id, self.title, self.columns, self.rows).csv_text()
