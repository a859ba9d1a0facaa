"""A small generated company in a store, and the same company cut off at a past date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from revintel.forecast import History, load_history
from revintel.model import load_funnel
from revintel.store import Store, open_store

#: Cut-off of the leakage test: the store below is what was known at the end of this day.
CUT = date(2023, 6, 30)


@pytest.fixture(scope="session")
def generated() -> dict[str, pa.Table]:
    from revintel.synth import SynthConfig, generate

    config = SynthConfig(seed=7, leads=5_000, accounts=400, reps=10, start=date(2020, 1, 1))
    return generate(config).tables


def _store(tables: dict[str, pa.Table], path: str) -> Store:
    store = open_store(path)
    for name, table in tables.items():
        store.insert(name, table)
    return store


@pytest.fixture(scope="session")
def demo_store(
    generated: dict[str, pa.Table], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    store = _store(generated, str(tmp_path_factory.mktemp("full") / "demo.duckdb"))
    yield store
    store.close()


@pytest.fixture(scope="session")
def history(demo_store: Store) -> History:
    return load_history(demo_store, load_funnel())


def _known_at(tables: dict[str, pa.Table], cut: date) -> dict[str, pa.Table]:
    """The tables as an export taken at the end of ``cut`` would have shown them."""
    end = pa.scalar(datetime(cut.year, cut.month, cut.day, 23, 59, 59, 999999), pa.timestamp("us"))
    out = dict(tables)
    milestones = tables["milestones"]
    out["milestones"] = milestones.filter(pc.less_equal(milestones["occurred_at"], end))
    leads = tables["leads"]
    out["leads"] = leads.filter(pc.less_equal(leads["created_at"], end))
    opps = tables["opportunities"]
    opps = opps.filter(pc.less_equal(opps["created_at"], end))
    # The current-state columns of an opportunity change after the cut-off: blank them out.
    for column in ("status", "stage", "closed_at", "lost_reason"):
        index = opps.schema.get_field_index(column)
        kind = opps.schema.field(column).type
        filler = pa.array(["open"] * len(opps)) if column == "status" else pa.nulls(len(opps), kind)
        opps = opps.set_column(index, column, filler)
    out["opportunities"] = opps
    orders = tables["orders"]
    out["orders"] = orders.filter(pc.less_equal(orders["ordered_at"], end))
    lines = tables["order_lines"]
    out["order_lines"] = lines.filter(pc.is_in(lines["order_id"], out["orders"]["order_id"]))
    for name in ("quotes", "touchpoints"):
        out.pop(name, None)
    return out


@pytest.fixture(scope="session")
def truncated_history(
    generated: dict[str, pa.Table], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[History]:
    store = _store(_known_at(generated, CUT), str(tmp_path_factory.mktemp("cut") / "cut.duckdb"))
    yield load_history(store, load_funnel())
    store.close()
