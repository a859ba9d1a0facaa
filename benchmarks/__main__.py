"""``python -m benchmarks [NAME...]``: run the benchmarks, each in its own process."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks._measure import run_isolated

RESULTS = Path(__file__).parent / "results"


def main(names: list[str]) -> int:
    """Run the named benchmarks (all ``bench_*`` modules by default); non-zero if one failed."""
    available = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    chosen = [f"bench_{n}" for n in names] if names else available
    failed = [m for m in chosen if run_isolated(f"benchmarks.{m}", RESULTS) != 0]
    for m in failed:
        print(f"benchmark {m} failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
