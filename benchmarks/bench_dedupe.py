"""Entity resolution on the generator's labelled dirty account set: precision, recall, time."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from benchmarks._measure import timed, write_result
from revintel.ingest._dedupe import evaluate_pairs, score_account_pairs
from revintel.synth import SynthConfig, generate
from revintel.synth._duplicates import generate_duplicate_accounts

#: (seed, companies) of the sets reported in docs/import.md.
SETS = ((1, 300), (11, 600), (42, 1_000), (3, 1_200))


def _measure(seed: int, companies: int, with_domains: bool) -> dict[str, Any]:
    records, truth = generate_duplicate_accounts(seed, companies)
    if not with_domains:
        records = records.drop_columns(["domain"])
    predicted, seconds, peak = timed(lambda: score_account_pairs(records, threshold=0.5))
    quality = evaluate_pairs(predicted, truth)
    return {
        "seed": seed,
        "companies": companies,
        "records": records.num_rows,
        "true_pairs": truth.num_rows,
        "domains": with_domains,
        "precision": round(quality.precision, 3),
        "recall": round(quality.recall, 3),
        "seconds": round(seconds, 2),
        "peak_mib": round(peak),
    }


def _clean_demo() -> dict[str, Any]:
    """The demo company's accounts (distinct companies, one source): every pair is false."""
    accounts = generate(SynthConfig(seed=42, leads=2_000)).tables["accounts"]
    records = accounts.select(["account_id", "name", "domain", "city"])
    predicted, seconds, _ = timed(
        lambda: score_account_pairs(records, id_column="account_id", threshold=0.5)
    )
    probability = predicted["match_probability"].to_pylist()
    return {
        "accounts": records.num_rows,
        "pairs_proposed": predicted.num_rows,
        "possible_pairs": records.num_rows * (records.num_rows - 1) // 2,
        "probability_range": [round(min(probability), 3), round(max(probability), 3)]
        if probability
        else None,
        "seconds": round(seconds, 2),
    }


def run(results_dir: Path) -> dict[str, Any]:
    """Score every labelled set with and without domains, and the duplicate-free demo
    accounts; write ``dedupe.json``."""
    rows = [_measure(s, n, d) for s, n in SETS for d in (True, False)]
    figures = {
        "benchmark": "dedupe",
        "threshold": 0.5,
        "sets": rows,
        "target": "> 0.9 each",
        "demo_without_duplicates": _clean_demo(),
    }
    write_result(results_dir, "dedupe", figures)
    return figures


if __name__ == "__main__":
    print(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results")))
