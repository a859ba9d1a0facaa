"""Accuracy of the cross-selling methods out of time, on the demo company and on Superstore.

``evaluate_out_of_time`` (three cutoffs 180 days apart, hyper-parameters chosen on the window
before each cutoff) scores popularity, item-to-item and ALS by precision@10, recall@10 and
catalogue coverage on the default demo company at three seeds and on the public Superstore order
export, imported as ``revintel import order_lines`` imports it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._measure import write_result
from revintel.customers import evaluate_out_of_time, read_purchase_history
from revintel.customers._crosssell import AUTO_METHOD
from revintel.ingest import import_files
from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company

DEMO_SEEDS = (42, 7, 11)
K = 10
HORIZON_DAYS = 180
METHODS = ("popularity", "cooccurrence", "als")
LABELS = {"popularity": "popularity", "cooccurrence": "item-to-item", "als": "ALS"}
METRICS = ("precision", "recall", "coverage")
SHARED_DATA_VAR = "REVINTEL_SHARED_DATA"
SUPERSTORE_FILE = Path("superstore_orders") / "Sample - Superstore.csv"


def evaluate_store(store: Store) -> dict[str, Any]:
    """Evaluate every method on the purchases of ``store``: one row per method and cutoff."""
    history = read_purchase_history(store)
    start = time.perf_counter()
    results = evaluate_out_of_time(history, horizon_days=HORIZON_DAYS, k=K, methods=METHODS)
    seconds = time.perf_counter() - start
    rows = [
        {
            "method": r["method"],
            "cutoff": f"{r['cutoff']:%Y-%m-%d}",
            **{m: round(float(r[m]), 5) for m in METRICS},
            "accounts": int(r["accounts"]),
            "params": r["params"],
        }
        for r in results.to_dict(orient="records")
    ]
    return {
        "buyers": int(history.orders["account_id"].nunique()),
        "products": len(history.products),
        "families": int(history.products["family"].nunique()),
        "returns": int((history.orders["kind"] == "return").sum()),
        "seconds": round(seconds, 1),
        "rows": rows,
    }


def demo(seed: int) -> dict[str, Any]:
    """The default demo company at ``seed``, evaluated."""
    config = SynthConfig(seed=seed)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s.duckdb") as store:
        write_demo_company(store, config)
        return {"seed": seed, "accounts": config.accounts, **evaluate_store(store)}


def superstore_export() -> Path | None:
    """The Superstore order export in the shared data folder, or ``None`` when it is absent."""
    configured = os.environ.get(SHARED_DATA_VAR)
    base = Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared/data"
    export = base / SUPERSTORE_FILE
    return export if export.is_file() else None


def superstore() -> dict[str, Any] | None:
    """The Superstore export imported with the ``order_lines`` preset, evaluated."""
    export = superstore_export()
    if export is None:
        return None
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s.duckdb") as store:
        import_files(store, "order_lines", [export])
        return evaluate_store(store)


def run(results_dir: Path) -> dict[str, Any]:
    """Measure every seed and Superstore; write ``results/accuracy_crosssell.json``."""
    figures = {
        "benchmark": "accuracy_crosssell",
        "k": K,
        "horizon_days": HORIZON_DAYS,
        "auto_method": AUTO_METHOD,
        "demo": [demo(seed) for seed in DEMO_SEEDS],
        "superstore": superstore(),
    }
    write_result(results_dir, "accuracy_crosssell", figures)
    return figures


# ---------------------------------------------------------------------------------------------
# Rendering the docs blocks


def _values(run: dict[str, Any], method: str, metric: str) -> list[float]:
    return [r[metric] for r in run["rows"] if r["method"] == method]


def _mean(run: dict[str, Any], method: str, metric: str) -> float:
    return statistics.mean(_values(run, method, metric))


def _f(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def _mean_sd(values: list[float], digits: int) -> str:
    return f"{_f(statistics.mean(values), digits)} ± {_f(statistics.stdev(values), digits)}"


def _params(rows: list[dict[str, Any]]) -> str:
    chosen = [", ".join(f"{v:g}" if isinstance(v, float) else str(v)
                        for v in r["params"].values()) for r in rows]  # fmt: skip
    if not any(chosen):
        return "–"
    return " / ".join(f"({c})" if ", " in c else c for c in chosen)


TABLE_HEAD = [
    "| method | precision@10 | recall@10 | coverage | hyper-parameters chosen per cutoff |",
    "|---|---|---|---|---|",
]
PARAMS_NOTE = "ALS hyper-parameters as (factors, regularization, alpha)"


def _method_rows(run: dict[str, Any], digits: int, prefix: str = "") -> list[str]:
    lines = []
    for method in METHODS:
        rows = [r for r in run["rows"] if r["method"] == method]
        cells = [_mean_sd(_values(run, method, m), digits) for m in METRICS]
        lines.append(f"| {prefix}{LABELS[method]} | {' | '.join(cells)} | {_params(rows)} |")
    return lines


def _windows(run: dict[str, Any]) -> str:
    cutoffs = sorted({r["cutoff"] for r in run["rows"]})
    scored = [r["accounts"] for r in run["rows"] if r["method"] == METHODS[0]]
    return (
        f"cutoffs {', '.join(cutoffs)}; {min(scored):,}–{max(scored):,} accounts with a new "
        "product per test window"
    )


def _demo_block(figures: dict[str, Any]) -> str:
    demos = figures["demo"]
    first = demos[0]
    seconds = [d["seconds"] for d in demos]
    lines = [
        f"Default demo company: {first['accounts']:,} accounts ({first['buyers']:,} with orders "
        f"at seed {first['seed']}), {first['products']} products in {first['families']} "
        f"families. Per seed, mean ± standard deviation over its three cutoffs; {PARAMS_NOTE}:",
        "",
        TABLE_HEAD[0].replace("| method |", "| seed | method |"),
        "|---" + TABLE_HEAD[1],
    ]
    for d in demos:
        lines += _method_rows(d, 3, prefix=f"{d['seed']} | ")
    lines += ["", *(f"- seed {d['seed']}: {_windows(d)}." for d in demos)]
    lines += [
        "",
        f"All methods tuned and evaluated in {min(seconds)}–{max(seconds)} s per seed.",
    ]
    return "\n".join(lines) + "\n"


def _gains(demos: list[dict[str, Any]], method: str, metric: str) -> tuple[list[float], ...]:
    """``method`` minus popularity in ``metric``: per seed (means over cutoffs), per cutoff."""
    by_seed = [_mean(d, method, metric) - _mean(d, "popularity", metric) for d in demos]
    by_cutoff = [
        a - b
        for d in demos
        for a, b in zip(_values(d, method, metric), _values(d, "popularity", metric), strict=True)
    ]
    return by_seed, by_cutoff


def _verdict(figures: dict[str, Any], method: str, metric: str) -> str:
    by_seed, by_cutoff = _gains(figures["demo"], method, metric)
    name = f"`auto` ({LABELS[method]})" if method == figures["auto_method"] else LABELS[method]
    return (
        f"- {metric}@{figures['k']}: {name} beats popularity at {sum(g > 0 for g in by_seed)} "
        f"of {len(by_seed)} seeds ({min(by_seed):+.3f} to {max(by_seed):+.3f}) and at "
        f"{sum(g > 0 for g in by_cutoff)} of {len(by_cutoff)} cutoffs ({min(by_cutoff):+.3f} to "
        f"{max(by_cutoff):+.3f})."
    )


def _best(run: dict[str, Any], metric: str) -> str:
    """The method with the highest mean ``metric`` over the cutoffs of ``run``."""
    means = {method: _mean(run, method, metric) for method in METHODS}
    return max(means, key=means.__getitem__)


def _seeds_block(figures: dict[str, Any]) -> str:
    demos = figures["demo"]
    lines = [
        "| method | precision@10 mean (min–max) | recall@10 mean (min–max) | "
        "coverage mean (min–max) |",
        "|---|---|---|---|",
    ]
    for method in METHODS:
        cells = []
        for metric in METRICS:
            per_seed = [_mean(d, method, metric) for d in demos]
            cells.append(
                f"{_f(statistics.mean(per_seed), 3)} "
                f"({_f(min(per_seed), 3)}–{_f(max(per_seed), 3)})"
            )
        lines.append(f"| {LABELS[method]} | {' | '.join(cells)} |")
    seeds = ", ".join(str(d["seed"]) for d in demos)
    lines += ["", f"Seeds {seeds}; per seed the mean over its three cutoffs.", ""]
    for metric in ("precision", "recall"):
        best = [_best(d, metric) for d in demos]
        counts = ", ".join(f"{LABELS[m]} at {best.count(m)}" for m in METHODS if m in best)
        lines.append(f"- highest {metric}@{figures['k']}: {counts} of {len(demos)} seeds.")
    auto = figures["auto_method"]
    others = [m for m in METHODS if m not in ("popularity", auto)]
    for method in (auto, *others):
        lines += [_verdict(figures, method, metric) for metric in ("precision", "recall")]
    return "\n".join(lines) + "\n"


def _superstore_block(figures: dict[str, Any]) -> str:
    s = figures["superstore"]
    if s is None:
        return "Not measured: dataset absent.\n"
    lines = [
        f"{s['buyers']:,} customers, {s['products']:,} products, {s['returns']} returns; "
        f"{_windows(s)}; evaluated in {s['seconds']} s. Mean ± standard deviation over the "
        f"three cutoffs; {PARAMS_NOTE}:",
        "",
        *TABLE_HEAD,
        *_method_rows(s, 4),
    ]
    return "\n".join(lines) + "\n"


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The docs blocks ``crosssell-demo`` (first seed), ``crosssell-seeds`` and
    ``crosssell-superstore``."""
    return {
        "crosssell-demo": _demo_block(figures),
        "crosssell-seeds": _seeds_block(figures),
        "crosssell-superstore": _superstore_block(figures),
    }


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results"))
