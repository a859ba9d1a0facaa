"""Real-time scoring: p50/p99 latency of one deal scored in process (target: p99 < 10 ms) by a
LightGBM deal model and by the registered model (LightGBM or its fallback), with and without
reasons, plus training and batch-apply times on a generated demo company."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._measure import timed, write_result
from revintel.model import load_funnel
from revintel.predict import (
    DEAL_SPEC,
    GradientBoostingScorer,
    RealTimeScorer,
    apply_scores,
    current_frame,
    load_model,
    target,
    train_score,
    training_frame,
)
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

LEADS = 20_000
CALLS = 2_000
TARGET_P99_MS = 10.0


def _latencies(scorer: RealTimeScorer, records: list[dict[str, Any]], reasons: bool) -> list[float]:
    out = []
    for i in range(CALLS):
        record = records[i % len(records)]
        start = time.perf_counter()
        scorer.score(record, reasons=reasons)
        out.append((time.perf_counter() - start) * 1000)
    return out


def _summary(ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(ms), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "max_ms": round(max(ms), 3),
    }


def _timings(scorer: RealTimeScorer, records: list[dict[str, Any]]) -> dict[str, Any]:
    for warm in records[:100]:
        scorer.score(warm)
    return {
        "score_only": _summary(_latencies(scorer, records, reasons=False)),
        "with_reasons": _summary(_latencies(scorer, records, reasons=True)),
    }


def run(results_dir: Path) -> dict[str, Any]:
    """Generate a demo company, train and apply the deal score, time single-record scoring."""
    funnel = load_funnel()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.duckdb")
        write_demo_company(store, SynthConfig(seed=11, leads=LEADS, accounts=1_000, reps=15))
        result, train_s, train_mib = timed(lambda: train_score(store, "deal_win"))
        applied, apply_s, _ = timed(lambda: apply_scores(store, "deal_win"))
        record = load_model(store, "deal_win")
        deal_win = target("deal_win", int(record.metrics["horizon_days"]))
        history = training_frame(store, deal_win, funnel)
        frame = current_frame(store, deal_win, funnel, applied.as_of)
        store.close()
    gbm = GradientBoostingScorer(spec=DEAL_SPEC).fit(history, history["label"].to_numpy())
    records = frame.to_dict(orient="records")
    lightgbm = _timings(RealTimeScorer(gbm, "lightgbm"), records)
    registered = _timings(RealTimeScorer.from_record(record), records)
    figures = {
        "benchmark": "scoring",
        "target": f"p99 of one in-process deal score < {TARGET_P99_MS} ms",
        "leads": LEADS,
        "calls": CALLS,
        "train_seconds": round(train_s, 2),
        "train_peak_mib": round(train_mib),
        "apply_seconds": round(apply_s, 2),
        "open_deals_scored": len(applied.scores),
        "lightgbm": lightgbm,
        "registered": {"algorithm": record.algorithm, **registered},
        "meets_target": lightgbm["score_only"]["p99_ms"] < TARGET_P99_MS,
        "out_of_time_auc": {
            "lightgbm": result.record.metrics.get("auc"),
            **{k: v["auc"] for k, v in result.record.baseline_metrics.items()},
        },
    }
    write_result(results_dir, "scoring", figures)
    return figures


if __name__ == "__main__":
    print(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results")))
