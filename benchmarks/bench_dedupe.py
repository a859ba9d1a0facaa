"""Entity resolution on the generator's labelled dirty account set: precision, recall, time."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from benchmarks._measure import timed, write_result
from revintel.ingest._dedupe import evaluate_pairs, score_account_pairs
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


def run(results_dir: Path) -> dict[str, Any]:
    """Score every labelled set with and without domains; write ``dedupe.json``."""
    rows = [_measure(s, n, d) for s, n in SETS for d in (True, False)]
    figures = {"benchmark": "dedupe", "threshold": 0.5, "sets": rows, "target": "> 0.9 each"}
    write_result(results_dir, "dedupe", figures)
    return figures


if __name__ == "__main__":
    print(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results")))
