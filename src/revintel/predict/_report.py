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


#: The report's words: key → (German, English).
_TEXTS = {
    "title": ("Scoring-Bericht", "Scoring report"),
    "intro": (
        "Prüfung auf späteren Daten: jedes Modell wurde im früheren Fenster angepasst und im "
        "späteren gemessen, neben den drei Vergleichsbasen.",
        "Out-of-time evaluation: each model was fitted on the earlier window and measured on "
        "the later one, beside the three baselines.",
    ),
    "line": (
        "Modell {model} · Status {status} · trainiert {start}–{end}, getestet bis {test} · "
        "{message}",
        "model {model} · status {status} · trained {start}…{end}, tested up to {test} · {message}",
    ),
    "calibration": ("Kalibrierung – {kind}", "Calibration – {kind}"),
    "predicted": ("vorhergesagt (Mittel je Dezil)", "predicted (mean per decile)"),
    "observed": ("beobachtete Rate", "observed rate"),
    "ideal": ("ideal", "ideal"),
    "lift": ("Lift (kumuliert) – {kind}", "Lift (cumulative) – {kind}"),
    "share": ("Anteil der bewerteten Zeilen, beste zuerst", "share of scored rows, best first"),
    "over": ("Lift über der Basisrate", "lift over base rate"),
    "yes": ("ja", "yes"),
    "no": ("nein", "no"),
    "out-of-time": ("spätere Daten", "out-of-time"),
    "cross-validation": ("Kreuzvalidierung", "cross-validation"),
}
#: Table headers of the German report (the English one shows the names).
_HEADERS_DE = {
    "algorithm": "Algorithmus", "chosen": "Gewählt", "evaluation": "Prüfung", "auc": "AUC",
    "log_loss": "Log-Loss", "brier": "Brier-Score", "lift_top_decile": "Lift oberstes Dezil",
    "rows": "Zeilen", "positives": "Positive",
}  # fmt: skip


def _said(key: str, lang: str) -> str:
    german, english = _TEXTS[key]
    return german if lang == "de" else english


def _day(value: Any, lang: str) -> str:
    return f"{value:%d.%m.%Y}" if lang == "de" else f"{value:%Y-%m-%d}"


def _calibration_figure(record: ModelRecord, lang: str = "en") -> go.Figure:
    curves = {name: ev.get("calibration") or [] for name, ev in _evaluations(record).items()}
    top = max([0.05, *(max(p[0], p[1]) for pts in curves.values() for p in pts)]) * 1.05
    fig = go.Figure()
    ideal = {"dash": "dot", "color": "grey"}
    fig.add_trace(
        go.Scatter(x=[0, top], y=[0, top], mode="lines", name=_said("ideal", lang), line=ideal)
    )
    for name, points in curves.items():
        fig.add_trace(_curve(name, points))
    fig.update_layout(
        title=_said("calibration", lang).format(kind=record.kind),
        xaxis={"title": _said("predicted", lang), "range": [0, top]},
        yaxis={"title": _said("observed", lang), "range": [0, top]},
        height=380,
        separators=",." if lang == "de" else ".,",
    )
    return fig


def _lift_figure(record: ModelRecord, lang: str = "en") -> go.Figure:
    fig = go.Figure()
    for name, ev in _evaluations(record).items():
        fig.add_trace(_curve(name, ev.get("lift") or []))
    fig.update_layout(
        title=_said("lift", lang).format(kind=record.kind),
        xaxis_title=_said("share", lang),
        yaxis_title=_said("over", lang),
        height=380,
        separators=",." if lang == "de" else ".,",
    )
    return fig


def _table_html(frame: pd.DataFrame, lang: str = "en") -> str:
    shown = frame.drop(columns=["kind", "model_id", "test_to"])
    shown["chosen"] = [_said("yes" if c else "no", lang) for c in shown["chosen"]]
    shown["evaluation"] = [_said(e, lang) if e in _TEXTS else e for e in shown["evaluation"]]
    if lang == "de":
        shown = shown.rename(columns=_HEADERS_DE)
        decimal = ","
    else:
        decimal = "."
    return shown.to_html(
        index=False, float_format=lambda v: f"{v:.4f}".replace(".", decimal), border=0
    )


def render_report(records: list[ModelRecord], lang: str = "en") -> str:
    """A self-contained HTML page in ``lang`` (``de`` or ``en``; plotly.js embedded from the
    installed package)."""
    title = _said("title", lang)
    parts = [
        f"<!doctype html><html lang='{'de' if lang == 'de' else 'en'}'><head>"
        "<meta charset='utf-8'>",
        f"<title>revintel – {title}</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
        "table{border-collapse:collapse}td,th{padding:4px 10px;text-align:right}"
        "th{border-bottom:1px solid #999}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p>{_said('intro', lang)}</p>",
    ]
    include_js: bool | str = True
    for record in records:
        frame = evaluation_frame([record])
        key = "message_de" if lang == "de" and "message_de" in record.metrics else "message"
        message = html.escape(str(record.metrics.get(key, "")))
        parts.append(f"<h2>{html.escape(record.kind)}</h2>")
        line = _said("line", lang).format(
            model=f"<code>{html.escape(record.model_id)}</code>",
            status=html.escape(record.status),
            start=_day(record.train_from, lang),
            end=_day(record.train_to, lang),
            test=_day(record.test_to, lang),
            message=message,
        )
        parts.append(f"<p>{line}</p>")
        parts.append(_table_html(frame, lang))
        for fig in (_calibration_figure(record, lang), _lift_figure(record, lang)):
            parts.append(pio.to_html(fig, include_plotlyjs=include_js, full_html=False))
            include_js = False
    parts.append("</body></html>")
    return "\n".join(parts)
