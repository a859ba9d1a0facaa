"""A small generated company with a fitted price model, served through FastAPI's TestClient for
the Pricing page, the deal page's guidance and the pricing analytics API: an admin, a manager
and one sales rep."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from revintel.auth import add_user, create_token
from revintel.pricing._price_model import fit_price_model, store_price_model
from revintel.server import Settings, create_app
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.web.attribution_company import Company
from tests.web.conftest import SECRET
from tests.web.stores import PASSWORD

#: Large enough for two bands of at least :data:`MIN_WON` won deals and a test window.
CONFIG = SynthConfig(seed=3, leads=3_000, accounts=250, reps=3)
MIN_WON = 15
#: The store built once per test session, shared by the modules (each serves its own copy).
_BUILT: dict[str, Path] = {}
#: The rep id of the user ``rep``, per store.
REPS: dict[Path, str] = {}
#: API tokens of the users, per store.
TOKENS: dict[Path, dict[str, str]] = {}


def pricing_store(tmp_path_factory: pytest.TempPathFactory, fitted: bool = True) -> Path:
    """The generated company's store with its users (and a stored price model if ``fitted``),
    built once per session."""
    key = "fitted" if fitted else "bare"
    if key in _BUILT:
        return _BUILT[key]
    db = tmp_path_factory.mktemp(f"pricing-{key}") / "store.duckdb"
    config = CONFIG if fitted else SynthConfig(seed=5, leads=600, accounts=60, reps=2)
    with open_store(db) as store:
        write_demo_company(store, config)
        reps = sorted(store.table("reps").rep_id.to_pyarrow().to_pylist())
        add_user(store, "admin", PASSWORD, "admin")
        add_user(store, "manager", PASSWORD, "manager")
        add_user(store, "rep", PASSWORD, "sales_rep", rep_id=reps[0])
        REPS[db] = str(reps[0])
        if fitted:
            store_price_model(store, fit_price_model(store, min_won=MIN_WON))
        TOKENS[db] = {u: create_token(store, u, "tests")[0] for u in ("admin", "manager", "rep")}
    _BUILT[key] = db
    return db


def bearer(db: Path, user: str) -> dict[str, str]:
    """The Authorization header of ``user``'s API token."""
    return {"Authorization": f"Bearer {TOKENS[db][user]}"}


def serve_pricing(
    tmp_path_factory: pytest.TempPathFactory, fitted: bool = True
) -> Iterator[Company]:
    """Serve the company (computed on first visit, not ahead)."""
    db = pricing_store(tmp_path_factory, fitted)
    settings = Settings(
        db=str(db), secret_key=SecretStr(SECRET), warm_up=False, cookie_secure=False
    )
    with TestClient(create_app(settings)) as client:
        yield Company(db, client, REPS[db])
