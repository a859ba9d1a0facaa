"""The Pricing page in a real headless Chromium: the waterfall, band and price-response charts
draw, the band selector reloads the page, and the German page downloads a German CSV."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from revintel.server import Settings
from tests.web.conftest import SECRET, serve_in_thread
from tests.web.pricing_company import pricing_store
from tests.web.stores import PASSWORD
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():  # pragma: no cover - test_browser skips its module first
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = pricing_store(tmp_path_factory)
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


def _drawn(page: Page, chart: str) -> None:
    page.wait_for_selector(f"#chart-{chart}[data-rendered='true']", timeout=60_000)


def test_pricing_draws_its_charts_and_switches_band(browser: Browser, server: str) -> None:
    page = browser.new_context(accept_downloads=True, locale="en-US").new_page()
    page.goto(server + "/pricing")
    page.fill("#username", "manager")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("h1")).to_have_text("Pricing")
    _drawn(page, "pricing-waterfall")
    assert page.locator("#chart-pricing-waterfall .waterfalllayer .point").count() == 11
    first = page.locator("#filter-band").input_value()
    _drawn(page, f"pricing-band-{first}")
    _drawn(page, "pricing-response")
    other = page.locator("#filter-band option").nth(1).get_attribute("value")
    other = (
        other
        if other != first
        else page.locator("#filter-band option").first.get_attribute("value")
    )
    assert other is not None and other != first
    page.select_option("#filter-band", other)
    page.click("#filter-apply")
    expect(page.locator("#filter-band")).to_have_value(other)
    _drawn(page, f"pricing-band-{other}")
    page.click("#lang-de")
    expect(page.locator("h1")).to_have_text("Preise")
    with page.expect_download() as download:
        page.click("#export-waterfall-csv")
    assert download.value.suggested_filename == "waterfall.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Stufe;Betrag;Anteil am Listenpreis" and lines[1].startswith("Listenpreis;")
    page.context.close()
