"""Measuring wall time and peak memory of a piece of work, in a fresh child process."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil


class PeakMemory:
    """Samples the resident memory of this process and its children while work runs."""

    def __init__(self) -> None:
        self.peak = 0

    def sample(self) -> None:
        process = psutil.Process()
        rss = process.memory_info().rss
        for child in process.children(recursive=True):
            try:
                rss += child.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        self.peak = max(self.peak, rss)


def timed(work: Callable[[], Any], interval: float = 0.05) -> tuple[Any, float, float]:
    """Run ``work``; return its result, seconds taken and peak resident memory in MiB."""
    import threading

    meter = PeakMemory()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            meter.sample()
            stop.wait(interval)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    try:
        result = work()
    finally:
        elapsed = time.perf_counter() - start
        stop.set()
        watcher.join()
    meter.sample()
    return result, elapsed, meter.peak / 2**20


def machine() -> dict[str, Any]:
    """Facts about the machine the figures were measured on."""
    return {
        "python": platform.python_version(),
        "cpus": psutil.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_result(results_dir: Path, name: str, figures: dict[str, Any]) -> Path:
    """Write ``figures`` with machine facts to ``results_dir/name.json``."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{name}.json"
    path.write_text(json.dumps({**figures, "machine": machine()}, indent=2), encoding="utf-8")
    return path


def run_isolated(module: str, results_dir: Path) -> int:
    """Run ``python -m module results_dir`` so each benchmark has its own memory."""
    return subprocess.call([sys.executable, "-m", module, str(results_dir)])
