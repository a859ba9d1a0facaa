"""Every figure opens the rows behind it: the list a link leads to counts what the figure says,
and the account page shows the account's own rows only."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pandas as pd
import pytest

from revintel.auth import get_user
from revintel.metrics import (
    MetricQuery,
    MetricSources,
    evaluate_kpi,
    funnel_overview,
    load_catalogue,
)
from revintel.server import Settings
from revintel.store import open_store
from revintel.views import QueryError, RecordQuery, list_records
from revintel.views._drilldown import clipped, period_bounds, period_of
from revintel.views._record_filters import JourneyFilter
from tests.web.conftest import SECRET, DemoCompany, LiveServer, browser_login, serve_in_thread
from tests.web.stores import PASSWORD


@pytest.fixture(scope="module")
def served(
    demo_company: DemoCompany, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    db = demo_company.copy_to(tmp_path_factory.mktemp("drilldown"))
    # Pages are computed when asked for: computing them all ahead would only cost time here.
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en", warm_up=False)
    for url in serve_in_thread(settings):
        yield LiveServer(url, db, demo_company.tokens)


@pytest.fixture(scope="module")
def admin(served: LiveServer) -> httpx.Client:
    return browser_login(served, "admin")


@pytest.fixture(scope="module")
def tables(served: LiveServer) -> dict[str, pd.DataFrame]:
    """The store's rows, read once, to compute each expected figure independently."""
    names = ("leads", "opportunities", "accounts", "contacts", "reps")
    with open_store(served.db) as store:
        return {n: store.table(n).to_pandas() for n in names}


def _link(page: str, element_id: str) -> str:
    found = re.search(rf'id="{re.escape(element_id)}"[^>]* href="([^"]+)"', page)
    assert found, f"no link #{element_id}"
    return html.unescape(found.group(1))


