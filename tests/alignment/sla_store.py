"""A small demo company for the SLA tests, built once per session, with an admin and a rep."""

from __future__ import annotations

from pathlib import Path

import pytest

from revintel.auth import add_user, create_token
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.web.stores import PASSWORD

#: Seed 42 is the first seed of ``benchmarks/accuracy_sla.py``.
CONFIG = SynthConfig(seed=42, leads=6_000)
_BUILT: dict[str, Path] = {}
#: The rep id of the user ``rep`` and the API tokens of the users.
REP: dict[str, str] = {}
TOKENS: dict[str, str] = {}


def sla_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store of :data:`CONFIG` with users ``admin`` and ``rep``."""
    if "db" in _BUILT:
        return _BUILT["db"]
    db = tmp_path_factory.mktemp("sla") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, CONFIG)
        reps = sorted(store.table("reps").rep_id.to_pyarrow().to_pylist())
        add_user(store, "admin", PASSWORD, "admin")
        add_user(store, "rep", PASSWORD, "sales_rep", rep_id=reps[0])
        REP["rep"] = str(reps[0])
        TOKENS.update({u: create_token(store, u, "tests")[0] for u in ("admin", "rep")})
    _BUILT["db"] = db
    return db
