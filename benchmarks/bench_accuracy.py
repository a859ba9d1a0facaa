"""Accuracy of every estimator, out of time, and the docs tables generated from it.

Runs each ``benchmarks/accuracy_<section>.py`` in its own process (all sections, or those named
in ``$ACCURACY``, comma-separated), each writing ``results/accuracy_<section>.json``, then
rewrites the generated blocks of ``docs/`` from those files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from benchmarks._measure import run_isolated
from benchmarks.figures import sections, update_docs


def run(results_dir: Path) -> int:
    """Run the chosen sections; non-zero when one failed (its docs blocks are left as they were)."""
    wanted = [s for s in os.environ.get("ACCURACY", "").split(",") if s] or sections()
    unknown = sorted(set(wanted) - set(sections()))
    if unknown:
        print(f"unknown accuracy sections: {', '.join(unknown)}; known: {', '.join(sections())}")
        return 2
    failed = [s for s in wanted if run_isolated(f"benchmarks.accuracy_{s}", results_dir) != 0]
    changed = update_docs(results_dir)
    print("docs blocks updated: " + (", ".join(changed) if changed else "none"))
    if failed:
        print(f"accuracy sections failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results")))
