"""The Pricing page and the deal page's guidance on a small generated company: the figures equal
the domain functions' (formatted in German and English), downloads, a rep's own deals, the page
without a price model, and the deal page answering as the guidance API does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from revintel.auth import Role, User
from revintel.i18n import LANGUAGES, Translator
from revintel.pricing._leakage import discount_outliers, leakage
from revintel.pricing._price_model import load_price_model
from revintel.pricing._waterfall import waterfall
from revintel.server import Settings, create_app
from revintel.store import open_store
from revintel.views._pricing import PricingFilter, pricing_waterfall
from revintel.views._pricing_frames import open_positions, placed_deals, pricing_response
from tests.web.attribution_company import Company, english_leftovers
from tests.web.conftest import SECRET
from tests.web.pricing_company import bearer, serve_pricing

PAGE = "/pricing"
EXPORT = f"{PAGE}/export"
ADMIN = User("admin", "admin", Role.admin)
GERMAN_KEYS = ("pricing.page", "pricing.col", "pricing.step", "pricing.group", "pricing.position")


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    yield from serve_pricing(tmp_path_factory)


def _rows(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table id="table-{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no table {table}"
    return [
        [unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def _text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert found, f"no element {element_id}"
    return unescape(found.group(1)).strip()


def test_the_waterfall_equals_the_domain_function_and_reconciles(company: Company) -> None:
    with open_store(company.db) as store:
        expected = waterfall(store).set_index("step")["amount"]
    assert expected["list"] > 1e6 and expected["pocket_margin"] > 0
    for lang in LANGUAGES:
        t = Translator(lang)
        rows = _rows(company.page(PAGE, lang), "waterfall")
        assert [r[0] for r in rows] == [t(f"pricing.step.{s}") for s in expected.index]
        assert [r[1] for r in rows] == [t.money(v) for v in expected]
        assert rows[0][2] == t.percent(1.0, 1)
    # List − on-invoice discount = invoice; invoice − off-invoice items = pocket; − cost = margin.
    off = expected[["rebate", "freight", "payment_terms", "bonus", "other"]].sum()
    assert expected["list"] - expected["on_invoice"] == pytest.approx(expected["invoice"], abs=0.01)
    assert expected["invoice"] - off == pytest.approx(expected["pocket"], abs=0.01)
    assert expected["pocket"] - expected["cost"] == pytest.approx(
        expected["pocket_margin"], abs=0.01
    )
    html = company.page(PAGE)
    assert 'id="chart-pricing-waterfall"' in html and "&#34;type&#34;: &#34;waterfall&#34;" in html


def test_filters_narrow_the_waterfall(company: Company) -> None:
    with open_store(company.db) as store:
        chosen = waterfall(store, where={"segment": "Mittelstand", "year": "2023-01-01"})
        view = pricing_waterfall(store, ADMIN, PricingFilter("Mittelstand", None, "2023"))
    assert view.lines == int(chosen["lines"].iloc[0]) > 10
    html = company.page(f"{PAGE}?segment=Mittelstand&period=2023")
    t = Translator("en")
    assert _rows(html, "waterfall")[0][1] == t.money(float(chosen["amount"].iloc[0]))
    assert _text(html, "pricing-waterfall-note").count(t.number(view.lines)) == 1
    # An unknown year or segment counts as none, and so does an empty choice of the form.
    assert _rows(company.page(f"{PAGE}?segment=&family=&period=&band=&deal="), "waterfall")
    assert _rows(company.page(f"{PAGE}?period=1066&segment=nothing"), "waterfall") == _rows(
        company.page(PAGE), "waterfall"
    )


def test_bands_and_the_price_response_are_the_stored_models(company: Company) -> None:
    with open_store(company.db) as store:
        model = load_price_model(store)
        assert model is not None
        bands = model.bands.table
        band = str(bands.sort_values("won_deals", ascending=False)["band_id"].iloc[0])
        curve = pricing_response(store, ADMIN, band)
    assert curve is not None and len(bands) >= 2
    for lang in LANGUAGES:
        t = Translator(lang)
        html = company.page(PAGE, lang)
        rows = _rows(html, "bands")
        assert [r[0] for r in rows] == list(bands["band_id"])
        first = bands.iloc[0]
        assert rows[0][2:6] == [
            t.percent(first["floor"], 1),
            t.percent(first["target"], 1),
            t.percent(first["stretch"], 1),
            t.number(first["won_deals"]),
        ]
        assert all(int(r[5].replace(".", "").replace(",", "")) >= 15 for r in rows)
        assert _text(html, "pricing-optimum") == t("pricing.page.optimum").format(
            price=t.percent(curve.optimum_ratio, 1),
            win=t.percent(curve.optimum_win, 1),
            margin=t.money(curve.optimum_margin),
        )
        auc = next(r["auc"] for r in model.evaluation["test"] if r["chosen"])
        assert t.number(auc, 3) in _text(html, "pricing-evaluation")
    assert f'id="chart-pricing-band-{band}"' in html and 'id="chart-pricing-response"' in html
    assert len(_rows(html, "response")) == len(curve.curve) == 41
    assert (bands["floor"] <= bands["target"]).all() and (bands["target"] <= bands["stretch"]).all()


def test_the_curve_of_an_open_deal_marks_its_current_price(company: Company) -> None:
    with open_store(company.db) as store:
        positions = open_positions(placed_deals(store, ADMIN))
        deal = positions.iloc[0]
        curve = pricing_response(store, ADMIN, deal["band_id"], deal["opportunity_id"])
    assert curve is not None and curve.current_ratio == pytest.approx(deal["price_ratio"])
    html = company.page(f"{PAGE}?band={deal['band_id']}&deal={deal['opportunity_id']}")
    assert deal["opportunity_id"] in _text(html, "pricing-response-for")
    assert "&#34;current&#34;" in html  # the mark of the current price
    refused = company.page(f"{PAGE}?band={deal['band_id']}&deal=O-nothing")
    assert "O-nothing" in _text(refused, "pricing-response-none")


def test_leakage_tables_equal_the_domain_functions(company: Company) -> None:
    t = Translator("de")
    with open_store(company.db) as store:
        by_rep = leakage(store, "rep")
        outliers = discount_outliers(store, "account")
    html = company.page(PAGE, "de")
    rows = _rows(html, "leakage-rep")
    assert [r[0] for r in rows] == list(by_rep["rep"])
    assert [r[5] for r in rows] == [t.money(v) for v in by_rep["leakage"]]
    assert [r[6] for r in rows] == [t.percent(v, 1) for v in by_rep["leakage_share"]]
    shown = _rows(html, "outliers-account")
    assert len(outliers) > 0 and [r[0] for r in shown] == list(outliers["account"])
    assert shown[0][6] == t.number(outliers["excess_points"].iloc[0], 1)


def test_the_german_page_speaks_german(company: Company) -> None:
    html = company.page(PAGE, "de")
    assert "<h1>Preise</h1>" in html and "Preiswasserfall" in html and "Preisbänder" in html
    assert re.search(r"\d{1,3}(\.\d{3})+,\d{2}\xa0€", html)  # 1.234,56 €
    assert re.search(r"angepasst am \d{2}\.\d{2}\.\d{4}", html)
    assert english_leftovers(html, (*GERMAN_KEYS, "nav.", "filter.")) == []
    assert english_leftovers(company.page(PAGE, "en"), GERMAN_KEYS)  # the check can fail
    assert 'id="nav-pricing"' in html


def test_every_table_downloads_as_csv_and_excel(company: Company) -> None:
    waterfall_csv = company.csv_rows(f"{EXPORT}?table=waterfall&format=csv", "de")
    assert waterfall_csv[0] == ["Stufe", "Betrag", "Anteil am Listenpreis"]
    assert waterfall_csv[1][0] == "Listenpreis" and waterfall_csv[1][2] == "1,0000"
    assert re.fullmatch(r"\d+,\d{2}", waterfall_csv[1][1])
    rep_rows = company.csv_rows(f"{EXPORT}?table=leakage-rep&format=csv", "en")
    assert rep_rows[0][:3] == ["Sales rep", "Lines", "List revenue"]
    bands = company.csv_rows(f"{EXPORT}?table=bands&format=csv", "en")
    assert bands[0] == ["Price band", "Segment of comparable deals", "Floor", "Target",
                        "Stretch", "Won deals", "Closed deals"]  # fmt: skip
    positions = company.csv_rows(f"{EXPORT}?table=positions&format=csv", "en")
    with open_store(company.db) as store:
        assert len(positions) == len(open_positions(placed_deals(store, ADMIN))) + 1
    book = company.xlsx_rows(f"{EXPORT}?table=outliers-rep&format=xlsx")
    assert book[0][:3] == ["Sales rep", "Name", "Deals compared"]
    assert company.get(f"{EXPORT}?table=nothing").status_code == 404


def test_a_rep_sees_own_deals_and_lines_but_the_companys_bands(company: Company) -> None:
    rep = User("rep", "rep", Role.sales_rep, rep_id=company.rep_id)
    with open_store(company.db) as store:
        own = pricing_waterfall(store, rep, PricingFilter())
        every = pricing_waterfall(store, ADMIN, PricingFilter())
        positions = open_positions(placed_deals(store, rep))
    assert 0 < own.lines < every.lines
    html = company.page(PAGE, "en", user="rep")
    assert _text(html, "pricing-scope") == Translator("en")("pricing.page.scope_rep")
    assert _rows(html, "waterfall")[0][1] == Translator("en").money(
        float(own.steps["amount"].iloc[0])
    )
    shown = _rows(html, "positions")
    assert len(positions) > 0 and {r[2] for r in shown} == {company.rep_id}
    assert {r[0] for r in _rows(html, "leakage-rep")} == {company.rep_id}
    assert _rows(html, "bands") == _rows(company.page(PAGE, "en"), "bands")


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    yield from serve_pricing(tmp_path_factory, fitted=False)


def test_without_a_model_the_page_says_how_to_fit_one(bare: Company) -> None:
    html = bare.page(PAGE, "de")
    assert "revintel pricing fit" in _text(html, "pricing-no-model")
    assert 'id="table-bands"' not in html and len(_rows(html, "waterfall")) == 11
    assert bare.get(f"{EXPORT}?table=bands&format=csv").status_code == 404
    deal = re.search(r'href="/deals/([^"]+)"', bare.page("/deals?status=open"))
    assert deal, "no open deal listed"
    html = bare.page(f"/deals/{deal.group(1)}", "de")
    assert _text(html, "guidance-none") == Translator("de")("pricing.guidance.none").format(
        reason=Translator("de")("pricing.guidance.no_model")
    )


def test_the_deal_page_shows_the_guidance_apis_numbers(company: Company) -> None:
    with open_store(company.db) as store:
        positions = open_positions(
            placed_deals(store, User("rep", "rep", Role.sales_rep, rep_id=company.rep_id))
        )
    deal = str(positions["opportunity_id"].iloc[0])
    response = company.client.post(
        "/api/v1/pricing/guidance", json={"opportunity_id": deal}, headers=bearer(company.db, "rep")
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    for lang in LANGUAGES:
        t = Translator(lang)
        html = company.page(f"/deals/{deal}", lang, user="rep")
        current = _text(html, "guidance-current")
        assert t.money(answer["current_price"]) in current
        assert t.percent(answer["win_probability_current"]) in current
        assert t.money(answer["expected_margin_current"]) in current
        recommended = _text(html, "guidance-recommended")
        assert t.money(answer["recommended_price"]) in recommended
        assert t.percent(answer["win_probability_recommended"]) in recommended
        assert t.money(answer["expected_margin_recommended"]) in recommended
        assert _text(html, "guidance-at-stake") == t.money(answer["margin_at_stake"])
        assert _text(html, "guidance-approval") == t(f"pricing.approval.{answer['approval']}")
        assert t.money(answer["floor"]) in _text(html, "guidance-band")
    linked = re.findall(r'<a href="/deals/([^"]+)">', html.split('id="guidance-comparable"')[1])
    compared = answer["comparable_deals"]
    assert linked[:10] == [c["opportunity_id"] for c in compared["won"] + compared["lost"]]
    assert 'id="guidance-bar-recommended_price"' in html


def test_the_page_is_computed_ahead_at_start(company: Company) -> None:
    settings = Settings(db=str(company.db), secret_key=SecretStr(SECRET), cookie_secure=False)
    app = create_app(settings)
    state = app.state.revintel
    with TestClient(app):
        assert state.wait_warm(300)
        kept = {key[0] for key in state.cache._entries}
    assert {"pricing_waterfall", "pricing_bands", "pricing_response", "placed_deals"} <= kept
