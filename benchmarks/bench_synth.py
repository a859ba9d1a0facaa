"""Demo-company generator: 1M leads generated and written to a DuckDB store."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._measure import timed, write_result
from revintel.store import open_store
from revintel.synth import SynthConfig, generate, write_demo_company

LEADS = 1_000_000


def run(results_dir: Path) -> dict[str, Any]:
    """Generate 1M leads in memory, then again into a store; record time and peak memory."""
    config = SynthConfig(leads=LEADS)
    result, generate_s, generate_mib = timed(lambda: generate(config))
    rows = {name: t.num_rows for name, t in result.tables.items()}
    del result
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.duckdb")
        _, write_s, write_mib = timed(lambda: write_demo_company(store, config))
        store.close()
    figures = {
        "benchmark": "synth",
        "leads": LEADS,
        "rows": rows,
        "generate_seconds": round(generate_s, 2),
        "generate_peak_mib": round(generate_mib),
        "generate_and_write_seconds": round(write_s, 2),
        "generate_and_write_peak_mib": round(write_mib),
        "target": "well under 60 s for 1M leads",
    }
    write_result(results_dir, "synth", figures)
    return figures


if __name__ == "__main__":
    print(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results")))
