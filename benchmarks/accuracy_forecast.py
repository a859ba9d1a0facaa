"""Accuracy of the order-intake forecast out of time, with tuning and reported origins apart.

The demo company (three seeds) and the public Maven CRM export are backtested as of month-ends.
The earlier origins of each store are the *tuning* origins (``benchmarks/forecast_sweep.py``
chose the model's parameters on them, on the demo company at the first seed and on Maven); the
later ones are the *reported* origins, never looked at while tuning. Both are scored, apart, by
WAPE, bias and P10–P90 coverage of the P50 and of the baselines.

Repeat and direct orders (those without an opportunity) are backtested on their own too: on the
demo company at every seed and on the public Superstore export (orders only, no funnel), the
run-rate variant chosen on the tuning origins against the same period last year and the
trailing 12-month mean on the reported ones; and the total with and without them against all
net order intake.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks._measure import write_result
from revintel.forecast import (
    Backtest,
    DirectBacktest,
    ForecastSettings,
    History,
    backtest,
    backtest_direct,
    choose_run_rate,
    load_history,
    month_ends,
    split_origins,
)
from revintel.forecast._direct_backtest import DIRECT_METHODS, variant_name
from revintel.ingest import import_files
from revintel.model import load_funnel
from revintel.store import open_store, set_store_currency
from revintel.synth import SynthConfig, write_demo_company

#: Months of the longest backtest window; origins leave this many months of observed intake.
MONTHS = 3
SIMULATIONS = 1_000
#: The first seed is the one the parameters were tuned on; the others only show the spread.
DEMO_SEEDS = (42, 7, 11)
DEMO_LEADS = 60_000
DEMO_ORIGINS = 24
DEMO_TUNING = 12
#: The Maven export holds closes only from March 2017 on: six origins, three to tune on.
MAVEN_ORIGINS = 6
MAVEN_TUNING = 3
MAVEN_FOLDER = "maven_crm_sales_opportunities"
MAVEN_FILES = ("accounts.csv", "products.csv", "sales_teams.csv", "sales_pipeline.csv")
#: Superstore: orders of 2019–2022; 24 month-ends leaving three months, the first 12 to tune on.
SUPERSTORE_FOLDER = "superstore_orders"
SUPERSTORE_FILE = "Sample - Superstore.csv"
SUPERSTORE_LAST = date(2022, 12, 31)
SUPERSTORE_ORIGINS = 24
SUPERSTORE_TUNING = 12
SHARED_DATA_VAR = "REVINTEL_SHARED_DATA"
SWEEP = "forecast_sweep"
RESULTS = Path(__file__).parent / "results"
WINDOWS = {"next month": "1 month", f"next {MONTHS} months": f"{MONTHS} months"}
P50 = "forecast P50"
BASELINES = ("run-rate", "weighted pipeline (default)", "weighted pipeline (measured)")
TOTAL_METHODS = ("total with repeat and direct orders", "won deals only")


@dataclass(frozen=True)
class Company:
    """A store's history with its tuning and reported backtest origins."""

    name: str
    history: History
    tuning: list[date]
    reported: list[date]


def demo_company(seed: int, leads: int = DEMO_LEADS) -> Company:
    """The generated demo company at ``seed``, with its 24 month-end origins split in halves."""
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "demo.duckdb")
        write_demo_company(store, SynthConfig(seed=seed, leads=leads))
        history = load_history(store, load_funnel())
        store.close()
    ends = month_ends(history.last_event, DEMO_ORIGINS, MONTHS)
    tuning, reported = split_origins(ends, DEMO_TUNING)
    return Company(f"demo company, seed {seed}", history, tuning, reported)


def _shared_data() -> Path | None:
    configured = os.environ.get(SHARED_DATA_VAR)
    if configured:
        return Path(configured)
    candidate = Path(__file__).resolve().parents[2] / "shared" / "data"
    return candidate if candidate.is_dir() else None


