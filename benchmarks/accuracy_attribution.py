"""Accuracy of the attribution models against the channel effects planted in the demo company.

The demo generator makes every touch channel present in each stage of a lead's journey at random,
independently of the lead, and plants a logit effect per channel and milestone transition; its
truth file holds each channel's incremental conversions (``truth["attribution"]``). Per
transition the journeys are read with ``store_journeys(stage_only=True)`` (the touches of the
stage) and every model attributes them; the channels present in the stage (planted presence rate
above 0) are ranked by the model's credited conversions and by the planted incremental
conversions, and the two rankings compared by Spearman's rank correlation. For the chosen
data-driven model (``shapley``) the credits are also compared with the planted conversions in
size: the relative error ``Σ|credit − planted| / Σ planted`` over those channels and the ratio
of the credited to the planted total.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scipy.stats import spearmanr

from benchmarks._measure import write_result
from revintel.attribution._journeys import store_journeys
from revintel.attribution._models import MODELS, attribute
from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company

#: The first seed is the one of the planted-effects test (tests/attribution).
SEEDS = (42, 1, 2, 3, 4)
CHOSEN = "shapley"
#: The rank correlation the chosen model must reach in every transition.
TARGET = 0.8


def planted_channels(step: dict[str, Any]) -> dict[str, float]:
    """Planted incremental conversions of the channels present in the stage (rate above 0)."""
    return {
        name: float(channel["incremental_conversions"])
        for name, channel in step["channels"].items()
        if channel["presence_rate"] > 0
    }


def credited(store: Store, target: str, planted: dict[str, float]) -> dict[str, dict[str, float]]:
    """Per model, the conversions it credits to each planted channel (0 when it has no touch)."""
    paths = store_journeys(store, target, stage_only=True).paths
    out: dict[str, dict[str, float]] = {}
    for model in MODELS:
        table = attribute(paths, model).channels.set_index("channel")["conversions"]
        out[model] = {name: float(table.get(name, 0.0)) for name in planted}
    return out


def rank_correlation(credits: dict[str, float], planted: dict[str, float]) -> float:
    """Spearman's rank correlation of credited and planted conversions over the channels."""
    names = list(planted)
    result = spearmanr([credits[n] for n in names], [planted[n] for n in names])
    return float(result.statistic)


def relative_error(credits: dict[str, float], planted: dict[str, float]) -> float:
    """``Σ|credit − planted| / Σ planted`` over the channels."""
    gap = sum(abs(credits[n] - planted[n]) for n in planted)
    return gap / sum(planted.values())


