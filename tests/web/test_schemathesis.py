"""The server held to its OpenAPI document: schemathesis runs every check in its coverage,
fuzzing and stateful phases against a small demo company, the requests taking turns as an
admin, a manager and a sales rep.

Each phase has its own time budget, so the file ends within about four minutes. The run is
seeded; the seed is printed and ``REVINTEL_CONTRACT_SEED=<seed>`` replays it.
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from schemathesis.engine import events

from revintel.auth import create_token, token_grant
from revintel.server import AppState, Settings, create_app
from tests.web.conftest import SECRET, DemoCompany, serve_in_thread

SEED = int(os.environ.get("REVINTEL_CONTRACT_SEED") or secrets.randbits(32))
#: Hypothesis examples per operation (fuzzing) and scenarios (stateful).
MAX_EXAMPLES = int(os.environ.get("REVINTEL_CONTRACT_EXAMPLES", "6"))
#: Calls in one stateful scenario.
MAX_STEPS = 5
#: Seconds per phase. Coverage makes one pass (stopped there at the latest, with a warning);
#: fuzzing and stateful testing draw new cases until their time is up.
PHASE_SECONDS = {"coverage": 90, "fuzzing": 45, "stateful": 45}
#: Operations that train models or build workbooks: a few examples each keep the phases' time
#: for the rest.
SLOW_PATHS = (
    r"^/api/v1/(scores/(train|apply)|report|pricing/fit|scorecard/export"
    r"|allocation(/(potential|reps|owners|portfolio|coverage))?)$"
)
#: Characters of a failure's message and example request kept in the report.
DETAIL_CHARS = 400
ROLES = ("admin", "manager", "sales_rep")
#: What a request the document allows may get: 422 means "the request breaks the document", so
#: it must never answer one; 400, 404 and 409 refuse what a document cannot say (a cursor not
#: issued by this list, a user name already taken, an export without rows).
ACCEPTED_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]


@dataclass(frozen=True)
class Finding:
    """One failed check: where, which check, as whom, and a request that shows it."""

    phase: str
    operation: str
    check: str
    title: str
    role: str
    detail: str
    example: str

    def describe(self) -> str:
        """The finding in a few lines for the test report."""
        return (
            f"[{self.phase}] {self.operation} · {self.check}: {self.title} (as {self.role})\n"
            f"{self.detail}\n{self.example}"
        )


@dataclass
class Outcome:
    """What a run found and how much of it ran."""

    findings: dict[tuple[str, str, str], Finding] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    scenarios: Counter[str] = field(default_factory=Counter)
    stop_reason: str = "not finished"

    def report(self) -> str:
        """Every distinct failure and error, grouped by operation and check."""
        lines = [f"seed {SEED} (replay: REVINTEL_CONTRACT_SEED={SEED}), stop: {self.stop_reason}"]
        lines += [f.describe() for _, f in sorted(self.findings.items())]
        lines += [f"error: {e}" for e in self.errors]
        return "\n\n".join(lines)


class RoleTokens:
    """API tokens of one user per role, handed out to the generated cases in turn.

    A token that no longer works (a case revoked it) is replaced by a new one minted through
    the store, so that one case ending its own access cannot fail every later case.
    """

    def __init__(self, state: AppState, users: dict[str, str]) -> None:
        self.state = state
        self.users = users
        self.role_of: dict[str, str] = {}
        self._tokens: dict[str, str] = {}
        self._turn = itertools.cycle(sorted(users))
        self._lock = threading.Lock()

    def token_for(self, case_id: str) -> str:
        """A working token of the next role, remembered as the role of ``case_id``."""
        with self._lock, self.state.stores.borrow() as store:
            role = next(self._turn)
            token = self._tokens.get(role)
            if token is None or token_grant(store, token) is None:
                token = self._tokens[role] = create_token(store, self.users[role], "contract")[0]
            self.role_of[case_id] = role
            return token

    def provider(self) -> type:
        """An auth provider class for ``schema.auth()`` that sends these tokens."""
        tokens = self

        class TakingTurns:
            def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
                return tokens.token_for(case.id)

            def set(
                self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext
            ) -> None:
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

        return TakingTurns


def contract_config(
    url: str, phases: tuple[str, ...], *, max_examples: int, max_seconds: int | None
) -> schemathesis.Config:
    """Every check and the given phases, bounded in examples and time, with the seed.

    With ``max_seconds`` the fuzzing and stateful phases repeat until that time is up;
    without, they make one pass of ``max_examples`` per operation.
    """
    every_phase = ("examples", "coverage", "fuzzing", "stateful")
    phase_config: dict[str, Any] = {p: {"enabled": p in phases} for p in every_phase}
    phase_config["stateful"]["max-steps"] = MAX_STEPS
    limit = {} if max_seconds is None else {"max-time": max_seconds}
    return schemathesis.Config.from_dict(
        {
            **limit,
            "seed": SEED,
            "base-url": url,
            "continue-on-failure": True,
            "request-timeout": 60,
            "suppress-health-check": ["all"],
            "checks": {
                "enabled": True,
                "positive_data_acceptance": {"expected-statuses": ACCEPTED_STATUSES},
            },
            # Without shrinking a failure is reported at once, within the phase's time.
            # Runs depend on the seed alone: no example database is read or written.
            "generation": {
                "mode": "all",
                "max-examples": max_examples,
                "no-shrink": True,
                "database": "none",
            },
            "phases": phase_config,
            "operations": [{"include-path-regex": SLOW_PATHS, "generation": {"max-examples": 2}}],
        }
    )


def _record(outcome: Outcome, event: events.ScenarioFinished, role_of: dict[str, str]) -> None:
    outcome.scenarios[str(event.phase)] += 1
    for case_id, checks in event.recorder.checks.items():
        for check in checks:
            info = check.failure_info
            if info is None:
                continue
            failing = info.failure.case_id or case_id
            operation = info.failure.operation
            role = role_of.get(failing) or role_of.get(case_id, "no token")
            interaction = event.recorder.interactions.get(failing)
            answer = "no answer"
            if interaction is not None and interaction.response is not None:
                answer = f"{interaction.response.status_code} {interaction.response.text[:200]}"
            message = " ".join(info.failure.message.split())
            detail = f"{message[:DETAIL_CHARS]}\nanswer: {answer}"
            finding = Finding(
                str(event.phase), operation, check.name, info.failure.title, role, detail,
                info.code_sample[:DETAIL_CHARS],
            )  # fmt: skip
            outcome.findings.setdefault((operation, check.name, info.failure.title), finding)


def run_contract(
    url: str,
    phases: tuple[str, ...],
    *,
    tokens: RoleTokens | None = None,
    path: str | None = None,
    max_examples: int = MAX_EXAMPLES,
    max_seconds: int | None = None,
) -> Outcome:
    """Run schemathesis' ``phases`` against the server at ``url`` (only ``path``'s operations
    if given) and collect every failed check and error."""
    config = contract_config(url, phases, max_examples=max_examples, max_seconds=max_seconds)
    schema = schemathesis.openapi.from_url(f"{url}/api/openapi.json", config=config)
    if path is not None:
        schema = schema.include(path=path)
    if tokens is not None:
        schema.auth(refresh_interval=None)(tokens.provider())
    role_of = tokens.role_of if tokens is not None else {}
    outcome = Outcome()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.skip_reason is None:
            _record(outcome, event, role_of)
        elif isinstance(event, events.NonFatalError):
            outcome.errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            outcome.errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            outcome.stop_reason = str(event.stop_reason)
    return outcome


@dataclass(frozen=True)
class ContractServer:
    """The served demo company: base URL, the server's state and a user name per role."""

    url: str
    state: AppState
    users: dict[str, str]


