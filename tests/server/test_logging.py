"""Request ids and JSON log lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from revintel.server._logging import (
    REQUEST_ID_HEADER,
    JsonFormatter,
    RequestContextFilter,
    configure_logging,
    request_id_from,
)
from tests.server.conftest import Served, serve


@pytest.fixture(scope="module")
def served(store_path: tuple[Path, dict[str, str]]) -> Iterator[Served]:
    """The application with an extra route that writes a log record of its own."""
    for running in serve(*store_path, log_format="json"):

        @running.app.get("/_log-inside")
        def _log_inside() -> dict[str, bool]:
            logging.getLogger("revintel.probe").warning("inside the request", extra={"rows": 3})
            return {"ok": True}

        yield running


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """A JSON handler on the root logger, as ``REVINTEL_LOG_FORMAT=json`` installs."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)


def _records(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_every_record_of_a_request_carries_the_id_returned_in_the_header(
    served: Served, json_lines: io.StringIO
) -> None:
    response = served.client.get("/_log-inside")
    request_id = response.headers[REQUEST_ID_HEADER]
    records = [r for r in _records(json_lines) if r.get("request_id") == request_id]
    inside = next(r for r in records if r["logger"] == "revintel.probe")
    assert inside["message"] == "inside the request"
    assert inside["rows"] == 3
    assert inside["level"] == "WARNING"
    assert {"time", "method", "path"} <= inside.keys()
    access = next(r for r in records if r["logger"] == "revintel.access")
    assert access["method"] == "GET"
    assert access["path"] == "/_log-inside"
    assert access["status"] == 200
    assert isinstance(access["duration_ms"], float)


def test_the_access_line_names_the_user_but_never_the_token(
    served: Served, json_lines: io.StringIO
) -> None:
    headers = {**served.auth("anna"), REQUEST_ID_HEADER: "client-id.42"}
    response = served.client.get("/api/v1/leads", headers=headers)
    assert response.headers[REQUEST_ID_HEADER] == "client-id.42"
    access = [r for r in _records(json_lines) if r.get("request_id") == "client-id.42"]
    assert access and access[-1]["user"] == "anna"
    assert served.tokens["anna"] not in json_lines.getvalue()


@pytest.mark.parametrize("sent", ["evil\nid", "x" * 1024, "ab cd", "é"])
def test_an_unsafe_request_id_is_replaced(sent: str) -> None:
    kept = request_id_from(sent)
    assert kept != sent
    assert len(kept) <= 64 and kept.isalnum()


def test_a_malicious_header_never_reaches_the_response_or_the_log(
    served: Served, json_lines: io.StringIO
) -> None:
    response = served.client.get("/login", headers={REQUEST_ID_HEADER: "x" * 1024})
    request_id = response.headers[REQUEST_ID_HEADER]
    assert request_id != "x" * 1024 and len(request_id) <= 64
    assert "x" * 65 not in json_lines.getvalue()
    assert any(r.get("request_id") == request_id for r in _records(json_lines))


def test_json_format_installs_one_json_handler_on_the_root_logger() -> None:
    buffer = io.StringIO()
    configure_logging("json", stream=buffer)
    configure_logging("json", stream=buffer)
    logging.getLogger("revintel.probe").warning("outside any request")
    configure_logging("text")
    (line,) = buffer.getvalue().splitlines()
    record = json.loads(line)
    assert record["message"] == "outside any request"
    assert "request_id" not in record


def test_the_default_handler_writes_to_the_standard_error_of_the_moment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure_logging("text")
    before, now = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stderr", before)
    before.close()
    monkeypatch.setattr("sys.stderr", now)
    logging.getLogger("revintel.probe").warning("after the swap")
    assert "after the swap" in now.getvalue()
