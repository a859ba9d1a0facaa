"""``/api/v1/pricing`` analytics: the waterfall, bands, positions, leakage and price response equal
the domain functions, a rep gets their own deals and lines, refusals name the field, and the
endpoints keep their OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from pydantic import SecretStr

from revintel.pricing._bands import band_positions
from revintel.pricing._deals import deal_frame
from revintel.pricing._leakage import leakage
from revintel.pricing._price_model import load_price_model
from revintel.pricing._waterfall import waterfall
from revintel.server import Settings, create_app
from revintel.store import open_store
from tests.web.attribution_company import Company
from tests.web.conftest import SECRET, serve_in_thread
from tests.web.pricing_company import bearer, pricing_store, serve_pricing
from tests.web.test_schemathesis import RoleTokens, run_contract

API = "/api/v1/pricing"
ANALYTICS = ("waterfall", "bands", "positions", "leakage", "response")


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    yield from serve_pricing(tmp_path_factory)


def _get(company: Company, path: str, user: str = "admin", **params: object) -> dict:
    response = company.client.get(f"{API}/{path}", params=params, headers=bearer(company.db, user))
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def test_the_waterfall_equals_the_domain_function(company: Company) -> None:
    with open_store(company.db) as store:
        total = waterfall(store)
        by_segment = waterfall(store, by="segment", where={"year": "2023-01-01"})
    body = _get(company, "waterfall")
    assert body["by"] is None and body["currency"] == "EUR" and len(body["groups"]) == 1
    steps = body["groups"][0]["steps"]
    assert [s["step"] for s in steps] == list(total["step"])
    assert [s["amount"] for s in steps] == pytest.approx(list(total["amount"]))
    grouped = _get(company, "waterfall", by="segment", year=2023)
    assert [g["group"] for g in grouped["groups"]] == list(dict.fromkeys(by_segment["segment"]))
    first = grouped["groups"][0]
    assert first["lines"] == by_segment["lines"].iloc[0] > 0
    assert first["steps"][-1]["amount"] == pytest.approx(by_segment["amount"].iloc[10])


def test_bands_are_the_stored_models_and_the_same_for_a_rep(company: Company) -> None:
    with open_store(company.db) as store:
        model = load_price_model(store)
    assert model is not None
    body = _get(company, "bands")
    assert body["fit_id"] == model.fit_id
    assert [b["band_id"] for b in body["bands"]] == list(model.bands.table["band_id"])
    assert [b["floor"] for b in body["bands"]] == pytest.approx(list(model.bands.table["floor"]))
    assert all(b["floor"] <= b["target"] <= b["stretch"] and b["won_deals"] >= 15
               for b in body["bands"])  # fmt: skip
    assert {r["model"] for r in body["evaluation"]["test"]} >= {"discount_blind"}
    assert _get(company, "bands", "rep") == body


def test_positions_are_the_callers_open_deals_in_their_bands(company: Company) -> None:
    with open_store(company.db) as store:
        model = load_price_model(store)
        assert model is not None
        deals = deal_frame(store)
        expected = band_positions(deals, model.bands)[deals["status"].to_numpy() == "open"]
    every = _get(company, "positions")["deals"]
    assert {d["opportunity_id"] for d in every} == set(expected["opportunity_id"])
    one = next(d for d in every if d["opportunity_id"] == expected["opportunity_id"].iloc[0])
    assert one["position"] == expected["position"].iloc[0]
    assert one["price_ratio"] == pytest.approx(expected["price_ratio"].iloc[0])
    own = _get(company, "positions", "rep")["deals"]
    assert 0 < len(own) < len(every) and {d["rep_id"] for d in own} == {company.rep_id}


def test_leakage_equals_the_domain_function_and_a_rep_gets_their_own(company: Company) -> None:
    with open_store(company.db) as store:
        expected = leakage(store, "family").set_index("family")
    body = _get(company, "leakage", by="family")
    found = {g["group"]: g for g in body["groups"]}
    assert set(found) == set(expected.index)
    for family, row in expected.iterrows():
        assert found[family]["leakage"] == pytest.approx(row["leakage"])
        assert found[family]["leakage_rate"] == pytest.approx(row["leakage_share"])
        assert found[family]["pocket_margin_rate"] == pytest.approx(row["pocket_margin_rate"])
    assert body["outliers"]["account"] and body["outliers"]["rep"]
    own = _get(company, "leakage", "rep", by="rep")
    assert [g["group"] for g in own["groups"]] == [company.rep_id]
    assert own["outliers"]["rep"] == []


def test_the_response_is_monotone_with_its_optimum(company: Company) -> None:
    body = _get(company, "response")
    curve = body["curve"]
    assert len(curve) == 41 and body["opportunity_id"] is None
    price = np.array([p["price_ratio"] for p in curve])
    win = np.array([p["win_probability"] for p in curve])
    order = np.argsort(price)
    # A higher price never wins more often (the model is monotone in price).
    assert np.all(np.diff(win[order]) <= 1e-9)
    # The optimum is sought inside the band (the grid points covering stretch … floor).
    band = next(b for b in _get(company, "bands")["bands"] if b["band_id"] == body["band_id"])
    step = 0.01 + 1e-9
    inside = [
        p for p in curve if band["floor"] - step <= p["price_ratio"] <= band["stretch"] + step
    ]
    margins = [p["expected_margin"] for p in inside]
    assert body["optimum_expected_margin"] == pytest.approx(max(margins))
    best = inside[int(np.argmax(margins))]
    assert body["optimum_price_ratio"] == pytest.approx(best["price_ratio"])
    assert band["floor"] - step <= body["optimum_price_ratio"] <= band["stretch"] + step
    assert all(p["lower"] <= p["win_probability"] <= p["upper"] for p in curve)
    deal = _get(company, "positions", "rep")["deals"][0]
    mine = _get(company, "response", "rep", band_id=deal["band_id"],
                opportunity_id=deal["opportunity_id"])  # fmt: skip
    assert mine["current_price_ratio"] == pytest.approx(deal["price_ratio"])


def test_refusals_name_the_field(company: Company) -> None:
    headers = bearer(company.db, "admin")
    unknown = company.client.get(f"{API}/response", params={"band_id": "B99"}, headers=headers)
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "band_id"
    others = _get(company, "positions")["deals"]
    foreign = next(d for d in others if d["rep_id"] != company.rep_id)
    params = {"band_id": foreign["band_id"], "opportunity_id": foreign["opportunity_id"]}
    hidden = company.client.get(f"{API}/response", params=params, headers=bearer(company.db, "rep"))
    assert hidden.status_code == 404 and hidden.json()["error"]["field"] == "opportunity_id"
    bad = company.client.get(f"{API}/leakage", params={"by": "planet"}, headers=headers)
    assert bad.status_code == 422


def test_without_a_model_bands_answer_409(tmp_path_factory: pytest.TempPathFactory) -> None:
    for bare in serve_pricing(tmp_path_factory, fitted=False):
        for path in ("bands", "positions", "response"):
            answer = bare.client.get(f"{API}/{path}", headers=bearer(bare.db, "admin"))
            assert answer.status_code == 409, path
        assert _get(bare, "waterfall")["groups"][0]["lines"] > 0


@pytest.mark.slow
def test_the_analytics_endpoints_keep_their_document(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    db = pricing_store(tmp_path_factory)
    app = create_app(Settings(db=str(db), secret_key=SecretStr(SECRET), default_language="en"))
    users = {"admin": "admin", "manager": "manager", "sales_rep": "rep"}
    for url in serve_in_thread(app):
        tokens = RoleTokens(app.state.revintel, users)
        for name in ANALYTICS:
            outcome = run_contract(
                url, ("examples", "coverage", "fuzzing"), tokens=tokens, path=f"{API}/{name}",
                max_examples=4, max_seconds=8,
            )  # fmt: skip
            assert not outcome.findings and not outcome.errors, outcome.report()
            assert sum(outcome.scenarios.values()) > 0, name
