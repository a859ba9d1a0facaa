"""The Attribution page on a small generated company: every model's credits and the ROI tables
equal the views' numbers, formatted in German and English; selectors; downloads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from revintel.attribution._models import MODELS
from revintel.attribution._result import BASELINE
from revintel.auth import Role, User
from revintel.i18n import LANGUAGES, Translator
from revintel.metrics import (
    MetricQuery,
    MetricSources,
    evaluate_kpi,
    load_catalogue,
)
from revintel.server import Settings, create_app
from revintel.store import open_store
from revintel.views._attribution import AttributionSettings, model_comparison
from revintel.views._attribution_roi import RoiView, attribution_roi
from tests.web.attribution_company import Company, english_leftovers, serve_company
from tests.web.conftest import SECRET

PAGE = "/attribution"
EXPORT = f"{PAGE}/export"
ADMIN = User("admin", "admin", Role.admin)


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    yield from serve_company(tmp_path_factory)


@pytest.fixture(scope="module")
def roi(company: Company) -> RoiView:
    with open_store(company.db) as store:
        return attribution_roi(store, ADMIN, "markov", AttributionSettings())


def _rows(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table id="table-{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no table {table}"
    return [
        [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def test_the_comparison_shows_every_models_credits_for_the_transition(company: Company) -> None:
    with open_store(company.db) as store:
        expected = model_comparison(store, None, "sql", AttributionSettings(stage_only=True))
    assert expected.journeys > 100 and not expected.skipped
    for lang in LANGUAGES:
        t = Translator(lang)
        html = company.page(f"{PAGE}?to=sql&touches=stage", lang)
        rows = _rows(html, "comparison")
        assert len(rows) == len(expected.frame)
        first = expected.frame.iloc[0]
        assert rows[0][1:] == [t.number(first[m], 1) for m in MODELS]
        # Every rule-based model shares out the same conversions: those of journeys with a
        # touch in the stage (the others are credited to nobody).
        sums = expected.frame[list(MODELS)].sum()
        assert sums["first"] == pytest.approx(sums["linear"]) == pytest.approx(sums["w_shaped"])
        assert sums.max() <= expected.total + 1e-6
        assert rows[-1][0] == ("(Grundrate)" if lang == "de" else "(baseline)")
    assert "SAL → SQL" in html and 'id="chart-attribution-models"' in html
    line = re.search(r'id="attribution-models">(.*?)</p>', company.page(PAGE), re.S)
    assert line, "no line on the kinds of model"
    assert "Markov chain, Shapley value. Rule-based" in line.group(1)
    assert "docs/attribution.md" in line.group(1)


def test_revenue_switch_credits_money(company: Company) -> None:
    with open_store(company.db) as store:
        expected = model_comparison(store, None, "won", AttributionSettings(), None, "revenue")
    html = company.page(f"{PAGE}?value=revenue", "de")
    rows = _rows(html, "comparison")
    t = Translator("de")
    assert rows[0][1:] == [t.money(expected.frame.iloc[0][m]) for m in MODELS]
    assert rows[0][1].endswith("€")


def test_roi_per_channel_and_campaign_follows_cost_and_credited_revenue(
    company: Company, roi: RoiView
) -> None:
    with open_store(company.db) as store:
        catalogue = load_catalogue()
        cost = evaluate_kpi(
            MetricSources.from_store(store),
            catalogue.get("marketing_cost"),
            MetricQuery(grain="all"),
            catalogue.settings,
        )["value"].sum()
    channels = roi.channels
    assert channels["marketing_cost"].sum() == pytest.approx(cost)
    assert channels["attributed_revenue"].sum() == pytest.approx(roi.revenue)
    paid = channels[channels["marketing_cost"] > 0]
    expected_roi = (paid["attributed_revenue"] - paid["marketing_cost"]) / paid["marketing_cost"]
    assert paid["roi"].to_numpy() == pytest.approx(expected_roi.to_numpy())
    html = company.page(PAGE)
    t = Translator("en")
    shown = _rows(html, "roi-channels")
    assert [r[1] for r in shown] == [t.money(v) for v in channels["attributed_revenue"]]
    assert [r[3] for r in shown] == [t.money(v) for v in channels["marketing_cost"]]
    campaigns = _rows(html, "roi-campaigns")
    assert len(campaigns) == 20 < len(roi.campaigns)
    assert campaigns[0][0] == roi.campaigns.iloc[0]["campaign_id"]


def test_roi_reads_the_stored_credits_through_the_kpis_and_computes_the_rest(
    company: Company, roi: RoiView
) -> None:
    assert roi.model == "markov" and roi.stored_at is not None  # the fixture stored its credits
    with open_store(company.db) as store:
        catalogue = load_catalogue()
        kpi = evaluate_kpi(
            MetricSources.from_store(store),
            catalogue.get("roi"),
            MetricQuery(grain="all", by=("channel",)),  # the KPI's own model: markov
            catalogue.settings,
        ).set_index("channel")
        computed = attribution_roi(
            store, ADMIN, "markov", AttributionSettings(lookback_days=99_999)
        )
    assert computed.stored_at is None
    shown = roi.channels.set_index("channel")
    assert shown["roi"].to_numpy() == pytest.approx(
        kpi.loc[shown.index, "value"].to_numpy(), nan_ok=True
    )
    # Only floating-point residue of the stored baseline is left out of the table.
    assert set(kpi.index) - set(shown.index) <= {BASELINE}
    assert abs(kpi["numerator"].get(BASELINE, 0.0)) < 1e-6
    assert shown["attributed_revenue"].to_numpy() == pytest.approx(
        computed.channels.set_index("channel").loc[shown.index, "attributed_revenue"].to_numpy(),
        abs=1e-6,
    )
    assert "From the credits stored on" in company.page(PAGE)
    assert "Computed just now" in company.page(f"{PAGE}?model=linear")
    assert "Computed just now" in company.page(PAGE, user="rep")  # credits add up every rep


def test_markov_by_default_and_shapley_when_picked(company: Company, roi: RoiView) -> None:
    t = Translator("en")
    html = company.page(PAGE)
    assert re.search(r'<option value="markov"\s+selected>', html)
    assert "credited by the Markov chain model" in html
    assert t("attribution.page.roi_shapley") not in html
    # Markov hands out every won euro along the journeys, never less than nothing.
    assert (roi.channels["attributed_revenue"] >= 0).all()
    with open_store(company.db) as store:
        shapley = attribution_roi(store, ADMIN, "shapley", AttributionSettings())
    assert shapley.stored_at is not None
    assert shapley.revenue == pytest.approx(roi.revenue)  # the same won deals, shared otherwise
    picked = company.page(f"{PAGE}?model=shapley")
    assert t("attribution.page.roi_shapley") in unescape(picked)
    assert "From the credits stored on" in picked
    shown = _rows(picked, "roi-channels")
    assert [r[1] for r in shown] == [t.money(v) for v in shapley.channels["attributed_revenue"]]
    assert [r[1] for r in shown] != [t.money(v) for v in roi.channels["attributed_revenue"]]
    german = company.page(f"{PAGE}?model=shapley", "de")
    assert Translator("de")("attribution.page.roi_shapley") in unescape(german)


def test_every_table_downloads_with_its_columns(company: Company, roi: RoiView) -> None:
    headers = {
        "comparison": ["Kanal", "Erster Kontakt", "Letzter Kontakt"],
        "roi-channels": ["Kanal", "Zugerechneter Umsatz", "Zugerechneter Deckungsbeitrag",
                         "Marketingkosten", "ROI", "Margen-ROI"],
        "roi-campaigns": ["Kampagnen-ID", "Kampagne", "Kanal", "Zugerechneter Umsatz"],
        "sequences": ["Kanalfolge", "konvertiert", "gestockt"],
    }  # fmt: skip
    for table, expected in headers.items():
        rows = company.csv_rows(f"{EXPORT}?table={table}&format=csv", "de")
        assert rows[0][: len(expected)] == expected, table
    campaigns = company.csv_rows(f"{EXPORT}?table=roi-campaigns&format=csv", "de")
    assert len(campaigns) == len(roi.campaigns) + 1
    first = roi.campaigns.iloc[0]
    assert campaigns[1][3] == f"{first['attributed_revenue']:.2f}".replace(".", ",")
    book = company.xlsx_rows(f"{EXPORT}?table=roi-channels&format=xlsx")
    assert book[0] == ["Channel", "Credited revenue", "Credited margin", "Marketing cost",
                       "ROI", "Margin ROI"]  # fmt: skip
    assert book[1][1] == pytest.approx(roi.channels.iloc[0]["attributed_revenue"])


def test_the_german_page_speaks_german(company: Company) -> None:
    html = company.page(PAGE, "de")
    assert "<h1>Wertbeitrag der Kanäle</h1>" in html and "Marketingrendite je Kanal" in html
    assert "Vertragsverhandlung → Gewonnen" in html
    assert re.search(r"\d{1,3}(\.\d{3})*,\d{2}\xa0€", html)  # 1.234,56 €
    assert english_leftovers(html, ("journey.", "attribution.", "nav.", "filter.")) == []
    assert english_leftovers(company.page(PAGE, "en"), ("attribution.",))  # the check can fail


def test_a_level_the_milestone_does_not_have_is_refused_in_words(company: Company) -> None:
    html = company.page(f"{PAGE}?to=sal&level=opportunity", "de")
    assert 'id="attribution-refused"' in html and "Lead oder Account" in html
    assert company.get(f"{EXPORT}?table=comparison&to=sal&level=opportunity").status_code == 422
    assert company.get(f"{EXPORT}?table=nothing").status_code == 404


def test_both_pages_are_computed_ahead_at_start(company: Company) -> None:
    settings = Settings(db=str(company.db), secret_key=SecretStr(SECRET), cookie_secure=False)
    app = create_app(settings)
    state = app.state.revintel
    with TestClient(app):
        assert state.wait_warm(180)
        kept = {key[0] for key in state.cache._entries}
    assert {"model_comparison", "attribution_roi", "journey_sequences"} <= kept
    assert {"journey_before_sales", "journey_shares", "journey_shift", "journey_content"} <= kept
