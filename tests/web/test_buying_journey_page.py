"""The Buying journey page on a small generated company: the library's figures, formatted, in
German and English; the selectors; the CSV and Excel downloads; a rep's own journeys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from revintel.attribution._before_sales import share_before_sales_contact
from revintel.attribution._content import content_by_phase
from revintel.attribution._digital import before_after, touch_shares
from revintel.attribution._sequences import top_sequences
from revintel.auth import add_user
from revintel.i18n import LANGUAGES, Translator, label_texts
from revintel.server import Settings, create_app
from revintel.store import open_store
from tests.web.attribution_company import Company, english_leftovers, serve_company
from tests.web.conftest import SECRET
from tests.web.stores import PASSWORD

PAGE = "/buying-journey"
EXPORT = f"{PAGE}/export"


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    yield from serve_company(tmp_path_factory)


@pytest.fixture(scope="module")
def library(company: Company) -> dict[str, pd.DataFrame]:
    """The library's results on the served store, read directly."""
    with open_store(company.db) as store:
        return {
            "before": share_before_sales_contact(store, by=("segment", "year")),
            "by_channel": share_before_sales_contact(store, by=("channel",)),
            "shares": touch_shares(store, grain="year"),
            "shift": before_after(store, "2020-03-01", "2022-01-01", measure="mobile"),
            "content": content_by_phase(store),
            "sequences": top_sequences(store, to="sql", length=2, top=10),
        }


def _tile(html: str, tile: str) -> str:
    found = re.search(rf'id="tile-{tile}">.*?class="value">([^<]+)<', html, re.S)
    assert found, f"no tile {tile}"
    return unescape(found.group(1))


