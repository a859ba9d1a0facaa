"""Run a test's Spark part in a fresh Python process.

A process serves one Spark store (its catalog is fixed when Spark starts), and the Spark tests of
``tests/engines`` keep theirs open for the whole run; a test comparing with its own Spark store
therefore opens it in a child process of its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_RUN = (
    "import sys; from importlib import import_module; "
    "module, name = sys.argv[1].split(':'); getattr(import_module(module), name)(*sys.argv[2:])"
)


def run_in_child(target: str, *args: str, timeout: float = 900.0) -> None:
    """Call ``target`` (``"module:function"``) with ``args`` in a new Python process.

    Raises
    ------
    AssertionError
        When the call fails there; its output is the message.
    """
    done = subprocess.run(
        [sys.executable, "-c", _RUN, target, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise AssertionError(f"{target} failed in its own process:\n{done.stdout}\n{done.stderr}")