def maven_company() -> Company | None:
    """The Maven CRM export imported with its preset, or ``None`` when the files are absent."""
    base = _shared_data()
    folder = base / MAVEN_FOLDER if base else None
    if folder is None or not folder.is_dir():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "maven.duckdb")
        set_store_currency(store, "USD")  # the dataset's deals are in US dollars
        import_files(store, "maven", [folder / name for name in MAVEN_FILES])
        history = load_history(store, load_funnel())
        store.close()
    ends = month_ends(history.last_event, MAVEN_ORIGINS, MONTHS)
    tuning, reported = split_origins(ends, MAVEN_TUNING)
    return Company("Maven CRM export", history, tuning, reported)


def superstore_company() -> Company | None:
    """The Superstore order export imported with its preset, or ``None`` when it is absent."""
    base = _shared_data()
    export = base / SUPERSTORE_FOLDER / SUPERSTORE_FILE if base else None
    if export is None or not export.is_file():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "superstore.duckdb")
        import_files(store, "order_lines", [export])
        history = load_history(store, load_funnel())
        store.close()
    ends = month_ends(SUPERSTORE_LAST, SUPERSTORE_ORIGINS, MONTHS)
    tuning, reported = split_origins(ends, SUPERSTORE_TUNING)
    return Company("Superstore export", history, tuning, reported)


def _scores(summary: Any) -> list[dict[str, Any]]:
    return [
        {
            "window": row["window"],
            "method": row["method"],
            "wape": round(float(row["wape"]), 4),
            "bias": round(float(row["bias"]), 4),
            "coverage": None
            if row["coverage_p10_p90"] != row["coverage_p10_p90"]  # NaN: no band
            else round(float(row["coverage_p10_p90"]), 4),
        }
        for _, row in summary.iterrows()
    ]


def _direct_set(result: DirectBacktest, origins: list[date]) -> dict[str, Any]:
    return {
        "first": origins[0].isoformat(),
        "last": origins[-1].isoformat(),
        "origins": len(origins),
        "scores": _scores(result.score(origins)),
    }


def evaluate_direct(company: Company) -> dict[str, Any]:
    """Choose the run-rate variant on the tuning origins; score it and the default apart."""
    orders = company.history.direct_orders
    chosen, candidates = choose_run_rate(orders, company.tuning, MONTHS)
    origins = [*company.tuning, *company.reported]
    result = backtest_direct(orders, origins, MONTHS, chosen, SIMULATIONS)
    default = backtest_direct(orders, origins, MONTHS, None, SIMULATIONS)
    return {
        "name": company.name,
        "orders": len(orders),
        "chosen": variant_name(chosen),
        "candidates": [
            {"variant": r["variant"], "score": round(float(r["score"]), 4)}
            for _, r in candidates.iterrows()
        ],
        "tuning": _direct_set(result, company.tuning),
        "reported": _direct_set(result, company.reported),
        "default_reported": _direct_set(default, company.reported),
    }


def _origin_set(result: Backtest, origins: list[date]) -> dict[str, Any]:
    summary = result.score(origins)
    scores = [
        {
            "window": row["window"],
            "method": row["method"],
            "wape": round(float(row["wape"]), 4),
            "bias": round(float(row["bias"]), 4),
            "coverage": None if row["method"] != P50 else round(float(row["coverage_p10_p90"]), 4),
        }
        for _, row in summary.iterrows()
    ]
    return {
        "first": origins[0].isoformat(),
        "last": origins[-1].isoformat(),
        "origins": len(origins),
        "scores": scores,
    }


def evaluate(company: Company, settings: ForecastSettings) -> dict[str, Any]:
    """Backtest every origin of ``company`` once; score tuning and reported origins apart."""
    result = backtest(company.history, [*company.tuning, *company.reported], settings)
    return {
        "name": company.name,
        "tuning": _origin_set(result, company.tuning),
        "reported": _origin_set(result, company.reported),
        "totals_reported": _scores(result.score_totals(company.reported)),
    }


