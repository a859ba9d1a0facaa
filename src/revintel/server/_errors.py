"""Errors as JSON for the API (:class:`ErrorResponse`) and HTML for pages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from revintel.auth import AccessDeniedError, UserError
from revintel.forecast import ScenarioError
from revintel.ingest import ImportBusyError, IngestError, UnknownPairError
from revintel.metrics import MetricQueryError
from revintel.server._methods import allowed_methods
from revintel.views import QueryError, RecordNotFoundError

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
HtmlErrorRenderer = Callable[[Request, int, str], Response]
#: Seconds a caller is asked to wait before retrying an import refused as busy.
BUSY_RETRY_SECONDS = 5

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
}


class ErrorDetail(BaseModel):
    """One problem of an invalid request: where it is and what is wrong."""

    loc: list[str] = Field(description="where: `query`, `path`, `body` or `header`, then names")
    msg: str


class ErrorBody(BaseModel):
    """What went wrong, in words safe to show the caller."""

    code: str = Field(examples=["invalid_request"], description="stable machine-readable code")
    message: str
    field: str | None = Field(
        description="the query, path or body parameter at fault (as the caller names it)"
    )
    details: list[ErrorDetail] | None = Field(
        default=None, description="every problem of a request failing validation"
    )


class ErrorResponse(BaseModel):
    """The body of every error the API answers."""

    error: ErrorBody


class ApiError(Exception):
    """An error with an HTTP status and a message safe to show the caller.

    ``field`` names the request parameter at fault; ``headers`` are sent with the answer.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = dict(headers or {})


def _respond(
    request: Request,
    status: int,
    message: str,
    *,
    field: str | None = None,
    details: list[dict[str, object]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    extra = dict(headers or {})
    if status == 401:
        extra.setdefault("WWW-Authenticate", "Bearer")
    if status == 405:
        extra["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
    render: HtmlErrorRenderer | None = getattr(request.app.state, "render_html_error", None)
    if render is not None and not request.url.path.startswith(API_PREFIX):
        response = render(request, status, message)
        response.headers.update(extra)
        return response
    body: dict[str, object] = {"code": _CODES.get(status, "error"), "message": message}
    body["field"] = field
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=extra or None)


def _field(loc: tuple[object, ...] | list[object]) -> str | None:
    """The parameter a validation error's location names (``("query", "kpi", 0)`` → kpi)."""
    names = [str(p) for p in loc[1:] if not isinstance(p, int)]
    if names:
        return names[0]
    return str(loc[0]) if loc else None


def _validation_message(field: str | None, error: Mapping[str, object]) -> str:
    """The first validation error in words, quoting a short offending value."""
    value = error.get("input")
    short = isinstance(value, str | int | float) and len(str(value)) <= 200
    quoted = f" {value!r}" if short else ""
    return f"{field or 'request'}{quoted}: {error.get('msg', 'invalid')}"


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers turning every error into one JSON (or HTML) response."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return _respond(request, exc.status, exc.message, field=exc.field, headers=exc.headers)

    @app.exception_handler(AccessDeniedError)
    async def _denied(request: Request, exc: AccessDeniedError) -> Response:
        return _respond(request, 403, str(exc))

    @app.exception_handler(RecordNotFoundError)
    @app.exception_handler(UnknownPairError)
    async def _not_found(request: Request, exc: Exception) -> Response:
        return _respond(request, 404, str(exc))

    @app.exception_handler(ImportBusyError)
    async def _busy(request: Request, exc: ImportBusyError) -> Response:
        retry = {"Retry-After": str(BUSY_RETRY_SECONDS)}
        return _respond(request, 409, str(exc), headers=retry)

    @app.exception_handler(IngestError)
    @app.exception_handler(ScenarioError)
    @app.exception_handler(MetricQueryError)
    @app.exception_handler(QueryError)
    @app.exception_handler(UserError)
    async def _invalid(request: Request, exc: ValueError) -> Response:
        # The request fits the document but a rule it cannot express refuses it (422 is kept
        # for requests the document itself rules out).
        return _respond(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        details: list[dict[str, object]] = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in errors
        ]
        first = _field(tuple(errors[0].get("loc", ()))) if errors else None
        message = _validation_message(first, errors[0]) if errors else "the request is invalid"
        return _respond(request, 422, message, field=first, details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return _respond(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _respond(request, 500, "internal server error")
