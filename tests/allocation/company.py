"""One small generated company for the allocation tests of every surface, built once per test
process (the library, the command line and the API read the same store and the same plan)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from revintel.allocation import Allocation, AllocationInputs, allocation_inputs, solve_inputs
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

CONFIG = SynthConfig(seed=5, leads=2_000, accounts=200, reps=4)


@dataclass(frozen=True)
class SmallCompany:
    """The store's path, the inputs read from it, the library's plan of them and each rep's
    weekly capacity."""

    db: Path
    inputs: AllocationInputs
    plan: Allocation
    capacity: dict[str, float]


@cache
def small_company() -> SmallCompany:
    """The company, generated and planned on first use (read it; never write to it)."""
    folder = Path(tempfile.mkdtemp(prefix="revintel-allocation-"))
    atexit.register(shutil.rmtree, folder, True)
    db = folder / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, CONFIG)
        inputs = allocation_inputs(store)
        plan = solve_inputs(inputs)
        reps: pd.DataFrame = store.table("reps").to_pandas()
    capacity = dict(zip(reps["rep_id"], reps["capacity_hours_per_week"].astype(float), strict=True))
    return SmallCompany(db, inputs, plan, capacity)
