"""Accuracy of the lead and deal scores on their test windows, against the named baselines.

Each target is trained as ``revintel score train`` trains it without options: horizon and
windows chosen from the data, the model chosen on the validation window, the test window only
reported. Measured on the demo company at three seeds (the spread across seeds shows how much
of a difference is noise) and on the public Olist (leads) and Maven (deals) exports.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._measure import write_result
from revintel.ingest import import_files
from revintel.predict import GROUPS, train_score
from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company

DEMO_SEEDS = (42, 7, 11)
OLIST_FOLDER = "olist_marketing_funnel"
MAVEN_FOLDER = "maven_crm_sales_opportunities"
MAVEN_FILES = ("accounts.csv", "products.csv", "sales_teams.csv", "sales_pipeline.csv")
SHARED_DATA_VAR = "REVINTEL_SHARED_DATA"
METRICS = ("auc", "log_loss", "brier", "lift_top_decile", "rows", "positives")
ALGORITHMS = ("lightgbm", "naive_bayes", "points", "milestone_prior")


def _shared_data() -> Path | None:
    configured = os.environ.get(SHARED_DATA_VAR)
    if configured:
        return Path(configured)
    candidate = Path(__file__).resolve().parents[2] / "shared" / "data"
    return candidate if candidate.is_dir() else None


def _number(value: Any) -> Any:
    return round(float(value), 4) if isinstance(value, float) else value


def train_group(store: Store, group: str) -> list[dict[str, Any]]:
    """Train every target of ``group`` with windows chosen from the data; one entry per target."""
    out = []
    for kind in GROUPS[group]:
        start = time.perf_counter()
        result = train_score(store, kind)
        seconds = time.perf_counter() - start
        record = result.record
        rows = [
            {k: _number(v) for k, v in row.items()}
            for row in result.comparison.to_dict(orient="records")
        ]
        out.append(
            {
                "kind": kind,
                "chosen": record.algorithm,
                "status": record.status,
                "horizon_days": record.metrics["horizon_days"],
                "train_from": f"{record.train_from:%Y-%m-%d}",
                "choice_train_to": record.metrics["choice_train_to"][:10],
                "validation": [
                    record.metrics["validation_from"][:10],
                    record.metrics["validation_to"][:10],
                ],
                "test": [record.metrics["test_from"][:10], f"{record.test_to:%Y-%m-%d}"],
                "train_rows": record.metrics["train_rows"],
                "dropped": record.metrics.get("dropped", []),
                "seconds": round(seconds, 1),
                "algorithms": rows,
            }
        )
    return out


def _in_temporary_store(fill: Callable[[Store], None], groups: tuple[str, ...]) -> list[Any]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store.duckdb")
        try:
            fill(store)
            return [t for g in groups for t in train_group(store, g)]
        finally:
            store.close()


def demo(seed: int) -> dict[str, Any]:
    """Every target on the default demo company (60,000 leads) generated at ``seed``."""
    config = SynthConfig(seed=seed)
    start = time.perf_counter()
    targets = _in_temporary_store(
        lambda store: write_demo_company(store, config), ("leads", "deals")
    )
    return {"seed": seed, "leads": config.leads, "seconds": round(time.perf_counter() - start),
            "targets": targets}  # fmt: skip


def public(folder_name: str, preset: str, files: tuple[str, ...] | None, group: str) -> Any:
    """The targets of ``group`` on a public export imported with ``preset`` (``None`` if absent)."""
    base = _shared_data()
    folder = base / folder_name if base else None
    if folder is None or not folder.is_dir():
        return None
    paths = [folder / f for f in files] if files else sorted(folder.glob("*.csv"))
    return _in_temporary_store(lambda store: import_files(store, preset, paths), (group,))


def run(results_dir: Path) -> dict[str, Any]:
    """Measure every store and write ``results/accuracy_scoring.json``."""
    figures = {
        "benchmark": "accuracy_scoring",
        "demo": [demo(seed) for seed in DEMO_SEEDS],
        "olist": public(OLIST_FOLDER, "olist", None, "leads"),
        "maven": public(MAVEN_FOLDER, "maven", MAVEN_FILES, "deals"),
    }
    write_result(results_dir, "accuracy_scoring", figures)
    return figures


# ---------------------------------------------------------------------------------------------
# Rendering the docs blocks


def _f(value: Any, digits: int = 3) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}f}"


def _algorithm_table(targets: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| kind | algorithm | AUC | log loss | Brier | top-decile lift | test rows | positives "
        "| validation AUC |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for t in targets:
        rows = sorted(t["algorithms"], key=lambda r: ALGORITHMS.index(r["algorithm"]))
        for r in rows:
            name = f"**{r['algorithm']}** (chosen)" if r["chosen"] else r["algorithm"]
            lines.append(
                f"| {t['kind']} | {name} | {_f(r['auc'])} | {_f(r['log_loss'])} | "
                f"{_f(r['brier'])} | {_f(r['lift_top_decile'], 2)} | {r['rows']:,} | "
                f"{r['positives']:,} | {_f(r['validation_auc'])} |"
            )
    return lines


def _windows(targets: list[dict[str, Any]]) -> list[str]:
    lines = []
    for t in targets:
        dropped = f"; dropped as leaked: {', '.join(t['dropped'])}" if t["dropped"] else ""
        lines.append(
            f"- `{t['kind']}`: horizon {t['horizon_days']} days; train {t['train_from']}…"
            f"{t['choice_train_to']}, validation {t['validation'][0]}…{t['validation'][1]}, "
            f"test {t['test'][0]}…{t['test'][1]}; the registered model learned from "
            f"{t['train_rows']:,} rows (training and validation); {t['chosen']} chosen "
            f"({t['status']}), trained in {t['seconds']} s{dropped}."
        )
    return lines


def _store_block(targets: list[dict[str, Any]] | None, what: str) -> str:
    if not targets:
        return f"({what} not found when the figures were measured.)\n"
    return "\n".join([*_algorithm_table(targets), "", *_windows(targets)]) + "\n"


def _spread(demos: list[dict[str, Any]]) -> str:
    seeds = ", ".join(str(d["seed"]) for d in demos)
    lines = [
        f"| kind | algorithm | AUC mean | AUC min | AUC max | log loss mean | chosen (of "
        f"{len(demos)} seeds) |",
        "|---|---|---|---|---|---|---|",
    ]
    kinds = [t["kind"] for t in demos[0]["targets"]]
    for kind in kinds:
        per_seed = [next(t for t in d["targets"] if t["kind"] == kind) for d in demos]
        for algorithm in ALGORITHMS:
            rows = [r for t in per_seed for r in t["algorithms"] if r["algorithm"] == algorithm]
            if not rows:
                continue
            aucs = [r["auc"] for r in rows]
            chosen = sum(t["chosen"] == algorithm for t in per_seed)
            lines.append(
                f"| {kind} | {algorithm} | {_f(statistics.mean(aucs))} | {_f(min(aucs))} | "
                f"{_f(max(aucs))} | {_f(statistics.mean(r['log_loss'] for r in rows))} | "
                f"{chosen} |"
            )
    timing = ", ".join(f"seed {d['seed']}: {d['seconds']} s" for d in demos)
    lines += ["", f"Seeds {seeds}, {demos[0]['leads']:,} leads each; generating the company and "
              f"training all three targets took {timing}."]  # fmt: skip
    return "\n".join(lines) + "\n"


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The docs blocks: ``scoring-demo`` (first seed), ``scoring-seeds``, ``scoring-olist`` and
    ``scoring-maven``."""
    demos = figures["demo"]
    first = demos[0]
    return {
        "scoring-demo": f"Seed {first['seed']}, {first['leads']:,} leads:\n\n"
        + _store_block(first["targets"], "demo company"),
        "scoring-seeds": _spread(demos),
        "scoring-olist": _store_block(figures.get("olist"), "Olist export"),
        "scoring-maven": _store_block(figures.get("maven"), "Maven export"),
    }


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results"))