def _count(client: httpx.Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, (url, response.text[:500])
    found = re.search(r'id="list-count" data-count="(\d+)"', response.text)
    assert found, f"{url} shows no #list-count"
    return int(found.group(1))


def _tile_number(page: str, tile: str) -> int:
    found = re.search(rf'id="{tile}">.*?<span class="value">([^<]*)<', page, re.S)
    assert found, tile
    return int(found.group(1).replace(",", "").replace(".", "").strip())


def test_overview_tiles_open_lists_counting_their_figure(
    admin: httpx.Client, served: LiveServer, tables: dict[str, pd.DataFrame]
) -> None:
    page = admin.get("/").text
    deals = tables["opportunities"]
    expected = {
        "tile-leads": len(tables["leads"]),
        "tile-accounts": len(tables["accounts"]),
        "tile-open-deals": int((deals["status"] == "open").sum()),
    }
    for tile, figure in expected.items():
        assert _tile_number(page, tile) == figure
        assert _count(admin, _link(page, f"{tile}-link")) == figure
    # The MQL tile: leads first qualified in the latest complete month.
    catalogue = load_catalogue()
    with open_store(served.db) as store:
        frame = evaluate_kpi(
            MetricSources.from_store(store),
            catalogue.get("mqls"),
            MetricQuery(),
            catalogue.settings,
        )
    mqls = int(frame[frame["complete"].astype(bool)]["value"].iloc[-1])
    assert mqls > 0
    link = _link(page, "kpi-mqls-link")
    assert "reached=mql" in link
    assert _count(admin, link) == mqls


def test_overview_tiles_keep_the_channel_filter(admin: httpx.Client) -> None:
    page = admin.get("/", params={"channel": "webinar", "created_from": "2024-01-01"}).text
    leads = _tile_number(page, "tile-leads")
    link = _link(page, "tile-leads-link")
    assert "channel=webinar" in link and "created_from=2024-01-01" in link
    assert _count(admin, link) == leads > 0


def test_every_funnel_bar_opens_the_leads_it_counts(
    admin: httpx.Client, served: LiveServer
) -> None:
    response = admin.get("/funnel")
    cells = re.findall(
        r'id="funnel-\d+-link" href="([^"]+)" data-milestone="([a-z_]+)">([\d,]+)<', response.text
    )
    with open_store(served.db) as store:
        frame = funnel_overview(MetricSources.from_store(store), load_catalogue())
    reached = dict(zip(frame["milestone"], frame["reached"].fillna(0).astype(int), strict=True))
    assert [m for _, m, _ in cells] == list(frame["milestone"])
    figure = re.search(r'data-figure="([^"]+)"', response.text)
    assert figure is not None
    bars = json.loads(html.unescape(figure.group(1)))["data"][0]["customdata"]
    for (href, milestone, shown), bar in zip(cells, bars, strict=True):
        url = html.unescape(href)
        assert bar == url  # the Plotly bar and the table cell open the same list
        assert int(shown.replace(",", "")) == reached[milestone]
        assert _count(admin, url) == reached[milestone]


def test_funnel_by_channel_links_each_group(admin: httpx.Client) -> None:
    page = admin.get("/funnel", params={"by": "channel"}).text
    rows = re.findall(
        r"<tr><td>([^<]+)</td><td>[^<]+</td><td class=\"num\"><a [^>]*href=\"([^\"]+)\"[^>]*>"
        r"([\d,]+)<",
        page,
    )
    assert rows
    _channel, href, shown = rows[0]
    url = html.unescape(href)
    assert "reached=mql" in url and "channel=" in url
    assert _count(admin, url) == int(shown.replace(",", ""))


def test_an_alert_opens_the_leads_it_was_computed_from(
    admin: httpx.Client, served: LiveServer
) -> None:
    page = admin.get("/").text
    item = next(
        li
        for li in re.findall(r"<li>(.*?)</li>", page, re.S)
        if li.startswith("MQL→SAL acceptance rate was") and "href=" in li
    )
    url = html.unescape(re.search(r'href="([^"]+)"', item).group(1))  # type: ignore[union-attr]
    assert "reached=mql" in url and "decided=sal" in url
    month = re.search(r"reached_from=(\d{4}-\d\d)-01", url)
    assert month is not None
    # The rate divides by the MQLs of the month that sales decided on: the list holds those.
    catalogue = load_catalogue()
    with open_store(served.db) as store:
        frame = evaluate_kpi(
            MetricSources.from_store(store),
            catalogue.get("mql_sal_acceptance"),
            MetricQuery(),
            catalogue.settings,
        )
    row = frame[frame["period"].astype(str).str.startswith(month.group(1))].iloc[0]
    decided, accepted = int(row["denominator"]), int(row["numerator"])
    assert f"({accepted} of {decided})" in html.unescape(item)
    assert _count(admin, url) == decided


def test_a_forecast_period_opens_its_open_deals(
    admin: httpx.Client, tables: dict[str, pd.DataFrame]
) -> None:
    page = admin.get("/forecast").text
    links = re.findall(r'id="open-deals-(\d{4}-\d\d)" data-count="(\d+)" href="([^"]+)"', page)
    assert links
    label, shown, href = links[0]
    deals = tables["opportunities"]
    expected_close = deals["expected_close_at"].fillna(deals["created_at"])
    first = date.fromisoformat(f"{label}-01")
    after = (first + timedelta(days=32)).replace(day=1)
    in_period = (expected_close >= pd.Timestamp(first)) & (expected_close < pd.Timestamp(after))
    expected = int(((deals["status"] == "open") & in_period).sum())
    assert int(shown) == expected > 0
    assert _count(admin, html.unescape(href)) == expected
    figure = re.search(r'id="chart-forecast-sources"[^>]* data-figure="([^"]+)"', page)
    assert figure is not None and html.escape(html.unescape(href)) in html.unescape(
        figure.group(1)
    ).replace("&", "&amp;")


def test_a_quality_figure_opens_the_rows_without_a_value(
    admin: httpx.Client, tables: dict[str, pd.DataFrame]
) -> None:
    page = admin.get("/quality").text
    found = re.search(
        r'id="missing-opportunities-closed_at-([a-z_]+)" data-count="(\d+)" href="([^"]+)"', page
    )
    assert found
    deals = tables["opportunities"]
    expected = int((deals["closed_at"].isna() & (deals["source_system"] == found.group(1))).sum())
    assert int(found.group(2)) == expected > 0
    assert _count(admin, html.unescape(found.group(3))) == expected


def test_lists_refuse_unknown_milestones_and_columns(
    admin: httpx.Client, served: LiveServer
) -> None:
    assert admin.get("/leads", params={"reached": "mqll"}).status_code == 400
    assert admin.get("/deals", params={"missing": "colour"}).status_code == 400
    with open_store(served.db) as store:
        user = get_user(store, "admin")
        assert user is not None
        wrong = RecordQuery(journey=JourneyFilter(reached="mqll"))
        with pytest.raises(QueryError, match="unknown milestone 'mqll'; known: mql, sal"):
            list_records(store, user, "leads", wrong)
        with pytest.raises(QueryError, match="opportunities has no column 'colour'"):
            list_records(store, user, "opportunities", RecordQuery(missing="colour"))


def _ids(page: str, table_id: str) -> set[str]:
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'<tr data-id="([^"]+)"', body))


