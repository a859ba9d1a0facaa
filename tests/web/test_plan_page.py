"""The Planning page on a small generated company: the API's numbers, formatted, in German and
English; the CSV and Excel downloads; a rep's own plan; clear messages for bad input and for a
period without a target."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from revintel.auth import add_user, create_token
from revintel.i18n import LANGUAGES, Translator, label
from revintel.metrics._targets import import_targets
from revintel.server import Settings, create_app
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.web.attribution_company import Company, english_leftovers
from tests.web.conftest import SECRET
from tests.web.stores import PASSWORD

PAGE = "/plan"
CONFIG = SynthConfig(seed=5, leads=3_000, accounts=300, reps=4)
#: The quarter after the generated company's last day, and the same target typed per language.
QUERY = {"period": "2025-Q1", "by": "channel"}
TYPED = {"de": "1.000.000", "en": "1,000,000"}
TARGET = 1_000_000


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Company, dict[str, str]]]:
    db = tmp_path_factory.mktemp("plan_page") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, CONFIG)
        reps = sorted(store.table("reps").rep_id.to_pyarrow().to_pylist())
        add_user(store, "admin", PASSWORD, "admin")
        add_user(store, "rep", PASSWORD, "sales_rep", rep_id=reps[0])
        tokens = {u: create_token(store, u, "plan page")[0] for u in ("admin", "rep")}
        targets = db.parent / "targets.csv"
        targets.write_text("period_start,period_end,amount\n2025-04-01,2025-06-30,640000\n")
        import_targets(store, targets)
    settings = Settings(
        db=str(db), secret_key=SecretStr(SECRET), warm_up=False, cookie_secure=False
    )
    with TestClient(create_app(settings)) as client:
        yield Company(db, client, reps[0]), tokens


def _url(path: str, lang: str, **extra: str) -> str:
    params = {**QUERY, "target": TYPED[lang], **extra}
    return path + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _api(company: tuple[Company, dict[str, str]], user: str = "admin") -> dict[str, Any]:
    served, tokens = company
    response = served.client.get(
        "/api/v1/plan",
        params={**QUERY, "target": TARGET},
        headers={"Authorization": f"Bearer {tokens[user]}"},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _rows(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table id="table-{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no table {table}"
    return [
        [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def _expected_totals(answer: dict[str, Any], t: Translator) -> list[list[str]]:
    def group(g: str) -> str:
        return t("plan.group.all") if g == "total" else label("channel", g, t.lang)

    stages = {"mql": "MQL", "sal": "SAL", "sql": "SQL"}
    rows = []
    for r in answer["totals"]:
        stage = stages.get(r["stage"]) or label(
            "milestone", "opportunity_generated" if r["stage"] == "opportunity" else "won", t.lang
        )
        numbers = [r[k] for k in ("required_p50", "required_low", "required_high", "run_rate")]
        rows.append([group(r["group"]), stage, *(t.number(v, 1) for v in numbers)])
        rows[-1].append(t.number(r["gap"], 1))
    return rows


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_shows_the_apis_plan_in_each_language(
    company: tuple[Company, dict[str, str]], lang: str
) -> None:
    served, _ = company
    t = Translator(lang)
    html = served.page(_url(PAGE, lang), lang)
    answer = _api(company)
    assert _rows(html, "totals") == _expected_totals(answer, t)
    target = re.search(r'id="plan-target">([^<]+)<', html)
    assert target and t.money(TARGET) in unescape(target.group(1))
    company_months = [r for r in answer["months"] if r["group"] == "total"]
    shown = _rows(html, "months")
    assert len(shown) == len(company_months) > 5
    first = company_months[0]
    assert shown[0][0] == t.date(date.fromisoformat(first["month"]))
    assert shown[0][3] == t.number(first["required_p50"], 1)
    assert 'id="chart-plan-mqls"' in html
    assert len(_rows(html, "scenarios")) == 3 * 5  # base and the page's two scenarios
    if lang == "de":
        text = unescape(re.sub(r"<[^>]+>", " ", html.split("<main", 1)[-1]))
        assert english_leftovers(html, ("plan.",)) == []
        for raw in ("field_sales", "trade_fair", "opportunity_generated", "->"):
            assert raw not in text, raw
        assert "Außendienst" in text and "Gewonnen" in text


def test_downloads_parse_and_hold_the_pages_rows(company: tuple[Company, dict[str, str]]) -> None:
    served, _ = company
    answer = _api(company)
    german = served.csv_rows(_url(f"{PAGE}/export", "de", table="totals", format="csv"), "de")
    assert german[0][:3] == ["Gruppe", "Stufe", "Bedarf (Median)"]
    assert len(german) - 1 == len(answer["totals"])
    first = answer["totals"][0]
    assert german[1][2] == f"{first['required_p50']:.2f}".replace(".", ",")
    english = served.csv_rows(_url(f"{PAGE}/export", "en", table="months-all", format="csv"))
    assert len(english) - 1 == len(answer["months"])
    sheet = served.xlsx_rows(_url(f"{PAGE}/export", "en", table="totals", format="xlsx"))
    assert [row[2] for row in sheet[1:]] == [r["required_p50"] for r in answer["totals"]]
    rates = served.xlsx_rows(_url(f"{PAGE}/export", "en", table="rates", format="xlsx"))
    assert [row[2] for row in rates[1:]] == pytest.approx([r["rate"] for r in answer["rates"]])
    missing = served.get(_url(f"{PAGE}/export", "en", table="nope", format="csv"))
    assert missing.status_code == 404


def test_a_reps_page_plans_with_their_own_rows(company: tuple[Company, dict[str, str]]) -> None:
    served, _ = company
    mine, whole = _api(company, "rep"), _api(company)
    html = served.page(_url(PAGE, "en"), "en", user="rep")
    assert _rows(html, "totals") == _expected_totals(mine, Translator("en"))
    assert 'id="plan-scope"' in html

    def mqls(answer: dict[str, Any]) -> float:
        return float(
            next(
                r["run_rate"]
                for r in answer["totals"]
                if (r["group"], r["stage"]) == ("total", "mql")
            )
        )

    assert 0 < mqls(mine) < 0.6 * mqls(whole)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"target": "abc"}, "abc"),
        ({"period": "2025-Q7"}, "2025-Q7"),
        ({"mql_to_sal": "0"}, "mql_to_sal"),
        ({"deal_size": "nan"}, "deal_size"),
    ],
)
def test_bad_input_gets_a_clear_message(
    company: tuple[Company, dict[str, str]], query: dict[str, str], words: str
) -> None:
    served, _ = company
    params = {"target": "1000", "period": "2025-Q1", **query}
    response = served.get(PAGE + "?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert response.status_code == 200
    problem = re.search(r'id="plan-problem">([^<]+)<', response.text)
    assert problem and words in unescape(problem.group(1))
    assert "<table" not in response.text


def test_without_a_target_the_page_says_how_to_set_one(
    company: tuple[Company, dict[str, str]],
) -> None:
    served, _ = company
    for lang in LANGUAGES:
        html = served.page(f"{PAGE}?period=2025-Q1", lang)
        sentence = re.search(r'id="plan-no-target">([^<]+)<', html)
        assert sentence and "revintel targets import" in unescape(sentence.group(1))
        assert "2025-Q1" in sentence.group(1)


def test_a_stored_target_is_planned_and_the_page_says_so(
    company: tuple[Company, dict[str, str]],
) -> None:
    served, _ = company
    for lang, words in (("de", "aus der Zieltabelle"), ("en", "from the targets table")):
        html = served.page(f"{PAGE}?period=2025-Q2&by=none", lang)
        line = re.search(r'id="plan-target">([^<]+)<', html)
        assert line and words in unescape(line.group(1))
        assert Translator(lang).money(640_000) in unescape(line.group(1))
        assert [r[0] for r in _rows(html, "totals")] == [Translator(lang)("plan.group.all")] * 5
