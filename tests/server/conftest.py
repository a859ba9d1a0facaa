"""An application over the hand-made store of the web tests, driven in-process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from revintel.server import Settings, create_app
from tests.web.stores import build_store

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Served:
    """A started application, a client for it and an API token per test user."""

    app: FastAPI
    client: TestClient
    tokens: dict[str, str]

    def auth(self, user: str) -> dict[str, str]:
        """Headers authenticating as ``user``."""
        return {"Authorization": f"Bearer {self.tokens[user]}"}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The hand-made store and its users' tokens."""
    db = tmp_path_factory.mktemp("server") / "store.duckdb"
    return db, build_store(db)


def serve(db: Path, tokens: dict[str, str], **settings: object) -> Iterator[Served]:
    """Start ``create_app`` on ``db`` (lifespan included) with ``settings``."""
    config = Settings(db=str(db), secret_key=SECRET, warm_up=False, **settings)
    app = create_app(config)
    with TestClient(app) as client:
        yield Served(app, client, tokens)
