"""The capability registry: every part it names exists, and each surface serves what it lists."""

from __future__ import annotations

import re
from collections import Counter
from importlib import import_module
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from revintel.auth import ROLE_PERMISSIONS, Role
from revintel.capabilities import (
    CAPABILITIES,
    api_routers,
    cli_modules,
    message_modules,
    nav_entries,
    page_routers,
    resolve,
    server_setups,
)
from revintel.i18n import MESSAGE_MODULES
from revintel.server import API_V1, Settings, create_app
from tests.web.conftest import SECRET, LiveServer, browser_login

SRC = Path(__file__).resolve().parents[2] / "src" / "revintel"
SURFACES = ("cli", "api", "web")
NAV_LINK = r'<a href="[^"]*" id="(nav-[a-z]+)"'


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    db = tmp_path_factory.mktemp("capabilities") / "store.duckdb"
    return create_app(Settings(db=str(db), secret_key=SECRET))


def _page_paths() -> list[str]:
    """GET paths of every page router of the registry."""
    return [
        route.path
        for target in page_routers()
        for route in resolve(target).routes
        if isinstance(route, APIRoute) and "GET" in route.methods
    ]


def test_every_named_part_resolves_to_what_its_surface_expects() -> None:
    assert len(CAPABILITIES) == len({c.name for c in CAPABILITIES}) == 18
    assert all(isinstance(resolve(r), APIRouter) for r in (*api_routers(), *page_routers()))
    assert all(callable(resolve(s)) for s in server_setups())
    assert [import_module(m).__name__ for m in cli_modules()] == list(cli_modules())
    with pytest.raises(ValueError, match="module:attribute"):
        resolve("revintel.web")
    with pytest.raises(ValueError, match="no 'missing'"):
        resolve("revintel.web:missing")


def test_every_message_module_but_the_common_one_belongs_to_one_capability() -> None:
    owned = Counter(message_modules())
    assert max(owned.values()) == 1
    assert set(owned) == set(MESSAGE_MODULES) - {"revintel.i18n.messages.common"}


def test_the_server_includes_every_api_and_page_route_of_the_registry(
    app: FastAPI, live_server: LiveServer
) -> None:
    documented = set(app.openapi()["paths"])
    for target in api_routers():
        for route in resolve(target).routes:
            assert API_V1 + route.path in documented, route.path
    client = live_server.client()
    pages = [p for p in _page_paths() if "{" not in p]
    assert {e.path for e in nav_entries()} <= set(pages)
    # Anonymous visitors are sent to the login page: the route exists and asks for a session.
    answers = {p: client.get(p, follow_redirects=False).status_code for p in pages}
    assert answers["/funnel"] == 303
    assert all(status != 404 for status in answers.values()), answers


def test_chart_downloads_are_literal_paths_so_router_order_cannot_change_them(
    live_server: LiveServer,
) -> None:
    charts = [p for p in _page_paths() if p.startswith("/charts/")]
    assert len(charts) == len(set(charts)) == 7
    assert all("{" not in p for p in charts), charts
    assert live_server.client().get("/charts/nothing.csv").status_code == 404


def test_the_navigation_follows_the_registry_order_and_permissions(
    live_server: LiveServer,
) -> None:
    ids = [e.element_id for e in nav_entries()]
    assert ids[:4] == ["nav-overview", "nav-funnel", "nav-velocity", "nav-forecast"]
    shown = re.findall(NAV_LINK, browser_login(live_server, "admin").get("/").text)
    assert shown == ids
    shown = re.findall(NAV_LINK, browser_login(live_server, "anna").get("/").text)
    # A sales rep sees the links without a permission and those their role grants.
    granted = {p.value for p in ROLE_PERMISSIONS[Role.sales_rep]}
    assert shown == [e.element_id for e in nav_entries() if e.permission in (None, *granted)]
    assert "nav-import" in ids and "nav-import" not in shown


def test_no_surface_module_names_another_surface() -> None:
    pattern = re.compile(r"^\s*(?:from|import) revintel\.(cli|api|web)\b", re.MULTILINE)
    for surface in SURFACES:
        for path in (SRC / surface).rglob("*.py"):
            named = {m for m in pattern.findall(path.read_text(encoding="utf-8"))}
            assert named <= {surface}, path


def test_every_schema_of_the_api_has_a_name_of_its_own(app: FastAPI) -> None:
    # Two models of one name are documented under their module paths, which client generators
    # refuse (the endpoints using them would be left out of a generated client).
    names = list(app.openapi()["components"]["schemas"])
    assert [n for n in names if "__" in n] == []
