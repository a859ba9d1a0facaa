"""A real uvicorn serving the hand-made store on a free loopback port, shared by the web tests."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from revintel.auth import SESSION_COOKIE, add_user
from revintel.forecast import ForecastSettings, forecast, load_history
from revintel.metrics import MetricQuery, MetricSources, evaluate_kpi, load_catalogue
from revintel.model import load_funnel
from revintel.server import Settings, create_app
from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.web.stores import PASSWORD, build_store

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL, the store path and an API token per test user."""

    url: str
    db: Path
    tokens: dict[str, str]

    def client(self, user: str | None = None) -> httpx.Client:
        """An HTTP client, authenticated with ``user``'s API token when given."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)


def serve_in_thread(settings: Settings | FastAPI) -> Iterator[str]:
    """Run uvicorn with ``create_app(settings)`` (or an app) on a free loopback port; yields the
    base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = settings if isinstance(settings, FastAPI) else create_app(settings)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The hand-made store served by a real uvicorn for the whole test session."""
    db = tmp_path_factory.mktemp("web") / "store.duckdb"
    tokens = build_store(db)
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en")
    for url in serve_in_thread(settings):
        yield LiveServer(url, db, tokens)


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def session_cookie(response: httpx.Response) -> str:
    """The session cookie a response sets (sent by hand: it is Secure and these tests use http)."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name == SESSION_COOKIE:
            return rest.split(";", 1)[0]
    raise AssertionError("no session cookie set")


def browser_login(server: LiveServer, user: str) -> httpx.Client:
    """A client signed in through the login form, carrying the session cookie by hand."""
    client = server.client()
    form = client.get("/login")
    cookie = session_cookie(form)
    response = client.post(
        "/login",
        data={"username": user, "password": PASSWORD, "csrf_token": csrf_from(form.text)},
        headers={"Cookie": f"{SESSION_COOKIE}={cookie}"},
    )
    assert response.status_code == 303, response.text
    client.headers["Cookie"] = f"{SESSION_COOKIE}={session_cookie(response)}"
    return client


CONFIG = SynthConfig(seed=3, leads=2_000, accounts=200, reps=4)


def _last_complete(store: Store, kpi: str) -> float:
    catalogue = load_catalogue()
    frame = evaluate_kpi(
        MetricSources.from_store(store), catalogue.get(kpi), MetricQuery(), catalogue.settings
    )
    return float(frame[frame["complete"].astype(bool)]["value"].iloc[-1])


def _forecast_expectations(store: Store) -> dict[str, float]:
    """The forecast's P50 of each quarter in total, as :mod:`revintel.forecast` computes it."""
    settings = ForecastSettings(months=6, simulations=1_000, seed=42)
    frame = forecast(load_history(store, load_funnel()), settings=settings).frame
    rows = frame[(frame["grain"] == "quarter") & (frame["source"] == "total")]
    return {f"forecast_p50_{p}": float(v) for p, v in zip(rows["period"], rows["p50"], strict=True)}


@dataclass(frozen=True)
class Demo:
    """The served demo company, its reps and the KPIs computed directly before serving."""

    server: LiveServer
    reps: list[str]
    expected: dict[str, float]


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A small demo company (2,000 leads, 4 reps) served with a manager and one user per rep."""
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with open_store(db) as store:
        write_demo_company(store, CONFIG)
        reps = sorted(store.table("reps").rep_id.to_pyarrow().to_pylist())
        add_user(store, "chef", PASSWORD, "manager")
        for rep in reps:
            add_user(store, rep.lower(), PASSWORD, "sales_rep", rep_id=rep)
        expected = {k: _last_complete(store, k) for k in ("mqls", "mql_sal_acceptance")}
        expected |= _forecast_expectations(store)
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield Demo(LiveServer(url, db, {}), reps, expected)


@dataclass(frozen=True)
class DemoCompany:
    """A small demo company's store file, built once per session, and an API token per user
    (``admin``, manager ``chef``, marketing ``marie``, one sales rep per rep id)."""

    db: Path
    tokens: dict[str, str]

    @property
    def users(self) -> dict[str, str]:
        """A user name per role."""
        reps = sorted(u for u in self.tokens if u not in ("admin", "chef", "marie"))
        return {"admin": "admin", "manager": "chef", "marketing": "marie", "sales_rep": reps[0]}

    def copy_to(self, directory: Path) -> Path:
        """A copy of the store in ``directory`` that a test may change."""
        target = directory / self.db.name
        for source in (self.db, self.db.with_name(self.db.name + ".wal")):
            if source.exists():
                shutil.copyfile(source, directory / source.name)
        return target


@pytest.fixture(scope="session")
def demo_company(tmp_path_factory: pytest.TempPathFactory) -> DemoCompany:
    """The security tests' small demo company (2,000 leads, 4 reps), built once per session;
    tests serve copies of it."""
    # Imported here: the security conftest imports this module.
    from tests.security.conftest import demo_store

    db = tmp_path_factory.mktemp("demo-company") / "demo.duckdb"
    return DemoCompany(db, demo_store(db))
