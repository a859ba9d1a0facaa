"""Demo companies the pricing tests share: a small one for behaviour, the default for truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

#: Small enough to build in a few seconds, large enough for bands of 30 won deals.
SMALL = SynthConfig(seed=7, leads=8_000, accounts=600, reps=6)
#: The default demo company (60,000 leads): what the planted price response is recovered from.
DEFAULT = SynthConfig(seed=42)


@pytest.fixture(scope="session")
def small_pricing_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the small demo company (read it with ``open_store(db, read_only=True)``)."""
    db = tmp_path_factory.mktemp("pricing_small") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, SMALL)
    return db


@pytest.fixture(scope="session")
def default_pricing_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the default demo company, seed 42."""
    db = tmp_path_factory.mktemp("pricing_default") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, DEFAULT)
    return db
