"""Every command at 1M and 10M leads: wall time and peak memory of the real CLI, growth per row.

For each size a DuckDB store is written by ``revintel synth`` (this is the import step: an
import of a 10M-lead export is impractical on the benchmark machine, so the generator's write
stands in for it), then every analysis runs as its own ``revintel … --db …`` process while the
resident memory of that process (and its children) is sampled. ``results/scale.json`` holds the
seconds and peak MiB per command and size, the growth per row of each command between the
smallest and the largest size (``cost(large) / cost(small) / (large / small)``, target ≤ 1.2),
the peak memory verdict (< 8 GiB) and the load average around each command.

Environment:

- ``REVINTEL_SCALE_SIZES``: lead counts, comma-separated (default ``1000000,10000000``);
  results of other sizes already in ``scale.json`` are kept, so sizes can run one at a time.
- ``REVINTEL_SCALE_DIR``: folder for the stores (default ``/tmp/revintel-scale``).
- ``REVINTEL_SCALE_TIMEOUT``: seconds one command may take (default 3600).
- ``REVINTEL_SCALE_COMMANDS``: the commands to run, in this order, by name (default: all but
  ``score apply deals``), e.g. ``score train deals,score apply deals``.
- ``REVINTEL_SCALE_REUSE=1``: add the commands' figures to that size's earlier ones, and keep a
  store left by an earlier run (``REVINTEL_SCALE_KEEP=1``) instead of writing it again (a missing
  store is written by ``import (synth write)``, which then belongs in the command list).
- ``REVINTEL_SCALE_SPARK=1``: also run every command on a Spark ``local[2]`` store of
  ``REVINTEL_SCALE_SPARK_SIZE`` leads (default 1,000,000), ``--db spark:///…``;
  ``REVINTEL_SCALE_DUCKDB=0`` leaves the DuckDB sizes out (earlier figures are kept).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks._measure import machine

DEFAULT_SIZES = (1_000_000, 10_000_000)
PEAK_LIMIT_MIB = 8 * 1024
GROWTH_TARGET = 1.2
SAMPLE_SECONDS = 0.1

#: The measured commands: name → arguments after ``revintel`` (``{db}`` and ``{out}`` filled in).
COMMANDS: dict[str, list[str]] = {
    "import (synth write)": ["synth", "--db", "{db}", "--leads", "{leads}"],
    "funnel": ["funnel", "--db", "{db}"],
    "kpi": ["kpi", "--db", "{db}"],
    "alerts": ["alerts", "--db", "{db}"],
    "forecast": ["forecast", "--db", "{db}"],
    "forecast backtest": ["forecast", "backtest", "--db", "{db}"],
    "score train leads": ["score", "train", "leads", "--db", "{db}"],
    "score train deals": ["score", "train", "deals", "--db", "{db}"],
    "score apply": ["score", "apply", "--db", "{db}"],
    "score apply deals": ["score", "apply", "deals", "--db", "{db}"],
    "report": ["report", "--db", "{db}", "--out", "{out}/report.html"],
    "quality": ["quality", "--db", "{db}"],
}


def commands() -> dict[str, list[str]]:
    """The commands to measure, from ``REVINTEL_SCALE_COMMANDS`` (default: the full list)."""
    text = os.environ.get("REVINTEL_SCALE_COMMANDS", "")
    if not text.strip():
        return {k: v for k, v in COMMANDS.items() if k != "score apply deals"}
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in COMMANDS]
    if unknown:
        raise SystemExit(f"REVINTEL_SCALE_COMMANDS: unknown {unknown}; known: {list(COMMANDS)}")
    return {n: COMMANDS[n] for n in names}


def sizes() -> list[int]:
    """Lead counts to measure, from ``REVINTEL_SCALE_SIZES``."""
    text = os.environ.get("REVINTEL_SCALE_SIZES", "")
    if not text.strip():
        return list(DEFAULT_SIZES)
    try:
        out = [int(x.replace("_", "")) for x in text.split(",") if x.strip()]
    except ValueError:
        raise SystemExit(
            f"REVINTEL_SCALE_SIZES must be lead counts like 100000,200000: {text!r}"
        ) from None
    if not out or min(out) < 1_000:
        raise SystemExit(f"REVINTEL_SCALE_SIZES needs counts of at least 1000 leads: {text!r}")
    return out


def _cli() -> str:
    return str(Path(sys.executable).with_name("revintel"))


def _rss(process: psutil.Process) -> int:
    total = 0
    for p in (process, *process.children(recursive=True)):
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def _watch(child: subprocess.Popen[bytes], start: float, timeout: float) -> tuple[int, bool]:
    """Sample the child's resident memory until it ends (or is stopped after ``timeout``)."""
    watched = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _rss(watched))
        if time.perf_counter() - start > timeout:
            child.kill()
            child.wait()
            return peak, True
        time.sleep(SAMPLE_SECONDS)
    return peak, False


