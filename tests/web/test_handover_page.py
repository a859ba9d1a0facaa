"""The Lead handover page on a hand-made queue: who sees which leads and forms, German labels,
decisions posted with the CSRF token change the queue, the milestones, the audit trail and the
overview's acceptance rate, and a rep's decision on someone else's lead writes nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from pathlib import Path

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from revintel.i18n import Translator
from revintel.server import Settings, create_app
from revintel.store import open_store
from revintel.web._handover import queue_rows, waiting_text
from tests.web.attribution_company import english_leftovers
from tests.web.conftest import SECRET
from tests.web.handover_store import ANNA_WAITING, BEN_WAITING, build_handover_store
from tests.web.stores import PASSWORD

PAGE = "/handover"


@dataclass
class Served:
    """The served store and a client signed in as one user at a time."""

    db: Path
    client: TestClient
    user: str = ""

    def sign_in(self, user: str, lang: str = "en") -> None:
        self.client.cookies.clear()
        form = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={"username": user, "password": PASSWORD, "csrf_token": _csrf(form.text)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:300]
        self.client.cookies.set("revintel_lang", lang)
        self.user = user

    def page(self, path: str = PAGE) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, response.text[:800]
        return response.text

    def post(self, lead: str, action: str, **form: str) -> httpx.Response:
        token = _csrf(self.page())
        return self.client.post(
            f"{PAGE}/{lead}/{action}",
            data={"csrf_token": token, **form},
            follow_redirects=False,
        )


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def _queue(html: str) -> list[str]:
    body = re.search(r'<table id="handover-queue">.*?<tbody>(.*?)</tbody>', html, re.S)
    return [] if body is None else re.findall(r'<tr id="lead-([^"]+)">', body.group(1))


def _text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:p|span|td)>', html, re.S)
    assert found, f"no element {element_id}"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", found.group(1)))).strip()


def _acceptance(html: str) -> str:
    """The value of the overview's MQL→SAL acceptance tile."""
    found = re.search(r'id="kpi-mql_sal_acceptance".*?<span class="value">([^<]*)', html, re.S)
    assert found, "no acceptance tile"
    return unescape(found.group(1)).strip()


def _visible_text(html: str) -> str:
    body = html.split("<main>", 1)[1]
    return unescape(re.sub(r"<[^>]+>", " ", body))


def _milestones(db: Path, lead: str) -> list[tuple[str, str | None]]:
    with open_store(db) as store:
        m = store.table("milestones")
        rows = m.filter(m.lead_id == lead).order_by("occurred_at").to_pyarrow().to_pylist()
    return [(r["milestone"], r["reason"]) for r in rows]


def _decisions(db: Path) -> list[dict[str, object]]:
    with open_store(db) as store:
        rows: list[dict[str, object]] = store.table("lead_decisions").to_pyarrow().to_pylist()
    return rows


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    db = tmp_path / "store.duckdb"
    build_handover_store(db)
    settings = Settings(
        db=str(db), secret_key=SecretStr(SECRET), warm_up=False, cookie_secure=False
    )
    with TestClient(create_app(settings)) as client:
        yield Served(db, client)


def test_manager_sees_every_waiting_lead_oldest_first_with_all_forms(served: Served) -> None:
    served.sign_in("chef")
    html = served.page()
    # L08 qualified too, but has a deal: it no longer waits.
    assert _queue(html) == [*ANNA_WAITING, *BEN_WAITING]
    assert _text_of(html, "handover-count") == "6 of 6 waiting leads · 5 past their due time"
    for form in ("accept", "reject", "recycle", "reassign"):
        assert f'id="{form}-L09"' in html
    assert 'id="handover-read-only"' not in html and 'id="handover-scope"' not in html
    # Ben's lead L09 is offered to both reps, Ben (its owner) preselected.
    reassign = re.search(r'<select name="rep_id" id="rep-L09".*?</select>', html, re.S)
    assert reassign is not None
    assert re.findall(r'value="(r\d)"', reassign.group(0)) == ["r1", "r2"]
    assert 'value="r2" selected' in reassign.group(0)
    filtered = served.page(f"{PAGE}?rep=r1")
    assert _queue(filtered) == list(ANNA_WAITING)
    assert _text_of(filtered, "handover-count") == "2 of 6 waiting leads · 2 past their due time"


