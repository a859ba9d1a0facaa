"""API1:2023 Broken Object Level Authorization: a user reaches only the rows of their scope,
also through aggregates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pandas as pd
import pytest
from pydantic import SecretStr

from revintel.server import Settings
from revintel.store import Store, open_store
from tests.security._openapi import operations
from tests.web.conftest import SECRET, LiveServer, browser_login, serve_in_thread
from tests.web.stores import build_store

# Order-intake targets for 2024-Q2: one per team and one of rep r1 (Anna, team Nord).
TARGETS = [
    ("T-nord", "Nord", None, 100_000.0),
    ("T-sued", "Süd", None, 70_000.0),
    ("T-r1", "Nord", "r1", 30_000.0),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own with order-intake targets per team and for rep r1."""
    db = tmp_path_factory.mktemp("hardening") / "store.duckdb"
    tokens = build_store(db)
    frame = pd.DataFrame(
        [
            {
                "target_id": key,
                "period_start": date(2024, 4, 1),
                "period_end": date(2024, 6, 30),
                "team": team,
                "rep_id": rep,
                "amount": amount,
                "currency": "EUR",
                "source_system": "test",
                "source_id": key,
                "import_batch_id": "b1",
            }
            for key, team, rep, amount in TARGETS
        ]
    )
    with open_store(db) as store:
        store.insert("targets", frame)
    for url in serve_in_thread(
        Settings(db=str(db), secret_key=SecretStr(SECRET), default_language="en")
    ):
        yield LiveServer(url, db, tokens)


def _coverage_targets(server: LiveServer, user: str) -> dict[str, float]:
    response = server.client(user).get(
        "/api/v1/kpis/values",
        params={"kpi": "pipeline_coverage", "by": "team", "grain": "quarter"},
    )
    assert response.status_code == 200, response.text
    rows = [r for r in response.json() if r.get("denominator") is not None]
    return {r["team"]: r["denominator"] for r in rows}


def test_a_rep_sees_only_their_own_target_in_pipeline_coverage(server: LiveServer) -> None:
    # Before: Anna read every team's target (Süd 70,000 included) and her pipeline was divided
    # by the team's 130,000. Now only her own target exists for her.
    assert _coverage_targets(server, "anna") == {"Nord": 30_000.0}
    assert _coverage_targets(server, "ben") == {}
    assert _coverage_targets(server, "admin") == {"Nord": 130_000.0, "Süd": 70_000.0}


# --- Every detail, list and filter of the OpenAPI document, called by a rep for another's rows.

#: Path parameters naming a record, and the table they key.
RECORD_KEYS = {"lead_id": "leads", "opportunity_id": "opportunities", "account_id": "accounts"}
#: Query parameters that pick rows by owner or by record.
ROW_FILTERS = {"rep_id", "owner_rep_id", "rep", "lead_id", "opportunity_id", "account_id", "where"}
#: Keys of response objects naming the rep who owns the row.
OWNER_KEYS = {"rep_id", "owner_rep_id"}


@dataclass(frozen=True)
class Rows:
    """The keys of one rep's leads, deals and accounts on the demo company."""

    rep: str
    keys: dict[str, list[str]]


def _rows_of(store: Store, rep: str) -> Rows:
    keys = {}
    for param, name in RECORD_KEYS.items():
        t = store.table(name)
        owner = "owner_rep_id" if name == "accounts" else "rep_id"
        keys[param] = t.filter(t[owner] == rep)[param].to_pyarrow().to_pylist()
    # A customer's detail needs an order: accounts with orders come first, so the first key of
    # each rep names a record its owner can open (an account without one answers 404 to all).
    ordered = set(store.table("orders").account_id.to_pyarrow().to_pylist())
    keys["account_id"].sort(key=lambda a: a not in ordered)
    return Rows(rep, keys)


@pytest.fixture(scope="module")
def two_reps(demo: LiveServer) -> tuple[str, Rows, Rows]:
    """A rep's user name, their rows and another rep's rows."""
    with open_store(demo.db) as store:
        reps = sorted(store.table("reps").rep_id.to_pyarrow().to_pylist())
        return reps[0].lower(), _rows_of(store, reps[0]), _rows_of(store, reps[1])


def _owners(body: Any) -> Iterator[Any]:
    if isinstance(body, dict):
        for key, value in body.items():
            if key in OWNER_KEYS:
                yield value
            yield from _owners(value)
    elif isinstance(body, list):
        for item in body:
            yield from _owners(item)


