"""Computing results ahead: requests the server sends to itself, as a user who sees every row.

At start the dashboard opens its main pages this way (see ``revintel.web``); after a data change
the server also asks again for the API answers kept for the whole company before the change that
were slow to compute, most recently used first, so integrators' dashboards find the new figures
ready.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from revintel.auth import SESSION_COOKIE, Permission, Role, User, list_users
from revintel.server._cache import ResultCache

if TYPE_CHECKING:  # the state builds its helper from this module
    from revintel.server._state import AppState

logger = logging.getLogger(__name__)
#: Who results are computed as: the first active user of these roles (all see every row).
_ROLES = (Role.manager, Role.admin, Role.marketing)
#: API answers asked again after a change, at most (the most recently used ones).
MAX_REFRESHED = 200
#: Only answers that took at least this long to compute are asked again; quicker ones (a list
#: page, one record) are computed when next requested, which costs less than recomputing every
#: record a client once opened.
MIN_REFRESH_SECONDS = 0.1


def warm_user(users: list[User]) -> User | None:
    """The user results are computed as, or ``None`` when no active user sees every row."""
    for role in _ROLES:
        for user in users:
            if user.role == role and user.can(Permission.view_all_rows):
                return user
    return None


async def asgi_get(app: FastAPI, path: str, cookie: str, query: str = "") -> int:
    """``GET path?query`` handed to the application directly (no socket); the status."""
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"localhost"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 0),
        "app": app,
    }
    await app(scope, receive, send)
    return status


@contextmanager
def signed_in(state: AppState) -> Iterator[str | None]:
    """A session cookie of :func:`warm_user` for the block (ended after it), or ``None``."""
    with state.stores.borrow() as store:
        user = warm_user([u for u in list_users(store) if state.sessions.admits(u)])
    if user is None:
        yield None
        return
    session = state.sessions.start(user)
    try:
        yield f"{SESSION_COOKIE}={state.sessions.cookie(session)}"
    finally:
        state.sessions.end(session)


def refresh_urls(cache: ResultCache) -> list[tuple[str, str]]:
    """Path and query of the company-wide API answers kept before the last change that were
    slow to compute, most recently used first (at most :data:`MAX_REFRESHED`)."""
    return [
        (key[1], key[2])
        for key in cache.previous_keys(MIN_REFRESH_SECONDS)
        if key[0] == "api" and key[3] == "*"
    ][:MAX_REFRESHED]


def ask_again(app: FastAPI, state: AppState, urls: list[tuple[str, str]]) -> None:
    """``GET`` each of ``urls`` (path, query) as :func:`warm_user`, one after the other."""
    if not urls:
        return
    with signed_in(state) as cookie:
        if cookie is None:
            return

        async def visit() -> None:
            for path, query in urls:
                if state.warm_cancelled():
                    return
                status = await asgi_get(app, path, cookie, query)
                logger.info("computed %s?%s again (%d)", path, query, status)

        asyncio.run(visit())


def kept_api_refresher(app: FastAPI, state: AppState) -> Callable[[], None]:
    """A warmer for :meth:`AppState.warm`: asks again for the company-wide API answers kept
    before the last change (nothing at start)."""

    def refresh() -> None:
        urls = state.urls_again
        ask_again(app, state, refresh_urls(state.cache) if urls is None else urls)

    return refresh
