"""The Scorecard page and ``/api/v1/scorecard`` on a small demo company: the API's numbers on the
page in German and English formats, the Excel export, a rep's scope, and clear refusals of a bad
month and of a PDF without a browser."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from revintel.alignment._scorecard_config import load_scorecard_config
from revintel.i18n import LANGUAGES, Translator
from revintel.store import open_store
from tests.web.conftest import LiveServer
from tests.web.scorecard_server import MONTH, figures, page_html, serve_scorecard

API = "/api/v1/scorecard"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve_scorecard(tmp_path_factory, "scorecard_page")


def _api(server: LiveServer, lang: str, user: str = "admin", **params: str) -> dict[str, Any]:
    with server.client(user) as client:
        response = client.get(API, params={"month": MONTH, "lang": lang, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_api_answers_every_section(server: LiveServer) -> None:
    answer = _api(server, "en")
    with open_store(server.db) as store:
        targets = store.table("targets").to_pandas().set_index("target_id")["amount"]
    assert answer["month"] == MONTH and answer["as_of"] == "2024-12-31"
    assert [k["kpi"] for k in answer["kpis"]] == [k.id for k in load_scorecard_config().kpis]
    assert answer["targets"]["quarter"] == "2024-Q4"
    assert answer["targets"]["to_date"] == "2024-12-31"
    for row in answer["targets"]["rows"]:
        assert row["target"] == targets[row["target_id"]]
        if row["target"] > 0:
            assert row["attainment"] == pytest.approx(row["actual"] / row["target"])
    contribution = answer["contribution"]
    assert contribution["visible"] and contribution["stored"]
    assert [r["milestone"] for r in contribution["rows"]] == ["mql", "sql", "won"]
    for row in contribution["rows"]:
        assert row["marketing"] + row["sales"] + row["unattributed"] == pytest.approx(
            row["conversions"]
        )
    velocity = answer["velocity"]
    assert velocity["mqls"] == {k["kpi"]: k["value"] for k in answer["kpis"]}["mqls"]
    assert velocity["scored_share"] == 1.0
    for sla in answer["sla"]:
        assert sla["due"] == sla["met"] + sla["breached"]
    assert answer["alerts"] and all(a["reason"] for a in answer["alerts"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_shows_the_apis_figures_in_each_language(server: LiveServer, lang: str) -> None:
    answer = _api(server, lang)
    t = Translator(lang)
    html = page_html(server, lang, query=f"?month={MONTH}")
    assert t("scorecard.title") in unescape(html)
    assert 'value="2024-11"' in html
    assert f"/scorecard/export?month={MONTH}&amp;format=pdf" in html
    shown = figures(html)
    for k in answer["kpis"]:
        row = re.search(rf'<tr id="kpi-{k["kpi"]}">(.*?)</tr>', html, re.S)
        assert row, k["kpi"]
        cells = figures(row.group(1))
        assert cells == [t.measure(k[c], k["unit"]) for c in ("value", "previous", "last_year")]
    for r in answer["targets"]["rows"]:
        amount = t.money if r["measure"] == "order_intake" else t.number
        assert amount(r["target"]) in shown and amount(r["actual"]) in shown
    nord = next(r for r in answer["targets"]["rows"] if r["team"] == "Nord")
    assert t.money(nord["target"]) == ("146.000,00\xa0€" if lang == "de" else "€146,000.00")
    velocity = answer["velocity"]
    assert t.number(velocity["weighted"], 1) in shown
    assert t.percent(velocity["lvr_weighted"]) in shown
    months = {"de": "Monat November 2024", "en": "Month November 2024"}
    assert months[lang] in unescape(html)


def test_the_default_month_is_the_last_complete_one(server: LiveServer) -> None:
    assert 'data-month="2024-11"' in page_html(server, "en")
    assert _api(server, "en", month="")["month"] == MONTH


@pytest.mark.parametrize(
    ("month", "reason"),
    [("2024-13", "is not a month"), ("Nov 2024", "is not a month"), ("2025-01", "future")],
)
def test_a_bad_month_is_refused_naming_month(server: LiveServer, month: str, reason: str) -> None:
    with server.client("admin") as client:
        answer = client.get(API, params={"month": month})
        export = client.get(f"{API}/export", params={"month": month, "format": "xlsx"})
    for response in (answer, export):
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["field"] == "month"
        assert error["message"].startswith("month: ") and reason in error["message"]


def test_the_workbook_has_one_sheet_per_section_with_the_apis_numbers(server: LiveServer) -> None:
    answer = _api(server, "de")
    with server.client("admin") as client:
        response = client.get(f"{API}/export", params={"month": MONTH, "format": "xlsx"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'attachment; filename="scorecard-{MONTH}-de.xlsx"'
    )
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["KPIs", "Ziele", "Beitrag", "LVR", "SLA", "Alarme"]
    kpis = book.get_sheet_by_name("KPIs").to_python()
    assert kpis[0][:3] == ["KPI", "Zeitraum", "Wert"]
    assert [row[2] for row in kpis[1:]] == pytest.approx([k["value"] for k in answer["kpis"]])
    targets = book.get_sheet_by_name("Ziele").to_python()
    actuals = [r["actual"] for r in answer["targets"]["rows"]]
    assert [row[4] for row in targets[1:]] == pytest.approx(actuals)


def test_a_rep_sees_their_own_scorecard_without_the_companys_credits(server: LiveServer) -> None:
    answer = _api(server, "de", user="rep")
    company = _api(server, "de")
    assert answer["contribution"]["visible"] is False and answer["contribution"]["rows"] == []
    mqls = {k["kpi"]: k["value"] for k in answer["kpis"]}["mqls"]
    assert 0 < mqls < {k["kpi"]: k["value"] for k in company["kpis"]}["mqls"]
    html = page_html(server, "de", user="rep", query=f"?month={MONTH}")
    assert 'id="scorecard-contribution-hidden"' in html
    assert 'id="scorecard-scope"' in html


def test_without_a_browser_the_pdf_is_refused_with_503(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVINTEL_CHROMIUM", "/nonexistent/chromium")
    with server.client("admin") as client:
        response = client.get(
            f"{API}/export", params={"month": MONTH, "format": "pdf", "lang": "en"}
        )
    assert response.status_code == 503
    assert "REVINTEL_CHROMIUM" in response.json()["error"]["message"]
