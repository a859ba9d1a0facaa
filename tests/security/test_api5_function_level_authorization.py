"""API5:2023 Broken Function Level Authorization: every write and admin operation of the OpenAPI
document refuses the roles below it, and every operation but a few public ones refuses anonymous
callers; operations added later are covered because the document is read, not a list."""

from __future__ import annotations

import httpx
import pytest

from tests.security._openapi import PUBLIC, Operation, operations
from tests.security.conftest import LiveServer

#: A user's own API tokens and profile: every signed-in user may call these.
SELF_SERVICE = ("/api/v1/me", "/api/v1/tokens")
#: Operations for admins only (managing users and their sessions).
ADMIN_ONLY = ("/api/v1/users",)
#: Decisions a sales rep may take on their own leads (only there: see the test below).
REP_DECISIONS = tuple(
    f"/api/v1/leads/{{lead_id}}/{action}" for action in ("accept", "reject", "recycle")
)
#: Users of the hand-made store below admin, with their role.
LOWER = {"marie": "marketing", "anna": "sales_rep", "ben": "sales_rep"}


def _call(client: httpx.Client, op: Operation) -> httpx.Response:
    # A body is sent where one is declared, so that a refusal cannot hide behind a 422.
    body: dict[str, str] | None = {} if op.has_body else None
    return client.request(op.method, op.url({}), json=body)


def _is(op: Operation, prefixes: tuple[str, ...]) -> bool:
    return op.path.startswith(prefixes)


@pytest.fixture(scope="module")
def every_operation(server: LiveServer) -> list[Operation]:
    """The operations of the document, checked to hold the ones the tests rely on."""
    found = operations(server.client("admin"))
    assert any(op.writes and _is(op, ADMIN_ONLY) for op in found)
    return found


def test_anonymous_callers_get_401_everywhere_but_the_public_operations(
    server: LiveServer, every_operation: list[Operation]
) -> None:
    client = server.client()
    refused = [op for op in every_operation if (op.method, op.path) not in PUBLIC]
    for op in refused:
        response = _call(client, op)
        assert response.status_code == 401, (op.method, op.path, response.status_code)
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200


def test_a_bad_token_is_as_anonymous(server: LiveServer, every_operation: list[Operation]) -> None:
    client = httpx.Client(
        base_url=server.url, headers={"Authorization": "Bearer rvi_forged"}, timeout=120
    )
    for op in every_operation:
        if (op.method, op.path) not in PUBLIC:
            assert _call(client, op).status_code == 401, (op.method, op.path)


@pytest.mark.parametrize("user", sorted(LOWER))
def test_lower_roles_cannot_call_admin_operations(
    server: LiveServer, every_operation: list[Operation], user: str
) -> None:
    client = server.client(user)
    for op in every_operation:
        if _is(op, ADMIN_ONLY):
            response = _call(client, op)
            assert response.status_code == 403, (user, op.method, op.path, response.text)


@pytest.mark.parametrize("user", ["anna", "ben"])
def test_a_sales_rep_cannot_call_any_write_operation_but_their_own_tokens(
    server: LiveServer, every_operation: list[Operation], user: str
) -> None:
    client = server.client(user)
    writes = [
        op
        for op in every_operation
        if op.writes and not _is(op, SELF_SERVICE) and op.path not in REP_DECISIONS
    ]
    assert len(writes) >= 5
    for op in writes:
        response = _call(client, op)
        assert response.status_code == 403, (user, op.method, op.path, response.text)


def test_a_sales_rep_cannot_read_company_wide_admin_views(server: LiveServer) -> None:
    # Targets of every team and the evaluation of the score models are for analysts only.
    client = server.client("anna")
    for path in ("/api/v1/targets", "/api/v1/scores/models", "/api/v1/users"):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("path", REP_DECISIONS)
def test_a_sales_rep_decides_only_on_own_leads(server: LiveServer, path: str) -> None:
    # L08 belongs to ben (r2): anna learns it exists but may not decide on it; marketing may
    # decide on no lead at all, and an unknown lead is not found.
    body = {"reason": "no_budget"} if path.endswith("reject") else {}
    anna = server.client("anna")
    assert anna.post(path.replace("{lead_id}", "L08"), json=body).status_code == 403
    assert anna.post(path.replace("{lead_id}", "L-none"), json=body).status_code == 404
    marie = server.client("marie")
    assert marie.post(path.replace("{lead_id}", "L01"), json={}).status_code == 403
