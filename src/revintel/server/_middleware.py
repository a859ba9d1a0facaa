"""ASGI middleware of every response: security headers and refusal of control characters."""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Paths of the interactive API docs, which need an inline script.
DOCS_PATHS = ("/api/docs", "/api/openapi.json")

# Swagger UI starts from an inline script; everything else still comes from this server only.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


class SecurityHeaders:
    """ASGI middleware adding security headers to every HTTP response.

    Written against ASGI directly: Starlette's ``BaseHTTPMiddleware`` costs a task group per
    request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = _DOCS_CSP if str(scope.get("path", "")).startswith(DOCS_PATHS) else _CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Content-Security-Policy", csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)


_CONTROL_CHARACTERS = "query parameters must not contain control characters"


class RejectControlCharacters:
    """ASGI middleware answering 400 to query strings holding control characters.

    No filter value can contain them, and some backends cannot even quote them in SQL, so they
    are refused once here for every page and API route instead of in each parameter.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = unquote_to_bytes(scope.get("query_string", b"")) if scope["type"] == "http" else b""
        if any(b < 0x20 or b == 0x7F for b in query):
            body = json.dumps(
                {"error": {"code": "bad_request", "message": _CONTROL_CHARACTERS}}
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