def test_account_page_shows_its_own_rows(
    admin: httpx.Client, tables: dict[str, pd.DataFrame]
) -> None:
    deals = tables["opportunities"]
    account = deals["account_id"].value_counts().index[0]
    page = admin.get(f"/accounts/{account}")
    assert page.status_code == 200
    of = {n: t[t["account_id"] == account] for n, t in tables.items() if "account_id" in t}
    assert _ids(page.text, "contacts") == set(of["contacts"]["contact_id"])
    assert _ids(page.text, "account-lead-rows") == set(of["leads"]["lead_id"])
    assert _ids(page.text, "account-deal-rows") == set(of["opportunities"]["opportunity_id"])
    assert len(_ids(page.text, "account-deal-rows")) >= 2
    assert 'id="sources"' in page.text and "synth" in page.text.split('id="sources"', 1)[1]
    # The accounts list and the lists of leads and deals link to the account page.
    name = str(of["accounts"]["name"].iloc[0])
    listed = admin.get("/accounts", params={"search": name}).text
    assert f'href="/accounts/{account}"' in listed
    assert f'href="/accounts/{account}"' in admin.get("/deals", params={"account_id": account}).text
    deal = sorted(of["opportunities"]["opportunity_id"])[0]
    assert f'href="/accounts/{account}" id="deal-account-page"' in admin.get(f"/deals/{deal}").text
    lead = sorted(of["leads"]["lead_id"])[0]
    assert f'href="/accounts/{account}" id="lead-account"' in admin.get(f"/leads/{lead}").text


def test_a_rep_sees_own_accounts_only(served: LiveServer, tables: dict[str, pd.DataFrame]) -> None:
    accounts = tables["accounts"]
    rep = sorted(accounts["owner_rep_id"].dropna().unique())[0]
    client = browser_login(served, rep.lower())
    own = accounts[accounts["owner_rep_id"] == rep]
    other = accounts[accounts["owner_rep_id"] != rep]["account_id"].iloc[0]
    assert _count(client, "/accounts") == len(own)
    assert client.get(f"/accounts/{own['account_id'].iloc[0]}").status_code == 200
    assert client.get(f"/accounts/{other}").status_code == 403


def test_accounts_list_filters_live_in_the_url(
    admin: httpx.Client, tables: dict[str, pd.DataFrame]
) -> None:
    accounts = tables["accounts"]
    segment = str(accounts["segment"].value_counts().index[0])
    rep = str(accounts["owner_rep_id"].value_counts().index[0])
    expected = int(((accounts["segment"] == segment) & (accounts["owner_rep_id"] == rep)).sum())
    assert _count(admin, f"/accounts?segment={segment}&rep={rep}") == expected > 0


def test_periods_of_figures_become_day_ranges() -> None:
    assert period_bounds(date(2024, 10, 1), "quarter") == (date(2024, 10, 1), date(2024, 12, 31))
    assert period_bounds(date(2024, 2, 1), "month") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_of("2025-Q1") == (date(2025, 1, 1), date(2025, 3, 31))
    assert period_of("2024-12") == (date(2024, 12, 1), date(2024, 12, 31))
    # A KPI computed on [15 Nov, 10 Dec) counts only that part of its month.
    november = period_bounds(date(2024, 11, 1), "month")
    assert clipped(*november, date(2024, 11, 15), date(2024, 12, 10)) == (
        date(2024, 11, 15),
        date(2024, 11, 30),
    )
    assert clipped(*november, None, date(2024, 11, 10)) == (date(2024, 11, 1), date(2024, 11, 9))


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def _number(text: str) -> int:
    found = re.search(r"\d[\d,]*", text)
    assert found, text
    return int(found.group(0).replace(",", ""))


@pytest.mark.browser
def test_clicking_a_tile_a_funnel_bar_and_an_alert_opens_their_rows(served: LiveServer) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import Page, expect, sync_playwright

    def count_is(page: Page, expected: int) -> None:
        expect(page.locator("#list-count")).to_have_attribute("data-count", str(expected))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(locale="en-US").new_page()
        page.goto(served.url + "/login")
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        expect(page.locator("h1")).to_have_text("Overview")

        mqls = _number(page.locator("#kpi-mqls .value").inner_text())
        page.click("#kpi-mqls-link")
        expect(page).to_have_url(re.compile(r"/leads\?reached=mql&"))
        count_is(page, mqls)

        page.goto(served.url + "/")
        alert = page.locator("#alerts li", has_text="acceptance rate was").first
        decided = int(re.findall(r"\(\d+ of (\d+)\)", alert.inner_text())[0])
        alert.locator("a").click()
        expect(page).to_have_url(re.compile(r"decided=sal"))
        count_is(page, decided)

        page.goto(served.url + "/funnel")
        page.wait_for_selector("#chart-funnel[data-rendered='true']", timeout=60_000)
        reached = [_number(t) for t in page.locator("#funnel a.rows-link").all_inner_texts()]
        box = page.locator("#chart-funnel .bars .point path").nth(1).bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 5
        page.mouse.move(x, y)  # Plotly clicks the point it hovers
        page.locator("#chart-funnel .hoverlayer .hovertext").first.wait_for()
        page.mouse.click(x, y)
        expect(page).to_have_url(re.compile(r"/leads\?reached=sal&mature=1"))
        count_is(page, reached[1])
        browser.close()
