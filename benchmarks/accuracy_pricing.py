"""Accuracy of the price response out of time, and how well it recovers the planted one.

On the default demo company at three seeds: test AUC, log loss and Brier score of the logistic
model, monotone LightGBM and the discount-blind baseline; the chosen model; the price slope
(logit per unit of discount above target) with its 95 % interval against the planted one, with
and without the rep as context; the target discount per account segment against the planted
norm. On Maven's CRM sample: what its data can and cannot say about price (lost deals carry
no amount, so P(win | price) is not identifiable there).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks._measure import write_result
from revintel.pricing._deals import deal_frame
from revintel.pricing._response import fit_price_response
from revintel.pricing._response_evaluation import (
    ALGORITHMS,
    _fit_and_score,
    slope_summary,
    split_windows,
)
from revintel.pricing._response_features import (
    CONTEXT_CATEGORIES,
    price_population,
    train_window_targets,
)
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

DEMO_SEEDS = (42, 1, 2)
MAVEN = Path("/work/shared/data/maven_crm_sales_opportunities")
SEGMENTS = ("Enterprise", "Mittelstand", "Kleinunternehmen")


def _r(value: float, digits: int = 4) -> float:
    return round(float(value), digits)


def demo(seed: int) -> dict[str, Any]:
    """Fit and evaluate the price response on the default demo company at ``seed``."""
    config = SynthConfig(seed=seed)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "s.duckdb") as store:
        planted = write_demo_company(store, config).truth["price_response"]
        deals = deal_frame(store)
    start = time.perf_counter()
    population = price_population(deals)
    targets = train_window_targets(population, deals)
    response = fit_price_response(deals, targets, seed=0, bootstrap=0)
    seconds = time.perf_counter() - start
    target = targets.reindex(population.index).to_numpy()
    no_rep = [c for c in CONTEXT_CATEGORIES if c != "rep_id"]
    without_rep = slope_summary(population, target, 0, no_rep)
    e = response.evaluation
    norms = planted["segment_discount_norm"]
    return {
        "seed": seed,
        "rows": e["rows"],
        "windows": e["windows"],
        "test_win_rate": _r(e["test_win_rate"]),
        "chosen": e["chosen"],
        "validation_log_loss": {k: _r(v) for k, v in e["validation_log_loss"].items()},
        "test": [
            {k: _r(v) if isinstance(v, float) else v for k, v in r.items()} for r in e["test"]
        ],
        "planted_slope": planted["logit_per_discount_above_norm"],
        "slope": {k: _r(v, 3) for k, v in e["slope"].items()},
        "slope_without_rep": _r(without_rep["logistic"], 3),
        "segment_targets": {s: _r(e["segment_targets"].get(s, float("nan"))) for s in SEGMENTS},
        "segment_norms": {s: norms[s] for s in SEGMENTS},
        "seconds": round(seconds, 1),
    }


def maven_frame(folder: Path = MAVEN) -> pd.DataFrame:
    """Maven's closed deals as a deal frame: realised discount = 1 − close value / list price."""
    pipeline = pd.read_csv(folder / "sales_pipeline.csv")
    products = pd.read_csv(folder / "products.csv")
    accounts = pd.read_csv(folder / "accounts.csv")
    teams = pd.read_csv(folder / "sales_teams.csv")
    pipeline["product"] = pipeline["product"].replace({"GTXPro": "GTX Pro"})
    accounts["sector"] = accounts["sector"].replace({"technolgy": "technology"})
    frame = (
        pipeline.merge(products, on="product", how="left")
        .merge(accounts[["account", "sector"]], on="account", how="left")
        .merge(teams, on="sales_agent", how="left")
    )
    closed = frame[frame["deal_stage"].isin(["Won", "Lost"])].copy()
    won = (closed["deal_stage"] == "Won").astype(float)
    ratio = closed["close_value"] / closed["sales_price"]
    return pd.DataFrame(
        {
            "opportunity_id": closed["opportunity_id"],
            "segment": "",
            "family": closed["series"],
            "product": closed["product"],
            "industry": closed["sector"],
            "region": closed["regional_office"],
            "value_tier": "none",
            "team": closed["manager"],
            "rep_id": closed["sales_agent"],
            "list_price": closed["sales_price"].astype(float),
            "price_ratio": ratio.where(won == 1.0),
            # unknown for lost deals; the discount-blind models never read it
            "discount": (1.0 - ratio).where(won == 1.0, 0.0),
            "won": won,
            "reached_price_stage": True,
            "closed_at": pd.to_datetime(closed["close_date"]),
        }
    )


