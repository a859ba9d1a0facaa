"""The cockpit's default views computed ahead of the first visitor, at start and after imports.

The overview of a large store takes seconds the first time (every KPI tile with its trend, the
alerts) and milliseconds once kept. The server therefore opens its main pages itself, as a
user who sees every row, on a background thread: results are kept per row scope, so every
manager, admin and marketing user then finds them ready.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from fastapi import FastAPI

from revintel.server import AppState, asgi_get, signed_in

logger = logging.getLogger(__name__)
#: Pages computed ahead, in the order a visitor usually opens them.
WARM_PATHS = ("/", "/funnel", "/forecast", "/velocity")


def page_warmer(app: FastAPI, state: AppState) -> Callable[[], None]:
    """A warmer for :meth:`AppState.warm`: opens :data:`WARM_PATHS` as a user seeing every row."""

    def warm() -> None:
        with signed_in(state) as cookie:
            if cookie is None:
                logger.info(
                    "no manager, admin or marketing user: views are computed on first visit"
                )
                return

            async def visit() -> None:
                for path in WARM_PATHS:
                    if state.warm_cancelled():
                        return
                    status = await asgi_get(app, path, cookie)
                    logger.info("computed %s ahead (%d)", path, status)

            asyncio.run(visit())

    return warm
