"""Accuracy of the churn early warning on its test window, beside the churn baselines.

``account_churn`` is trained as ``revintel score train accounts`` trains it (windows chosen
from the data, the model chosen on the validation window) on the default demo company at three
seeds, then evaluated as that command reports it: AUC, average precision and Brier score of the
chosen model, LightGBM and the recency, BG/NBD P(no order) and 1 − P(alive) baselines, and the
lead time of the warning at the stated precision.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._measure import write_result
from revintel.predict import train_score
from revintel.predict._churn_evaluation import (
    PRECISION,
    churn_test_rows,
    evaluate_churn,
    evaluate_churn_record,
)
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

DEMO_SEEDS = (42, 7, 11)
#: A second, stricter precision for the lead time (about half the snapshots churn).
STRICT_PRECISION = 0.6
KIND = "account_churn"


def _number(value: Any) -> Any:
    return round(float(value), 4) if isinstance(value, float) else value


def demo(seed: int) -> dict[str, Any]:
    """Train and evaluate the churn warning on the default demo company at ``seed``."""
    config = SynthConfig(seed=seed)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s.duckdb") as store:
        write_demo_company(store, config)
        start = time.perf_counter()
        result = train_score(store, KIND)
        record, churn = evaluate_churn_record(store, result.record, PRECISION)
        seconds = time.perf_counter() - start
        test = churn_test_rows(store, record)
        scores = record.scorer().predict_proba(test)[:, 1]
        strict = evaluate_churn(test, record.algorithm, scores, STRICT_PRECISION).lead_time
    registry = {r["algorithm"]: r for r in result.comparison.to_dict(orient="records")}
    churn_rows = {r["algorithm"]: r for r in churn.metrics.to_dict(orient="records")}
    algorithms = []
    for name in ("lightgbm", "points", "naive_bayes"):
        if name in registry:
            r = registry[name]
            ap = churn_rows.get(name, {}).get("average_precision")
            algorithms.append({"algorithm": name, "auc": r["auc"], "average_precision": ap,
                               "brier": r["brier"], "chosen": bool(r["chosen"])})  # fmt: skip
    for name in ("recency", "bgnbd_no_order", "bgnbd_not_alive"):
        r = churn_rows[name]
        algorithms.append({"algorithm": name, "auc": r["auc"], "chosen": False,
                           "average_precision": r["average_precision"],
                           "brier": r["brier"]})  # fmt: skip
    m = record.metrics
    return {
        "seed": seed,
        "accounts": config.accounts,
        "chosen": record.algorithm,
        "windows": {
            "train_to": m["choice_train_to"][:10],
            "validation": [m["validation_from"][:10], m["validation_to"][:10]],
            "test": [m["test_from"][:10], f"{record.test_to:%Y-%m-%d}"],
        },
        "train_rows": m["train_rows"],
        "test_rows": int(churn.metrics["rows"].iloc[0]),
        "test_positives": int(churn.metrics["positives"].iloc[0]),
        "seconds": round(seconds, 1),
        "algorithms": [{k: _number(v) for k, v in a.items()} for a in algorithms],
        "lead_time": {k: _number(v) for k, v in churn.lead_time.items()},
        "lead_time_strict": {k: _number(v) for k, v in strict.items()},
    }


def run(results_dir: Path) -> dict[str, Any]:
    """Measure every seed and write ``results/accuracy_churn.json``."""
    figures = {"benchmark": "accuracy_churn", "demo": [demo(seed) for seed in DEMO_SEEDS]}
    write_result(results_dir, "accuracy_churn", figures)
    return figures


# ---------------------------------------------------------------------------------------------
# Rendering the docs blocks


def _f(value: Any, digits: int = 3) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}f}"


def _lead_line(lead: dict[str, Any]) -> str:
    return (
        f"Warning at precision {_f(lead['precision_target'], 2)} (threshold "
        f"{_f(lead['threshold'])}, set on the test window's first half); on its second half "
        f"precision {_f(lead['precision'])}, "
        f"recall {_f(lead['recall'])}; {lead['warned_episodes']} of {lead['churn_episodes']} "
        f"churned accounts warned, median {_f(lead['median_days_after_last_order'], 0)} days "
        f"after their last order and {_f(lead['median_days_before_window_end'], 0)} days before "
        "their churn window ended."
    )


def _first_seed(d: dict[str, Any]) -> str:
    lines = ["| algorithm | AUC | average precision | Brier |", "|---|---|---|---|"]
    for r in d["algorithms"]:
        name = f"**{r['algorithm']}** (chosen)" if r["chosen"] else r["algorithm"]
        lines.append(
            f"| {name} | {_f(r['auc'])} | {_f(r['average_precision'])} | {_f(r['brier'])} |"
        )
    w, lead = d["windows"], d["lead_time"]
    lines += [
        "",
        "Average precision is measured for the registered (chosen) model and the churn baselines.",
        "",
        f"Seed {d['seed']} ({d['accounts']:,} accounts): train …{w['train_to']}, validation "
        f"{w['validation'][0]}…{w['validation'][1]}, test {w['test'][0]}…{w['test'][1]} "
        f"({d['test_rows']:,} snapshots, {d['test_positives']:,} churned); the registered model "
        f"learned from {d['train_rows']:,} snapshots; trained and evaluated in {d['seconds']} s.",
        "",
        *(_lead_line(lead), "", _lead_line(d["lead_time_strict"])),
    ]
    return "\n".join(lines) + "\n"


def _spread(demos: list[dict[str, Any]]) -> str:
    lines = ["| algorithm | AUC mean | AUC min | AUC max | AP mean | chosen (of "
             f"{len(demos)} seeds) |", "|---|---|---|---|---|---|"]  # fmt: skip
    for name in [r["algorithm"] for r in demos[0]["algorithms"]]:
        rows = [r for d in demos for r in d["algorithms"] if r["algorithm"] == name]
        aucs = [r["auc"] for r in rows]
        aps = [r["average_precision"] for r in rows if r["average_precision"] is not None]
        chosen = sum(d["chosen"] == name for d in demos)
        lines.append(
            f"| {name} | {_f(statistics.mean(aucs))} | {_f(min(aucs))} | {_f(max(aucs))} | "
            f"{_f(statistics.mean(aps)) if aps else '–'} | {chosen} |"
        )
    seeds = ", ".join(str(d["seed"]) for d in demos)
    return "\n".join([*lines, "", f"Seeds {seeds}."]) + "\n"


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The docs blocks ``churn-demo`` (first seed) and ``churn-seeds``."""
    demos = figures["demo"]
    return {"churn-demo": _first_seed(demos[0]), "churn-seeds": _spread(demos)}


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results"))
