"""Stores of the feedback tests: the hand-made one and a small demo company with a lead model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from revintel.predict import train_score
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.alignment.feedback_store import build_feedback_store
from tests.alignment.handover_store import (  # noqa: F401  (fixtures of the handover tests)
    handover_db,
    handover_demo_db,
)

SMALL = SynthConfig(seed=7, leads=4_000, accounts=300, reps=6)


@pytest.fixture(scope="session")
def feedback_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made store of :mod:`tests.alignment.feedback_store`."""
    db = tmp_path_factory.mktemp("feedback_hand") / "store.duckdb"
    build_feedback_store(db)
    return db


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo company without any lead model."""
    db = tmp_path_factory.mktemp("feedback_demo") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, SMALL)
    return db


@pytest.fixture(scope="session")
def scored_demo_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo company with a registered ``lead_to_won`` model."""
    db = tmp_path_factory.mktemp("feedback_scored") / "store.duckdb"
    shutil.copy(demo_db, db)
    with open_store(db) as store:
        train_score(store, "lead_to_won")
    return db
