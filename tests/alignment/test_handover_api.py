"""The lead handover over HTTP: queue, decisions with row-level access, KPIs, CRM export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from revintel.auth import add_user, create_token
from revintel.server import Settings
from revintel.store import open_store
from tests.alignment.handover_store import Handover
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import PASSWORD

#: Users of the server: a manager, marketing, two reps of team Nord (R001, R006), one of team
#: Süd (R002) and the team lead of Nord.
USERS = {
    "chef": ("manager", None),
    "marie": ("marketing", None),
    "r001": ("sales_rep", "R001"),
    "r006": ("sales_rep", "R006"),
    "r002": ("sales_rep", "R002"),
    "nord": ("team_lead", "R001"),
}


@pytest.fixture
def server(handover_db: Handover) -> Iterator[LiveServer]:
    """The handover demo (a private copy) served with :data:`USERS`."""
    db, _ = handover_db
    tokens = {}
    with open_store(db) as store:
        for name, (role, rep) in USERS.items():
            add_user(store, name, PASSWORD, role, rep_id=rep)
            tokens[name] = create_token(store, name, "tests")[0]
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)


def _queue(server: LiveServer, user: str) -> list[dict[str, object]]:
    response = server.client(user).get("/api/v1/handover/queue", params={"limit": 1000})
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


def _acceptance(server: LiveServer, month: str) -> tuple[int, int]:
    response = server.client("chef").get(
        "/api/v1/kpis/values", params={"kpi": "mql_sal_acceptance", "grain": "month"}
    )
    assert response.status_code == 200, response.text
    row = next(r for r in response.json() if r["period"] == month)
    return int(row["numerator"]), int(row["denominator"])


def test_a_rep_decides_on_own_leads_only_and_the_kpis_follow(server: LiveServer) -> None:
    own = [lead for lead in _queue(server, "r001")]
    foreign = [lead for lead in _queue(server, "chef") if lead["rep_id"] == "R002"]
    assert own and foreign and {lead["rep_id"] for lead in own} == {"R001"}
    rep = server.client("r001")
    month = f"{str(own[0]['mql_at'])[:7]}-01"
    before = _acceptance(server, month)

    accepted = rep.post(f"/api/v1/leads/{own[0]['lead_id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state_after"] == "accepted" and accepted.json()["actor"] == "r001"
    assert _acceptance(server, month) == (before[0] + 1, before[1] + 1)

    lead = server.client("chef").get(f"/api/v1/leads/{own[0]['lead_id']}").json()
    assert "sal" in [m["milestone"] for m in lead["timeline"]]

    refused = rep.post(f"/api/v1/leads/{foreign[0]['lead_id']}/accept")
    assert refused.status_code == 403, refused.text
    assert rep.post("/api/v1/leads/L-none/accept").status_code == 404
    assert (
        rep.post(f"/api/v1/leads/{own[1]['lead_id']}/reassign", json={"rep_id": "R006"}).status_code
        == 403
    )
    assert (
        server.client("marie").post(f"/api/v1/leads/{own[1]['lead_id']}/recycle").status_code == 403
    )


def test_rejections_need_a_known_reason(server: LiveServer) -> None:
    lead_id = _queue(server, "r002")[0]["lead_id"]
    rep = server.client("r002")
    wrong = rep.post(f"/api/v1/leads/{lead_id}/reject", json={"reason": "bored"})
    assert wrong.status_code == 400 and "no_budget" in wrong.text
    done = rep.post(f"/api/v1/leads/{lead_id}/reject", json={"reason": "no_need", "note": "x"})
    assert done.status_code == 200, done.text
    lead = rep.get(f"/api/v1/leads/{lead_id}").json()
    rejected = [m for m in lead["timeline"] if m["milestone"] == "disqualified"]
    assert [m.get("reason") for m in rejected] == ["no_need"]
    again = rep.post(f"/api/v1/leads/{lead_id}/recycle")
    assert again.status_code == 409 and "not waiting" in again.text


def test_a_team_lead_reassigns_within_the_team_and_the_crm_reads_it_back(
    server: LiveServer,
) -> None:
    lead_id = _queue(server, "r001")[0]["lead_id"]
    lead = server.client("nord")
    outside = lead.post(f"/api/v1/leads/{lead_id}/reassign", json={"rep_id": "R002"})
    assert outside.status_code == 403
    moved = lead.post(f"/api/v1/leads/{lead_id}/reassign", json={"rep_id": "R006"})
    assert moved.status_code == 200, moved.text
    assert lead_id in [item["lead_id"] for item in _queue(server, "r006")]
    assert lead_id not in [item["lead_id"] for item in _queue(server, "r001")]
    exported = lead.get("/api/v1/handover/decisions", params={"format": "csv", "lang": "de"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text), delimiter=";"))
    assert [(r["lead_id"], r["action"], r["actor"]) for r in rows] == [
        (lead_id, "reassign", "nord")
    ]
    listed = lead.get("/api/v1/handover/decisions").json()
    assert listed["total"] == 1 and listed["items"][0]["rep_after"] == "R006"
    reasons = lead.get("/api/v1/handover/reasons", params={"lang": "de"}).json()
    assert reasons[0] == {"id": "no_budget", "label": "Kein Budget"}
