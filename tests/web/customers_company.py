"""A small demo company with orders, an admin and one sales rep, served for the customer tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import SecretStr

from revintel.auth import add_user, create_token
from revintel.customers._crosssell import recommend_products
from revintel.server import Settings
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from revintel.views import customer_table, last_order_day
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import PASSWORD

CONFIG = SynthConfig(seed=3, leads=1_000, accounts=120, reps=3)
#: The as-of day and horizon whose domain results the tests compare with.
AS_OF = date(2024, 6, 30)
HORIZON_DAYS = 60
TOP = 2


@dataclass(frozen=True)
class Company:
    """The served company, the rep whose user is ``rep``, and each account's owner."""

    server: LiveServer
    rep_id: str
    owners: dict[str, str]
    customers: set[str]
    #: ``customer_table`` and ``recommend_products`` as of :data:`AS_OF`, read directly.
    expected: pd.DataFrame
    products: pd.DataFrame


def build_company(db: Path) -> tuple[dict[str, str], str, dict[str, str], set[str], Any, Any]:
    """A small demo company with an admin and one sales rep user; tokens, rep id, owners,
    the accounts with orders and the domain's results as of :data:`AS_OF`."""
    with open_store(db) as store:
        write_demo_company(store, CONFIG)
        accounts = store.table("accounts").to_pandas()
        owners = dict(zip(accounts["account_id"], accounts["owner_rep_id"], strict=True))
        rep_id = sorted(set(owners.values()))[0]
        add_user(store, "admin", PASSWORD, "admin")
        add_user(store, "rep", PASSWORD, "sales_rep", rep_id=rep_id)
        tokens = {u: create_token(store, u, "tests")[0] for u in ("admin", "rep")}
        day = last_order_day(store)
        assert day is not None
        customers = set(customer_table(store, day)["account_id"])
        expected = customer_table(store, AS_OF, HORIZON_DAYS)
        products = recommend_products(store, AS_OF, top=TOP)
    return tokens, rep_id, owners, customers, expected, products


def serve_company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    """Serve a freshly built company for a test module."""
    db = tmp_path_factory.mktemp("customers") / "store.duckdb"
    tokens, rep_id, owners, customers, expected, products = build_company(db)
    settings = Settings(
        db=str(db), secret_key=SecretStr(SECRET), default_language="en", warm_up=False
    )
    for url in serve_in_thread(settings):
        server = LiveServer(url, db, tokens)
        yield Company(server, rep_id, owners, customers, expected, products)