@pytest.fixture(scope="module")
def contract_server(
    demo_company: DemoCompany, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ContractServer]:
    """The small demo company on a server of this module's own (the run changes data)."""
    db = demo_company.copy_to(tmp_path_factory.mktemp("contract"))
    app = create_app(Settings(db=str(db), secret_key=SECRET, default_language="en"))
    users = {role: demo_company.users[role] for role in ROLES}
    for url in serve_in_thread(app):
        yield ContractServer(url, app.state.revintel, users)


@pytest.mark.slow
@pytest.mark.parametrize("phase", list(PHASE_SECONDS))
def test_server_keeps_its_document(contract_server: ContractServer, phase: str) -> None:
    tokens = RoleTokens(contract_server.state, contract_server.users)
    phases = ("examples", "coverage") if phase == "coverage" else (phase,)
    print(f"contract seed: {SEED} (replay with REVINTEL_CONTRACT_SEED={SEED})")
    outcome = run_contract(
        contract_server.url, phases, tokens=tokens, max_seconds=PHASE_SECONDS[phase]
    )
    roles = Counter(tokens.role_of.values())
    print(f"{phase}: scenarios {dict(outcome.scenarios)}, requests per role {dict(roles)}")
    if phase == "coverage" and outcome.stop_reason != "completed":
        warnings.warn(f"the coverage pass stopped early: {outcome.stop_reason}", stacklevel=1)
    assert not outcome.findings and not outcome.errors, outcome.report()
    assert outcome.scenarios[phase] > 0, f"the {phase} phase did not run"
    assert set(roles) == set(ROLES) and min(roles.values()) > 0


