"""Fixtures of the scoring tests: one small demo company, copied for each test module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company

CONFIG = SynthConfig(seed=7, leads=8_000, accounts=400, reps=12)


@pytest.fixture(scope="session")
def company_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding the small demo company, generated once per session."""
    path = tmp_path_factory.mktemp("company") / "demo.duckdb"
    with open_store(path) as store:
        write_demo_company(store, CONFIG)
    return path


def copy_store(company_file: Path, folder: Path) -> Path:
    """A private copy of the demo company for tests that write models and scores."""
    target = folder / "demo.duckdb"
    shutil.copy(company_file, target)
    return target


@pytest.fixture(scope="module")
def module_db(company_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo company owned by one test module."""
    return copy_store(company_file, tmp_path_factory.mktemp("module"))


@pytest.fixture()
def module_store(module_db: Path) -> Iterator[Store]:
    """The module's store, opened for one test."""
    with open_store(module_db) as store:
        yield store
