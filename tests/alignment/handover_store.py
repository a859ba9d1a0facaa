"""The small demo company of the handover tests, with more leads waiting for sales.

The demo company decides on nearly every MQL it generates; :func:`open_handover` takes the
decisions back for a number of leads so that the queue has work in every team. Test modules
import the fixtures below.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from revintel.auth import Role, User
from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company
from revintel.views._handover import handover_queue

#: Small enough to build in a few seconds, large enough for leads waiting in every team.
HANDOVER_DEMO = SynthConfig(seed=11, leads=3_000, accounts=300, reps=6)
#: Leads made to wait again on top of those the demo leaves undecided.
OPENED = 40
#: Someone seeing and deciding on every lead.
OPERATOR = User("chef", "Chef", Role.manager)

Handover = tuple[Path, list[str]]


def open_handover(store: Store, count: int) -> list[str]:
    """Make ``count`` leads wait for sales again: the oldest leads with an MQL and no
    opportunity lose their later lead milestones (SAL, SQL, disqualified); returns their ids."""
    m = store.table("milestones")
    o = store.table("opportunities")
    mql = m.filter((m.entity_type == "lead") & (m.milestone == "mql"))
    free = mql.filter(~mql.entity_id.isin(o.filter(o.lead_id.notnull()).lead_id))
    ids = free.order_by(["occurred_at", "entity_id"]).limit(count).entity_id
    chosen = [str(i) for i in ids.to_pyarrow().to_pylist()]
    later = m.filter(
        (m.entity_type == "lead") & m.entity_id.isin(chosen) & (m.milestone != "mql")
    ).select("milestone_event_id")
    with store.transaction():
        store.delete_keys("milestones", later.to_pyarrow())
    return chosen


@pytest.fixture(scope="session")
def handover_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo company with :data:`OPENED` more waiting leads; open it read-only."""
    db = tmp_path_factory.mktemp("handover_demo") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, HANDOVER_DEMO)
        open_handover(store, OPENED)
    return db


@pytest.fixture
def handover_db(handover_demo_db: Path, tmp_path: Path) -> Handover:
    """A private copy of :func:`handover_demo_db` with the ids of its waiting leads, oldest
    MQL first."""
    db = tmp_path / "store.duckdb"
    shutil.copyfile(handover_demo_db, db)
    with open_store(db, read_only=True) as store:
        waiting = handover_queue(store, OPERATOR, limit=1000)["lead_id"].tolist()
    return db, waiting