def evaluate(store: Store, truth: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per transition: journeys, Spearman per model, the chosen model's errors."""
    rows = []
    for target, step in truth.items():
        planted = planted_channels(step)
        credits = credited(store, target, planted)
        chosen = credits[CHOSEN]
        rows.append(
            {
                "transition": f"{step['from']}→{target}",
                "target": target,
                "decided": step["decided"],
                "channels": len(planted),
                "spearman": {m: round(rank_correlation(credits[m], planted), 4) for m in MODELS},
                "relative_error": round(relative_error(chosen, planted), 4),
                "credit_to_planted": round(sum(chosen.values()) / sum(planted.values()), 4),
                "planted": {n: round(v, 2) for n, v in planted.items()},
                "credited": {n: round(v, 2) for n, v in chosen.items()},
            }
        )
    return rows


def demo(seed: int) -> dict[str, Any]:
    """The default demo company (60,000 leads) at ``seed``, evaluated."""
    config = SynthConfig(seed=seed)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s.duckdb") as store:
        result = write_demo_company(store, config)
        start = time.perf_counter()
        transitions = evaluate(store, result.truth["attribution"])
        seconds = time.perf_counter() - start
    return {
        "seed": seed,
        "leads": config.leads,
        "seconds": round(seconds, 1),
        "transitions": transitions,
    }


def run(results_dir: Path) -> dict[str, Any]:
    """Evaluate every seed; write ``results/accuracy_attribution.json``."""
    figures = {
        "benchmark": "accuracy_attribution",
        "chosen": CHOSEN,
        "target": TARGET,
        "settings": {"level": "lead", "stage_only": True, "markov_order": 1},
        "demo": [demo(seed) for seed in SEEDS],
    }
    write_result(results_dir, "accuracy_attribution", figures)
    return figures


# ---------------------------------------------------------------------------------------------
# Rendering the docs blocks


def _f(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace("-", "−")


def _targets(demos: list[dict[str, Any]]) -> list[str]:
    return [t["target"] for t in demos[0]["transitions"]]


SHORT = {
    "opportunity_generated": "opp. generated",
    "opportunity_specified": "opp. specified",
    "offer_sent": "offer sent",
    "offer_discussed": "offer discussed",
    "contract_negotiation": "negotiation",
}


def _short(transition: str) -> str:
    """``→ target`` with a short name of the target milestone."""
    target = transition.split("→")[-1]
    return f"→ {SHORT.get(target, target)}"


def _first_seed(d: dict[str, Any], target: float) -> str:
    rows = d["transitions"]
    head = "| model | " + " | ".join(_short(r["transition"]) for r in rows) + " | passes |"
    lines = [head, "|---|" + "---:|" * len(rows) + "---|"]
    for model in MODELS:
        values = [r["spearman"][model] for r in rows]
        passed = sum(v >= target for v in values)
        name = f"**{model}** (chosen)" if model == CHOSEN else model
        cells = " | ".join(_f(v) for v in values)
        lines.append(f"| {name} | {cells} | {passed} of {len(values)} |")
    channels = ", ".join(f"{_short(r['transition'])}: {r['channels']}" for r in rows)
    lines += [
        "",
        f"Seed {d['seed']} ({d['leads']:,} leads); channels present per stage ({channels}); "
        f"all models on all transitions in {d['seconds']} s.",
    ]
    return "\n".join(lines) + "\n"


def _spread(demos: list[dict[str, Any]], target: float) -> str:
    targets = _targets(demos)
    names = [_short(t["transition"]) for t in demos[0]["transitions"]]
    lines = ["| model | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for model in MODELS:
        cells = []
        for i, _ in enumerate(targets):
            values = [d["transitions"][i]["spearman"][model] for d in demos]
            cell = f"{_f(statistics.mean(values))} ({_f(min(values))}…{_f(max(values))})"
            cells.append(cell)
        name = f"**{model}**" if model == CHOSEN else model
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    seeds = ", ".join(str(d["seed"]) for d in demos)
    chosen = [t["spearman"][CHOSEN] for d in demos for t in d["transitions"]]
    met = sum(v >= target for v in chosen)
    lines += [
        "",
        f"Mean (min…max) over seeds {seeds}. {CHOSEN} reaches {_f(target, 1)} in {met} of "
        f"{len(chosen)} seed × transition cases.",
    ]
    return "\n".join(lines) + "\n"


def _errors(demos: list[dict[str, Any]]) -> str:
    lines = [
        "| transition | relative error | credited / planted | planted (first seed) |",
        "|---|---:|---:|---:|",
    ]
    for i, row in enumerate(demos[0]["transitions"]):
        errors = [d["transitions"][i]["relative_error"] for d in demos]
        ratios = [d["transitions"][i]["credit_to_planted"] for d in demos]
        lines.append(
            f"| {row['transition']} | {_f(statistics.mean(errors))} "
            f"({_f(min(errors))}…{_f(max(errors))}) | {_f(statistics.mean(ratios))} "
            f"({_f(min(ratios))}…{_f(max(ratios))}) | {sum(row['planted'].values()):,.0f} |"
        )
    return "\n".join(lines) + "\n"


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The docs blocks ``attribution-demo`` (first seed), ``attribution-seeds`` and
    ``attribution-error``."""
    demos, target = figures["demo"], figures["target"]
    return {
        "attribution-demo": _first_seed(demos[0], target),
        "attribution-seeds": _spread(demos, target),
        "attribution-error": _errors(demos),
    }


if __name__ == "__main__":
    out = run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results"))
    blocks = render(out)
    print("\n".join(blocks.values()))
