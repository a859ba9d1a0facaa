"""Dashboard pages over HTTP: numbers, filters in the URL, languages, CSV, plotly.js and 403s."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web.conftest import LiveServer, browser_login, csrf_from

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def admin(live_server: LiveServer) -> httpx.Client:
    return browser_login(live_server, "admin")


def _tile(html: str, tile: str) -> str:
    match = re.search(rf'id="tile-{tile}".*?class="value">([^<]*)<', html, re.S)
    assert match, tile
    return match.group(1)


def test_overview_tiles_in_english(admin: httpx.Client) -> None:
    html = admin.get("/").text
    assert _tile(html, "leads") == "12"
    assert _tile(html, "accounts") == "3"
    assert _tile(html, "open-deals") == "1"
    assert _tile(html, "open-pipeline") == "€5,000.00"
    assert _tile(html, "won-amount") == "€12,345.67"
    assert _tile(html, "win-rate") == "50.0%"
    assert "Leads per month" in html


def test_overview_in_german(live_server: LiveServer) -> None:
    client = browser_login(live_server, "admin")
    switch = client.get("/lang/de", params={"next": "/?channel=search"})
    assert switch.status_code == 303 and switch.headers["location"] == "/?channel=search"
    client.headers["Cookie"] += "; revintel_lang=de"
    html = client.get("/", params={"channel": "search"}).text
    assert "Übersicht" in html and "Offene Pipeline" in html
    assert _tile(html, "won-amount") == f"12.345,67{NBSP}€"
    assert _tile(html, "win-rate") == f"50,0{NBSP}%"
    assert _tile(html, "leads") == "6"


def test_language_switch_refuses_offsite_redirects(live_server: LiveServer) -> None:
    response = live_server.client().get("/lang/en", params={"next": "//evil.example/"})
    assert response.headers["location"] == "/"


def test_chart_csv_follows_the_filters(admin: httpx.Client) -> None:
    every = admin.get("/charts/leads-per-month.csv").text
    assert every.splitlines() == [
        "Month,Count",
        "2024-01-01,3",
        "2024-02-01,3",
        "2024-03-01,3",
        "2024-04-01,3",
    ]
    email = admin.get("/charts/leads-per-month.csv", params={"channel": "email"}).text
    assert email.splitlines()[1:] == ["2024-04-01,3"]
    html = admin.get("/", params={"channel": "email"}).text
    assert 'href="/charts/leads-per-month.csv?channel=email"' in html


def test_leads_list_filters_live_in_the_url(admin: httpx.Client) -> None:
    html = admin.get("/leads", params={"channel": "webinar", "status": "open"}).text
    assert re.search(r'id="total">3<', html)
    assert re.findall(r'href="/leads/(L\d+)"', html) == ["L07", "L06", "L05"]
    assert '<option value="webinar" selected>' in html


def test_deal_detail_shows_timeline(admin: httpx.Client) -> None:
    html = admin.get("/deals/O1").text
    assert "€12,345.67" in html
    assert html.count("<tr><td>") >= 5 + 2  # five milestones and two touchpoints
    assert "Opportunity generated" in html


def test_rep_gets_403_page_on_another_reps_deal(live_server: LiveServer) -> None:
    anna = browser_login(live_server, "anna")
    response = anna.get("/deals/O3")
    assert response.status_code == 403
    assert 'id="error-status"' in response.text
    assert anna.get("/deals/O1").status_code == 200
    assert re.search(r'id="total">2<', anna.get("/deals").text)


def test_plotly_is_served_from_the_installed_package(live_server: LiveServer) -> None:
    response = live_server.client().get("/static/plotly.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert len(response.content) > 1_000_000
    assert b"plotly.js" in response.content[:500]


def test_pages_send_security_headers(admin: httpx.Client) -> None:
    headers = admin.get("/leads").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


def test_kept_pages_carry_each_sessions_own_csrf_token(live_server: LiveServer) -> None:
    first, second = browser_login(live_server, "marie"), browser_login(live_server, "marie")
    tokens = []
    for client in (first, second, first):
        response = client.get("/deals?status=open")
        assert response.status_code == 200
        assert "__revintel_csrf_slot__" not in response.text
        tokens.append(csrf_from(response.text))
    assert tokens[0] == tokens[2] != tokens[1]
    # The kept page still signs the visitor out with the token it carries.
    cookie = second.headers["Cookie"]
    out = second.post("/logout", data={"csrf_token": tokens[1]}, headers={"Cookie": cookie})
    assert out.status_code == 303
    assert first.get("/deals?status=open").status_code == 200
    anonymous = live_server.client().get("/deals?status=open")
    assert anonymous.status_code == 303  # kept HTML is never sent without a session
