"""Which methods a path supports (the ``Allow`` header of a 405), and HEAD wherever GET is.

A path may be served by several routes (``GET /api/v1/users`` and ``POST /api/v1/users`` are
two), so the methods are collected over every route matching the path, not only the first.
"""

from __future__ import annotations

from fastapi.routing import iter_route_contexts
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The order methods are listed in (RFC 9110 defines no order; a fixed one reads better).
_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(app: ASGIApp, scope: Scope) -> list[str]:
    """Every method some route of ``app`` answers at the path of ``scope``, HEAD with GET."""
    by_params: dict[int, set[str]] = {}
    path = str(scope.get("path", ""))
    for route in iter_route_contexts(list(getattr(app, "routes", ()))):
        methods = route.methods
        regex = getattr(route, "path_regex", None)
        if methods and regex is not None and regex.match(path):
            params = str(getattr(route, "path", "")).count("{")
            by_params.setdefault(params, set()).update(m.upper() for m in methods)
    # A path spelled out in full (``/imports/rejections``) is that path, not an instance of a
    # template also matching it (``/imports/{batch_id}``), as in the OpenAPI document.
    found = by_params[min(by_params)] if by_params else set()
    if "GET" in found:
        found.add("HEAD")
    return sorted(found, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m))


class AnswerHead:
    """ASGI middleware answering HEAD as GET without the body (RFC 9110, section 9.3.2).

    The API's routes declare GET only; this lets every GET route answer HEAD too, with the
    headers GET would send.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        sent = False

        async def without_body(message: Message) -> None:
            nonlocal sent
            if message["type"] == "http.response.body":
                if sent:
                    return
                sent = True
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
