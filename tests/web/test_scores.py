"""Scored leads and deals: lists sorted by score with reasons, details with every kind's score."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pandas as pd
import pytest

from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, LiveServer, browser_login, serve_in_thread
from tests.web.stores import build_store


def _reasons(plus: str, minus: str) -> str:
    def reason(feature: str, text: str, effect: float) -> dict[str, object]:
        return {"feature": feature, "effect": effect, "de": f"{text} (de)", "en": f"{text} (en)"}

    return json.dumps(
        {"positive": [reason("channel", plus, 0.4)], "negative": [reason("days", minus, -0.2)]}
    )


SCORES = [
    # (kind, entity type, entity, score, scored at)
    ("lead_to_sql", "lead", "L03", 0.8, datetime(2024, 6, 30)),
    ("lead_to_sql", "lead", "L05", 0.9, datetime(2024, 5, 31)),  # superseded below
    ("lead_to_sql", "lead", "L05", 0.3, datetime(2024, 6, 30)),
    ("lead_to_sql", "lead", "L09", 0.6, datetime(2024, 6, 30)),
    ("lead_to_won", "lead", "L03", 0.2, datetime(2024, 6, 30)),
    ("deal_win", "opportunity", "O2", 0.55, datetime(2024, 6, 30)),
]


@pytest.fixture(scope="module")
def scored_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The hand-made store with a few stored scores, served by its own uvicorn."""
    db: Path = tmp_path_factory.mktemp("scored") / "store.duckdb"
    tokens = build_store(db)
    rows = [
        {"score_id": f"S{i}", "model_id": f"model-{kind}", "kind": kind, "entity_type": etype,
         "entity_id": eid, "score": score, "scored_at": at,
         "reasons": _reasons(f"strong {eid}", f"weak {eid}")}
        for i, (kind, etype, eid, score, at) in enumerate(SCORES)
    ]  # fmt: skip
    with open_store(db) as store:
        store.insert("scores", pd.DataFrame(rows))
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)


def test_leads_are_sorted_by_their_latest_score(scored_server: LiveServer) -> None:
    body = scored_server.client("admin").get("/api/v1/leads", params={"limit": 4}).json()
    assert body["total"] == 12
    items = body["items"]
    assert [(i["lead_id"], i["score"]) for i in items[:3]] == [
        ("L03", 0.8),
        ("L09", 0.6),
        ("L05", 0.3),
    ]
    assert items[3]["score"] is None and items[3]["lead_id"] == "L01"
    assert items[0]["score_kind"] == "lead_to_sql"
    assert items[0]["score_reasons"]["positive"][0]["en"] == "strong L03 (en)"
    assert items[0]["score_reasons"]["negative"][0]["effect"] == -0.2


def test_a_rep_sees_only_their_own_scores(scored_server: LiveServer) -> None:
    items = scored_server.client("anna").get("/api/v1/leads").json()["items"]
    assert [i["lead_id"] for i in items if i["score"] is not None] == ["L03", "L05"]
    assert len(items) == 7
    other = scored_server.client("ben").get("/api/v1/leads").json()["items"]
    assert [i["lead_id"] for i in other if i["score"] is not None] == ["L09"]


def test_explicit_sort_still_wins(scored_server: LiveServer) -> None:
    params = {"sort": "created_at", "order": "asc", "limit": 2}
    items = scored_server.client("admin").get("/api/v1/leads", params=params).json()["items"]
    assert [i["lead_id"] for i in items] == ["L01", "L02"]
    response = scored_server.client("admin").get("/api/v1/accounts", params={"sort": "score"})
    assert response.status_code == 422


def test_details_carry_every_kind(scored_server: LiveServer) -> None:
    client = scored_server.client("admin")
    scores = client.get("/api/v1/leads/L03").json()["scores"]
    assert [(s["kind"], s["score"]) for s in scores] == [("lead_to_sql", 0.8), ("lead_to_won", 0.2)]
    deal = client.get("/api/v1/opportunities/O2").json()
    assert deal["opportunity"]["score"] == 0.55
    assert deal["scores"][0]["reasons"]["positive"][0]["de"] == "strong O2 (de)"
    assert client.get("/api/v1/opportunities/O1").json()["scores"] == []


def test_pages_show_scores_and_reasons_per_language(scored_server: LiveServer) -> None:
    client: httpx.Client = browser_login(scored_server, "admin")
    html = client.get("/leads").text
    assert html.index("/leads/L03") < html.index("/leads/L09") < html.index("/leads/L05")
    assert "80.0%" in html and "+ strong L03 (en)" in html
    client.headers["Cookie"] += "; revintel_lang=de"
    detail = client.get("/deals/O2").text
    assert "Deal gewonnen" in detail and "55,0\u00a0%" in detail
    assert "− weak O2 (de)" in detail
    assert "Noch kein Score" in client.get("/deals/O1").text
