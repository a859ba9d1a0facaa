"""The zone the API writes times in: the store's, read once when the server starts.

Stored times are naive wall-clock times of the store's zone; responses state them with that
zone's offset. Each request runs with its application's zone in a context variable (so two
servers in one process, as in tests, keep theirs); code outside a request gets the zone of the
server started last.
"""

from __future__ import annotations

from contextvars import ContextVar
from zoneinfo import ZoneInfo

from starlette.types import ASGIApp, Receive, Scope, Send

from revintel.store import DEFAULT_TIMEZONE

_REQUEST_ZONE: ContextVar[ZoneInfo | None] = ContextVar("revintel_response_zone", default=None)
_started = {"zone": ZoneInfo(DEFAULT_TIMEZONE)}


def response_zone() -> ZoneInfo:
    """The zone of the store the current request's server holds."""
    return _REQUEST_ZONE.get() or _started["zone"]


def serve_zone(zone: ZoneInfo) -> None:
    """Make ``zone`` the zone outside requests (called when a server starts)."""
    _started["zone"] = zone


class ResponseZone:
    """ASGI middleware running every request with the server's store zone."""

    def __init__(self, app: ASGIApp, zone: ZoneInfo) -> None:
        self.app = app
        self.zone = zone

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _REQUEST_ZONE.set(self.zone)
        try:
            await self.app(scope, receive, send)
        finally:
            _REQUEST_ZONE.reset(token)
