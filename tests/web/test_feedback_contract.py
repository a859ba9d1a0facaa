"""The feedback endpoints held to their OpenAPI document (schemathesis, as admin, manager and
sales rep) and their answers scoped to the caller."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from revintel.predict import train_score
from revintel.server import Settings, create_app
from revintel.store import open_store
from tests.web.conftest import SECRET, DemoCompany, serve_in_thread
from tests.web.test_schemathesis import ContractServer, RoleTokens, run_contract

PATHS = ("/api/v1/feedback/reasons", "/api/v1/feedback/mql-definition")


@pytest.fixture(scope="module")
def feedback_server(
    demo_company: DemoCompany, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ContractServer]:
    """The small demo company, with a lead model, on a server of this module's own."""
    db = demo_company.copy_to(tmp_path_factory.mktemp("feedback_contract"))
    with open_store(db) as store:
        train_score(store, "lead_to_won")
    app = create_app(Settings(db=str(db), secret_key=SECRET, default_language="en"))
    users = {role: demo_company.users[role] for role in ("admin", "manager", "sales_rep")}
    for url in serve_in_thread(app):
        yield ContractServer(url, app.state.revintel, users)


@pytest.mark.parametrize("path", PATHS)
def test_feedback_keeps_its_document(feedback_server: ContractServer, path: str) -> None:
    tokens = RoleTokens(feedback_server.state, feedback_server.users)
    outcome = run_contract(
        feedback_server.url, ("examples", "coverage", "fuzzing"), tokens=tokens, path=path,
        max_seconds=20,
    )  # fmt: skip
    assert not outcome.findings and not outcome.errors, outcome.report()
    assert sum(outcome.scenarios.values()) > 0


def test_reasons_are_scoped_to_the_caller(
    feedback_server: ContractServer, demo_company: DemoCompany
) -> None:
    def get(user: str) -> dict[str, object]:
        headers = {"Authorization": f"Bearer {demo_company.tokens[user]}"}
        answer = httpx.get(f"{feedback_server.url}/api/v1/feedback/reasons?by=channel",
                           headers=headers, timeout=60)  # fmt: skip
        assert answer.status_code == 200, answer.text
        body: dict[str, object] = answer.json()
        return body

    every, own = get("admin"), get(demo_company.users["sales_rep"])
    assert 0 < int(own["mqls"]) < int(every["mqls"])  # type: ignore[call-overload]
    groups = every["groups"]
    assert isinstance(groups, list)
    assert sum(g["mqls"] for g in groups) == every["mqls"]
    assert sum(g["rejected"] for g in groups) == every["rejected"]
    proposal = httpx.get(
        f"{feedback_server.url}/api/v1/feedback/mql-definition?target=0.6",
        headers={"Authorization": f"Bearer {demo_company.tokens['admin']}"},
        timeout=60,
    )
    assert proposal.status_code == 200, proposal.text
    body = proposal.json()
    assert body["target"] == 0.6 and body["scores_modelled"] > 0
    assert {p["period"] for p in body["curve"]} == {"chosen", "reported"}
    assert body["chosen_to"] < body["reported_from"]
