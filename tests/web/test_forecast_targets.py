"""Plan against forecast on every surface: the API's and the command line's rows carry target
and chance, the Forecast page draws the target and lists the gap, the overview's tile says
how likely the quarter's target is, and a sales rep sees their own target only."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.metrics import set_target
from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, DemoCompany, LiveServer, browser_login, serve_in_thread
from tests.web.stores import PASSWORD

Q1, Q2 = (date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 6, 30))
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def server(
    demo_company: DemoCompany, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The small demo company with company targets for the first two forecast quarters (Q1 at
    2.0 M€, Q2 at 0.1 M€), one team's Q1 target and one rep's Q1 target."""
    db = demo_company.copy_to(tmp_path_factory.mktemp("forecast-targets"))
    with open_store(db) as store:
        rep = sorted(store.table("reps").rep_id.to_pyarrow().to_pylist())[0]
        set_target(store, actor="test", period_start=Q1[0], period_end=Q1[1], amount=2e6)
        set_target(store, actor="test", period_start=Q2[0], period_end=Q2[1], amount=1e5)
        set_target(
            store, actor="test", period_start=Q1[0], period_end=Q1[1], amount=3e5, rep_id=rep
        )
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, demo_company.tokens)


def _api(server: LiveServer, user: str, **params: object) -> dict:
    response = server.client(user).get("/api/v1/forecast", params={"grain": "quarter", **params})
    assert response.status_code == 200, response.text
    return response.json()


def _total(rows: list[dict], period: str, group: str = "all") -> dict:
    return next(
        r for r in rows if r["period"] == period and r["source"] == "total" and r["group"] == group
    )


def test_the_api_and_the_command_line_give_target_and_chance(server: LiveServer) -> None:
    answer = _api(server, "chef", simulations=1_000)
    q1, q2 = _total(answer["rows"], "2025-Q1"), _total(answer["rows"], "2025-Q2")
    assert (q1["target"], q2["target"]) == (2e6, 1e5)
    assert q1["booked"] == 0.0  # the forecast starts on the first day of the quarter
    # the company's Q1 median is below 2.0 M€ and far above 0.1 M€ (P10 of Q2 above it)
    assert q1["p50"] < 2e6 and q2["p10"] > 1e5
    assert 0.0 < q1["p_reach_target"] < 0.5 and q2["p_reach_target"] >= 0.9
    assert q1["gap"] == pytest.approx(2e6 - q1["p50"], abs=0.02)
    assert all(
        r["p_reach_target"] == q1["p_reach_target"]
        for r in answer["rows"]
        if r["period"] == "2025-Q1"
    )
    result = CliRunner().invoke(
        app,
        [
            "forecast",
            "--db",
            str(server.db),
            "--grain",
            "quarter",
            "--format",
            "json",
            "--simulations",
            "1000",
            "--horizon",
            "6M",
        ],
    )
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    cli_q1 = next(r for r in cli if r["period"] == "2025-Q1" and r["source"] == "total")
    for field in ("target", "p_reach_target", "booked", "gap", "p50"):
        assert cli_q1[field] == pytest.approx(q1[field]), field
    by_team = _api(server, "chef", simulations=1_000, by="team")
    teams = {r["group"] for r in by_team["rows"]} - {"all"}
    assert all(_total(by_team["rows"], "2025-Q1", t)["target"] is None for t in teams)
    assert _total(by_team["rows"], "2025-Q1")["target"] == 2e6


def test_a_rep_is_measured_against_their_own_target(server: LiveServer) -> None:
    rep = sorted(u for u in server.tokens if u not in ("admin", "chef", "marie"))[0]
    rows = _api(server, rep, simulations=1_000)["rows"]
    own = _total(rows, "2025-Q1")
    assert own["target"] == 3e5 and own["p_reach_target"] is not None
    assert _total(rows, "2025-Q2")["target"] is None  # the company's Q2 target is not theirs


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def test_the_pages_show_target_gap_and_chance(server: LiveServer) -> None:
    q1 = _total(_api(server, "chef", simulations=1_000, months=6)["rows"], "2025-Q1")
    client: httpx.Client = browser_login(server, "chef")
    client.headers["Cookie"] += "; revintel_lang=de"
    page = client.get("/forecast", params={"grain": "quarter"}).text
    # the month view lists the quarters' targets too (the chart's line needs quarters)
    assert '<tr id="attainment-2025-Q1">' in client.get("/forecast").text
    row = re.search(r'<tr id="attainment-2025-Q1">(.*?)</tr>', page, re.S)
    assert row, "no attainment row for 2025-Q1"
    cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    assert cells[1] == f"2.000.000,00{NBSP}€"
    expected_gap = f"{2e6 - q1['p50']:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    assert cells[4] == f"{expected_gap}{NBSP}€ fehlen"
    assert cells[5] == f"{round(q1['p_reach_target'] * 100)}{NBSP}%"
    figure = json.loads(
        html.unescape(re.search(r'id="chart-forecast-fan"[^>]*data-figure="([^"]+)"', page)[1])
    )
    target_trace = figure["data"][-1]
    assert target_trace["name"] == "Ziel" and target_trace["line"]["dash"] == "dash"
    assert dict(zip(target_trace["x"], target_trace["y"], strict=True)) == {
        "2025-Q1": 2e6,
        "2025-Q2": 1e5,
    }
    overview = client.get("/").text
    tile = re.search(r'id="tile-attainment"(.*?)</div>', overview, re.S)
    assert tile, "no attainment tile on the overview"
    chance = _text(re.search(r'id="attainment-chance">(.*?)</span>', tile.group(1), re.S)[1])
    assert chance.endswith(f"{round(q1['p_reach_target'] * 100)}{NBSP}%")
    assert "2025-Q1" in tile.group(1)


@pytest.mark.browser
def test_the_forecast_chart_shows_the_target_in_the_browser(server: LiveServer) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_context(locale="de-DE").new_page()
        page.goto(server.url + "/login?next=%2Fforecast%3Fgrain%3Dquarter")
        page.fill("#username", "chef")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.click("#lang-de")
        expect(page.locator("#attainment-2025-Q1 .target")).to_have_text(f"2.000.000,00{NBSP}€")
        page.select_option("#filter-grain", "quarter")
        page.click("#filter-apply")
        page.wait_for_selector("#chart-forecast-fan[data-rendered='true']", timeout=60_000)
        traces = page.locator("#chart-forecast-fan .scatterlayer .trace")
        expect(traces).to_have_count(4)  # P10, P90, P50 and the target
        legend = page.locator("#chart-forecast-fan .legend").text_content() or ""
        assert "Ziel" in legend
        browser.close()
