"""The dashboard in a real headless Chromium (Debian's ``/usr/bin/chromium``, never downloaded)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.conftest import Demo, LiveServer
from tests.web.stores import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NBSP = "\u00a0"

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _sign_in(browser: Browser, server: LiveServer, user: str, start: str = "/") -> Page:
    context = browser.new_context(accept_downloads=True, locale="en-US")
    page = context.new_page()
    page.goto(server.url + start)
    expect(page).to_have_url(f"{server.url}/login?next={start.replace('/', '%2F')}")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    return page


def _bars(page: Page, chart: str = "leads-per-month") -> int:
    page.wait_for_selector(f"#chart-{chart}[data-rendered='true']", timeout=60_000)
    return int(page.locator(f"#chart-{chart} .bars .point").count())


def test_login_filter_and_german(browser: Browser, live_server: LiveServer) -> None:
    page = _sign_in(browser, live_server, "admin")
    expect(page.locator("h1")).to_have_text("Overview")
    expect(page.locator("#tile-leads .value")).to_have_text("12")
    assert _bars(page) == 4

    page.select_option("#filter-channel", "email")
    page.click("#filter-apply")
    expect(page).to_have_url(f"{live_server.url}/?channel=email&created_from=&created_to=")
    expect(page.locator("#tile-leads .value")).to_have_text("3")
    assert _bars(page) == 1

    page.click("#lang-de")
    expect(page.locator("h1")).to_have_text("Übersicht")
    expect(page.locator("#filter-apply")).to_have_text("Filtern")
    expect(page.locator("#tile-won-amount .value")).to_have_text(f"12.345,67{NBSP}€")
    expect(page).to_have_url(f"{live_server.url}/?channel=email&created_from=&created_to=")
    page.goto(live_server.url + "/deals/O1")
    expect(page.locator("#deal-created")).to_have_text("01.02.2024")
    page.context.close()


def test_chart_downloads_png_and_csv(browser: Browser, live_server: LiveServer) -> None:
    page = _sign_in(browser, live_server, "marie")
    _bars(page)
    page.hover("#chart-leads-per-month")
    with page.expect_download() as png:
        page.click("#chart-leads-per-month .modebar-btn[data-title*='png' i]")
    assert png.value.suggested_filename == "leads-per-month.png"
    with page.expect_download() as csv:
        page.click("#csv-leads-per-month")
    assert Path(csv.value.path()).read_text().splitlines()[1] == "2024-01-01,3"
    page.context.close()


def test_rep_gets_403_on_another_reps_deal(browser: Browser, live_server: LiveServer) -> None:
    page = _sign_in(browser, live_server, "anna", start="/deals")
    expect(page.locator("#total")).to_have_text("2")
    response = page.goto(live_server.url + "/deals/O3")
    assert response is not None and response.status == 403
    expect(page.locator("#error-status")).to_have_text("Error 403")
    response = page.goto(live_server.url + "/deals/O1")
    assert response is not None and response.status == 200
    page.context.close()


def test_funnel_breakdown_changes_the_chart(browser: Browser, demo_server: Demo) -> None:
    page = _sign_in(browser, demo_server.server, "chef", start="/funnel")
    expect(page.locator("h1")).to_have_text("Funnel")
    assert _bars(page, "funnel") == 8
    page.select_option("#filter-by", "segment")
    page.click("#filter-apply")
    expect(page.locator("#filter-by")).to_have_value("segment")
    segments = page.locator("#chart-funnel .legend .traces").count()
    assert segments >= 2
    assert _bars(page, "funnel") == 8 * segments
    page.context.close()


def test_forecast_fan_and_breakdown(browser: Browser, demo_server: Demo) -> None:
    page = _sign_in(browser, demo_server.server, "chef", start="/forecast")
    expect(page.locator("h1")).to_have_text("Order intake forecast")
    page.wait_for_selector("#chart-forecast-fan[data-rendered='true']", timeout=60_000)
    assert page.locator("#chart-forecast-fan .scatterlayer .trace").count() == 3  # P10, P90, P50
    assert page.locator("#chart-forecast-groups").count() == 0
    page.select_option("#filter-by", "segment")
    page.select_option("#filter-grain", "quarter")
    page.click("#filter-apply")
    expect(page).to_have_url(f"{demo_server.server.url}/forecast?by=segment&grain=quarter&months=6")
    assert _bars(page, "forecast-groups") >= 2 * 2  # two quarters, at least two segments
    assert page.locator("#chart-forecast-fan .scatterlayer .trace").count() == 3
    page.context.close()


def test_report_opens_offline(browser: Browser, tmp_path: Path) -> None:
    from revintel.report import collect_report, write_html_report
    from revintel.store import open_store
    from tests.web.stores import build_store

    build_store(tmp_path / "store.duckdb")
    with open_store(tmp_path / "store.duckdb", read_only=True) as store:
        data = collect_report(store, language="en")
    report = tmp_path / "report.html"
    write_html_report(data, report)
    context = browser.new_context(offline=True)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.goto(report.as_uri())
    for chart in ("leads-per-month", "funnel", "forecast-fan", "forecast-sources"):
        page.wait_for_selector(f"#chart-{chart}[data-rendered='true']", timeout=60_000)
    expect(page.locator("h1")).to_have_text("Revenue report")
    assert [u for u in requested if not u.startswith("file:")] == []
    context.close()


def test_api_docs_render_from_this_server_only(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context()
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.goto(live_server.url + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("revintel", timeout=30_000)
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    assert requested and all(u.startswith(live_server.url) for u in requested)
    context.close()