def run_command(args: list[str], timeout: float) -> dict[str, Any]:
    """Run ``revintel args`` as a child process: seconds, peak resident MiB (with its own
    children), exit code, load average before and after, and the last error line."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile(mode="w+") as errors:
        start = time.perf_counter()
        child = subprocess.Popen([_cli(), *args], stdout=subprocess.DEVNULL, stderr=errors)
        peak, timed_out = _watch(child, start, timeout)
        seconds = time.perf_counter() - start
        errors.seek(0)
        stderr = errors.read()
    out: dict[str, Any] = {
        "seconds": round(seconds, 2),
        "peak_mib": round(peak / 2**20),
        "exit_code": child.returncode,
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }
    if timed_out:
        out["timed_out_after_seconds"] = timeout
    if child.returncode:
        lines = [x for x in (stderr or "").strip().splitlines() if x.strip()]
        out["error"] = lines[-1][:300] if lines else ""
    return out


def _fill(args: list[str], db: str, leads: int, out: Path) -> list[str]:
    return [a.format(db=db, leads=leads, out=out) for a in args]


def measure_store(
    db: str,
    leads: int,
    folder: Path,
    timeout: float,
    save: Any,
    earlier: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write a ``leads``-lead store at ``db`` and measure every command on it (adding to the
    ``earlier`` figures of this size, if given)."""
    entry: dict[str, Any] = earlier or {"leads": leads, "db": db.split("?")[0], "commands": {}}
    for name, args in commands().items():
        print(f"[{leads:,}] {name} …", flush=True)
        result = run_command(_fill(args, db, leads, folder), timeout)
        print(f"[{leads:,}] {name}: {result}", flush=True)
        entry["commands"][name] = result
        if name.startswith("import") and (size := _store_bytes(db)) is not None:
            entry["store_mib"] = round(size / 2**20)
        save(entry)
        if name.startswith("import") and result["exit_code"]:
            break  # nothing to analyse without a store
    return entry


def _store_bytes(db: str) -> int | None:
    """Bytes of the store: the DuckDB file, or every file of a Spark store's folder."""
    path = Path(db.removeprefix("spark://").split("?")[0])
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return None


