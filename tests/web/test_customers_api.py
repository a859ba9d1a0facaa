"""``/api/v1/customers`` and ``/api/v1/crosssell``: the domain's numbers, pages, access."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import LiveServer, browser_login
from tests.web.customers_company import AS_OF, HORIZON_DAYS, TOP, Company, serve_company


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    yield from serve_company(tmp_path_factory)


def _all_items(company: Company, user: str, path: str, **params: Any) -> list[dict[str, Any]]:
    client = company.server.client(user)
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 7, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            assert body["total"] == len(items)
            return items


def test_customers_equal_the_domain_numbers_across_pages(company: Company) -> None:
    params = {"as_of": AS_OF.isoformat(), "horizon_days": HORIZON_DAYS, "sort": "clv"}
    items = _all_items(company, "admin", "/api/v1/customers", **params)
    expected = company.expected.set_index("account_id")
    assert [i["account_id"] for i in items] == list(
        expected.sort_values(["clv", "account_id"], ascending=[False, True]).index
    )
    first = items[0]
    row = expected.loc[first["account_id"]]
    assert first["p_alive"] == pytest.approx(row["p_alive"])
    assert first["expected_orders"] == pytest.approx(row["expected_orders"])
    assert first["clv"] == pytest.approx(row["clv"])
    assert first["churn_risk"] is None and first["value_at_stake"] is None
    assert all(0 <= i["p_alive"] <= 1 and 0 <= i["p_no_order"] <= 1 for i in items)


def test_list_says_how_to_get_churn_risks_and_etag_is_honoured(company: Company) -> None:
    client = company.server.client("admin")
    response = client.get("/api/v1/customers", params={"lang": "de"})
    body = response.json()
    assert "revintel score train accounts" in body["churn_note"]
    assert body["churn_note"].startswith("Noch kein Abwanderungsmodell")
    again = client.get("/api/v1/customers", params={"lang": "de"}, headers={
        "If-None-Match": response.headers["ETag"]
    })  # fmt: skip
    assert again.status_code == 304


def test_a_rep_sees_own_customers_and_is_refused_others(company: Company) -> None:
    items = _all_items(company, "rep", "/api/v1/customers")
    own = {a for a in company.customers if company.owners[a] == company.rep_id}
    assert {i["account_id"] for i in items} == own
    other = sorted(a for a in company.customers if company.owners[a] != company.rep_id)[0]
    client = company.server.client("rep")
    assert client.get(f"/api/v1/customers/{other}").status_code == 403
    assert client.get("/api/v1/customers/NO-SUCH").status_code == 404
    products = _all_items(company, "rep", "/api/v1/crosssell", top=2)
    assert {p["account_id"] for p in products} <= own


def test_customer_detail_has_its_row_and_next_best_products(company: Company) -> None:
    account = sorted(company.customers)[0]
    body = (
        company.server.client("admin")
        .get(f"/api/v1/customers/{account}", params={"top": 3, "lang": "de"})
        .json()
    )
    assert body["account_id"] == account and len(body["products"]) == 3
    assert [p["rank"] for p in body["products"]] == [1, 2, 3]
    assert body["products"][0]["reason"].startswith(("Kunden, die", "Eines der"))


def test_crosssell_equals_the_domain_and_filters_one_account(company: Company) -> None:
    items = _all_items(company, "admin", "/api/v1/crosssell", as_of=AS_OF.isoformat(), top=TOP)
    expected = company.products
    assert len(items) == len(expected)
    assert [(i["account_id"], i["product_id"]) for i in items] == list(
        zip(expected["account_id"], expected["product_id"], strict=True)
    )
    account = items[0]["account_id"]
    one = (
        company.server.client("admin")
        .get(
            "/api/v1/crosssell",
            params={"as_of": AS_OF.isoformat(), "top": TOP, "account_id": account},
        )
        .json()
    )
    assert {i["account_id"] for i in one["items"]} == {account} and one["total"] == TOP


def test_parameters_are_checked(company: Company) -> None:
    client = company.server.client("admin")
    assert client.get("/api/v1/customers", params={"horizon_days": 0}).status_code == 422
    assert client.get("/api/v1/customers", params={"sort": "name"}).status_code == 422
    assert client.get("/api/v1/customers", params={"as_of": "30.06.2024"}).status_code == 422
    assert client.get("/api/v1/customers", params={"as_of": "0"}).status_code == 422
    assert client.get("/api/v1/crosssell", params={"top": 51}).status_code == 422
    far = client.get("/api/v1/crosssell", params={"as_of": "9999-12-31"})
    assert far.status_code == 400 and far.json()["error"]["field"] == "as_of"


def test_a_store_without_orders_answers_empty_lists(live_server: LiveServer) -> None:
    client = live_server.client("admin")
    body = client.get("/api/v1/customers").json()
    assert body == {"items": [], "total": 0, "limit": 50, "next_cursor": None, "as_of": None,
                    "churn_note": None}  # fmt: skip
    assert client.get("/api/v1/crosssell").json()["items"] == []
    assert client.get("/api/v1/customers/A1").status_code == 404
    browser = browser_login(live_server, "admin")
    page = browser.get("/customers")
    assert page.status_code == 200 and 'id="customers-none"' in page.text
    account = browser.get("/customers/A1")  # linked from the deal page
    assert account.status_code == 200 and 'id="customer-none"' in account.text


def test_an_as_of_day_with_too_few_customers_is_refused(company: Company) -> None:
    first_day = min(company.expected["first_order_at"]).isoformat()
    client = company.server.client("admin")
    response = client.get("/api/v1/customers", params={"as_of": first_day})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "as_of" and "needs at least 10" in error["message"]
    before = client.get("/api/v1/customers", params={"as_of": "2019-01-01"}).json()
    assert before["items"] == [] and before["as_of"] == "2019-01-01"
