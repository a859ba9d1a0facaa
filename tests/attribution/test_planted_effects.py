"""Shapley attribution recovers the channel effects planted in the demo company.

The generator makes each touch channel present in each stage of a journey at random and plants
its effect on the stage's conversion; the truth file holds every channel's incremental
conversions per transition. Read with the touches of the stage (``stage_only=True``), the
Shapley credits must rank the channels present in the stage as the planted incremental
conversions do (Spearman ≥ 0.8). The figures for every model and several seeds are in
docs/attribution.md (``benchmarks/accuracy_attribution.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import spearmanr

from revintel.attribution._journeys import store_journeys
from revintel.attribution._models import attribute
from revintel.attribution._paths import Paths
from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company
from revintel.synth import _config as c

pytestmark = pytest.mark.slow

SEED = 42  # the first seed of benchmarks/accuracy_attribution.py
TARGETS = c.PATH[1:]


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[str, Any]]]:
    path: Path = tmp_path_factory.mktemp("planted") / "demo.duckdb"
    with open_store(path) as store:
        result = write_demo_company(store, SynthConfig(seed=SEED))
        yield store, result.truth["attribution"]


def _planted(step: dict[str, Any]) -> dict[str, float]:
    """Incremental conversions of the channels present in the stage."""
    return {
        name: channel["incremental_conversions"]
        for name, channel in step["channels"].items()
        if channel["presence_rate"] > 0
    }


def _credits(paths: Paths, model: str, names: list[str]) -> list[float]:
    table = attribute(paths, model).channels.set_index("channel")["conversions"]
    return [float(table.get(name, 0.0)) for name in names]


def _shapley_vs_planted(
    company: tuple[Store, dict[str, Any]], target: str
) -> tuple[list[float], list[float]]:
    store, truth = company
    planted = _planted(truth[target])
    names = list(planted)
    paths = store_journeys(store, target, stage_only=True).paths
    return _credits(paths, "shapley", names), [planted[n] for n in names]


@pytest.mark.parametrize("target", TARGETS)
def test_shapley_ranks_channels_by_planted_incremental_conversions(
    company: tuple[Store, dict[str, Any]], target: str
) -> None:
    credits, planted = _shapley_vs_planted(company, target)
    assert len(planted) >= 7
    rho = spearmanr(credits, planted).statistic
    assert rho >= 0.8, (target, rho, credits, planted)


@pytest.mark.parametrize("target", ["sql", "opportunity_generated"])
def test_shapley_credits_are_near_the_planted_conversions_in_the_lead_stages(
    company: tuple[Store, dict[str, Any]], target: str
) -> None:
    # In these stages no sales-process touch shares a channel with the exposures; in the deal
    # stages the meetings of every stage do (field sales, video), and inflate those credits.
    credits, planted = _shapley_vs_planted(company, target)
    error = sum(abs(a - b) for a, b in zip(credits, planted, strict=True)) / sum(planted)
    assert error < 0.3, (target, error)
    assert sum(credits) == pytest.approx(sum(planted), rel=0.2)