def _assert_nothing_of(other: Rows, own: Rows, response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        return
    assert {o for o in _owners(response.json())} <= {own.rep, None}, response.url
    leaked = [
        k for k in (*other.keys["lead_id"], *other.keys["opportunity_id"]) if k in response.text
    ]
    assert not leaked, (response.url, leaked[:5])


def _filter_value(param: str, other: Rows) -> str:
    if param == "where":
        return f"rep={other.rep}"
    if param in {"rep_id", "owner_rep_id", "rep"}:
        return other.rep
    return other.keys[param][0]


def test_a_rep_gets_no_detail_of_another_reps_record(
    demo: LiveServer, two_reps: tuple[str, Rows, Rows]
) -> None:
    user, own, other = two_reps
    client = demo.client(user)
    details = [
        op
        for op in operations(client)
        if op.method == "GET" and set(op.path_params) & set(RECORD_KEYS)
    ]
    assert len(details) >= 3
    for op in details:
        param = next(p for p in op.path_params if p in RECORD_KEYS)
        mine = client.get(op.url({param: own.keys[param][0]}))
        assert mine.status_code == 200, (op.path, mine.text)
        for key in other.keys[param][:3]:
            theirs = client.get(op.url({param: key}))
            assert theirs.status_code in (403, 404), (op.path, theirs.text)
            assert key not in theirs.text.replace(f"'{key}'", "")


def test_no_list_or_filter_shows_a_rep_another_reps_rows(
    demo: LiveServer, two_reps: tuple[str, Rows, Rows]
) -> None:
    user, own, other = two_reps
    client = demo.client(user)
    filtered = [
        op
        for op in operations(client)
        if op.method == "GET" and not op.path_params and set(op.query_params) & ROW_FILTERS
    ]
    assert len(filtered) >= 5
    for op in filtered:
        _assert_nothing_of(other, own, client.get(op.path))
        for param in set(op.query_params) & ROW_FILTERS:
            response = client.get(op.path, params={param: _filter_value(param, other)})
            _assert_nothing_of(other, own, response)


# --- Hand-over: a deal owned by one rep that grew from another rep's lead.


@pytest.fixture(scope="module")
def handed_over(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The hand-made store with deal O1 (grown from Anna's lead L01) handed over to Ben."""
    db = tmp_path_factory.mktemp("hand-over") / "store.duckdb"
    tokens = build_store(db)
    with open_store(db) as store:
        store.execute_sql("UPDATE opportunities SET rep_id = 'r2' WHERE opportunity_id = 'O1'")
    for url in serve_in_thread(
        Settings(db=str(db), secret_key=SecretStr(SECRET), default_language="en")
    ):
        yield LiveServer(url, db, tokens)


LEAD = {"L01:mql", "L01:sal", "L01:sql"}
DEAL = {"O1:opportunity_generated", "O1:won"}


def _journey(server: LiveServer, user: str, path: str) -> tuple[set[str], set[str]]:
    response = server.client(user).get(path)
    assert response.status_code == 200, response.text
    body = response.json()
    events = {f"{e['entity_id']}:{e['milestone']}" for e in body["timeline"]}
    return events, {t["touchpoint_id"] for t in body["touchpoints"]}


def test_the_deal_owner_sees_the_deals_journey_but_not_the_lead_of_another_rep(
    handed_over: LiveServer,
) -> None:
    # Three milestones and T1 belong to lead L01 (Anna's); two milestones and T2 to deal O1 (now
    # Ben's).
    assert handed_over.client("ben").get("/api/v1/leads/L01").status_code == 403
    assert _journey(handed_over, "ben", "/api/v1/opportunities/O1") == (DEAL, {"T2"})
    assert _journey(handed_over, "anna", "/api/v1/leads/L01") == (LEAD, {"T1"})
    assert handed_over.client("anna").get("/api/v1/opportunities/O1").status_code == 403
    every = (LEAD | DEAL, {"T1", "T2"})
    assert _journey(handed_over, "admin", "/api/v1/opportunities/O1") == every
    assert _journey(handed_over, "admin", "/api/v1/leads/L01") == every


def test_the_deal_page_follows_the_hand_over_rule(handed_over: LiveServer) -> None:
    ben = browser_login(handed_over, "ben")
    assert ben.get("/leads/L01").status_code == 403
    deal = ben.get("/deals/O1")
    assert deal.status_code == 200
    # touchpoint kinds are shown by their labels where they have one ("meeting": "Meeting")
    assert ">meeting<" in deal.text.lower() and "web visit" not in deal.text.lower()
    lead = browser_login(handed_over, "anna").get("/leads/L01")
    assert lead.status_code == 200
    assert "web visit" in lead.text.lower() and ">meeting<" not in lead.text.lower()
