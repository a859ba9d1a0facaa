"""The application factory: the capabilities' API routers and pages, errors and middleware.

The server names no surface: it includes the routers and pages that :mod:`revintel.capabilities`
lists, resolving their import strings when an application is built.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from pathlib import Path

import anyio.to_thread
import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from revintel.capabilities import api_routers, page_routers, resolve, server_setups
from revintel.server._cli_bridge import CommandRunner, install_cli_bridge
from revintel.server._data_version import FollowDataChanges
from revintel.server._errors import install_error_handlers
from revintel.server._logging import RequestLogging, configure_logging
from revintel.server._methods import AnswerHead
from revintel.server._metrics import install_metrics, metrics_port
from revintel.server._middleware import (
    LimitRequestBodies,
    RejectControlCharacters,
    SecurityHeaders,
)
from revintel.server._openapi import install_openapi, unique_id
from revintel.server._refresh import kept_api_refresher
from revintel.server._settings import Settings, load_settings
from revintel.server._state import AppState
from revintel.server._timezone import ResponseZone

API_V1 = "/api/v1"
#: Swagger UI 5 as shipped inside the installed ``fastapi-offline`` package (never a CDN).
SWAGGER_DIR = Path(fastapi_offline.__file__).parent / "static"
SWAGGER_STATIC = "/api/docs/static"


def api_router() -> APIRouter:
    """Every capability's API router under ``/api/v1``."""
    router = APIRouter(prefix=API_V1)
    for target in api_routers():
        router.include_router(resolve(target))
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


def install_pages(app: FastAPI) -> None:
    """Include every capability's dashboard pages, then run the capabilities' server set-up."""
    for target in page_routers():
        app.include_router(resolve(target))
    for target in server_setups():
        setup: Callable[[FastAPI], None] = resolve(target)
        setup(app)


def create_app(
    settings: Settings | None = None, *, command_runner: CommandRunner | None = None
) -> FastAPI:
    """Build the server: REST API under ``/api/v1`` (docs at ``/api/docs``) and the dashboard.

    Parameters
    ----------
    settings
        Server settings; read from ``REVINTEL_*`` environment variables when omitted. The store
        is opened (and its user tables created) here, so a bad store fails before serving.
    command_runner
        Runs a command of the command line; given, a server on a DuckDB file takes the
        commands that cannot open the file it holds (:mod:`revintel.server._cli_bridge`).
    """
    settings = settings or load_settings()
    state = AppState.start(settings)
    bridge: AbstractContextManager[None] = nullcontext()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Handlers mostly run Python on cached results; a few threads contend less for the
        # interpreter than anyio's default of 40, which raises throughput under many clients.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        configure_logging(settings.log_format, level=settings.log_level)
        state.warm()
        with metrics_port(metrics, settings), bridge:
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
        generate_unique_id_function=unique_id(API_V1),
    )
    app.state.revintel = state
    install_error_handlers(app)
    app.add_middleware(LimitRequestBodies)
    app.add_middleware(RejectControlCharacters)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ResponseZone, zone=state.timezone)
    app.add_middleware(AnswerHead)
    app.add_middleware(FollowDataChanges, state=state)
    app.include_router(api_router())
    install_openapi(app, settings, API_V1)
    install_docs(app)
    install_pages(app)
    state.add_warmer(kept_api_refresher(app, state))
    metrics = install_metrics(app, state)
    if command_runner is not None:
        bridge = install_cli_bridge(app, state, command_runner)
    app.add_middleware(RequestLogging)  # outermost: every response carries the request id
    return app
