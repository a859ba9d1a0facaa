"""Shared fixtures: the hand-made company and a small generated demo company."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from revintel.metrics import KpiSettings, MetricCatalogue, MetricSources, load_catalogue
from revintel.store import Store, open_store
from tests.metrics.fixtures import AS_OF, hand_store


@pytest.fixture(scope="module")
def hand() -> Iterator[MetricSources]:
    store = hand_store()
    yield MetricSources.from_store(store, as_of=AS_OF)
    store.close()


@pytest.fixture(scope="session")
def catalogue() -> MetricCatalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def all_time() -> KpiSettings:
    """Settings that treat every lead as mature (the hand company is younger than a year)."""
    return KpiSettings(maturity_days=0, conversion_window_days=60)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[str, Any]]]:
    """A small generated demo company and its planted truth."""
    from revintel.synth import SynthConfig, truth_path_for, write_demo_company

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    config = SynthConfig(
        seed=42, leads=8_000, accounts=600, years=5, start=date(2020, 1, 1), reps=10
    )
    store = open_store(path)
    write_demo_company(store, config)
    truth = json.loads(Path(truth_path_for(store.location)).read_text(encoding="utf-8"))
    yield store, truth
    store.close()