def test_a_rep_sees_only_own_leads_and_no_reassign(served: Served) -> None:
    served.sign_in("anna")
    html = served.page()
    assert _queue(html) == list(ANNA_WAITING)
    assert _text_of(html, "handover-count") == "2 of 2 waiting leads · 2 past their due time"
    assert 'id="accept-L03"' in html and 'id="reject-L07"' in html
    assert 'id="reassign-L03"' not in html and "L09" not in html
    assert "You see only the leads owned by you or your team." in html


def test_the_german_page_has_german_labels_and_no_raw_ids(served: Served) -> None:
    served.sign_in("anna", "de")
    assert served.post("L07", "reject", reason="no_budget").status_code == 303
    html = served.page()
    text = _visible_text(html)
    for label in ("Lead-Übergabe", "Annehmen", "Ablehnen", "Zurück ins Nurturing", "Kein Budget"):
        assert label in text
    assert _text_of(html, "handover-count") == "1 von 1 wartenden Leads · 1 über der Frist"
    assert "wartet auf den Vertrieb" in text and "abgelehnt" in text  # states before and after
    for raw in ("disqualified", "sal", "waiting", "rejected", "no_budget", "accept", "reject"):
        assert not re.search(rf"\b{raw}\b", text), raw
    assert english_leftovers(html, ("handover.",)) == []
    # The MQL date of L03 in German form.
    row = re.search(r'<tr id="lead-L03">(.*?)</tr>', html, re.S)
    assert row is not None and re.search(r"<td>\d\d\.\d\d\.\d{4}</td>", row.group(1))


def test_accept_and_reject_change_queue_milestones_audit_and_acceptance_rate(
    served: Served,
) -> None:
    served.sign_in("anna")
    assert _acceptance(served.page("/")) == "33.3%"  # 1 accepted of 3 decided MQLs of last month

    accepted = served.post("L03", "accept")
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"{PAGE}?lead=L03&done=accept"
    html = served.client.get(accepted.headers["location"]).text
    assert _text_of(html, "handover-notice") == "L03 accepted."
    assert _queue(html) == ["L07"]

    rejected = served.post("L07", "reject", reason="wrong_contact", note="  left the company ")
    assert rejected.headers["location"] == f"{PAGE}?lead=L07&done=reject"
    html = served.page()
    assert _queue(html) == [] and 'id="handover-empty"' in html

    assert _milestones(served.db, "L03") == [("mql", None), ("sal", None)]
    assert _milestones(served.db, "L07") == [("mql", None), ("disqualified", "wrong_contact")]
    audit = sorted(_decisions(served.db), key=lambda r: str(r["lead_id"]))
    assert [(r["lead_id"], r["action"], r["reason"], r["note"], r["actor"]) for r in audit] == [
        ("L03", "accept", None, None, "anna"),
        ("L07", "reject", "wrong_contact", "left the company", "anna"),
    ]
    assert [(r["state_before"], r["state_after"]) for r in audit] == [
        ("waiting", "accepted"),
        ("waiting", "rejected"),
    ]
    decisions = re.search(r'<table id="table-decisions">.*?</table>', html, re.S)
    assert decisions is not None and "Wrong contact" in decisions.group(0)
    # 2 accepted of 5 decided: the cached overview was computed again.
    assert _acceptance(served.page("/")) == "40.0%"


