"""The application factory: API routers, dashboard pages, error handlers and security headers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import unquote_to_bytes

import anyio.to_thread
import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from revintel.api._errors import install_error_handlers
from revintel.api._settings import Settings, load_settings
from revintel.api._state import AppState
from revintel.api.routers import (
    accounts,
    analytics,
    dedupe,
    forecast,
    imports,
    leads,
    opportunities,
    quality,
    scores,
    store,
    targets,
    users,
)

API_V1 = "/api/v1"
DOCS_PATHS = ("/api/docs", "/api/openapi.json")
#: Swagger UI 5 as shipped inside the installed ``fastapi-offline`` package (never a CDN).
SWAGGER_DIR = Path(fastapi_offline.__file__).parent / "static"
SWAGGER_STATIC = "/api/docs/static"

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


def api_router() -> APIRouter:
    """Every API resource under ``/api/v1``."""
    router = APIRouter(prefix=API_V1)
    resources = (store, analytics, targets, forecast, leads, opportunities, accounts, scores)
    for module in (*resources, imports, quality, dedupe, users):
        router.include_router(module.router)
    return router


def install_docs(app: FastAPI) -> None:
    """Serve the interactive API docs at ``/api/docs`` with Swagger UI's files from this server."""
    app.mount(SWAGGER_STATIC, StaticFiles(directory=SWAGGER_DIR), name="swagger")

    @app.get("/api/docs", include_in_schema=False)
    def _docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="revintel API",
            swagger_js_url=f"{SWAGGER_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_STATIC}/favicon.png",
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the server: REST API under ``/api/v1`` (docs at ``/api/docs``) and the dashboard.

    Parameters
    ----------
    settings
        Server settings; read from ``REVINTEL_*`` environment variables when omitted. The store
        is opened (and its user tables created) here, so a bad store fails before serving.
    """
    settings = settings or load_settings()
    state = AppState.start(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Handlers mostly run Python on cached results; a few threads contend less for the
        # interpreter than anyio's default of 40, which raises throughput under many clients.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        state.warm()
        yield
        state.stop()

    app = FastAPI(
        title="revintel",
        summary="Revenue intelligence for B2B companies: leads, deals, funnel and forecasts.",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.revintel = state
    install_error_handlers(app)
    app.add_middleware(RejectControlCharacters)
    app.add_middleware(SecurityHeaders)
    app.include_router(api_router())
    install_docs(app)
    # Imported here: the pages use this package's dependencies, so a top-level import would
    # make the two packages import each other while initialising.
    from revintel.web import install_web

    install_web(app)
    return app
