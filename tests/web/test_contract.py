"""The OpenAPI document is the API's contract: ids, tags, declared statuses, one error body,
parameter grammars and rules, and the server answering as the document says."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema_rs
import pytest

from revintel.ingest._exclusive import exclusive_import
from revintel.server import Settings
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import build_store

Doc = dict[str, Any]
ID = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")
ACCOUNTS = "account_id,name,country\nA7,Acme GmbH,DE\n"


@pytest.fixture(scope="module")
def doc(live_server: LiveServer) -> Doc:
    response = live_server.client().get("/api/openapi.json")
    assert response.status_code == 200
    body: Doc = response.json()
    return body


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own with a 4 KiB body limit and no wait for a running import."""
    db = tmp_path_factory.mktemp("contract") / "store.duckdb"
    tokens = build_store(db)
    settings = Settings(db=str(db), secret_key=SECRET, max_body_bytes=4096, import_wait_seconds=0)
    for url in serve_in_thread(settings):
        yield LiveServer(url, db, tokens)


def _operations(doc: Doc) -> Iterator[tuple[str, str, Doc]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def _errors(doc: Doc, method: str, path: str) -> set[int]:
    responses = doc["paths"][path][method.lower()]["responses"]
    return {int(s) for s in responses if int(s) >= 400}


def _check_error(doc: Doc, response: httpx.Response, status: int, field: str | None) -> Doc:
    """Assert ``response`` is a ``status`` error whose body the document's schema accepts."""
    assert response.status_code == status, response.text
    schema = {"$ref": "#/components/schemas/ErrorResponse", "components": doc["components"]}
    body: Doc = response.json()
    jsonschema_rs.validate(schema, body)
    assert body["error"]["field"] == field
    return body


def _param_schema(doc: Doc, path: str, name: str) -> Doc:
    params = doc["paths"][path]["get"]["parameters"]
    [schema] = [p["schema"] for p in params if p["name"] == name]
    return {**schema, "components": doc["components"]}


def test_operation_ids_are_chosen_unique_and_camel_case(doc: Doc) -> None:
    ids = [op["operationId"] for _, _, op in _operations(doc)]
    assert len(ids) == len(set(ids)) > 30
    assert [i for i in ids if not ID.match(i)] == []
    found = {(m, p): op["operationId"] for m, p, op in _operations(doc)}
    assert found[("GET", "/api/v1/leads")] == "listLeads"
    assert found[("GET", "/api/v1/leads/{lead_id}")] == "getLead"
    assert found[("GET", "/api/v1/kpis/values")] == "getKpiValues"
    assert found[("GET", "/api/v1/forecast")] == "getForecast"
    assert found[("POST", "/api/v1/imports")] == "uploadImport"
    assert found[("DELETE", "/api/v1/tokens/{token_id}")] == "revokeToken"
    assert not any("Body_" in n and "_api_v1_" in n for n in doc["components"]["schemas"])


def test_each_operation_has_its_resource_as_only_tag(doc: Doc) -> None:
    for _, path, operation in _operations(doc):
        resource = path.removeprefix("/api/v1/").split("/")[0]
        assert operation["tags"] == [{"me": "users"}.get(resource, resource)], path
    assert [t["name"] for t in doc["tags"]] == sorted({t["name"] for t in doc["tags"]})


@pytest.mark.parametrize(
    ("method", "path", "success", "errors"),
    [
        ("GET", "/api/v1/leads/{lead_id}", 200, {400, 401, 403, 404, 422}),
        ("POST", "/api/v1/imports", 201, {400, 401, 403, 409, 413, 422}),
        ("GET", "/api/v1/health", 200, {400}),
        ("GET", "/api/v1/me", 200, {400, 401}),
        ("GET", "/api/v1/kpis/values", 200, {400, 401, 422}),
        ("GET", "/api/v1/users", 200, {400, 401, 403, 422}),
        ("POST", "/api/v1/tokens", 201, {400, 401, 403, 413, 422}),
        ("DELETE", "/api/v1/tokens/{token_id}", 204, {400, 401, 403, 404, 422}),
        ("GET", "/api/v1/scores/models", 200, {400, 401, 403, 404, 422}),
    ],
)
def test_operations_declare_every_status(
    doc: Doc, method: str, path: str, success: int, errors: set[int]
) -> None:
    assert str(success) in doc["paths"][path][method.lower()]["responses"]
    assert _errors(doc, method, path) == errors


def test_every_error_response_is_the_error_body(doc: Doc) -> None:
    for method, path, operation in _operations(doc):
        assert 400 in _errors(doc, method, path), path
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (path, status)
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert doc["components"]["schemas"]["ErrorBody"]["required"] == ["code", "message", "field"]
    headers = doc["paths"]["/api/v1/imports"]["post"]["responses"]["409"]["headers"]
    assert "Retry-After" in headers


def test_live_errors_match_the_error_schema(doc: Doc, live_server: LiveServer) -> None:
    anonymous, admin, anna = (live_server.client(u) for u in (None, "admin", "anna"))
    bad = _check_error(doc, admin.get("/api/v1/leads?channel=%01"), 400, None)
    assert bad["error"]["message"] == "query parameters must not contain control characters"
    denied = anonymous.get("/api/v1/leads")
    _check_error(doc, denied, 401, None)
    assert denied.headers["WWW-Authenticate"] == "Bearer"
    _check_error(doc, anna.get("/api/v1/users"), 403, None)
    _check_error(doc, anna.get("/api/v1/leads/L08"), 403, None)
    _check_error(doc, admin.get("/api/v1/leads/L99"), 404, None)
    _check_error(doc, admin.put("/api/v1/leads"), 405, None)
    invalid = _check_error(doc, admin.get("/api/v1/forecast?months=99"), 422, "months")
    assert invalid["error"]["details"][0]["loc"] == ["query", "months"]


def test_busy_import_is_409_with_retry_after(doc: Doc, small: LiveServer) -> None:
    files = [("files", ("accounts.csv", ACCOUNTS.encode(), "text/csv"))]
    with exclusive_import(str(small.db), 0):  # as if another import were writing
        busy = small.client("marie").post("/api/v1/imports", files=files)
    _check_error(doc, busy, 409, None)
    assert busy.headers["Retry-After"] == "5"
    assert "another import is running" in busy.json()["error"]["message"]


def test_too_large_bodies_are_413(doc: Doc, small: LiveServer) -> None:
    files = [("files", ("accounts.csv", b"x" * 10_000, "text/csv"))]
    response = small.client("marie").post("/api/v1/imports", files=files)
    body = _check_error(doc, response, 413, None)
    assert body["error"]["message"] == "the request body exceeds 4,096 bytes"
    # A declared length beyond the limit is refused before a byte of the body is read.
    url = urlsplit(small.url)
    with socket.create_connection((url.hostname or "", url.port or 80), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 999999\r\n\r\n"
        )
        head = sock.recv(4096).decode()
    assert head.startswith("HTTP/1.1 413")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/v1/users", "GET, HEAD, POST"),
        ("DELETE", "/api/v1/leads", "GET, HEAD"),
        ("GET", "/api/v1/tokens/t1", "DELETE"),
        ("PATCH", "/api/v1/tokens", "GET, HEAD, POST"),
        ("DELETE", "/login", "GET, HEAD, POST"),
    ],
)
def test_405_allows_every_method_of_the_path(
    live_server: LiveServer, method: str, path: str, allow: str
) -> None:
    response = live_server.client("admin").request(method, path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allow


def test_head_answers_like_get_without_a_body(live_server: LiveServer) -> None:
    client = live_server.client("admin")
    head, get = client.head("/api/v1/kpis/catalogue"), client.get("/api/v1/kpis/catalogue")
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and len(get.content) > 100
    assert head.headers["content-type"] == get.headers["content-type"] == "application/json"


def test_parameter_grammars_reject_what_the_server_rejects(
    doc: Doc, live_server: LiveServer
) -> None:
    kpi = jsonschema_rs.validator_for(_param_schema(doc, "/api/v1/kpis/values", "kpi"))
    where = jsonschema_rs.validator_for(_param_schema(doc, "/api/v1/kpis/values", "where"))
    what_if = jsonschema_rs.validator_for(_param_schema(doc, "/api/v1/forecast", "what_if"))
    assert kpi.is_valid(["mqls", "pipeline_coverage"]) and not kpi.is_valid(["hot_leads"])
    assert where.is_valid(["segment=Enterprise, Mittelstand", "channel != events"])
    assert not where.is_valid(["colour=red"]) and not where.is_valid(["segment= , "])
    good = ["mql_sal_rate=0.6", "win_rate[segment=Enterprise]*1.1", "lead_volume*1.2"]
    assert what_if.is_valid(good)
    for value in ("", "win_rate*banana", "lead_volume*11", "mql_won_rate=0.5", "mql_sal_rate=2"):
        assert not what_if.is_valid([value]), value
    client = live_server.client("admin")
    cases = [
        ("/api/v1/kpis/values", {"kpi": "hot_leads"}, "kpi"),
        ("/api/v1/kpis/values", {"kpi": "mqls", "where": "colour=red"}, "where"),
        ("/api/v1/forecast", {"what_if": "win_rate*banana"}, "what_if"),
        ("/api/v1/forecast", {"what_if": ""}, "what_if"),
        ("/api/v1/forecast", {"what_if": "lead_volume*11"}, "what_if"),
    ]
    for path, params, field in cases:
        response = client.get(path, params=params)
        body = _check_error(doc, response, 422, field)
        assert repr(params[field]) in body["error"]["message"]
    # Free strings of the query exclude the control characters the server answers 400 to.
    channel = jsonschema_rs.validator_for(_param_schema(doc, "/api/v1/kpis", "channel"))
    assert channel.is_valid("Paid Search") and not channel.is_valid("Paid\tSearch")
    assert not where.is_valid(["segment=\x0bEnterprise"])
    # A day is YYYY-MM-DD only, as `format: date` says (not a Unix time).
    _check_error(doc, client.get("/api/v1/kpis", params={"created_to": "0"}), 422, "created_to")
    ok = client.get("/api/v1/forecast", params={"what_if": good, "simulations": 100})
    assert ok.status_code == 200 and ok.json()["what_if"] == good


def test_rules_between_parameters_are_documented_and_enforced(
    doc: Doc, live_server: LiveServer
) -> None:
    text = doc["paths"]["/api/v1/kpis/values"]["get"]["description"]
    assert "`pipeline_coverage`: `by` and `where` only with `segment`, `rep`, `team`" in text
    assert "`lvr`: not with `grain=all`" in text
    assert "`created_from` must not be after `created_to`" in text
    forecast = doc["paths"]["/api/v1/forecast"]["get"]["description"]
    assert "a what-if factor lies between 0 and 10" in forecast
    client = live_server.client("admin")
    cases = [
        ({"kpi": "pipeline_coverage", "by": "channel"}, "by", "has no dimension 'channel'"),
        ({"kpi": "pipeline_coverage", "where": "region=Nord"}, "where", "no dimension 'region'"),
        ({"kpi": "lvr", "grain": "all"}, "grain", "compares periods"),
        (
            {"created_from": "2024-10-01", "created_to": "2024-09-30"},
            "created_from",
            "created_from 2024-10-01 must not be after created_to 2024-09-30",
        ),
    ]
    for params, field, words in cases:
        body = _check_error(doc, client.get("/api/v1/kpis/values", params=params), 400, field)
        assert words in body["error"]["message"]
    for path in ("/api/v1/kpis", "/api/v1/funnel", "/api/v1/funnel/cohort"):
        params = {"created_from": "2024-02-02", "created_to": "2024-02-01"}
        _check_error(doc, client.get(path, params=params), 400, "created_from")
    # Without `kpi`, the KPIs a breakdown does not suit are left out instead of failing.
    rows = client.get("/api/v1/kpis/values", params={"by": "channel", "grain": "all"}).json()
    kpis = {r["kpi"] for r in rows}
    assert "mqls" in kpis and not kpis & {"pipeline_coverage", "lvr"}
    same_day = {"created_from": "2024-01-15", "created_to": "2024-01-15", "kpi": "mqls"}
    assert client.get("/api/v1/kpis/values", params=same_day).status_code == 200
    volume: dict[str, list[str] | str] = {
        "what_if": ["lead_volume*5", "lead_volume*3"],
        "simulations": "100",
    }
    many = _check_error(doc, client.get("/api/v1/forecast", params=volume), 400, "what_if")
    assert "multiply to 15" in many["error"]["message"]
