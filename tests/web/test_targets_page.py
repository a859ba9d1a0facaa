"""The Targets page: German figures with the actual, edits through its forms, the history.

A server of its own serves a copy of the hand-made store with one target: team Nord's order
intake of 10,000 EUR in 2024-Q1, against O1 won by r1 (team Nord) for 12,345.67 EUR.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from revintel.auth import add_user, create_token
from revintel.metrics import set_target
from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, LiveServer, browser_login, csrf_from, serve_in_thread
from tests.web.stores import PASSWORD, build_store


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("targets_page") / "store.duckdb"
    tokens = build_store(db)
    with open_store(db) as store:
        add_user(store, "chef", PASSWORD, "manager", display_name="Chef")
        add_user(store, "lea", PASSWORD, "team_lead", rep_id="r1")  # team Nord: r1 alone
        tokens["chef"] = create_token(store, "chef", "tests")[0]
        set_target(
            store,
            actor="chef",
            target_id="NORD-Q1",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 3, 31),
            amount=10_000,
            team="Nord",
        )
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en", warm_up=False)
    for url in serve_in_thread(settings):
        yield LiveServer(url, Path(db), tokens)


def _german(server: LiveServer, user: str) -> httpx.Client:
    client = browser_login(server, user)
    client.headers["Cookie"] += "; revintel_lang=de"
    return client


def _row(html: str, target_id: str) -> str:
    match = re.search(rf'<tr id="target-{target_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row of {target_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_the_page_shows_german_amounts_actual_and_attainment(server: LiveServer) -> None:
    page = _german(server, "chef").get("/targets")
    assert page.status_code == 200
    row = _row(page.text, "NORD-Q1")
    assert "01.01.2024" in row and "31.03.2024" in row
    # target, actual (O1) and attainment 12,345.67 / 10,000
    assert "10.000,00 €" in row and "12.345,67 €" in row and "123,5 %" in row
    assert 'id="target-add"' in page.text


def test_an_amount_edited_through_the_form_lands_and_shows_in_the_history(
    server: LiveServer,
) -> None:
    client = _german(server, "chef")
    token = csrf_from(client.get("/targets").text)
    sent = client.post(
        "/targets/NORD-Q1/amount",
        data={"csrf_token": token, "amount": "15.000", "note": "Nachplanung", "back_year": "2024"},
    )
    assert sent.status_code == 303  # back to the year the form was sent from
    assert sent.headers["location"] == "/targets?year=2024&target=NORD-Q1&done=update"
    page = client.get(sent.headers["location"])
    assert "Ziel NORD-Q1 geändert." in page.text
    row = _row(page.text, "NORD-Q1")
    assert "15.000,00 €" in row and "82,3 %" in row  # 12,345.67 / 15,000
    history = re.search(r'<table id="table-target-changes">(.*?)</table>', page.text, re.S)
    assert history
    newest = re.sub(r"\s+", " ", history.group(1).split("<tr>")[2])
    assert "geändert" in newest and "chef" in newest and "Nachplanung" in newest
    assert "10.000,00 € → 15.000,00 €" in newest

    export = client.get("/targets/export", params={"table": "history", "format": "csv"})
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Zeitpunkt", "Ziel-ID", "Aktion"]
    assert [r[2] for r in rows[1:]] == ["geändert", "angelegt"]
    intake = client.get("/targets/export", params={"table": "intake", "format": "csv"})
    [header, line] = list(csv.reader(io.StringIO(intake.text.lstrip("\ufeff")), delimiter=";"))
    assert dict(zip(header, line, strict=True))["Ist"] == "12345,67"
    workbook = client.get("/targets/export", params={"table": "counts", "format": "xlsx"})
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")


def test_add_and_delete_through_the_forms(server: LiveServer) -> None:
    client = _german(server, "chef")
    token = csrf_from(client.get("/targets").text)
    form = {"csrf_token": token, "period": "2024-Q1", "measure": "mqls", "amount": "4"}
    added = client.post("/targets/new", data=form | {"team": "Marketing"})
    assert added.status_code == 303 and "done=create" in added.headers["location"]
    target_id = re.search(r"target=([^&]+)", added.headers["location"]).group(1)  # type: ignore[union-attr]
    page = client.get("/targets")
    row = _row(page.text, target_id)
    assert "MQLs" in row and " 4 " in row and " 2 " in row and "50,0 %" in row
    refused = client.post("/targets/new", data=form | {"amount": "-3"})
    assert refused.headers["location"] == "/targets?refused=amount"
    assert "Der Zielwert ist keine positive Zahl." in client.get(refused.headers["location"]).text
    gone = client.post(f"/targets/{target_id}/delete", data={"csrf_token": token})
    assert gone.headers["location"] == f"/targets?target={target_id}&done=delete"
    assert f'id="target-{target_id}"' not in client.get("/targets").text


def test_a_rep_sees_no_forms_and_may_not_post(server: LiveServer) -> None:
    client = _german(server, "anna")
    page = client.get("/targets")
    assert page.status_code == 200
    assert 'id="target-add"' not in page.text and "NORD-Q1" not in page.text  # a team target
    token = csrf_from(page.text)
    posted = client.post("/targets/NORD-Q1/amount", data={"csrf_token": token, "amount": "1"})
    assert posted.status_code == 403
    chef = _german(server, "chef").get("/targets").text
    assert "NORD-Q1" in chef


def test_a_team_lead_adds_targets_for_the_reps_of_the_team_only(server: LiveServer) -> None:
    client = _german(server, "lea")
    page = client.get("/targets")
    assert "Sie sehen und ändern die Ziele der Vertriebler Ihres Teams." in page.text
    options = re.search(r'<select name="rep_id" id="add-rep">(.*?)</select>', page.text, re.S)
    assert options and re.findall(r'value="(r\d)"', options.group(1)) == ["r1"]
    form = {"csrf_token": csrf_from(page.text), "period": "2024-Q2", "amount": "5.000"}
    refused = client.post("/targets/new", data=form | {"rep_id": "r2"})
    assert refused.headers["location"] == "/targets?refused=team"
    added = client.post("/targets/new", data=form | {"rep_id": "r1"})
    assert "done=create" in added.headers["location"]
    target_id = added.headers["location"].split("target=")[1].split("&")[0]
    assert "5.000,00 €" in _row(client.get("/targets?year=2024").text, target_id)
    client.post(f"/targets/{target_id}/delete", data={"csrf_token": form["csrf_token"]})
