"""ASGI middleware of every request: security headers, no control characters, bounded bodies."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import unquote_to_bytes

import anyio.to_thread
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from revintel.auth import SESSION_COOKIE

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
                {"error": {"code": "bad_request", "message": _CONTROL_CHARACTERS, "field": None}}
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


class _BodyTooLargeError(Exception):
    """The request body grew beyond the limit while it was being read."""


async def _refuse(send: Send, status: int, message: str) -> None:
    code = {401: "unauthorized", 413: "payload_too_large"}.get(status, "error")
    headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    body = json.dumps({"error": {"code": code, "message": message, "field": None}}).encode()
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def _cookie(scope: Scope, name: str) -> str | None:
    for part in _header(scope, b"cookie").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class LimitRequestBodies:
    """ASGI middleware bounding request bodies before a byte of them is read or spooled.

    A body declared (``Content-Length``) or growing (while streamed) beyond the server's
    ``max_body_bytes`` gets 413. An upload (``multipart/form-data``) without valid credentials
    gets 401 at once: the parser would otherwise spool the whole body to a temporary file before
    any dependency checks the caller.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state.revintel
        limit: int = state.settings.max_body_bytes
        is_upload = _header(scope, b"content-type").lower().startswith("multipart/")
        if is_upload and not await _has_credentials(scope, state):
            await _refuse(send, 401, "sign in or send an API token before uploading")
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, 413, f"the request body exceeds {limit:,} bytes")
            return
        await self._bounded(scope, receive, send, limit)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                exceeded = True
                raise _BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the handler's answer to the cut body is replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_BodyTooLargeError):
            await self.app(scope, counting_receive, guarded_send)
        if exceeded and not started:
            await _refuse(send, 413, f"the request body exceeds {limit:,} bytes")


async def _has_credentials(scope: Scope, state: Any) -> bool:
    """Whether the request carries a valid API token or a signed-in session cookie.

    Checked as the request dependencies check them (both may read the store, hence a thread).
    """
    scheme, _, token = _header(scope, b"authorization").partition(" ")
    cookie = _cookie(scope, SESSION_COOKIE)

    def valid() -> bool:
        if scheme.lower() == "bearer" and token.strip():
            with state.stores.borrow() as store:
                return state.tokens.grant(store, token.strip()) is not None
        session = state.sessions.read(cookie)
        return session is not None and session.user is not None

    return bool(await anyio.to_thread.run_sync(valid))
