"""The cockpit's default views computed ahead of the first visitor, at start and after imports.

The overview of a large store takes seconds the first time (every KPI tile with its trend, the
alerts) and milliseconds once kept. The server therefore opens its main pages itself, as a
user who sees every row, on a background thread: results are kept per row scope, so every
manager, admin and marketing user then finds them ready.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, MutableMapping
from typing import Any

from fastapi import FastAPI

from revintel.auth import SESSION_COOKIE, Permission, Role, User, list_users
from revintel.server import AppState

logger = logging.getLogger(__name__)
#: Pages computed ahead, in the order a visitor usually opens them.
WARM_PATHS = ("/", "/funnel", "/forecast", "/velocity")
#: Who the views are computed as: the first active user of these roles (all see every row).
_ROLES = (Role.manager, Role.admin, Role.marketing)


def warm_user(users: list[User]) -> User | None:
    """The user the views are computed as, or ``None`` when no active user sees every row."""
    for role in _ROLES:
        for user in users:
            if user.role == role and user.can(Permission.view_all_rows):
                return user
    return None


async def _get(app: FastAPI, path: str, cookie: str) -> int:
    """``GET path`` handed to the application directly (no socket); the response status."""
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
        "query_string": b"",
        "headers": [(b"host", b"localhost"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 0),
        "app": app,
    }
    await app(scope, receive, send)
    return status


def page_warmer(app: FastAPI, state: AppState) -> Callable[[], None]:
    """A warmer for :meth:`AppState.warm`: opens :data:`WARM_PATHS` as :func:`warm_user`."""

    def warm() -> None:
        with state.stores.borrow() as store:
            user = warm_user([u for u in list_users(store) if state.sessions.admits(u)])
        if user is None:
            logger.info("no manager, admin or marketing user: views are computed on first visit")
            return
        # A session of its own, ended after the pass, like any signed-in visitor's.
        session = state.sessions.start(user)
        cookie = f"{SESSION_COOKIE}={state.sessions.cookie(session)}"

        async def visit() -> None:
            for path in WARM_PATHS:
                if state.warm_cancelled():
                    return
                status = await _get(app, path, cookie)
                logger.info("computed %s ahead (%d)", path, status)

        try:
            asyncio.run(visit())
        finally:
            state.sessions.end(session)

    return warm