def _sweep(results_dir: Path) -> dict[str, Any] | None:
    for folder in (results_dir, RESULTS):
        path = folder / f"{SWEEP}.json"
        if path.exists():
            sweep: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            sweep.pop("machine", None)
            return sweep
    return None


def _tuned(settings: ForecastSettings) -> dict[str, float]:
    names = ("pace_days", "pace_prior", "arrival_days", "arrival_trend")
    return {name: float(getattr(settings, name)) for name in names}


def run(results_dir: Path) -> dict[str, Any]:
    """Backtest the demo company at every seed and Maven; write ``accuracy_forecast.json``."""
    started = time.perf_counter()
    settings = ForecastSettings(months=MONTHS, simulations=SIMULATIONS)
    companies = {str(seed): demo_company(seed) for seed in DEMO_SEEDS}
    demo = {seed: evaluate(company, settings) for seed, company in companies.items()}
    superstore = superstore_company()
    direct = {
        "demo": {seed: evaluate_direct(company) for seed, company in companies.items()},
        "superstore": evaluate_direct(superstore) if superstore else None,
    }
    maven = maven_company()
    sweep = _sweep(results_dir)
    figures = {
        "benchmark": "accuracy_forecast",
        "months": MONTHS,
        "simulations": SIMULATIONS,
        "demo_leads": DEMO_LEADS,
        "parameters": _tuned(settings),
        "parameters_as_chosen": sweep is not None and sweep["chosen"] == _tuned(settings),
        "demo": demo,
        "maven": evaluate(maven, settings) if maven else None,
        "direct": direct,
        "sweep": sweep,
        "seconds": round(time.perf_counter() - started, 1),
    }
    write_result(results_dir, "accuracy_forecast", figures)
    return figures


# --- rendering ---------------------------------------------------------------------------------


def _day(iso: str) -> str:
    return f"{date.fromisoformat(iso):%d.%m.%Y}"


def _span(part: dict[str, Any]) -> str:
    return f"{_day(part['first'])}–{_day(part['last'])}"


def _wape(value: float) -> str:
    return f"{value:.3f}"


def _bias(value: float) -> str:
    return f"{value:+.3f}".replace("-", "−")


def _share(value: float | None) -> str:
    return "" if value is None else f"{round(100 * value)} %"


def _score(part: dict[str, Any], window: str, method: str) -> dict[str, Any]:
    return next(s for s in part["scores"] if s["window"] == window and s["method"] == method)


def _method_table(part: dict[str, Any]) -> list[str]:
    lines = ["| window | method | WAPE | bias | P10–P90 coverage |", "|---|---|---|---|---|"]
    for window in WINDOWS:
        for method in (P50, *BASELINES):
            s = _score(part, window, method)
            wape = f"**{_wape(s['wape'])}**" if method == P50 else _wape(s["wape"])
            row = [window, method, wape, _bias(s["bias"]), _share(s["coverage"])]
            lines.append("| " + " | ".join(row) + " |")
    return lines


