"""The Lead-feedback page on the hand-made store of :mod:`tests.alignment.feedback_store`, where
every number is known by construction: the API's rejection rates and proposed threshold,
formatted, in German and English; the CSV and Excel downloads; a rep's own leads; the hint
when no lead scores exist."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from revintel.auth import add_user, create_token
from revintel.i18n import LANGUAGES, Translator, label
from revintel.server import Settings, create_app
from revintel.store import open_store
from revintel.views._feedback import FeedbackRequestError
from revintel.web._feedback import parse_target
from tests.alignment.feedback_store import build_feedback_store
from tests.web.attribution_company import Company, english_leftovers
from tests.web.conftest import SECRET
from tests.web.stores import PASSWORD

PAGE = "/feedback"
#: The same target acceptance typed per language; 0.75 proposes the score 0.3 (level 3).
TYPED = {"de": "0,75", "en": "0.75"}
TARGET = 0.75

Served = tuple[Company, dict[str, str]]


def _serve(db: Path) -> Iterator[Served]:
    with open_store(db) as store:
        add_user(store, "admin", PASSWORD, "admin")
        add_user(store, "rep", PASSWORD, "sales_rep", rep_id="r1")
        tokens = {u: create_token(store, u, "feedback page")[0] for u in ("admin", "rep")}
    settings = Settings(
        db=str(db), secret_key=SecretStr(SECRET), warm_up=False, cookie_secure=False
    )
    with TestClient(create_app(settings)) as client:
        yield Company(db, client, "r1"), tokens


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = tmp_path_factory.mktemp("feedback_page") / "store.duckdb"
    build_feedback_store(db)
    yield from _serve(db)


@pytest.fixture(scope="module")
def unscored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The same store without any lead score (and without a lead model)."""
    db = tmp_path_factory.mktemp("feedback_page_unscored") / "store.duckdb"
    build_feedback_store(db)
    with open_store(db) as store:
        store.delete_keys("scores", store.table("scores").select("score_id").to_pandas())
    yield from _serve(db)


def _api(served: Served, path: str, user: str = "admin", **params: Any) -> dict[str, Any]:
    company, tokens = served
    response = company.client.get(
        f"/api/v1/feedback/{path}",
        params=params,
        headers={"Authorization": f"Bearer {tokens[user]}"},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _headers(html: str, table: str) -> list[str]:
    head = re.search(rf'<table id="table-{table}">\s*<thead>(.*?)</thead>', html, re.S)
    assert head, f"no table {table}"
    return [unescape(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1), re.S)]


