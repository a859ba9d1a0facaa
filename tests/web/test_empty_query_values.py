"""A page's optional filters sent empty (``?to=``, as a cleared form field sends them) mean
"not chosen", never a server error."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from revintel.capabilities import CAPABILITIES, resolve
from tests.web.conftest import LiveServer, browser_login


def _pages_with_query() -> list[tuple[str, list[str]]]:
    pages = []
    for capability in CAPABILITIES:
        for target in capability.page_routers:
            for route in resolve(target).routes:
                if not isinstance(route, APIRoute) or "GET" not in route.methods:
                    continue
                if "{" in route.path:
                    continue
                names = [
                    p.alias for p in route.dependant.query_params if not p.field_info.is_required()
                ]
                if names:
                    pages.append((route.path, names))
    return pages


PAGES = _pages_with_query()


def test_pages_with_optional_filters_are_found() -> None:
    paths = {path for path, _ in PAGES}
    assert {"/attribution", "/forecast", "/customers"} <= paths


@pytest.mark.parametrize(("path", "names"), PAGES, ids=[p for p, _ in PAGES])
def test_every_optional_filter_sent_empty_is_answered(
    live_server: LiveServer, path: str, names: list[str]
) -> None:
    client = browser_login(live_server, "admin")
    query = "&".join(f"{name}=" for name in names)
    response = client.get(f"{path}?{query}")
    assert response.status_code < 500, (path, response.status_code, response.text[:300])
    assert not re.search(r"Internal Server Error", response.text)
