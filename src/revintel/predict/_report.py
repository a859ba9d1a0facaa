"""The evaluation report: out-of-time metrics of every current model and its baselines, as a
table and as an HTML page with calibration and lift charts."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from revintel.predict._registry import ModelRecord

#: One colour per algorithm, the same in every chart.
COLOURS = {
    "lightgbm": "#1f77b4",
    "naive_bayes": "#ff7f0e",
    "points": "#2ca02c",
    "milestone_prior": "#9467bd",
}
METRIC_KEYS = ("auc", "log_loss", "brier", "lift_top_decile", "rows", "positives")


def _evaluations(record: ModelRecord) -> dict[str, dict[str, Any]]:
    out = {}
    if "auc" in record.metrics:
        out["lightgbm"] = record.metrics
    out.update(record.baseline_metrics)
    return out


def evaluation_frame(records: list[ModelRecord]) -> pd.DataFrame:
    """One row per model and algorithm (the model and each baseline) with out-of-time metrics."""
    rows = []
    for record in records:
        for name, ev in _evaluations(record).items():
            rows.append(
                {
                    "kind": record.kind,
                    "model_id": record.model_id,
                    "algorithm": name,
                    "chosen": name == record.algorithm,
                    # stored before the kind was recorded: out-of-time, the only kind then
                    "evaluation": record.metrics.get("evaluation", "out-of-time"),
                    **{k: ev.get(k) for k in METRIC_KEYS},
                    "test_to": record.test_to,
                }
            )
    columns = ["kind", "model_id", "algorithm", "chosen", "evaluation", *METRIC_KEYS, "test_to"]
    return pd.DataFrame(rows, columns=columns)


def _curve(name: str, points: list[list[float]]) -> go.Scatter:
    return go.Scatter(
        x=[p[0] for p in points],
        y=[p[1] for p in points],
        mode="lines+markers",
        name=name,
        line={"color": COLOURS.get(name, "black")},
    )


def _calibration_figure(record: ModelRecord) -> go.Figure:
    curves = {name: ev.get("calibration") or [] for name, ev in _evaluations(record).items()}
    top = max([0.05, *(max(p[0], p[1]) for pts in curves.values() for p in pts)]) * 1.05
    fig = go.Figure()
    ideal = {"dash": "dot", "color": "grey"}
    fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", name="ideal", line=ideal))
    for name, points in curves.items():
        fig.add_trace(_curve(name, points))
    fig.update_layout(
        title=f"Kalibrierung / calibration – {record.kind}",
        xaxis={"title": "predicted (mean per decile)", "range": [0, top]},
        yaxis={"title": "observed rate", "range": [0, top]},
        height=380,
    )
    return fig


def _lift_figure(record: ModelRecord) -> go.Figure:
    fig = go.Figure()
    for name, ev in _evaluations(record).items():
        fig.add_trace(_curve(name, ev.get("lift") or []))
    fig.update_layout(
        title=f"Lift (kumuliert / cumulative) – {record.kind}",
        xaxis_title="share of scored rows, best first",
        yaxis_title="lift over base rate",
        height=380,
    )
    return fig


def _table_html(frame: pd.DataFrame) -> str:
    shown = frame.drop(columns=["kind", "model_id", "test_to"])
    return shown.to_html(index=False, float_format=lambda v: f"{v:.4f}", border=0)


def render_report(records: list[ModelRecord]) -> str:
    """A self-contained HTML page (plotly.js embedded from the installed package)."""
    parts = [
        "<!doctype html><html lang='de'><head><meta charset='utf-8'>",
        "<title>revintel – Scoring-Bericht / scoring report</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
        "table{border-collapse:collapse}td,th{padding:4px 10px;text-align:right}"
        "th{border-bottom:1px solid #999}</style></head><body>",
        "<h1>Scoring-Bericht / scoring report</h1>",
        "<p>Out-of-time evaluation: each model was fitted on the earlier window and measured on "
        "the later one, beside the three baselines.</p>",
    ]
    include_js: bool | str = True
    for record in records:
        frame = evaluation_frame([record])
        message = html.escape(str(record.metrics.get("message", "")))
        parts.append(f"<h2>{html.escape(record.kind)}</h2>")
        parts.append(
            f"<p>model <code>{html.escape(record.model_id)}</code> · status {record.status} · "
            f"trained {record.train_from:%Y-%m-%d}…{record.train_to:%Y-%m-%d}, tested up to "
            f"{record.test_to:%Y-%m-%d} · {message}</p>"
        )
        parts.append(_table_html(frame))
        for fig in (_calibration_figure(record), _lift_figure(record)):
            parts.append(pio.to_html(fig, include_plotlyjs=include_js, full_html=False))
            include_js = False
    parts.append("</body></html>")
    return "\n".join(parts)
