"""axe-core on every dashboard page, in German, in a real headless Chromium: no serious or
critical violation of WCAG 2 A/AA.

axe-core comes from the ``axe-playwright-python`` package (its bundled ``axe.min.js``), injected
into each page and run by hand: nothing is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import DemoCompany, LiveServer, browser_login
from tests.web.german_pages import USER, GermanServer, shared_german_server
from tests.web.stores import PASSWORD
from tests.web.test_german_everywhere import findings, forbidden_terms

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )

axe_package = pytest.importorskip("axe_playwright_python")
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

AXE_JS = Path(axe_package.__file__).parent / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")
#: What the reader sees once the page is drawn: every text of the body, the charts' ticks,
#: legends and titles included, without code, scripts and parts marked translate="no".
DRAWN_TEXT = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const owner = node.parentElement;
    if (!owner || owner.closest('script, style, code, pre, template, [translate="no"]')) {
      continue;
    }
    const text = node.textContent.trim();
    if (text) { found.push(text); }
  }
  return found;
}"""
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" "))}));
}"""


@pytest.fixture(scope="module")
def server(demo_company: DemoCompany, tmp_path_factory: pytest.TempPathFactory) -> GermanServer:
    return shared_german_server(demo_company, tmp_path_factory.mktemp("axe"))


@pytest.fixture(scope="module")
def page(server: GermanServer) -> Iterator[Page]:
    """One browser tab, signed in once as the administrator, German."""
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        # The pages forbid inline scripts (CSP); axe is injected as one, so the test bypasses it.
        tab = browser.new_context(locale="de-DE", bypass_csp=True).new_page()
        tab.goto(server.url + "/login")
        tab.fill("#username", USER)
        tab.fill("#password", PASSWORD)
        tab.click("#login-submit")
        tab.wait_for_url(server.url + "/")
        yield tab
        browser.close()


def violations_of(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2 A/AA violations on the page as it is drawn (charts included)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart[data-figure]')]"
        ".every(el => el.dataset.rendered === 'true')",
        timeout=60_000,
    )
    page.add_script_tag(path=str(AXE_JS))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE, WCAG_TAGS)
    return found


def test_every_page_reads_german_and_has_no_serious_accessibility_violation(
    server: GermanServer, page: Page
) -> None:
    # The server keeps each page's HTML per user and language: computing them side by side
    # first lets the browser's visits below wait only for drawing and axe.
    client = browser_login(LiveServer(server.url, server.db, {}), USER)
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert all(r.status_code == 200 for r in pool.map(client.get, server.paths))
    client.close()
    report, words = [], []
    terms = forbidden_terms()
    for path in server.paths:
        response = page.goto(server.url + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        assert page.locator("html").get_attribute("lang") == "de", path
        violations = violations_of(page)  # waits until every chart is drawn
        words += findings(page.evaluate(DRAWN_TEXT), terms, path)
        for v in violations:
            if v["impact"] in FAILING:
                nodes = ", ".join(v["nodes"][:3]) + (" …" if len(v["nodes"]) > 3 else "")
                report.append(f"{path}: {v['id']} ({v['impact']}) {v['help']} — {nodes}")
    assert len(server.paths) >= 15, server.paths
    assert not report, "accessibility violations:\n" + "\n".join(report)
    # the drawn pages, charts included, read German: no raw id, no English label
    assert not words, "raw ids or English words:\n" + "\n".join(words)


def test_axe_reports_a_missing_alternative_text(page: Page) -> None:
    """The harness itself: an image without ``alt`` is a critical violation it must report."""
    page.set_content('<html lang="de"><head><title>t</title></head><img src="x.png"></html>')
    found = {v["id"]: v["impact"] for v in violations_of(page)}
    assert found.get("image-alt") == "critical", found
