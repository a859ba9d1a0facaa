"""Charts of the buying journey and attribution pages: shares over time with marked events, and
a Sankey diagram of channel sequences; each with the rows behind it as CSV."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from revintel.charts._charts import Chart, _plain

#: Colours of the series of a line chart, in order, and of a Sankey's end nodes.
SERIES_COLOURS = ("#1f5f8b", "#b7791f", "#2f855a", "#9b2c2c", "#6b46c1", "#4a5568")
NODE_COLOUR = "#8fb3cc"


@dataclass(frozen=True)
class Band:
    """A shaded span of the x axis with a label: an event such as a stop of trade fairs."""

    start: Any
    end: Any
    label: str


@dataclass(frozen=True)
class LineChart:
    """Lines over periods, one per value of the rows' third column, with shaded :class:`Band`\\ s.

    ``rows`` are ``(x, y, series)``; ``columns`` names them for the axes and the CSV.
    """

    chart_id: str
    title: str
    columns: tuple[str, str, str]
    rows: Sequence[tuple[Any, Any, str]]
    percent: bool = False
    bands: tuple[Band, ...] = ()

    def figure_json(self) -> str:
        """The Plotly figure as JSON: lines with markers, bands as shapes with a label."""
        series = list(dict.fromkeys(r[2] for r in self.rows))
        traces = [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": [r[0] for r in self.rows if r[2] == name],
                "y": [r[1] for r in self.rows if r[2] == name],
                "name": str(name),
                "line": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "width": 2},
            }
            for i, name in enumerate(series)
        ]
        shapes = [
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": b.start,
                "x1": b.end,
                "y0": 0,
                "y1": 1,
                "fillcolor": "rgba(183,121,31,0.15)",
                "line": {"width": 0},
                "layer": "below",
            }
            for b in self.bands
        ]
        notes = [
            {
                "x": b.start,
                "xref": "x",
                "xanchor": "left",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "text": b.label,
                "showarrow": False,
                "font": {"size": 11, "color": "#7b5412"},
            }
            for b in self.bands
        ]
        layout = {
            "title": {"text": self.title},
            "xaxis": {"title": {"text": self.columns[0]}, "automargin": True},
            "yaxis": {
                "title": {"text": self.columns[1]},
                "rangemode": "tozero",
                **({"tickformat": ".0%"} if self.percent else {}),
            },
            "shapes": shapes,
            "annotations": notes,
            "margin": {"l": 60, "r": 20, "t": 70, "b": 60},
            "height": 380,
            "legend": {"orientation": "h"},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        }
        return json.dumps({"data": traces, "layout": layout}, default=_plain)

    def csv_text(self) -> str:
        """The chart's rows as CSV with a header line."""
        return Chart(self.chart_id, self.title, self.columns, self.rows).csv_text()


@dataclass(frozen=True)
class SankeyChart:
    """Flows between nodes, drawn as a Sankey diagram.

    ``links`` are ``(source, target, value)`` by node key; ``labels`` gives each key's text
    (several nodes may share one: the same channel at different steps), ``colours`` the
    colour of particular nodes (the ends, say).
    """

    chart_id: str
    title: str
    columns: tuple[str, str, str]
    links: Sequence[tuple[str, str, float]]
    labels: Mapping[str, str]
    colours: Mapping[str, str] = field(default_factory=dict)

    def _nodes(self) -> list[str]:
        return list(dict.fromkeys(k for s, t, _ in self.links for k in (s, t)))

    def figure_json(self) -> str:
        """The Plotly figure as JSON: one ``sankey`` trace."""
        nodes = self._nodes()
        index = {k: i for i, k in enumerate(nodes)}
        trace = {
            "type": "sankey",
            "arrangement": "snap",
            "node": {
                "label": [self.labels.get(k, k) for k in nodes],
                "color": [self.colours.get(k, NODE_COLOUR) for k in nodes],
                "pad": 12,
                "thickness": 14,
            },
            "link": {
                "source": [index[s] for s, _, _ in self.links],
                "target": [index[t] for _, t, _ in self.links],
                "value": [v for _, _, v in self.links],
            },
        }
        layout = {
            "title": {"text": self.title},
            "margin": {"l": 20, "r": 20, "t": 50, "b": 20},
            "height": 460,
            "paper_bgcolor": "#ffffff",
        }
        return json.dumps({"data": [trace], "layout": layout}, default=_plain)

    def csv_text(self) -> str:
        """The flows as CSV: source and target in words, and the value."""
        rows = [(self.labels.get(s, s), self.labels.get(t, t), v) for s, t, v in self.links]
        return Chart(self.chart_id, self.title, self.columns, rows).csv_text()
