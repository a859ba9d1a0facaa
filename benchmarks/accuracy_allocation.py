"""The proof by simulation: today's size-based service, the optimised plan and a random one,
each of the same sales hours, scored against the potential and share-of-wallet curve planted
in the demo company.

At several seeds this builds the demo company, replays one year with
:func:`revintel.allocation.replay_allocation` (the optimised plan sees only the store: the
estimated potential and the fitted response curve) and records the expected and simulated
order intake and margin of each plan with 90 % intervals, and each plan's gain over today's.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._measure import write_result
from revintel.allocation import OrderNoise, WalletTruth, replay_allocation
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from revintel.synth import _config as planted

#: (seed, leads, accounts, reps): the size the test uses at three seeds, and the default demo.
COMPANIES = (
    (5, 8_000, 2_000, 8),
    (6, 8_000, 2_000, 8),
    (7, 8_000, 2_000, 8),
    (42, 60_000, 3_000, 20),
)
#: Hours a week the plan ``optimised_finer`` may give an account (the rules offer 0.25, 1, 2).
FINER_LEVELS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
#: Simulated years per company.
DRAWS = 4_000
#: The demo company's purchase noise: Gamma purchase rates, Gamma order values.
NOISE = OrderNoise(
    rate_shape=planted.REPEAT_R,
    rate_per_year=planted.REPEAT_R / planted.REPEAT_ALPHA,
    value_shape=planted.SPEND_P,
)


def _r(value: float, digits: int = 0) -> float:
    return round(float(value), digits)


def demo(seed: int, leads: int, accounts: int, reps: int) -> dict[str, Any]:
    """Replay one year of the demo company of this size against its planted truth."""
    config = SynthConfig(seed=seed, leads=leads, accounts=accounts, reps=reps)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s.duckdb") as store:
        truth = WalletTruth.from_mapping(write_demo_company(store, config).truth["allocation"])
        start = time.perf_counter()
        replay = replay_allocation(
            store, truth, noise=NOISE, draws=DRAWS, finer_levels=FINER_LEVELS
        )
        seconds = time.perf_counter() - start
    simulation = replay.simulation
    plans = {
        row["plan"]: {
            k: _r(v, 3) if k == "hours_per_week" else _r(v) for k, v in row.items() if k != "plan"
        }
        for row in simulation.plans.to_dict("records")
    }
    uplift = {
        row["plan"]: {
            "expected_intake": _r(row["expected_intake"]),
            "expected_margin": _r(row["expected_margin"]),
            "intake_low": _r(row["intake_low"]),
            "intake_high": _r(row["intake_high"]),
            "share": _r(row["share"], 4),
        }
        for row in simulation.uplift.to_dict("records")
    }
    curve = replay.curve
    return {
        "seed": seed,
        "leads": leads,
        "accounts": accounts,
        "customers": len(simulation.hours),
        "status": replay.status,
        "finer_status": replay.finer_status,
        "curve": {
            "s0": _r(curve.s0, 4),
            "s_max": _r(curve.s_max, 4),
            "h_half": _r(curve.h_half, 1),
        },
        "plans": plans,
        "uplift": uplift,
        "draws": simulation.draws,
        "seconds": _r(seconds, 1),
    }


def run(results_dir: Path) -> dict[str, Any]:
    """Replay every company, write ``results/accuracy_allocation.json``."""
    figures = {"benchmark": "accuracy_allocation", "demo": [demo(*c) for c in COMPANIES]}
    write_result(results_dir, "accuracy_allocation", figures)
    return figures


def _money(value: float) -> str:
    return f"{value / 1e6:,.2f} M€"


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The docs blocks ``allocation-simulation`` and ``allocation-uplift``."""
    plans = [
        "| seed | accounts | customers | plan | hours a week | expected intake | 90 % of years "
        "| expected margin | 90 % of years |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    uplift = [
        "| seed | customers | fitted curve (s0, s_max, h_half) | optimised − size-based "
        "| 90 % of years | finer levels − size-based | 90 % of years | random − size-based "
        "| 90 % of years | replay |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for d in figures["demo"]:
        for name, p in d["plans"].items():
            plans.append(
                f"| {d['seed']} | {d['accounts']:,} | {d['customers']:,} | {name} "
                f"| {p['hours_per_week']:,.1f} | {_money(p['expected_intake'])} "
                f"| {_money(p['intake_low'])} – {_money(p['intake_high'])} "
                f"| {_money(p['expected_margin'])} "
                f"| {_money(p['margin_low'])} – {_money(p['margin_high'])} |"
            )
        c = d["curve"]
        cells = [
            f"{_money(u['expected_intake'])} ({u['share'] * 100:+.1f} %) "
            f"| {_money(u['intake_low'])} – {_money(u['intake_high'])}"
            for u in (d["uplift"][p] for p in ("optimised", "optimised_finer", "random"))
        ]
        uplift.append(
            f"| {d['seed']} | {d['customers']:,} | {c['s0']:.3f}, {c['s_max']:.3f}, "
            f"{c['h_half']:.0f} h | {' | '.join(cells)} | {d['seconds']:.1f} s |"
        )
    return {
        "allocation-simulation": "\n".join(plans) + "\n",
        "allocation-uplift": "\n".join(uplift) + "\n",
    }


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results"))
