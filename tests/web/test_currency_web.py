"""The store currency on the API, dashboard and report; a refusal answers 400 or shows in place."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from revintel.auth import add_user, create_token
from revintel.report import collect_report, render_html_report
from revintel.server import Settings
from revintel.store import open_store, set_store_currency
from tests.metrics.test_currency import RATES, _expected_gross, _orders_store
from tests.web.conftest import SECRET, LiveServer, browser_login, serve_in_thread
from tests.web.stores import PASSWORD, build_store


@pytest.fixture
def orders_server(tmp_path: Path) -> Iterator[LiveServer]:
    db = tmp_path / "orders.duckdb"
    tokens: dict[str, str] = {}
    with _orders_store(db) as store:
        for name, role in (("admin", "admin"), ("chef", "manager"), ("marie", "marketing")):
            add_user(store, name, PASSWORD, role)
            tokens[name] = create_token(store, name, "tests")[0]
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en")
    for url in serve_in_thread(settings):
        yield LiveServer(url, db, tokens)


def test_api_refuses_then_converts_after_an_upload(orders_server: LiveServer) -> None:
    chef = orders_server.client("chef")
    params = {"kpi": "gross_revenue", "grain": "month"}
    refused = chef.get("/api/v1/kpis/values", params=params)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == (
        "amounts in GBP from 10.01.2024 to 12.03.2024 and in USD from 05.03.2024 have no "
        "exchange rate; import rates with revintel fx import"
    )
    upload = {"file": ("kurse.csv", RATES.encode(), "text/csv")}
    assert orders_server.client("marie").post("/api/v1/fx-rates", files=upload).status_code == 403
    assert orders_server.client("marie").get("/api/v1/fx-rates").status_code == 403
    loaded = chef.post("/api/v1/fx-rates", files=upload)
    assert loaded.status_code == 201, loaded.text
    body = loaded.json()
    assert (body["rows_read"], body["rows_accepted"], body["rows_rejected"]) == (4, 4, 0)
    assert body["store_currency"] == "EUR"
    listed = orders_server.client("admin").get("/api/v1/fx-rates").json()["items"]
    assert [(r["currency"], r["valid_from"], r["rate"]) for r in listed][:2] == [
        ("GBP", "2024-01-01", 1.17),
        ("GBP", "2024-02-01", 1.16),
    ]
    values = chef.get("/api/v1/kpis/values", params=params)
    assert values.status_code == 200, values.text
    found = [r["value"] for r in values.json() if str(r["period"]).startswith("2024")]
    assert found == pytest.approx(list(_expected_gross(RATES).to_numpy()))
    assert chef.get("/api/v1/store").json()["currency"] == "EUR"
    bad = {"file": ("bad.csv", b"currency;valid_from;rate\nGBP;2024-01-01;zwei\n", "text/csv")}
    refused_file = chef.post("/api/v1/fx-rates", files=bad)
    assert refused_file.status_code == 400
    assert "row 2: column rate: not a positive number" in refused_file.json()["error"]["message"]


def _hand_store(db: Path, currency: str, deal_currency: str) -> dict[str, str]:
    tokens = build_store(db)
    with open_store(db) as store:
        set_store_currency(store, currency, force=True)
        store.execute_sql(f"UPDATE opportunities SET currency = '{deal_currency}'")
    return tokens


def test_a_chf_store_shows_chf_on_the_dashboard_and_in_the_report(tmp_path: Path) -> None:
    db = tmp_path / "chf.duckdb"
    tokens = _hand_store(db, "CHF", "CHF")
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en")
    for url in serve_in_thread(settings):
        server = LiveServer(url, db, tokens)
        browser = browser_login(server, "admin")
        overview = browser.get("/")
        assert overview.status_code == 200
        assert "CHF" in overview.text and "€" not in overview.text
        forecast = browser.get("/forecast")
        assert "CHF" in forecast.text and "€" not in forecast.text
        assert "Order intake (CHF)" in forecast.text
        html = server.client("admin").get("/api/v1/report", params={"format": "html"})
        assert "CHF" in html.text and "€" not in html.text
        xlsx = server.client("admin").get("/api/v1/report", params={"format": "xlsx"})
        styles = zipfile.ZipFile(io.BytesIO(xlsx.content)).read("xl/styles.xml").decode()
        assert "[$CHF]" in styles and "€" not in styles
    with open_store(db, read_only=True) as store:
        german = render_html_report(collect_report(store, language="de", simulations=200))
    assert "CHF" in german and "€" not in german


def test_the_dashboard_shows_the_refusal_in_place_of_the_figures(tmp_path: Path) -> None:
    db = tmp_path / "gbp.duckdb"
    tokens = _hand_store(db, "EUR", "GBP")
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en")
    for url in serve_in_thread(settings):
        server = LiveServer(url, db, tokens)
        browser = browser_login(server, "admin")
        overview = browser.get("/")
        assert overview.status_code == 200
        assert 'id="tile-leads"' in overview.text
        assert "amounts in GBP from" in overview.text and "have no exchange rate" in overview.text
        forecast = browser.get("/forecast")
        assert forecast.status_code == 200
        assert 'id="forecast-refused"' in forecast.text
        cookie = browser.headers["Cookie"]
        german = browser.get("/forecast", headers={"Cookie": f"{cookie}; revintel_lang=de"})
        assert "Beträge in GBP vom" in german.text and "haben keinen Wechselkurs" in german.text
        report = server.client("admin").get("/api/v1/report", params={"format": "html"})
        assert report.status_code == 400
        assert "amounts in GBP from" in report.json()["error"]["message"]
