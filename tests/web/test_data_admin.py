"""The API does what ``revintel quality``, ``dedupe``, ``targets`` and ``score`` do."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from python_calamine import CalamineWorkbook

from revintel.auth import add_user, create_token
from revintel.ingest import quality_report
from revintel.server import Settings
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.web.conftest import SECRET, LiveServer, browser_login, csrf_from, serve_in_thread
from tests.web.stores import PASSWORD

#: Two spellings of one company from two systems, and a company that is only similar.
ACCOUNTS = """account_id,name,domain,city
D1,Müller Maschinenbau GmbH,mueller-maschinenbau.de,Köln
D2,Mueller Maschinenbau GmbH & Co. KG,www.mueller-maschinenbau.de,Köln
D3,Schulz Logistik AG,schulz-logistik.de,Kiel
"""
TARGETS = """target_id,period_start,period_end,team,amount,currency
Q1-N,2025-01-01,2025-03-31,Nord,"250000",EUR
Q1-S,2025-01-01,2025-03-31,Süd,"180000.50",EUR
"""
BAD_TARGETS = """target_id,period_start,period_end,amount
X1,2025-04-01,2025-06-30,1000
X2,2025-07-01,2025-06-30,1000
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A small demo company of its own (these tests write), a manager and a rep."""
    db = tmp_path_factory.mktemp("admin") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, SynthConfig(seed=5, leads=3_000, accounts=150, reps=4))
        rep = store.table("reps").rep_id.to_pyarrow().to_pylist()[0]
        add_user(store, "chef", PASSWORD, "manager")
        add_user(store, "rep", PASSWORD, "sales_rep", rep_id=rep)
        tokens = {u: create_token(store, u, "tests")[0] for u in ("chef", "rep")}
    settings = Settings(db=str(db), secret_key=SECRET, warm_up=False)
    for url in serve_in_thread(settings):
        yield LiveServer(url, db, tokens)


def test_quality_equals_the_quality_report_and_is_refused_to_a_rep(server: LiveServer) -> None:
    with open_store(server.db) as store:
        expected = quality_report(store)
    body = server.client("chef").get("/api/v1/quality", params={"all_fields": "true"}).json()
    assert len(body["completeness"]) == len(expected.completeness) > 0
    [history] = body["history"]
    assert history["opportunities"] == int(expected.history["opportunities"].iloc[0])
    assert history["share_dated"] == pytest.approx(float(expected.history["share_dated"].iloc[0]))
    gaps = server.client("chef").get("/api/v1/quality").json()["completeness"]
    assert 0 < len(gaps) < len(body["completeness"])
    assert all(g["completeness"] < 1 for g in gaps)
    assert server.client("rep").get("/api/v1/quality").status_code == 403


def test_duplicate_accounts_are_listed_and_decided(server: LiveServer) -> None:
    client = server.client("chef")
    files = [("files", ("crm-accounts.csv", ACCOUNTS.encode(), "text/csv"))]
    assert client.post("/api/v1/imports", files=files).status_code == 201
    pairs = client.get("/api/v1/dedupe", params={"limit": 500}).json()
    found = [
        p
        for p in pairs["items"]
        if {p["account_id_l"], p["account_id_r"]} == {"generic:D1", "generic:D2"}
    ]
    assert len(found) == 1 and found[0]["match_probability"] > 0.9
    assert found[0]["decision"] is None
    assert not any("generic:D3" in (p["account_id_l"], p["account_id_r"]) for p in pairs["items"])
    pair_id = found[0]["pair_id"]
    decided = client.post(f"/api/v1/dedupe/{pair_id}", json={"decision": "accepted"})
    assert decided.status_code == 200 and decided.json()["decision"] == "accepted"
    open_pairs = client.get("/api/v1/dedupe", params={"limit": 500}).json()
    assert pair_id not in {p["pair_id"] for p in open_pairs["items"]}
    assert open_pairs["total"] == pairs["total"] - 1
    done = client.get("/api/v1/dedupe", params={"show": "decided"}).json()["items"]
    assert [(p["pair_id"], p["decision"]) for p in done] == [(pair_id, "accepted")]
    every = client.get("/api/v1/dedupe", params={"show": "all", "limit": 500}).json()
    assert every["total"] == pairs["total"]
    with open_store(server.db) as store:
        stored = store.table("account_match_decisions").to_pyarrow().to_pylist()
    assert [(d["pair_id"], d["decision"], d["decided_by"]) for d in stored] == [
        (pair_id, "accepted", "chef")
    ]
    assert client.post("/api/v1/dedupe/nope", json={"decision": "rejected"}).status_code == 404
    assert client.post(f"/api/v1/dedupe/{pair_id}", json={"decision": "maybe"}).status_code == 422
    assert server.client("rep").get("/api/v1/dedupe").status_code == 403


def test_targets_upload_and_list(server: LiveServer) -> None:
    client = server.client("chef")
    upload = client.post(
        "/api/v1/targets", files={"file": ("plan.csv", TARGETS.encode(), "text/csv")}
    )
    assert upload.status_code == 201 and upload.json() == {"written": 2}
    listed = {
        t["target_id"]: t
        for t in client.get("/api/v1/targets", params={"limit": 500}).json()["items"]
    }
    assert listed["Q1-S"]["amount"] == 180_000.5
    assert listed["Q1-S"]["team"] == "Süd" and listed["Q1-S"]["period_end"] == "2025-03-31"
    bad = client.post(
        "/api/v1/targets", files={"file": ("bad.csv", BAD_TARGETS.encode(), "text/csv")}
    )
    assert bad.status_code == 400
    message = bad.json()["error"]["message"]
    assert message == "bad.csv: row 3: column period_end: before period_start"
    assert "X1" not in {
        t["target_id"] for t in client.get("/api/v1/targets", params={"limit": 500}).json()["items"]
    }
    assert server.client("rep").get("/api/v1/targets").status_code == 403


def test_scores_are_trained_applied_and_evaluated(server: LiveServer) -> None:
    client = server.client("chef")
    assert client.get("/api/v1/scores/models").status_code == 404
    assert client.post("/api/v1/scores/apply", json={"group": "deals"}).status_code == 404
    trained = client.post("/api/v1/scores/train", json={"group": "deals", "test_days": 365})
    assert trained.status_code == 200, trained.text
    rows = trained.json()
    assert {r["kind"] for r in rows} == {"deal_win"}
    assert sum(r["chosen"] for r in rows) == 1
    assert all(0.0 <= r["auc"] <= 1.0 for r in rows if r["auc"] is not None)
    applied = client.post("/api/v1/scores/apply", json={"group": "all"}).json()
    by_kind = {a["kind"]: a for a in applied}
    assert by_kind["deal_win"]["scored"] > 0
    assert 0 < by_kind["deal_win"]["mean_score"] < 1
    assert by_kind["lead_to_sql"]["scored"] == 0  # not trained
    models = client.get("/api/v1/scores/models").json()["items"]
    stored = {m["algorithm"]: m["auc"] for m in models}  # kept to four decimals
    assert stored == pytest.approx({r["algorithm"]: r["auc"] for r in rows}, abs=1e-4)
    deals = client.get("/api/v1/opportunities", params={"status": "open"}).json()["items"]
    assert deals[0]["score"] is not None
    assert server.client("rep").post("/api/v1/scores/apply", json={}).status_code == 403


def test_admins_create_users_who_can_then_sign_in(server: LiveServer) -> None:
    with open_store(server.db) as store:
        add_user(store, "boss", PASSWORD, "admin")
        admin_token = create_token(store, "boss", "tests")[0]
        rep_id = store.table("reps").rep_id.to_pyarrow().to_pylist()[1]
    admin = server.client()
    admin.headers["Authorization"] = f"Bearer {admin_token}"
    body = {"username": "vera", "password": "a-long-password-1", "role": "sales_rep"}
    missing_rep = admin.post("/api/v1/users", json=body)
    assert missing_rep.status_code == 400 and "rep" in missing_rep.json()["error"]["message"]
    created = admin.post("/api/v1/users", json={**body, "rep_id": rep_id, "display_name": "Vera"})
    assert created.status_code == 201
    assert created.json() == {
        "username": "vera",
        "display_name": "Vera",
        "role": "sales_rep",
        "rep_id": rep_id,
    }
    assert admin.post("/api/v1/users", json={**body, "rep_id": rep_id}).status_code == 400
    short = admin.post("/api/v1/users", json={**body, "username": "kurt", "password": "short"})
    assert short.status_code == 422
    assert "vera" in {u["username"] for u in admin.get("/api/v1/users").json()["items"]}
    assert server.client("chef").post("/api/v1/users", json=body).status_code == 403
    login = server.client().get("/login")
    csrf = login.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    cookie = login.headers["set-cookie"].split(";", 1)[0]
    signed_in = server.client().post(
        "/login",
        data={"username": "vera", "password": "a-long-password-1", "csrf_token": csrf},
        headers={"Cookie": cookie},
    )
    assert signed_in.status_code == 303


def test_management_report_downloads(server: LiveServer) -> None:
    chef = server.client("chef")
    html = chef.get("/api/v1/report", params={"lang": "en"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert 'filename="revintel-report-' in html.headers["content-disposition"]
    assert "<script src=" not in html.text and "Plotly" in html.text
    xlsx = chef.get("/api/v1/report", params={"format": "xlsx", "months": 3})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    book = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content))
    assert book.sheet_names == ["Kennzahlen", "Deals", "Funnel", "Prognose", "Warnungen"]
    mine = server.client("rep").get("/api/v1/report", params={"lang": "en"})
    assert mine.status_code == 200 and mine.text != html.text


def test_overview_links_the_report_downloads(server: LiveServer) -> None:
    html = browser_login(server, "chef").get("/?lang=de").text
    assert 'id="report-html" href="/api/v1/report?format=html&amp;lang=de"' in html
    assert "Management-Bericht herunterladen" in html


MORE_ACCOUNTS = """account_id,name,domain,city
E1,Bäckerei Schmitt GmbH,baeckerei-schmitt.de,Trier
E2,Baeckerei Schmitt GmbH,https://baeckerei-schmitt.de/,Trier
"""


def test_duplicates_page_accepts_and_rejects_pairs(server: LiveServer) -> None:
    client = browser_login(server, "chef")
    files = [("files", ("erp-accounts.csv", MORE_ACCOUNTS.encode(), "text/csv"))]
    assert server.client("chef").post("/api/v1/imports", files=files).status_code == 201
    quality = client.get("/quality").text
    assert 'id="review-duplicates" href="/duplicates"' in quality
    page = client.get("/duplicates").text
    pairs = server.client("chef").get("/api/v1/dedupe").json()["items"]
    bakers = {"generic:E1", "generic:E2"}
    [pair] = [p for p in pairs if {p["account_id_l"], p["account_id_r"]} == bakers]
    row = page.split(f'id="pair-{pair["pair_id"]}"', 1)[1].split("</tr>", 1)[0]
    assert "Bäckerei Schmitt GmbH" in row and "Baeckerei Schmitt GmbH" in row
    csrf = csrf_from(page)
    forged = client.post(
        f"/duplicates/{pair['pair_id']}", data={"decision": "rejected", "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    answer = client.post(
        f"/duplicates/{pair['pair_id']}",
        data={"decision": "rejected", "csrf_token": csrf, "threshold": "0.5"},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/duplicates?threshold=0.5"
    after = client.get("/duplicates").text
    assert f'id="pair-{pair["pair_id"]}"' not in after
    decided = after.split('id="decided"', 1)[1]
    assert "Bäckerei Schmitt GmbH" in decided and "Verschiedene Firmen" in decided  # German first
    gone = client.post("/duplicates/nope", data={"decision": "accepted", "csrf_token": csrf})
    assert gone.status_code == 404
    assert browser_login(server, "rep").get("/duplicates").status_code == 403