def _spread(won: pd.DataFrame, by: str) -> list[dict[str, Any]]:
    rows = []
    for key, group in won.groupby(by):
        ratio = group["price_ratio"]
        low, median, high = np.quantile(ratio, [0.1, 0.5, 0.9])
        rows.append({by: key, "won": len(group), "p10": _r(low, 3), "median": _r(median, 3),
                     "p90": _r(high, 3)})  # fmt: skip
    return rows


def maven() -> dict[str, Any]:
    """What Maven's data says about price: won-price spread, discount-blind accuracy out of time."""
    frame = maven_frame()
    population = price_population(frame)
    won = population[population["won"] == 1.0]
    train, validation, test = split_windows(population)
    before_test = pd.concat([train, validation])
    blind = {
        a: {k: _r(v) for k, v in _fit_and_score(a, before_test, test, 0, False).items()}
        for a in ALGORITHMS
    }
    return {
        "closed": len(population),
        "won": len(won),
        "lost_with_amount": int(
            ((population["won"] == 0) & population["price_ratio"].notna()).sum()
        ),
        "test_rows": len(test),
        "test_window": [
            f"{test['closed_at'].min():%Y-%m-%d}",
            f"{test['closed_at'].max():%Y-%m-%d}",
        ],
        "won_price_ratio": {
            "median": _r(won["price_ratio"].median(), 3),
            "p10": _r(won["price_ratio"].quantile(0.1), 3),
            "p90": _r(won["price_ratio"].quantile(0.9), 3),
            "above_list": _r((won["price_ratio"] > 1.0).mean(), 3),
        },
        "by_product": _spread(won, "product"),
        "by_sector": _spread(won, "industry"),
        "discount_blind_test": blind,
    }


def run(results_dir: Path) -> dict[str, Any]:
    """Measure every seed and Maven, write ``results/accuracy_pricing.json``."""
    figures = {
        "benchmark": "accuracy_pricing",
        "demo": [demo(seed) for seed in DEMO_SEEDS],
        "maven": maven(),
    }
    write_result(results_dir, "accuracy_pricing", figures)
    return figures


# ---------------------------------------------------------------------------------------------
# Rendering the docs blocks


def _f(value: Any, digits: int = 3) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}f}"


def _first_seed(d: dict[str, Any]) -> str:
    lines = ["| model | AUC | log loss | Brier |", "|---|---|---|---|"]
    for r in d["test"]:
        name = f"**{r['model']}** (chosen)" if r["chosen"] else r["model"]
        lines.append(f"| {name} | {_f(r['auc'])} | {_f(r['log_loss'])} | {_f(r['brier'])} |")
    w, n = d["windows"], d["rows"]
    lines += [
        "",
        f"Seed {d['seed']}: train {w['train'][0]}…{w['train'][1]} ({n['train']:,} deals), "
        f"validation {w['validation'][0]}…{w['validation'][1]} ({n['validation']:,}), test "
        f"{w['test'][0]}…{w['test'][1]} ({n['test']:,}, {_f(d['test_win_rate'] * 100, 1)} % won); "
        f"the discount-blind baseline is {d['chosen']} without the price feature; fitted and "
        f"evaluated in {d['seconds']} s.",
    ]
    return "\n".join(lines) + "\n"


