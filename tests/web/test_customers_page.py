"""The Customers page and an account's customer page: rows per role, German and English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from revintel.i18n import MESSAGES
from revintel.server import Settings, create_app
from tests.web.conftest import SECRET, browser_login, serve_in_thread
from tests.web.customers_company import Company, build_company, serve_company


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    yield from serve_company(tmp_path_factory)


def _page(company: Company, user: str, path: str, lang: str = "en") -> str:
    client = browser_login(company.server, user)
    client.headers["Cookie"] += f"; revintel_lang={lang}"
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    return response.text


def _accounts(html: str) -> set[str]:
    return set(re.findall(r'data-account="([^"]+)"', html))


def test_admin_sees_every_customer_sorted_by_customer_value(company: Company) -> None:
    html = _page(company, "admin", "/customers?sort=clv&show=100")
    shown = _accounts(html)
    assert shown == company.customers and len(shown) > 20
    assert 'id="customers-churn-missing"' in html  # no churn model trained here
    assert 'id="chart-customers-calibration"' in html
    assert 'id="nav-customers"' in html


def test_a_rep_sees_only_own_accounts(company: Company) -> None:
    html = _page(company, "rep", "/customers?sort=clv&show=100")
    shown = _accounts(html)
    own = {a for a in company.customers if company.owners[a] == company.rep_id}
    assert shown == own and 0 < len(shown) < len(company.customers)


def test_german_page_uses_german_texts_and_formats(company: Company) -> None:
    html = _page(company, "admin", "/customers?sort=clv", lang="de")
    assert "<h1>Kunden</h1>" in html and "Kundenwert (12 Mon.)" in html
    assert re.search(r"\d{2}\.\d{2}\.\d{4}", html)  # dd.mm.yyyy
    assert re.search(r"\d{1,3}(\.\d{3})*,\d{2}\s€", html)  # 1.234,56 €
    english = [MESSAGES[k][1] for k in MESSAGES if k.startswith("customers.")]
    assert [e for e in english if len(e) > 12 and e in html] == []


def test_account_page_shows_its_row_and_products_and_refuses_other_reps(company: Company) -> None:
    own = sorted(a for a in company.customers if company.owners[a] == company.rep_id)[0]
    other = sorted(a for a in company.customers if company.owners[a] != company.rep_id)[0]
    html = _page(company, "rep", f"/customers/{own}")
    assert 'id="customer-p-alive"' in html and 'id="customer-clv"' in html
    assert html.count("<tr>") >= 2  # next-best products
    client = browser_login(company.server, "rep")
    assert client.get(f"/customers/{other}").status_code == 403  # as for other records
    assert client.get("/customers/NO-SUCH-ACCOUNT").status_code == 404


def test_pages_redirect_anonymous_visitors(company: Company) -> None:
    response = httpx.get(company.server.url + "/customers", follow_redirects=False, timeout=60)
    assert response.status_code == 303


def test_the_page_is_computed_ahead_at_start(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    build_company(db)
    app = create_app(Settings(db=str(db), secret_key=SecretStr(SECRET), cookie_secure=False))
    state = app.state.revintel
    for _ in serve_in_thread(app):
        assert state.wait_warm(120)
        kept = {key[0] for key in state.cache._entries}
        assert {"fit_customer_models", "crosssell_table", "calibration_table"} <= kept
