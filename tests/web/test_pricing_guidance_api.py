"""``/api/v1/pricing``: guidance with the library's numbers, a rep's own deals only, drafts,
404 / 400 / 409, fitting and the model in use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from revintel.auth import add_user, create_token
from revintel.pricing._drafts import open_deal
from revintel.pricing._guidance import guidance
from revintel.pricing._price_model import load_price_model
from revintel.server import Settings
from revintel.store import open_store, store_currency
from tests.pricing.fitted import copy_store, fitted_small_store
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import PASSWORD

PATH = "/api/v1/pricing"


def _with_users(db: Path) -> dict[str, str]:
    """Add an admin, a manager ``chef`` and one sales rep per rep id; their API tokens."""
    with open_store(db) as store:
        reps = sorted(store.table("reps").rep_id.to_pyarrow().to_pylist())
        users = {"admin": ("admin", None), "chef": ("manager", None)}
        users |= {rep.lower(): ("sales_rep", rep) for rep in reps}
        tokens = {}
        for name, (role, rep) in users.items():
            add_user(store, name, PASSWORD, role, rep_id=rep)
            tokens[name] = create_token(store, name, "tests")[0]
    return tokens


def _serve(db: Path) -> Iterator[LiveServer]:
    tokens = _with_users(db)
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    fitted = fitted_small_store(tmp_path_factory)
    yield from _serve(copy_store(fitted, tmp_path_factory.mktemp("pricing-api")))


@pytest.fixture(scope="module")
def open_deals(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    """Open deals of the served company, read from the unserved original (the server holds
    its copy's lock)."""
    with open_store(fitted_small_store(tmp_path_factory), read_only=True) as store:
        o = store.table("opportunities")
        rows = (
            o.filter((o.status == "open") & (o.list_price > 0))
            .select("opportunity_id", "rep_id", "account_id")
            .order_by("opportunity_id")
            .to_pyarrow()
            .to_pylist()
        )
    return rows


def test_guidance_answers_the_library_numbers(server: LiveServer, open_deals: list) -> None:
    oid = open_deals[0]["opportunity_id"]
    response = server.client("chef").post(f"{PATH}/guidance", json={"opportunity_id": oid})
    assert response.status_code == 200, response.text
    body = response.json()
    # the library on a second connection would conflict with the server's lock: read first
    expected = _library_answer(server, oid)
    assert {k: body[k] for k in expected} == expected
    assert body["draft"] is None and body["opportunity_id"] == oid
    again = server.client("admin").post(f"{PATH}/guidance", json={"opportunity_id": oid})
    assert again.json() == body


def _library_answer(server: LiveServer, opportunity_id: str) -> dict:
    answers = _LIBRARY.get(opportunity_id)
    assert answers is not None, "computed before serving"
    return answers


_LIBRARY: dict[str, dict] = {}
_PRODUCTS: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def library_answers(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The library's guidance for a few open deals, read from the fitted store (unserved)."""
    fitted = fitted_small_store(tmp_path_factory)
    with open_store(fitted, read_only=True) as store:
        model = load_price_model(store)
        assert model is not None
        o = store.table("opportunities")
        ids = (
            o.filter((o.status == "open") & (o.list_price > 0))
            .order_by("opportunity_id")
            .limit(3)
            .opportunity_id.to_pyarrow()
            .to_pylist()
        )
        for oid in ids:
            _LIBRARY[oid] = guidance(model, open_deal(store, oid), store_currency(store))
        _PRODUCTS.extend(store.table("products").product_id.to_pyarrow().to_pylist())


def test_a_rep_gets_own_deals_and_403_for_others(server: LiveServer, open_deals: list) -> None:
    deal = open_deals[0]
    owner = deal["rep_id"].lower()
    other = next(u for u in server.tokens if u not in ("admin", "chef", owner))
    body = {"opportunity_id": deal["opportunity_id"]}
    assert server.client(owner).post(f"{PATH}/guidance", json=body).status_code == 200
    denied = server.client(other).post(f"{PATH}/guidance", json=body)
    assert denied.status_code == 403, denied.text
    draft = {"account_id": deal["account_id"], "products": [{"product_id": "P001", "quantity": 1}]}
    assert server.client(other).post(f"{PATH}/guidance", json=draft).status_code in (403, 404)


def test_drafts_and_bad_requests(server: LiveServer, open_deals: list) -> None:
    client = server.client("chef")
    product = _PRODUCTS[0]
    draft = {
        "account_id": open_deals[0]["account_id"],
        "products": [{"product_id": product, "quantity": 2}],
        "discount": 0.12,
    }
    response = client.post(f"{PATH}/guidance", json=draft)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["draft"] is True and body["current_discount"] == 0.12
    assert body["current_price"] == pytest.approx(body["list_price"] * 0.88, abs=0.01)
    assert len(body["comparable_deals"]["won"]) == 5
    both = client.post(f"{PATH}/guidance", json=draft | {"amount": 1000})
    assert both.status_code == 400 and "not both" in both.text
    unknown = client.post(f"{PATH}/guidance", json={"opportunity_id": "O-none"})
    assert unknown.status_code == 404
    no_product = client.post(
        f"{PATH}/guidance", json=draft | {"products": [{"product_id": "NOPE", "quantity": 1}]}
    )
    assert no_product.status_code == 404 and "NOPE" in no_product.text
    assert client.post(f"{PATH}/guidance", json={"opportunity_id": "x", "y": 1}).status_code == 422


def test_model_in_use(server: LiveServer) -> None:
    response = server.client("admin").get(f"{PATH}/model")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["fit_id"].startswith("PF") and body["algorithm"] in (
        "logistic",
        "lightgbm_monotone",
    )
    assert len(body["bands"]) >= 2
    assert all(b["floor"] <= b["target"] <= b["stretch"] for b in body["bands"])


def test_no_model_is_409_until_fitted(tmp_path_factory: pytest.TempPathFactory) -> None:
    fitted = fitted_small_store(tmp_path_factory)
    db = copy_store(fitted, tmp_path_factory.mktemp("pricing-api-unfitted"))
    with open_store(db) as store:
        store.truncate("price_models")
    for server in _serve(db):
        chef = server.client("chef")
        body = {"opportunity_id": "O0000001"}
        missing = chef.post(f"{PATH}/guidance", json=body)
        assert missing.status_code == 409 and "revintel pricing fit" in missing.text
        assert chef.get(f"{PATH}/model").status_code == 409
        rep = next(u for u in server.tokens if u not in ("admin", "chef"))
        assert server.client(rep).post(f"{PATH}/fit", json={}).status_code == 403
        fitted_now = chef.post(f"{PATH}/fit", json={"min_won": 30}, timeout=300)
        assert fitted_now.status_code == 200, fitted_now.text
        assert chef.get(f"{PATH}/model").json()["fit_id"] == fitted_now.json()["fit_id"]