def growth(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    """Per command: cost(large) / cost(small) / (large / small) of time and of peak memory."""
    factor = large["leads"] / small["leads"]
    out: dict[str, Any] = {}
    for name, big in large["commands"].items():
        base = small["commands"].get(name)
        if base is not None and not base["exit_code"] and big["exit_code"] < 0:
            at_least = big["seconds"] / base["seconds"] / factor
            out[name] = {
                "time_per_row_at_least": round(at_least, 3),
                "meets_target": False if at_least > GROWTH_TARGET else None,
            }
            continue
        if base is None or base["exit_code"] or big["exit_code"] or not base["seconds"]:
            out[name] = None
            continue
        time_growth = big["seconds"] / base["seconds"] / factor
        out[name] = {
            "time_per_row": round(time_growth, 3),
            "memory_per_row": round(big["peak_mib"] / max(base["peak_mib"], 1) / factor, 3),
            "meets_target": time_growth <= GROWTH_TARGET,
        }
    return out


def summarise(figures: dict[str, Any]) -> dict[str, Any]:
    """Growth between the smallest and largest DuckDB size and the peak memory verdict."""
    runs = sorted(figures["duckdb"].values(), key=lambda e: e["leads"])
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        figures["growth"] = {
            "from_leads": small["leads"],
            "to_leads": large["leads"],
            "commands": growth(small, large),
        }
    largest = runs[-1] if runs else None
    if largest is not None:
        peaks = [c["peak_mib"] for c in largest["commands"].values()]
        failed = [n for n, c in largest["commands"].items() if c["exit_code"] > 0]
        stopped = [n for n, c in largest["commands"].items() if c["exit_code"] < 0]
        figures["peak"] = {
            "leads": largest["leads"],
            "max_peak_mib": max(peaks) if peaks else None,
            "limit_mib": PEAK_LIMIT_MIB,
            "below_limit": bool(peaks) and max(peaks) < PEAK_LIMIT_MIB,
            "commands_measured": len(peaks),
            "commands_failed": failed,
            "commands_stopped": stopped,
        }
    return figures


def _load(path: Path) -> dict[str, Any]:
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    return {}


def run(results_dir: Path) -> dict[str, Any]:
    """Measure every size asked for, merging into ``results_dir/scale.json`` as it goes."""
    path = results_dir / "scale.json"
    figures = _load(path)
    figures.update(
        benchmark="scale",
        target=f"growth per row ≤ {GROWTH_TARGET} from 1M to 10M leads; peak memory < 8 GiB",
        import_note="import is measured as `revintel synth` writing the store (an import of a "
        "10M-lead export is impractical on this machine)",
    )
    figures.setdefault("duckdb", {})
    figures.setdefault("spark", {})
    folder = Path(os.environ.get("REVINTEL_SCALE_DIR", "/tmp/revintel-scale"))
    folder.mkdir(parents=True, exist_ok=True)
    timeout = float(os.environ.get("REVINTEL_SCALE_TIMEOUT", "3600"))

    def save(engine: str, entry: dict[str, Any]) -> None:
        figures[engine][str(entry["leads"])] = entry
        summarise(figures)
        figures["machine"] = {**machine(), "load_average_at_end": os.getloadavg()}
        results_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")

    reuse = os.environ.get("REVINTEL_SCALE_REUSE") == "1"
    on_duckdb = sizes() if os.environ.get("REVINTEL_SCALE_DUCKDB") != "0" else []
    for leads in on_duckdb:
        db = folder / f"scale-{leads}.duckdb"
        earlier = figures["duckdb"].get(str(leads)) if reuse else None
        if not reuse:
            db.unlink(missing_ok=True)
        measure_store(str(db), leads, folder, timeout, lambda e: save("duckdb", e), earlier)
        if os.environ.get("REVINTEL_SCALE_KEEP") != "1":
            db.unlink(missing_ok=True)
    if os.environ.get("REVINTEL_SCALE_SPARK") == "1":
        leads = int(os.environ.get("REVINTEL_SCALE_SPARK_SIZE", "1000000"))
        store = folder / f"spark-{leads}"
        shutil.rmtree(store, ignore_errors=True)
        measure_store(f"spark://{store}", leads, folder, timeout, lambda e: save("spark", e))
    return figures


# --- figures quoted by docs/scale.md (checked by tests/test_figures.py) -----------------------


def _mib(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _seconds(command: dict[str, Any] | None) -> str:
    if command is None:
        return "not run"
    if command.get("timed_out_after_seconds"):
        return f"> {command['timed_out_after_seconds']:,.0f} (stopped)"
    if command["exit_code"] < 0:  # ended by a signal: stopped from outside before it finished
        return f"> {command['seconds']:,.0f} (stopped)"
    if command["exit_code"]:
        return "failed"
    return f"{command['seconds']:,.1f}"


def _times_duckdb(command: dict[str, Any] | None, duckdb: dict[str, Any] | None) -> str:
    """How many times DuckDB's seconds a command took (both finished), else ``–``."""
    if command is None or duckdb is None or command["exit_code"] or duckdb["exit_code"]:
        return "–"
    return f"{command['seconds'] / duckdb['seconds']:.1f}"


def _engine_table(runs: dict[str, Any], duckdb: dict[str, Any] | None = None) -> str:
    """Seconds and peak memory per command and size; with ``duckdb`` (the DuckDB runs), also
    DuckDB's seconds at the same size and the ratio."""
    entries = sorted(runs.values(), key=lambda e: e["leads"])
    if not entries:
        return "_Not measured yet: run `REVINTEL_SCALE_SPARK=1 make bench BENCH=scale`._\n"
    head = "| command | " + " | ".join(
        f"{e['leads'] / 1e6:g}M leads: s | peak MiB"
        + (" | DuckDB s | × DuckDB" if duckdb is not None else "")
        for e in entries
    )
    columns = 4 if duckdb is not None else 2
    lines = [head + " |", "|---|" + "---:|" * columns * len(entries)]
    for name in COMMANDS:
        if not any(name in e["commands"] for e in entries):
            continue
        cells = []
        for e in entries:
            c = e["commands"].get(name)
            cells += [_seconds(c), _mib(None if c is None else c["peak_mib"])]
            if duckdb is not None:
                same = duckdb.get(str(e["leads"]), {}).get("commands", {}).get(name)
                cells += [_seconds(same), _times_duckdb(c, same)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    loads = ", ".join(
        f"{e['leads'] / 1e6:g}M: "
        + "–".join(
            f"{v:.1f}" for v in _load_range([c["load_before"] for c in e["commands"].values()])
        )
        for e in entries
    )
    sizes_mib = ", ".join(
        f"{e['leads'] / 1e6:g}M: {_mib(e['store_mib'])} MiB" for e in entries if "store_mib" in e
    )
    return (
        "\n".join(lines)
        + f"\n\nLoad average (1 min) before the commands: {loads}."
        + (f" Store: {sizes_mib}.\n" if sizes_mib else "\n")
    )


def _load_range(values: list[float]) -> list[float]:
    return [min(values), max(values)] if values else [math.nan]


def _growth_table(figures: dict[str, Any]) -> str:
    g = figures.get("growth")
    if not g:
        return "_Growth needs two sizes in `scale.json`._\n"
    lines = [
        f"From {g['from_leads']:,} to {g['to_leads']:,} leads "
        f"({g['to_leads'] / g['from_leads']:g}× the data); growth per row = "
        f"cost(large) / cost(small) / {g['to_leads'] / g['from_leads']:g}, "
        f"target ≤ {GROWTH_TARGET}:",
        "",
        "| command | time per row | memory per row | target met |",
        "|---|---:|---:|---|",
    ]
    for name, row in g["commands"].items():
        if row is None:
            lines.append(f"| {name} | – | – | not measured at both sizes |")
        elif "time_per_row_at_least" in row:
            met = "no" if row["meets_target"] is False else "unknown"
            lines.append(f"| {name} | ≥ {row['time_per_row_at_least']:.2f} (stopped) | – | {met} |")
        else:
            met = "yes" if row["meets_target"] else "no"
            lines.append(
                f"| {name} | {row['time_per_row']:.2f} | {row['memory_per_row']:.2f} | {met} |"
            )
    peak = figures.get("peak")
    if peak:
        verdict = "below" if peak["below_limit"] else "NOT below"
        lines += [
            "",
            f"Peak memory at {peak['leads']:,} leads: {_mib(peak['max_peak_mib'])} MiB, "
            f"{verdict} the {peak['limit_mib']:,} MiB limit ({peak['commands_measured']} commands "
            f"measured"
            + (f"; failed: {', '.join(peak['commands_failed'])}" if peak["commands_failed"] else "")
            + (
                f"; stopped before the end, peak so far: {', '.join(peak['commands_stopped'])}"
                if peak.get("commands_stopped")
                else ""
            )
            + ").",
        ]
    return "\n".join(lines) + "\n"


def _measured(figures: dict[str, Any]) -> dict[str, list[tuple[int, float, float]]]:
    """Per command, every DuckDB size it finished at: (leads, seconds, peak MiB), by size."""
    out: dict[str, list[tuple[int, float, float]]] = {}
    for entry in sorted(figures.get("duckdb", {}).values(), key=lambda e: e["leads"]):
        for name, c in entry["commands"].items():
            if not c["exit_code"]:
                out.setdefault(name, []).append((entry["leads"], c["seconds"], c["peak_mib"]))
    return out


def extrapolate(points: list[tuple[int, float, float]], leads: int) -> tuple[float, float]:
    """Seconds and peak MiB at ``leads``: along the line through the smallest and largest
    measured sizes (never falling), or proportional to the one size measured."""
    small, large = points[0], points[-1]
    if large[0] == small[0]:
        return small[1] * leads / small[0], small[2] * leads / small[0]
    span = large[0] - small[0]
    seconds_per_lead = max(0.0, (large[1] - small[1]) / span)
    mib_per_lead = max(0.0, (large[2] - small[2]) / span)
    extra = leads - large[0]
    return large[1] + seconds_per_lead * extra, large[2] + mib_per_lead * extra


#: Input partition size Spark aims for (``spark.sql.files.maxPartitionBytes``), and the cores
#: per executor the sizing assumes.
PARTITION_MIB = 128
EXECUTOR_CORES = 4
SIZING_LEADS = (10_000_000, 100_000_000, 1_000_000_000)


def _sizing(figures: dict[str, Any]) -> str:
    measured = _measured(figures)
    runs = sorted(figures.get("duckdb", {}).values(), key=lambda e: e["leads"])
    stored = [e for e in runs if e.get("store_mib")]
    if not measured or not stored:
        return "_No measurement yet._\n"
    store_per_m = stored[-1]["store_mib"] / (stored[-1]["leads"] / 1e6)
    cores = figures["machine"]["cpus"]
    lines = [
        f"Measured (DuckDB, {cores} cores), per million leads, at the largest size each "
        "command finished:",
        "",
        "| command | measured at | seconds per 1M leads | peak MiB per 1M leads |",
        "|---|---:|---:|---:|",
    ]
    for name in COMMANDS:
        if name in measured:
            leads, sec, mib = measured[name][-1]
            m = leads / 1e6
            lines.append(f"| {name} | {m:g}M | {sec / m:,.1f} | {mib / m:,.0f} |")
    full = [n for n in measured if n != "score apply deals"]
    train = measured.get("score train leads") or measured.get("score train deals")
    lines += [
        "",
        f"Store on disk: {store_per_m:,.0f} MiB per million leads "
        f"(at {stored[-1]['leads'] / 1e6:g}M).",
        "",
        "Extrapolated, not measured: each command along the line through its smallest and "
        "largest measured size (proportionally when measured at one size only, which also "
        "scales the fixed cost of starting a process and so overstates). Shown: the store, "
        f"the {len(full)} commands above one after another on one {cores}-core machine, the "
        f"cores that read the store in one wave of {PARTITION_MIB} MiB partitions (executors "
        f"of {EXECUTOR_CORES} cores), and the memory `score train` needs in the process that "
        "fits the models (on Spark, the driver):",
        "",
        "| leads | store | all commands, one machine | cores for one wave | executors "
        "| memory for score train |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for leads in SIZING_LEADS:
        m = leads / 1e6
        total = sum(extrapolate(measured[n], leads)[0] for n in full)
        wave = math.ceil(store_per_m * m / PARTITION_MIB)
        driver = "–" if train is None else f"{extrapolate(train, leads)[1] / 1024:,.1f} GiB"
        lines.append(
            f"| {m:g}M | {store_per_m * m / 1024:,.1f} GiB | {total / 3600:,.1f} h "
            f"| {wave:,} | {math.ceil(wave / EXECUTOR_CORES):,} | {driver} |"
        )
    return "\n".join(lines) + "\n"


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The blocks of docs/scale.md, rendered from ``scale.json``."""
    return {
        "scale.duckdb": _engine_table(figures.get("duckdb", {})),
        "scale.growth": _growth_table(figures),
        "scale.spark": _engine_table(figures.get("spark", {}), figures.get("duckdb", {})),
        "scale.sizing": _sizing(figures),
    }


if __name__ == "__main__":
    print(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results")))