def _rows(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table id="table-{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no table {table}"
    return [
        [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def test_headline_shows_the_share_before_the_first_sales_contact(
    company: Company, library: dict[str, pd.DataFrame]
) -> None:
    overall = library["before"].iloc[-1]
    assert 0.1 < overall["touch_share_median"] < 0.6 and overall["with_sales_contact"] > 900
    for lang in LANGUAGES:
        t = Translator(lang)
        html = company.page(PAGE, lang)
        assert _tile(html, "touch-share") == t.percent(overall["touch_share_median"], 0)
        assert _tile(html, "time-share") == t.percent(overall["time_share_median"], 0)
        assert _tile(html, "journeys") == t.number(overall["with_sales_contact"])
        last = _rows(html, "before-sales")[-1]
        assert last[0] == ("alle" if lang == "de" else "all")
        assert last[3] == t.number(overall["with_sales_contact"])
        assert last[5] == t.percent(overall["touch_share_median"])
    assert 'id="chart-journey-before-sales"' in html
    assert 'id="nav-journey"' in html and 'id="nav-attribution"' in html


def test_the_german_page_speaks_german(company: Company) -> None:
    html = company.page(PAGE, "de")
    assert "<h1>Digitale Customer Journey</h1>" in html
    assert "Inhalte je Kaufphase" in html and "Preisliste" in html and "Außendienst" in html
    assert re.search(r"\d{2}\.\d{2}\.\d{4}", html)  # dd.mm.yyyy
    assert re.search(r"\d,\d\xa0%", html)  # 12,5 %
    assert english_leftovers(html, ("journey.", "attribution.", "nav.", "filter.")) == []
    english_channels = [label_texts("channel", c)[1] for c in ("field_sales", "trade_fair")]
    assert [c for c in english_channels if c in html] == []


def test_every_grouping_grain_and_sequence_choice_shows_the_librarys_numbers(
    company: Company, library: dict[str, pd.DataFrame]
) -> None:
    html = company.page(f"{PAGE}?by=channel&grain=year&to=sql&length=2")
    t = Translator("en")
    by_channel = library["by_channel"]
    rows = _rows(html, "before-sales")
    assert len(rows) == len(by_channel)
    assert {r[0] for r in rows[:-1]} >= {"Field sales", "Search"}
    shares = library["shares"]
    shown = _rows(html, "shares")
    assert [r[0] for r in shown] == [t.date(p) for p in shares["period"]]
    assert [r[2] for r in shown] == [t.percent(v) for v in shares["digital_share"]]
    sequences = library["sequences"]
    listed = _rows(html, "sequences")
    assert [int(r[1]) for r in listed] == list(sequences["converting"])
    assert all(r[0].count("→") <= 1 for r in listed)  # two channels at most
    assert '<option value="sql" selected>' in html and '<option value="2" selected>' in html


def test_before_after_compares_the_trade_fair_stop(
    company: Company, library: dict[str, pd.DataFrame]
) -> None:
    html = company.page(PAGE)
    mobile = [r for r in _rows(html, "shift") if r[0] == "Mobile share"]
    shift = library["shift"]
    assert [r[1] for r in mobile] == ["before", "during", "after"]
    t = Translator("en")
    assert [r[5] for r in mobile] == [t.percent(v) for v in shift["share"]]
    assert "Mar 1, 2020" in mobile[1][2] and "Jan 1, 2022" in mobile[2][2]
    assert 'id="chart-journey-shares"' in html and "rect" in unescape(html)


def test_csv_downloads_are_german_with_semicolons_and_english_with_commas(
    company: Company, library: dict[str, pd.DataFrame]
) -> None:
    content = library["content"]
    first = content.iloc[0]
    german = company.csv_rows(f"{EXPORT}?table=content&format=csv", "de")
    assert german[0][:4] == ["Phase", "Inhalt", "Kontaktpunkte", "Anteil der Phase"]
    assert len(german) == len(content) + 1
    assert german[1][2] == str(first["touches"])
    assert german[1][3] == f"{first['share']:.4f}".replace(".", ",")
    english = company.csv_rows(f"{EXPORT}?table=content&format=csv", "en")
    assert english[0][:4] == ["Phase", "Content", "Touches", "Share of the phase"]
    assert english[1][3] == f"{first['share']:.4f}"
    before = company.csv_rows(f"{EXPORT}?table=before-sales&format=csv&by=year", "de")
    assert before[0][:3] == ["Jahr", "Journeys", "mit Vertriebskontakt"]
    assert [r[0] for r in before[1:]] == ["2020", "2021", "2022", "2023", "2024", "alle"]


def test_excel_downloads_keep_numbers_as_numbers(
    company: Company, library: dict[str, pd.DataFrame]
) -> None:
    rows = company.xlsx_rows(f"{EXPORT}?table=shares&format=xlsx&grain=year")
    shares = library["shares"]
    assert rows[0][:3] == ["Period", "Touchpoints", "Digital share"]
    assert [r[1] for r in rows[1:]] == list(shares["touchpoints"])
    assert rows[1][2] == pytest.approx(shares["digital_share"].iloc[0])
    assert company.get(f"{EXPORT}?table=planets&format=csv").status_code == 404
    assert company.get(f"{EXPORT}?table=shares&format=pdf").status_code == 422


def test_a_rep_sees_only_the_journeys_of_own_leads(company: Company) -> None:
    everyone = int(_rows(company.page(PAGE), "before-sales")[-1][2].replace(",", ""))
    own = int(_rows(company.page(PAGE, user="rep"), "before-sales")[-1][2].replace(",", ""))
    assert 0 < own < everyone


def test_an_empty_store_says_there_is_nothing_to_measure(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    with open_store(db) as store:
        add_user(store, "admin", PASSWORD, "admin")
    settings = Settings(
        db=str(db), secret_key=SecretStr(SECRET), warm_up=False, cookie_secure=False
    )
    with TestClient(create_app(settings)) as client:
        empty = Company(db, client, "")
        assert 'id="journey-none"' in empty.page(PAGE)
        assert "No journeys of this transition" in empty.page("/attribution")
        assert empty.csv_rows(f"{EXPORT}?table=sequences&format=csv")[1:] == []
