"""The lead handover endpoints held to their OpenAPI document (schemathesis, as admin, manager
and sales rep)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from revintel.server import Settings, create_app
from tests.web.conftest import SECRET, DemoCompany, serve_in_thread
from tests.web.test_schemathesis import ContractServer, RoleTokens, run_contract

PATHS = (
    "/api/v1/handover/queue",
    "/api/v1/handover/reasons",
    "/api/v1/handover/decisions",
    "/api/v1/leads/{lead_id}/accept",
    "/api/v1/leads/{lead_id}/reject",
    "/api/v1/leads/{lead_id}/recycle",
    "/api/v1/leads/{lead_id}/reassign",
)


@pytest.fixture(scope="module")
def handover_server(
    demo_company: DemoCompany, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ContractServer]:
    """The small demo company on a server of this module's own (decisions change it)."""
    db = demo_company.copy_to(tmp_path_factory.mktemp("handover_contract"))
    app = create_app(Settings(db=str(db), secret_key=SECRET, default_language="en"))
    users = {role: demo_company.users[role] for role in ("admin", "manager", "sales_rep")}
    for url in serve_in_thread(app):
        yield ContractServer(url, app.state.revintel, users)


@pytest.mark.parametrize("path", PATHS)
def test_handover_keeps_its_document(handover_server: ContractServer, path: str) -> None:
    tokens = RoleTokens(handover_server.state, handover_server.users)
    outcome = run_contract(
        handover_server.url, ("examples", "coverage", "fuzzing"), tokens=tokens, path=path,
        max_seconds=15,
    )  # fmt: skip
    assert not outcome.findings and not outcome.errors, outcome.report()
    assert sum(outcome.scenarios.values()) > 0