def _rows(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table id="table-{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no table {table}"
    return [
        [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def _text(html: str, element: str) -> str:
    found = re.search(rf'id="{element}"[^>]*>([^<]+)<', html)
    assert found, f"no element {element}"
    return unescape(found.group(1))


def _expected_groups(answer: dict[str, Any], t: Translator) -> list[list[str]]:
    return [
        [label("channel", g["group"], t.lang), t.number(g["mqls"]),
         t.number(g["accepted"] + g["rejected"]), t.number(g["rejected"]),
         t.percent(g["rate"]), t.percent(g["rate_low"]), t.percent(g["rate_high"])]
        for g in answer["groups"]
    ]  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_shows_the_apis_rates_and_threshold(served: Served, lang: str) -> None:
    company, _ = served
    t = Translator(lang)
    html = company.page(f"{PAGE}?by=channel&target={TYPED[lang]}", lang)
    reasons = _api(served, "reasons", by="channel")
    definition = _api(served, "mql-definition", target=TARGET)
    shown = _rows(html, "groups")
    assert [r[:7] for r in shown] == _expected_groups(reasons, t)
    # by construction: social 24 of 30 rejected (80 %), search 36 of 120 (30 %)
    assert [r[:4] for r in shown] == [
        [label("channel", "search", lang), "120", "120", "36"],
        [label("channel", "social", lang), "30", "30", "24"],
    ]
    assert shown[1][4] == t.percent(0.8) and shown[0][4] == t.percent(0.3)
    assert shown[1][8] == t("feedback.direction.higher")
    assert shown[1][9] == f"{label('rejection_reason', 'wrong_target', lang)} {t.percent(1, 0)}"
    assert t.percent(0.4) in _text(html, "feedback-summary")
    # the proposal: threshold 0.3, in the test period acceptance 0.8, 60 % kept, 2 wins lost
    assert definition["threshold"] == pytest.approx(0.3)
    proposal = _text(html, "feedback-proposal")
    reported = definition["reported"]
    for part in (
        t.percent(definition["threshold"]),
        t.percent(reported["acceptance"]),
        t.percent(reported["share_kept"]),
        t.money(1200.0),
    ):
        assert part in proposal, part
    assert t.percent(0.3) in proposal and t.percent(0.6) in proposal
    curve = _rows(html, "curve")
    assert len(curve) == len(definition["curve"]) == 12  # 6 thresholds in 2 periods
    assert 'id="chart-feedback-rates"' in html and 'id="chart-feedback-tradeoff"' in html
    if lang == "de":
        assert english_leftovers(html, ("feedback_page.", "feedback.")) == []
        assert t.percent(0.8).startswith("80,0") and "Ablehnungsquote" in html


def _number(text: str, lang: str) -> float:
    return float(text.replace(",", ".") if lang == "de" else text)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("table", ["groups", "curve"])
def test_the_csv_download_is_the_table(served: Served, lang: str, table: str) -> None:
    company, _ = served
    t = Translator(lang)
    query = f"by=channel&target={TYPED[lang]}"
    html = company.page(f"{PAGE}?{query}", lang)
    header, *rows = company.csv_rows(f"{PAGE}/export?table={table}&format=csv&{query}", lang)
    shown = _rows(html, table)
    assert header == _headers(html, table)
    assert len(rows) == len(shown) > 0
    kinds = {"groups": "tcccpppntt", "curve": "tpcpcpcm"}[table]
    for written, cells in zip(rows, shown, strict=True):
        for kind, value, cell in zip(kinds, written, cells, strict=True):
            if kind == "t":
                assert value == cell
            elif kind == "c":
                assert t.number(int(value)) == cell
            elif kind == "p":
                assert t.percent(_number(value, lang)) == cell
            elif kind == "m":
                assert t.money(_number(value, lang)) == cell
            else:  # p-values: 4 decimals on the page, 2 in the CSV
                assert _number(value, lang) == pytest.approx(_number(cell, lang), abs=0.005)
    workbook = company.xlsx_rows(f"{PAGE}/export?table={table}&format=xlsx&{query}", lang)
    assert len(workbook) == len(shown) + 1


def test_a_rep_sees_only_own_leads(served: Served) -> None:
    company, _ = served
    t = Translator("en")
    html = company.page(f"{PAGE}?by=channel", "en", user="rep")
    answer = _api(served, "reasons", user="rep", by="channel")
    shown = _rows(html, "groups")
    assert [r[:7] for r in shown] == _expected_groups(answer, t)
    # r1 owns the levels 1 and 2: 30 social MQLs (24 rejected) and 30 search MQLs (18 rejected)
    assert [r[:4] for r in shown] == [
        ["Search", "30", "30", "18"],
        ["Social media", "30", "30", "24"],
    ]
    assert "42 of 60 decided MQLs rejected" in _text(html, "feedback-summary")
    assert 'id="feedback-scope"' in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_scores_the_page_says_how_to_get_them(unscored: Served, lang: str) -> None:
    company, tokens = unscored
    t = Translator(lang)
    html = company.page(f"{PAGE}?by=score_band", lang)
    for part in ("reasons", "definition"):
        hint = _text(html, f"feedback-{part}-no-scores")
        assert "revintel score train leads" in hint and "revintel score history" in hint
    answer = company.client.get(
        "/api/v1/feedback/mql-definition", headers={"Authorization": f"Bearer {tokens['admin']}"}
    )
    assert answer.status_code == 409
    # the rejections by channel need no scores
    html = company.page(f"{PAGE}?by=channel", lang)
    assert 'id="feedback-definition-no-scores"' in html
    assert [r[3] for r in _rows(html, "groups")] == ["36", "24"]
    assert t.percent(0.8) in html


def test_a_bad_target_is_named(served: Served) -> None:
    company, _ = served
    html = company.page(f"{PAGE}?target=abc", "en")
    assert "target acceptance “abc” is not a number" in _text(html, "feedback-definition-problem")
    export = company.get(f"{PAGE}/export?table=curve&format=csv&target=150", "en")
    assert export.status_code == 422 and "target" in export.text


def test_the_target_is_read_as_typed_in_each_language() -> None:
    assert parse_target("0,75", "de") == parse_target("0.75", "en") == pytest.approx(0.75)
    assert parse_target("50 %", "de") == parse_target("50%", "en") == pytest.approx(0.5)
    assert parse_target("60", "en") == pytest.approx(0.6)
    assert parse_target(None, "de") == parse_target(" ", "en") == 0.5
    for typed in ("0", "100 %", "abc", "-0,2", "nan"):
        with pytest.raises(FeedbackRequestError, match="target"):
            parse_target(typed, "de")
