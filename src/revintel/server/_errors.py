"""Errors as JSON for the API (``{"error": {"code", "message"}}``) and HTML for pages."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from revintel.auth import AccessDeniedError, UserError
from revintel.forecast import ScenarioError
from revintel.ingest import ImportBusyError, IngestError, UnknownPairError
from revintel.metrics import MetricQueryError
from revintel.views import QueryError, RecordNotFoundError

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
HtmlErrorRenderer = Callable[[Request, int, str], Response]

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_request",
    500: "internal_error",
}


class ApiError(Exception):
    """An error with an HTTP status and a message safe to show the caller."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _respond(request: Request, status: int, message: str, details: object = None) -> Response:
    render: HtmlErrorRenderer | None = getattr(request.app.state, "render_html_error", None)
    if render is not None and not request.url.path.startswith(API_PREFIX):
        return render(request, status, message)
    body: dict[str, object] = {"code": _CODES.get(status, "error"), "message": message}
    if details is not None:
        body["details"] = details
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers turning every error into one JSON (or HTML) response."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return _respond(request, exc.status, exc.message)

    @app.exception_handler(AccessDeniedError)
    async def _denied(request: Request, exc: AccessDeniedError) -> Response:
        return _respond(request, 403, str(exc))

    @app.exception_handler(RecordNotFoundError)
    @app.exception_handler(UnknownPairError)
    async def _not_found(request: Request, exc: Exception) -> Response:
        return _respond(request, 404, str(exc))

    @app.exception_handler(ImportBusyError)
    async def _busy(request: Request, exc: ImportBusyError) -> Response:
        return _respond(request, 409, str(exc))

    @app.exception_handler(IngestError)
    @app.exception_handler(ScenarioError)
    @app.exception_handler(MetricQueryError)
    @app.exception_handler(QueryError)
    @app.exception_handler(UserError)
    async def _invalid(request: Request, exc: ValueError) -> Response:
        return _respond(request, 422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        return _respond(request, 422, "the request is invalid", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return _respond(request, exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _respond(request, 500, "internal server error")