def _halves_table(company: dict[str, Any]) -> list[str]:
    lines = [
        "| origins | window | P50 WAPE | P50 bias | P10–P90 coverage | run-rate WAPE "
        "| default-weighted WAPE | measured-weighted WAPE |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in ("tuning", "reported"):
        part = company[kind]
        for window, short in WINDOWS.items():
            p50 = _score(part, window, P50)
            baselines = [_wape(_score(part, window, m)["wape"]) for m in BASELINES]
            label = f"{kind}: {part['origins']}, {_span(part)}"
            row = [label, short, _wape(p50["wape"]), _bias(p50["bias"]), _share(p50["coverage"])]
            lines.append("| " + " | ".join([*row, *baselines]) + " |")
    return lines


def _beats(part: dict[str, Any]) -> list[str]:
    """Windows in which the P50 has a lower WAPE than the run-rate and the default weighting."""
    return [
        short
        for window, short in WINDOWS.items()
        if all(
            _score(part, window, P50)["wape"] < _score(part, window, m)["wape"]
            for m in BASELINES[:2]
        )
    ]


def _beats_sentence(beats: list[str]) -> str:
    both = "a lower WAPE than both the run-rate and the default-weighted pipeline"
    if len(beats) == len(WINDOWS):
        return f"has {both} in every window"
    if beats:
        return f"has {both} only at {', '.join(beats)}"
    return f"does not have {both} in any window"


def _demo_block(figures: dict[str, Any]) -> str:
    seed = str(DEMO_SEEDS[0])
    company = figures["demo"][seed]
    part = company["reported"]
    head = (
        f"**Demo company** (`revintel synth`, seed {seed}, {figures['demo_leads']:,} leads; "
        f"the {part['origins']} reported origins {_span(part)}, {figures['simulations']:,} "
        "simulations):"
    )
    tail = f"On these origins the P50 {_beats_sentence(_beats(part))}."
    return "\n".join([head, "", *_method_table(part), "", tail])


def _halves_block(figures: dict[str, Any]) -> str:
    company = figures["demo"][str(DEMO_SEEDS[0])]
    return "\n".join(_halves_table(company))


def _seeds_block(figures: dict[str, Any]) -> str:
    lines = [
        "| seed | window | P50 WAPE | P50 bias | P10–P90 coverage | run-rate WAPE "
        "| default-weighted WAPE |",
        "|---|---|---|---|---|---|---|",
    ]
    spread: dict[str, list[float]] = {short: [] for short in WINDOWS.values()}
    for seed, company in figures["demo"].items():
        part = company["reported"]
        for window, short in WINDOWS.items():
            p50 = _score(part, window, P50)
            spread[short].append(p50["wape"])
            row = [seed, short, _wape(p50["wape"]), _bias(p50["bias"]), _share(p50["coverage"])]
            row += [_wape(_score(part, window, m)["wape"]) for m in BASELINES[:2]]
            lines.append("| " + " | ".join(row) + " |")
    ranges = "; ".join(
        f"{short} {_wape(min(values))}–{_wape(max(values))}" for short, values in spread.items()
    )
    return "\n".join([*lines, "", f"Spread of the P50 WAPE over the seeds: {ranges}."])


def _maven_block(figures: dict[str, Any]) -> str:
    company = figures["maven"]
    tail = f"On the reported origins the P50 {_beats_sentence(_beats(company['reported']))}."
    return "\n".join([*_halves_table(company), "", tail])


def _sweep_block(sweep: dict[str, Any]) -> str:
    names = list(sweep["chosen"])
    lines = [
        "| " + " | ".join([*names, "score", *sweep["parts"]]) + " |",
        "|" + "---|" * (len(names) + 1 + len(sweep["parts"])),
    ]
    ranked = sorted(sweep["candidates"], key=lambda c: c["score"])
    shown = ranked[:8] + [c for c in ranked[8:] if c["parameters"] == sweep["defaults"]]
    for candidate in shown:
        values = [f"{candidate['parameters'][n]:g}" for n in names]
        parts = [_wape(candidate["parts"].get(key, float("nan"))) for key in sweep["parts"]]
        marks = " (default)" if candidate["parameters"] == sweep["defaults"] else ""
        lines.append("| " + " | ".join([*values, _wape(candidate["score"]) + marks, *parts]) + " |")
    chosen = ", ".join(f"{n} = {sweep['chosen'][n]:g}" for n in names)
    head = (
        f"{len(sweep['candidates'])} candidates, each scored by the sum of the P50 WAPEs of both "
        f"windows on the tuning origins ({sweep['simulations']:,} simulations); the best "
        f"{min(8, len(ranked))} and the defaults:"
    )
    return "\n".join([head, "", *lines, "", f"Chosen: {chosen}."])


def _direct_halves(company: dict[str, Any]) -> list[str]:
    names = " | ".join(f"{m} WAPE" for m in DIRECT_METHODS)
    lines = [
        f"| origins | window | {names} | run-rate bias | P10–P90 coverage |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in ("tuning", "reported"):
        part = company[kind]
        for window, short in WINDOWS.items():
            wapes = [_wape(_score(part, window, m)["wape"]) for m in DIRECT_METHODS]
            p50 = _score(part, window, DIRECT_METHODS[0])
            label = f"{kind}: {part['origins']}, {_span(part)}"
            row = [label, short, *wapes, _bias(p50["bias"]), _share(p50["coverage"])]
            lines.append("| " + " | ".join(row) + " |")
    return lines


def _default_sentence(company: dict[str, Any]) -> str:
    part = company["default_reported"]
    wapes = ", ".join(
        f"{short} {_wape(_score(part, window, DIRECT_METHODS[0])['wape'])}"
        for window, short in WINDOWS.items()
    )
    return (
        "The forecast's default, which chooses the variant at each origin from the months "
        f"before it alone, has a run-rate P50 WAPE on the reported origins of {wapes}."
    )


def _direct_seeds(figures: dict[str, Any]) -> str:
    names = " | ".join(f"{m} WAPE" for m in DIRECT_METHODS)
    lines = [
        f"| seed | variant chosen | window | {names} | total with them | won deals only |",
        "|---|---|---|---|---|---|---|---|",
    ]
    runs: dict[str, list[float]] = {short: [] for short in WINDOWS.values()}
    for seed, company in figures["direct"]["demo"].items():
        part = company["reported"]
        totals = figures["demo"][seed].get("totals_reported", [])
        for window, short in WINDOWS.items():
            wapes = [_score(part, window, m)["wape"] for m in DIRECT_METHODS]
            runs[short].append(wapes[0])
            total = {s["method"]: s["wape"] for s in totals if s["window"] == window}
            shown = [_wape(total[m]) if m in total else "" for m in TOTAL_METHODS]
            row = [seed, company["chosen"], short, *map(_wape, wapes), *shown]
            lines.append("| " + " | ".join(row) + " |")
    spread = "; ".join(
        f"{short} mean {_wape(sum(v) / len(v))}, {_wape(min(v))}–{_wape(max(v))}"
        for short, v in runs.items()
    )
    return "\n".join([*lines, "", f"Run-rate P50 WAPE over the seeds: {spread}."])


def _direct_block(figures: dict[str, Any]) -> str:
    seed = str(DEMO_SEEDS[0])
    company = figures["direct"]["demo"][seed]
    chosen = company["chosen"]
    head = f"**Demo company**, seed {seed} (variant chosen on the tuning origins: {chosen}):"
    default = _default_sentence(company)
    return "\n".join([head, "", *_direct_halves(company), "", default, "", _direct_seeds(figures)])


def _superstore_block(figures: dict[str, Any]) -> str:
    company = figures["direct"]["superstore"]
    head = (
        f"**Superstore export** ({company['orders']:,} orders, no opportunities; variant chosen "
        f"on the tuning origins: {company['chosen']}):"
    )
    return "\n".join([head, "", *_direct_halves(company), "", _default_sentence(company)])


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The Markdown blocks of ``docs/forecast.md`` from the figures :func:`run` wrote."""
    blocks = {
        "forecast-demo": _demo_block(figures),
        "forecast-demo-halves": _halves_block(figures),
        "forecast-demo-seeds": _seeds_block(figures),
    }
    if figures.get("maven"):
        blocks["forecast-maven"] = _maven_block(figures)
    if figures.get("direct"):
        blocks["forecast-direct-demo"] = _direct_block(figures)
        if figures["direct"].get("superstore"):
            blocks["forecast-direct-superstore"] = _superstore_block(figures)
    if figures.get("sweep"):
        blocks["forecast-sweep"] = _sweep_block(figures["sweep"])
    return blocks


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS), indent=2))
