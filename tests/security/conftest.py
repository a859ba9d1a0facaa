"""Servers for the security tests: the hand-made store (four users of every role) and a small
demo company, each served by a real uvicorn on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from revintel.auth import add_user, create_token
from revintel.server import Settings
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import PASSWORD, build_store

__all__ = ["PASSWORD", "SECRET", "LiveServer", "serve_in_thread"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The hand-made store (admin, marketing ``marie``, reps ``anna`` r1 and ``ben`` r2) on a
    server of the test module's own, so that tests may change it."""
    db = tmp_path_factory.mktemp("security") / "store.duckdb"
    tokens = build_store(db)
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)


def demo_store(path: Path) -> dict[str, str]:
    """A small demo company with a manager ``chef``, a marketing user ``marie``, an ``admin``
    and one sales rep per rep id (user name = rep id in lower case); returns API tokens."""
    with open_store(path) as store:
        write_demo_company(store, SynthConfig(seed=5, leads=2_000, accounts=200, reps=4))
        reps = sorted(store.table("reps").rep_id.to_pyarrow().to_pylist())
        users = {"admin": ("admin", None), "chef": ("manager", None), "marie": ("marketing", None)}
        users |= {rep.lower(): ("sales_rep", rep) for rep in reps}
        tokens = {}
        for name, (role, rep) in users.items():
            add_user(store, name, PASSWORD, role, rep_id=rep)
            tokens[name] = create_token(store, name, "tests")[0]
    return tokens


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The small demo company on a server of the test module's own."""
    db = tmp_path_factory.mktemp("security-demo") / "demo.duckdb"
    tokens = demo_store(db)
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)
