"""A small demo company with a stored price model, built once per test session.

The pricing, CLI and API tests of deal guidance share it (fitting takes several seconds).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from revintel.pricing._price_model import fit_price_model, store_price_model
from revintel.store import open_store
from revintel.synth import write_demo_company
from tests.pricing.conftest import SMALL

_BUILT: dict[str, Path] = {}


def fitted_small_store(factory: pytest.TempPathFactory) -> Path:
    """The small pricing demo company (seed 7) with one stored price model; do not change it
    (copy it with :func:`copy_store` first)."""
    if "small" not in _BUILT:
        db = factory.mktemp("pricing_fitted") / "store.duckdb"
        with open_store(db) as store:
            write_demo_company(store, SMALL)
            store_price_model(store, fit_price_model(store))
        _BUILT["small"] = db
    return _BUILT["small"]


def copy_store(db: Path, directory: Path) -> Path:
    """A copy of the store file ``db`` (and its write-ahead log) in ``directory``."""
    for source in (db, db.with_name(db.name + ".wal")):
        if source.exists():
            shutil.copyfile(source, directory / source.name)
    return directory / db.name
