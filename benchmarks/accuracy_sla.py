"""Recovery of the planted response-time effect, and the service levels of the demo company.

The demo company plants a logit effect of log(response hours) on the MQL→SAL acceptance
(``response_time_logit_per_log_hour`` in its truth file). On the demo company at three seeds
this measures :func:`revintel.alignment._response_effect.estimate_response_effect` against it:
the estimate, its standard error, whether the 95 % and 99 % intervals hold the planted value,
the spread of the estimates over the seeds, and the SLA attainment of the built-in levels.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._measure import write_result
from revintel.alignment._response_effect import estimate_response_effect
from revintel.alignment._sla import lead_status, sla_summary
from revintel.metrics import MetricSources
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

DEMO_SEEDS = (42, 1, 2)
LEADS = 20_000
#: z of the two-sided 99 % interval.
Z99 = 2.5758


def _r(value: float, digits: int = 4) -> float:
    return round(float(value), digits)


def demo(seed: int) -> dict[str, Any]:
    """Estimate the effect on the demo company at ``seed`` and read its SLA attainment."""
    config = SynthConfig(seed=seed, leads=LEADS)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s.duckdb") as store:
        truth = write_demo_company(store, config).truth
        planted = float(truth["lead_scoring"]["response_time_logit_per_log_hour"])
        sources = MetricSources.from_store(store)
        start = time.perf_counter()
        effect = estimate_response_effect(sources)
        seconds = time.perf_counter() - start
        summary = sla_summary(lead_status(sources))
    b, se = effect.coefficient, effect.std_error
    return {
        "seed": seed,
        "leads": LEADS,
        "planted": planted,
        "estimate": _r(b),
        "std_error": _r(se),
        "lower95": _r(effect.lower),
        "upper95": _r(effect.upper),
        "covered95": bool(effect.lower <= planted <= effect.upper),
        "covered99": bool(b - Z99 * se <= planted <= b + Z99 * se),
        "sign_correct": bool((b < 0) == (planted < 0)),
        "doubling_change": _r(effect.doubling_change),
        "fitted_on": effect.leads,
        "accepted": effect.accepted,
        "median_hours": _r(effect.median_hours, 1),
        "seconds": _r(seconds, 2),
        "attainment": {str(row["level"]): _r(row["attainment"]) for _, row in summary.iterrows()},
    }


def run(results_dir: Path) -> dict[str, Any]:
    """Measure every seed, write ``results/accuracy_sla.json``."""
    demos = [demo(seed) for seed in DEMO_SEEDS]
    estimates = [d["estimate"] for d in demos]
    figures = {
        "benchmark": "accuracy_sla",
        "demo": demos,
        "mean_estimate": _r(statistics.fmean(estimates)),
        "sd_estimate": _r(statistics.stdev(estimates)),
        "coverage95": sum(d["covered95"] for d in demos) / len(demos),
    }
    write_result(results_dir, "accuracy_sla", figures)
    return figures


def _f(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}"


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The docs block ``sla-effect``."""
    demos = figures["demo"]
    lines = [
        "| seed | leads fitted | estimate | std. error | 95 % interval | planted | in 95 % | "
        "in 99 % | odds per doubling | acceptance SLA | first-contact SLA |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for d in demos:
        a = d["attainment"]
        lines.append(
            f"| {d['seed']} | {d['fitted_on']:,} | {_f(d['estimate'])} | {_f(d['std_error'])} "
            f"| {_f(d['lower95'])} … {_f(d['upper95'])} | {_f(d['planted'], 2)} "
            f"| {'yes' if d['covered95'] else 'no'} | {'yes' if d['covered99'] else 'no'} "
            f"| {_f(d['doubling_change'] * 100, 1)} % | {_f(a['accept'] * 100, 1)} % "
            f"| {_f(a['first_contact'] * 100, 1)} % |"
        )
    lines += [
        "",
        f"Over {len(demos)} seeds of {demos[0]['leads']:,} leads: mean estimate "
        f"{_f(figures['mean_estimate'])}, standard deviation {_f(figures['sd_estimate'])}, "
        f"95 % intervals holding the planted {_f(demos[0]['planted'], 2)}: "
        f"{round(figures['coverage95'] * len(demos))} of {len(demos)}; each fit takes about "
        f"{_f(statistics.fmean(d['seconds'] for d in demos), 1)} s.",
    ]
    return {"sla-effect": "\n".join(lines) + "\n"}


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results"))