def test_a_revoked_token_is_replaced(contract_server: ContractServer) -> None:
    tokens = RoleTokens(contract_server.state, contract_server.users)
    first = tokens.token_for("case-1")
    with contract_server.state.stores.borrow() as store:
        grant = token_grant(store, first)
    assert grant is not None and grant.user.username == contract_server.users["admin"]
    with httpx.Client(base_url=contract_server.url, timeout=120) as client:
        auth = {"Authorization": f"Bearer {first}"}
        revoked = client.delete(f"/api/v1/tokens/{grant.token.token_id}", headers=auth)
        assert revoked.status_code == 204
        assert client.get("/api/v1/me", headers=auth).status_code == 401
        # The manager and the sales rep take their turns, then the admin gets a new token.
        assert [tokens.token_for(f"case-{i}") for i in (2, 3)] == [
            tokens._tokens["manager"],
            tokens._tokens["sales_rep"],
        ]
        second = tokens.token_for("case-4")
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"})
    assert second != first and me.status_code == 200
    assert me.json()["username"] == contract_server.users["admin"]
    assert tokens.role_of == {
        "case-1": "admin", "case-2": "manager", "case-3": "sales_rep", "case-4": "admin"
    }  # fmt: skip


BROKEN_PATH = "/api/v1/broken"
_TOTAL = {"type": "object", "properties": {"total": {"type": "integer"}}, "required": ["total"]}


def _broken_app() -> FastAPI:
    """A document promising an object with an integer ``total`` and only a 200, served by an
    endpoint that answers a string total and, for ``n`` above 10, an undeclared 418."""
    app = FastAPI(openapi_url="/api/openapi.json")

    @app.get(BROKEN_PATH, responses={200: {"content": {"application/json": {"schema": _TOTAL}}}})
    def broken(n: int = 0) -> JSONResponse:
        if n > 10:
            return JSONResponse({"teapot": True}, status_code=418)
        return JSONResponse({"total": "many"})

    return app


def test_a_broken_endpoint_fails_the_contract() -> None:
    for url in serve_in_thread(_broken_app()):
        outcome = run_contract(url, ("coverage", "fuzzing"), path=BROKEN_PATH, max_examples=20)
    checks = {f.check for f in outcome.findings.values()}
    assert {"response_schema_conformance", "status_code_conformance"} <= checks, outcome.report()
    assert {f.operation for f in outcome.findings.values()} == {f"GET {BROKEN_PATH}"}