def test_a_rep_deciding_on_a_foreign_or_missing_lead_writes_nothing(served: Served) -> None:
    served.sign_in("anna")
    notices = []
    for lead in ("L09", "L99"):
        response = served.post(lead, "accept")
        assert response.status_code == 303
        assert response.headers["location"] == f"{PAGE}?lead={lead}&refused=unavailable"
        html = served.client.get(response.headers["location"]).text
        notices.append(_text_of(html, "handover-notice").replace(lead, "…"))
    # The same answer whether the lead exists or not.
    assert notices == ["Lead … does not exist or you may not decide on it."] * 2
    assert _decisions(served.db) == []
    assert _milestones(served.db, "L09") == [("mql", None)]
    served.sign_in("ben")
    assert "L09" in _queue(served.page())


def test_refusals_without_token_reason_or_permission(served: Served) -> None:
    served.sign_in("anna")
    no_token = served.client.post(f"{PAGE}/L03/accept", data={}, follow_redirects=False)
    assert no_token.status_code == 403
    no_reason = served.post("L03", "reject")
    assert no_reason.headers["location"] == f"{PAGE}?lead=L03&refused=reason_missing"
    html = served.client.get(no_reason.headers["location"]).text
    assert _text_of(html, "handover-notice") == (
        "The decision on L03 was not possible: Please choose a rejection reason."
    )
    served.post("L03", "accept")
    again = served.post("L03", "reject", reason="no_budget")
    assert again.headers["location"] == f"{PAGE}?lead=L03&refused=invalid"
    assert [r["action"] for r in _decisions(served.db)] == ["accept"]

    served.sign_in("marie")
    html = served.page()
    assert _queue(html) == ["L07", *BEN_WAITING]
    assert _text_of(html, "handover-read-only") == (
        "Your role sees the queue but does not decide on leads."
    )
    assert "accept-L07" not in html and '<form method="post" action="/handover' not in html
    assert served.post("L07", "accept").status_code == 403
    assert len(_decisions(served.db)) == 1


def test_manager_reassigns_and_downloads_the_decisions(served: Served) -> None:
    served.sign_in("chef", "de")
    moved = served.post("L09", "reassign", rep_id="r1")
    assert moved.headers["location"] == f"{PAGE}?lead=L09&done=reassign"
    html = served.client.get(moved.headers["location"]).text
    assert _text_of(html, "handover-notice") == "L09 neu zugewiesen."
    served.post("L10", "reject", reason="no_budget", note="Budget 2027")
    response = served.client.get(f"{PAGE}/export?format=csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Am", "Lead", "Aktion", "Grund"]
    assert sorted((r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows[1:]) == [
        ("L09", "Neu zuweisen", "", "", "chef", "Ben Müller", "Anna Schmidt"),
        ("L10", "Ablehnen", "Kein Budget", "Budget 2027", "chef", "Ben Müller", "Ben Müller"),
    ]
    served.sign_in("anna")
    assert _queue(served.page()) == [*ANNA_WAITING[:1], ANNA_WAITING[1], "L09"]


def test_waiting_times_due_dates_and_breaches_are_written_in_the_readers_language() -> None:
    german, english = Translator("de"), Translator("en")
    assert (
        waiting_text(5.0, german) == "5\u00a0Std."
        and waiting_text(48.0, english) == "48\u00a0hours"
    )
    assert waiting_text(84.0, german) == "3,5\u00a0Tage" and waiting_text(None, german) == "–"
    frame = pd.DataFrame(
        {
            "lead_id": ["L1", "L2"],
            "mql_at": [datetime(2026, 3, 2, 9), datetime(2026, 3, 4, 9)],
            "waiting_hours": [60.0, 12.0],
            "channel": ["trade_fair", None],
            "score": [0.125, None],
            "sla_due_at": [datetime(2026, 3, 3, 9), None],
            "breached": [True, None],
        }
    )
    rows = queue_rows(frame, german)
    written = ["mql_text", "waiting_text", "channel_text", "due_text", "is_breached", "score_text"]
    assert [[r[k] for k in written] for r in rows] == [
        ["02.03.2026", "2,5\u00a0Tage", "Messe", "03.03.2026", True, "12,5\u00a0%"],
        ["04.03.2026", "12\u00a0Std.", "", "", False, "–"],
    ]
