"""The Lead handover in a real headless Chromium: a rep accepts one lead and rejects another with
a reason; the leads' milestones (page and API) and the overview's acceptance rate follow."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from pydantic import SecretStr

from revintel.model import load_funnel
from revintel.server import Settings
from revintel.views import milestone_labels
from tests.web.conftest import SECRET, serve_in_thread
from tests.web.handover_store import build_handover_store
from tests.web.stores import PASSWORD
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():  # pragma: no cover - test_browser skips its module first
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@dataclass(frozen=True)
class Server:
    """The served handover store: base URL and an API token per user."""

    url: str
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = tmp_path_factory.mktemp("handover") / "store.duckdb"
    tokens = build_handover_store(db)
    settings = Settings(
        db=str(db), secret_key=SecretStr(SECRET), default_language="en", warm_up=False
    )
    for url in serve_in_thread(settings):
        yield Server(url, tokens)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _acceptance(page: Page, server: Server) -> str:
    page.goto(server.url + "/")
    expect(page.locator("h1")).to_have_text("Overview")
    value = str(page.locator("#kpi-mql_sal_acceptance .value").inner_text())
    return value.split()[0]  # without the trend arrow


def _timeline(server: Server, lead: str) -> list[tuple[str, str | None]]:
    with httpx.Client(base_url=server.url, timeout=120) as client:
        response = client.get(
            f"/api/v1/leads/{lead}", headers={"Authorization": f"Bearer {server.tokens['anna']}"}
        )
    assert response.status_code == 200, response.text[:300]
    return [(e["milestone"], e.get("reason")) for e in response.json()["timeline"]]


def test_a_rep_accepts_and_rejects_in_the_browser(browser: Browser, server: Server) -> None:
    page = browser.new_context(locale="en-US").new_page()
    page.goto(server.url + "/handover")
    page.fill("#username", "anna")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("h1")).to_have_text("Lead handover")
    expect(page.locator("#handover-count")).to_have_text(
        "2 of 2 waiting leads · 2 past their due time"
    )
    # Of Anna's MQLs of last month sales accepted 1 of the 3 MQLs decided on.
    assert _acceptance(page, server) == "33.3%"

    page.goto(server.url + "/handover")
    page.click("#accept-L03")
    expect(page.locator("#handover-notice")).to_have_text("L03 accepted.")
    expect(page.locator("#lead-L03")).to_have_count(0)
    # Every control of the row has an accessible name naming the lead.
    page.get_by_role("combobox", name="Rejection reason for L07").select_option("wrong_contact")
    page.get_by_role("textbox", name="Note on L07 (optional)").fill("left the company")
    page.get_by_role("button", name="Reject").click()
    expect(page.locator("#handover-notice")).to_have_text("L07 rejected.")
    expect(page.locator("#handover-empty")).to_be_visible()
    expect(page.locator("#table-decisions tbody tr")).to_have_count(2)
    expect(page.locator("#table-decisions")).to_contain_text("Wrong contact")

    sal = milestone_labels(load_funnel(), "en")["sal"]
    page.goto(server.url + "/leads/L03")
    expect(page.locator("#timeline tbody tr").last.locator("td").first).to_have_text(sal)
    assert _timeline(server, "L03")[-1] == ("sal", None)
    assert _timeline(server, "L07")[-1] == ("disqualified", "wrong_contact")
    # 2 accepted of 5 decided: the overview was computed again after the decisions.
    assert _acceptance(page, server) == "40.0%"
    page.context.close()
