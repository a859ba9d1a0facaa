"""``/api/v1/targets``: set, create, remove targets with rights and audit; attainment; history.

A server of its own serves a copy of the hand-made store (so that its changes reach no other
test), with a manager ``chef`` beside the usual users: rep r1 (team Nord) won O1 for
12,345.67 EUR on 2024-03-15.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from revintel.auth import add_user, create_token
from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import PASSWORD, build_store

BODY = {"period": "2024-Q1", "amount": 10_000, "team": "Nord", "note": "Plan"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("targets_api") / "store.duckdb"
    tokens = build_store(db)
    with open_store(db) as store:
        add_user(store, "chef", PASSWORD, "manager", display_name="Chef")
        add_user(store, "lea", PASSWORD, "team_lead", rep_id="r1")  # team Nord: r1 alone
        for user in ("chef", "lea"):
            tokens[user] = create_token(store, user, "tests")[0]
    # computing the views ahead after each change is not what these tests measure
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en", warm_up=False)
    for url in serve_in_thread(settings):
        yield LiveServer(url, Path(db), tokens)


def test_put_creates_then_updates_and_delete_removes(server: LiveServer) -> None:
    chef = server.client("chef")
    created = chef.put("/api/v1/targets/N-2024-Q1", json=BODY)
    assert created.status_code == 200, created.text
    assert created.json()["action"] == "create"
    assert created.json()["target"] == {
        "target_id": "N-2024-Q1",
        "period_start": "2024-01-01",
        "period_end": "2024-03-31",
        "team": "Nord",
        "rep_id": None,
        "segment": None,
        "amount": 10_000.0,
        "currency": "EUR",
        "measure": "order_intake",
    }
    body = BODY | {"amount": 11_000, "period": None}
    body |= {"period_start": "2024-01-01", "period_end": "2024-03-31"}
    updated = chef.put("/api/v1/targets/N-2024-Q1", json=body)
    assert updated.status_code == 200 and updated.json()["action"] == "update"
    listed = chef.get("/api/v1/targets").json()["items"]
    assert [(t["target_id"], t["amount"]) for t in listed] == [("N-2024-Q1", 11_000.0)]

    [row] = chef.get("/api/v1/targets/attainment", params={"period": "2024-Q1"}).json()
    assert (row["target"], row["actual"]) == (11_000.0, 12_345.67)
    assert row["attainment"] == pytest.approx(12_345.67 / 11_000)

    gone = chef.delete("/api/v1/targets/N-2024-Q1", params={"note": "doppelt"})
    assert gone.status_code == 200 and gone.json()["action"] == "delete"
    assert json.loads(gone.json()["before"])["amount"] == 11_000.0
    assert chef.delete("/api/v1/targets/N-2024-Q1").status_code == 404

    changes = chef.get("/api/v1/targets/changes", params={"target_id": "N-2024-Q1"}).json()
    assert changes["total"] == 3
    assert [c["action"] for c in changes["items"]] == ["delete", "update", "create"]
    assert [c["actor"] for c in changes["items"]] == ["chef"] * 3
    assert changes["items"][0]["note"] == "doppelt" and changes["items"][0]["after"] is None


def test_new_derives_the_id_and_counts_milestones(server: LiveServer) -> None:
    chef = server.client("chef")
    body = {"period": "2024-Q1", "amount": 4, "measure": "mqls", "team": "Marketing"}
    first = chef.post("/api/v1/targets/new", json=body)
    assert first.status_code == 201, first.text
    assert first.json()["target"]["currency"] is None
    again = chef.post("/api/v1/targets/new", json=body | {"amount": 5})
    assert again.json()["action"] == "update"
    assert again.json()["target"]["target_id"] == first.json()["target"]["target_id"]
    rows = chef.get("/api/v1/targets/attainment", params={"measure": "mqls"}).json()
    # L01 (2024-01-06) and L08 (2024-03-13) reached MQL in the quarter
    assert [(r["target"], r["actual"], r["attainment"]) for r in rows] == [(5.0, 2.0, 0.4)]
    chef.delete(f"/api/v1/targets/{first.json()['target']['target_id']}")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (BODY | {"amount": -5}, "amount", "amount: -5.0 is not a positive amount"),
        (BODY | {"period": "Q1"}, "period", "period: 'Q1' is not a period"),
        (BODY | {"measure": "umsatz"}, "measure", "measure: 'umsatz' is not one of"),
        (BODY | {"measure": "sals", "currency": "EUR"}, "currency", "currency: a target of sals"),
        (BODY | {"rep_id": "r9"}, "rep_id", "rep_id: no rep 'r9' in the store"),
        ({"amount": 5}, "period", "period: give period, or period_start and period_end"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    server: LiveServer, body: dict[str, object], field: str, message: str
) -> None:
    response = server.client("chef").put("/api/v1/targets/X1", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith(message) and error.get("field") == field
    assert "X1" not in {
        t["target_id"] for t in server.client("chef").get("/api/v1/targets").json()["items"]
    }


@pytest.mark.parametrize("user", ["anna", "marie"])
def test_reps_and_marketing_may_not_edit(server: LiveServer, user: str) -> None:
    chef = server.client("chef")
    assert chef.put("/api/v1/targets/R1", json=BODY | {"rep_id": "r1"}).status_code == 200
    trail = chef.get("/api/v1/targets/changes?target_id=R1").json()["items"]
    client = server.client(user)
    assert client.put("/api/v1/targets/R1", json=BODY).status_code == 403
    assert client.post("/api/v1/targets/new", json=BODY).status_code == 403
    assert client.delete("/api/v1/targets/R1").status_code == 403
    assert chef.get("/api/v1/targets/changes?target_id=R1").json()["items"] == trail
    chef.delete("/api/v1/targets/R1")


def test_a_rep_sees_only_their_own_targets_and_changes(server: LiveServer) -> None:
    chef = server.client("chef")
    chef.put("/api/v1/targets/ANNA", json=BODY | {"rep_id": "r1", "team": None})
    chef.put("/api/v1/targets/BEN", json=BODY | {"rep_id": "r2", "team": None})
    anna = server.client("anna")
    rows = anna.get("/api/v1/targets/attainment", params={"period": "2024-Q1"}).json()
    assert [(r["target_id"], r["actual"]) for r in rows] == [("ANNA", 12_345.67)]
    seen = {c["target_id"] for c in anna.get("/api/v1/targets/changes").json()["items"]}
    assert seen == {"ANNA"}
    for target in ("ANNA", "BEN"):
        chef.delete(f"/api/v1/targets/{target}")


def test_a_team_lead_sets_targets_of_the_reps_of_their_team_only(server: LiveServer) -> None:
    chef, lea = server.client("chef"), server.client("lea")
    assert chef.put("/api/v1/targets/BEN", json=BODY | {"rep_id": "r2"}).status_code == 200
    own = lea.put("/api/v1/targets/ANNA", json=BODY | {"rep_id": "r1", "team": None})
    assert own.status_code == 200 and own.json()["target"]["rep_id"] == "r1"
    refused = [
        lea.put("/api/v1/targets/X2", json=BODY | {"rep_id": "r2"}),  # Süd's rep
        lea.put("/api/v1/targets/X3", json=BODY),  # the team's target, no rep
        lea.put("/api/v1/targets/BEN", json=BODY | {"rep_id": "r1"}),  # r2's target taken over
        lea.delete("/api/v1/targets/BEN"),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    stored = {t["target_id"]: t["rep_id"] for t in chef.get("/api/v1/targets").json()["items"]}
    assert stored == {"BEN": "r2", "ANNA": "r1"}
    assert lea.delete("/api/v1/targets/ANNA").status_code == 200
    chef.delete("/api/v1/targets/BEN")
