"""Account potential and white space against the potential planted in the demo company.

The demo company plants a yearly potential per account and product family (truth file
``allocation`` → ``potential``); customers buy a share of it that grows with their sales hours.
At several seeds this measures :func:`revintel.allocation.estimate_potential` against it: the
Spearman correlation of estimated and true white space per account (true potential minus the
revenue of the last twelve months, summed over families), the same among accounts that buy,
and how often buyers' spend exceeds the cross-fitted estimate (about 1 − quantile when
calibrated).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from scipy.stats import spearmanr

from benchmarks._measure import write_result
from revintel.allocation import (
    PotentialEstimate,
    account_spend,
    calibration_table,
    estimate_potential,
    exceed_share,
)
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

#: (seed, leads, accounts, reps): the size the tests use at three seeds, and the default demo.
COMPANIES = (
    (5, 8_000, 2_000, 8),
    (6, 8_000, 2_000, 8),
    (7, 8_000, 2_000, 8),
    (42, 60_000, 3_000, 20),
)


def _r(value: float, digits: int = 3) -> float:
    return round(float(value), digits)


def demo(seed: int, leads: int, accounts: int, reps: int) -> dict[str, Any]:
    """Estimate potentials on the demo company of this size and compare them with the truth."""
    config = SynthConfig(seed=seed, leads=leads, accounts=accounts, reps=reps)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s.duckdb") as store:
        truth = write_demo_company(store, config).truth["allocation"]["potential"]
        start = time.perf_counter()
        result = estimate_potential(store)
        seconds = time.perf_counter() - start
        with_deals = estimate_potential(store, deals=True)
        spend = account_spend(store, result.as_of)
        spend_with_deals = account_spend(store, result.as_of, deals=True)
    per_account = _white_space(result, truth, spend)
    buyers = per_account[per_account["current_revenue"] > 0]
    table = calibration_table(result, truth)
    return {
        "seed": seed,
        "leads": leads,
        "accounts": len(per_account),
        "buying_accounts": len(buyers),
        "buying_rows": int((result.frame["current_revenue"] > 0).sum()),
        "skipped_families": list(result.skipped),
        "spearman": _spearman(per_account),
        "spearman_buyers": _spearman(buyers),
        "spearman_with_deals": _spearman(_white_space(with_deals, truth, spend_with_deals)),
        "exceed_share": _r(exceed_share(result)),
        "quantile": result.quantile,
        "decile_true_potential": [_r(v, 0) for v in table["mean_true_potential"]],
        "seconds": _r(seconds, 2),
    }


def _white_space(
    result: PotentialEstimate, truth: dict[str, dict[str, float]], spend: pd.DataFrame
) -> pd.DataFrame:
    """Estimated and true white space per account: planted potential of every family minus the
    revenue of the twelve months in every family (``spend``, as ``account_spend`` reads it)."""
    estimated = result.frame.groupby("account_id")["white_space"].sum()
    current = spend.groupby("account_id")["revenue"].sum().reindex(estimated.index, fill_value=0)
    planted = pd.Series({a: sum(truth[a].values()) for a in estimated.index})
    return pd.DataFrame(
        {
            "white_space": estimated,
            "true_white_space": planted - current,
            "current_revenue": current,
        }
    )


def _spearman(frame: pd.DataFrame) -> float:
    return _r(spearmanr(frame["white_space"], frame["true_white_space"])[0])


def run(results_dir: Path) -> dict[str, Any]:
    """Measure every company, write ``results/accuracy_potential.json``."""
    figures = {"benchmark": "accuracy_potential", "demo": [demo(*c) for c in COMPANIES]}
    write_result(results_dir, "accuracy_potential", figures)
    return figures


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The docs block ``potential-accuracy``."""
    lines = [
        "| seed | leads | accounts | buying | Spearman, all accounts | Spearman, buyers | "
        "Spearman, deals counted | spend above the estimate | fit |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for d in figures["demo"]:
        lines.append(
            f"| {d['seed']} | {d['leads']:,} | {d['accounts']:,} | {d['buying_accounts']:,} "
            f"| {d['spearman']:.3f} | {d['spearman_buyers']:.3f} "
            f"| {d['spearman_with_deals']:.3f} "
            f"| {d['exceed_share'] * 100:.1f} % (target {(1 - d['quantile']) * 100:.0f} %) "
            f"| {d['seconds']:.1f} s |"
        )
    return {"potential-accuracy": "\n".join(lines) + "\n"}


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results"))
