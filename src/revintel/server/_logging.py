"""Request logging: a request id per request, one access line per response, JSON lines on demand.

Every record written while a request runs carries the request's id, method and path (and the
caller's name once known), taken from a context variable, whichever logger wrote it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any, Literal

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
#: A request id sent by a client (or a proxy) is kept only when it is a short, plain token.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
#: Attributes every log record has; anything else on a record is an extra field.
_STANDARD_ATTRIBUTES = frozenset(
    set(vars(logging.LogRecord("", 0, "", 0, "", None, None)))
    | {"message", "asctime", "color_message"}
)
_CONTEXT_FIELDS = ("request_id", "method", "path", "user")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_HANDLER_NAME = "revintel"

access_log = logging.getLogger("revintel.access")

LogFormat = Literal["text", "json"]


@dataclass
class RequestContext:
    """What is known about the request being served; ``user`` is filled in once authenticated."""

    request_id: str
    method: str
    path: str
    user: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("revintel_request", default=None)


def current_request() -> RequestContext | None:
    """The request being served in this context, if any."""
    return _current.get()


def note_user(username: str) -> None:
    """Name the caller of the request being served in its log records (never a secret)."""
    context = _current.get()
    if context is not None:
        context.user = username


def request_id_from(value: str | None) -> str:
    """``value`` when it is a sane token (≤ 64 characters of ``A-Za-z0-9._-``), else a new id."""
    if value is not None and _SANE_REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


class RequestContextFilter(logging.Filter):
    """Stamps each record with the current request's id, method, path and user (or ``-``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        for name in _CONTEXT_FIELDS:
            if not hasattr(record, name):
                value = getattr(context, name) if context is not None else None
                setattr(record, name, "-" if value is None and name == "request_id" else value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request fields and extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        attributes = vars(record)
        # The request's fields first, then whatever the record carries besides.
        for name in (*_CONTEXT_FIELDS, *attributes):
            value = attributes.get(name)
            if name not in _STANDARD_ATTRIBUTES and value is not None and value != "-":
                entry.setdefault(name, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(
    log_format: LogFormat = "text", stream: IO[str] | None = None, level: str = "warning"
) -> None:
    """Send every log record (revintel's and uvicorn's) through one handler on the root logger.

    Calling it again replaces the handler it installed before. uvicorn's access log is turned
    off: the access line written by :class:`RequestLogging` replaces it.

    Parameters
    ----------
    log_format
        ``json`` for one JSON object per line, ``text`` for readable lines.
    stream
        Where to write (standard error by default).
    level
        Level of revintel's own loggers; the access lines are always written.
    """
    handler = logging.StreamHandler(stream) if stream is not None else _StandardError()
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestContextFilter())
    text = logging.Formatter(_TEXT_FORMAT)
    handler.setFormatter(JsonFormatter() if log_format == "json" else text)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME or _is_default(h)]:
        root.removeHandler(old)
    root.addHandler(handler)
    logging.getLogger("revintel").setLevel(level.upper())
    access_log.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True


class _StandardError(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is written, not when configured.

    A server started by a host that swaps standard error (a test runner capturing output, a
    daemon redirecting it) keeps writing to the current one instead of a closed stream.
    """

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


def _is_default(handler: logging.Handler) -> bool:
    # The handler logging.basicConfig puts on the root logger would write every line twice.
    return type(handler) is logging.StreamHandler and handler.stream in (sys.stderr, sys.stdout)


class RequestLogging:
    """ASGI middleware giving each request an id and writing one access line per response.

    The id comes from the ``X-Request-ID`` header when it is a sane token (a proxy's id then
    links both logs) and is generated otherwise; the response returns it in the same header.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = RequestContext(
            request_id_from(Headers(scope=scope).get(REQUEST_ID_HEADER)),
            str(scope.get("method", "")),
            str(scope.get("path", "")),
        )
        token = _current.set(context)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = context.request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            access_log.info(
                "%s %s %d %.1f ms",
                context.method,
                context.path,
                status,
                duration_ms,
                extra={"status": status, "duration_ms": duration_ms},
            )
            _current.reset(token)