def _seeds(demos: list[dict[str, Any]]) -> str:
    lines = [
        f"| model | AUC mean | AUC min–max | log loss mean | log loss min–max | chosen (of "
        f"{len(demos)} seeds) |",
        "|---|---|---|---|---|---|",
    ]
    for name in [r["model"] for r in demos[0]["test"]]:
        rows = [r for d in demos for r in d["test"] if r["model"] == name]
        auc, loss = [r["auc"] for r in rows], [r["log_loss"] for r in rows]
        chosen = sum(d["chosen"] == name for d in demos)
        lines.append(
            f"| {name} | {_f(statistics.mean(auc))} | {_f(min(auc))}–{_f(max(auc))} | "
            f"{_f(statistics.mean(loss))} | {_f(min(loss))}–{_f(max(loss))} | {chosen} |"
        )
    seeds = ", ".join(str(d["seed"]) for d in demos)
    return (
        "\n".join([*lines, "", f"Seeds {seeds}, test window = last 20 % of closed deals."]) + "\n"
    )


def _truth(demos: list[dict[str, Any]]) -> str:
    lines = [
        "| seed | planted slope | logistic slope (95 % interval) | relative error | LightGBM "
        "implied slope | logistic slope without rep | "
        + " | ".join(f"target {s} (norm)" for s in SEGMENTS)
        + " |",
        "|---|---|---|---|---|---|" + "---|" * len(SEGMENTS),
    ]
    for d in demos:
        s, planted = d["slope"], d["planted_slope"]
        error = abs(s["logistic"] - planted) / planted
        targets = " | ".join(
            f"{_f(d['segment_targets'][g])} ({_f(d['segment_norms'][g], 2)})" for g in SEGMENTS
        )
        lines.append(
            f"| {d['seed']} | {_f(planted, 1)} | {_f(s['logistic'], 2)} "
            f"({_f(s['logistic_low'], 2)}–{_f(s['logistic_high'], 2)}) | {_f(error * 100, 0)} % "
            f"| {_f(s['lightgbm_implied'], 2)} | {_f(d['slope_without_rep'], 2)} | {targets} |"
        )
    return "\n".join(lines) + "\n"


def _maven(m: dict[str, Any]) -> str:
    r = m["won_price_ratio"]
    lines = [
        f"{m['closed']:,} closed deals, {m['won']:,} won; lost deals with an amount: "
        f"{m['lost_with_amount']}. Won price as a share of list price: median {_f(r['median'])}, "
        f"10th–90th percentile {_f(r['p10'])}–{_f(r['p90'])}, {_f(r['above_list'] * 100, 1)} % "
        "above list.",
        "",
        "| product | won | p10 | median | p90 |",
        "|---|---|---|---|---|",
        *(
            f"| {p['product']} | {p['won']:,} | {_f(p['p10'])} | {_f(p['median'])} "
            f"| {_f(p['p90'])} |"
            for p in m["by_product"]
        ),
        "",
        f"Discount-blind models on the test window {m['test_window'][0]}…{m['test_window'][1]} "
        f"({m['test_rows']:,} deals):",
        "",
        "| model (no price feature) | AUC | log loss | Brier |",
        "|---|---|---|---|",
        *(
            f"| {a} | {_f(v['auc'])} | {_f(v['log_loss'])} | {_f(v['brier'])} |"
            for a, v in m["discount_blind_test"].items()
        ),
    ]
    return "\n".join(lines) + "\n"


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The docs blocks ``pricing-demo``, ``pricing-seeds``, ``pricing-truth``, ``pricing-maven``."""
    demos = figures["demo"]
    return {
        "pricing-demo": _first_seed(demos[0]),
        "pricing-seeds": _seeds(demos),
        "pricing-truth": _truth(demos),
        "pricing-maven": _maven(figures["maven"]),
    }


if __name__ == "__main__":
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results"))
