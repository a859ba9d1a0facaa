"""Write the KPI reference: ``python -m revintel.metrics docs/metrics.md``."""

from __future__ import annotations

import sys
from pathlib import Path

from revintel.metrics._docs import render_metrics_doc
from revintel.metrics._loading import load_catalogue


def main(argv: list[str]) -> int:
    """Render the packaged catalogue to the file named in ``argv`` (or standard output)."""
    text = render_metrics_doc(load_catalogue())
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
