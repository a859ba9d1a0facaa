"""The Attribution and Buying journey pages in a real headless Chromium: charts draw (the Sankey
of channel sequences, the shares with the trade-fair stop shaded), selectors reload the page,
the German page and its CSV download."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from revintel.auth import add_user
from revintel.server import Settings
from revintel.store import open_store
from revintel.synth import write_demo_company
from tests.web.attribution_company import CONFIG
from tests.web.conftest import SECRET, serve_in_thread
from tests.web.stores import PASSWORD
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():  # pragma: no cover - test_browser skips its module first
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("attribution-browser") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, CONFIG)
        add_user(store, "chef", PASSWORD, "manager")
    settings = Settings(
        db=str(db), secret_key=SecretStr(SECRET), default_language="en", warm_up=False
    )
    yield from serve_in_thread(settings)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _open(browser: Browser, url: str, path: str) -> Page:
    page = browser.new_context(accept_downloads=True, locale="en-US").new_page()
    page.goto(url + path)
    page.fill("#username", "chef")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    return page


def _drawn(page: Page, chart: str) -> None:
    page.wait_for_selector(f"#chart-{chart}[data-rendered='true']", timeout=60_000)


def test_buying_journey_draws_its_charts_and_downloads_german_csv(
    browser: Browser, server: str
) -> None:
    page = _open(browser, server, "/buying-journey")
    expect(page.locator("h1")).to_have_text("The digital buying journey")
    _drawn(page, "journey-shares")
    assert page.locator("#chart-journey-shares .scatterlayer .trace").count() == 3
    assert page.locator("#chart-journey-shares .shapelayer path").count() == 1  # the event
    _drawn(page, "journey-sequences")
    assert page.locator("#chart-journey-sequences .sankey-node").count() >= 4
    page.select_option("#filter-grain", "year")
    page.click("#filter-apply")
    expect(page.locator("#filter-grain")).to_have_value("year")
    expect(page.locator("#table-shares tbody tr")).to_have_count(5)  # 2020 … 2024
    page.click("#lang-de")
    expect(page.locator("h1")).to_have_text("Digitale Customer Journey")
    with page.expect_download() as download:
        page.click("#export-shares-csv")
    assert download.value.suggested_filename == "shares.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Zeitraum;Kontaktpunkte;Digitaler Anteil")
    assert lines[1].startswith("01.01.2020;") and len(lines) == 6
    page.context.close()


def test_attribution_compares_models_and_switches_transition(browser: Browser, server: str) -> None:
    page = _open(browser, server, "/attribution")
    expect(page.locator("h1")).to_have_text("Channel attribution")
    _drawn(page, "attribution-models")
    assert page.locator("#chart-attribution-models .legend .traces").count() == 9
    expect(page.locator("#filter-model")).to_have_value("markov")  # the ROI KPIs' model
    page.select_option("#filter-to", "sal")
    page.click("#filter-apply")
    expect(page.locator("#attribution-summary")).to_contain_text("MQL → SAL")
    _drawn(page, "attribution-models")
    expect(page.locator("#table-roi-channels tbody tr").first).to_be_visible()
    page.context.close()
