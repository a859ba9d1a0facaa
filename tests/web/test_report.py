"""``revintel report``: a self-contained HTML report and a formatted workbook, same numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from revintel.cli import app
from tests.web.stores import build_store

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hand-made store's report in German, as HTML and as a workbook."""
    folder = tmp_path_factory.mktemp("report")
    db = folder / "store.duckdb"
    build_store(db)
    html, xlsx = folder / "report.html", folder / "report.xlsx"
    args = ["report", "--db", str(db), "--out", str(html), "--xlsx", str(xlsx), "--lang", "de"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "geschrieben" in result.output and "lesbar" in result.output  # offline lesbar
    return html, xlsx


def test_html_report_is_self_contained(reports: tuple[Path, Path]) -> None:
    html = reports[0].read_text(encoding="utf-8")
    markup = re.sub(r"<script>.*?</script>", "<script></script>", html, flags=re.S)
    assert markup.count("<script></script>") == 2  # plotly.js and the chart drawing, inline
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup, re.I)
    assert "<script src" not in html and "<link" not in html
    assert "Plotly" in html and len(html) > 3_000_000  # plotly.js itself is inline
    charts = re.findall(r'class="chart" id="chart-([a-z-]+)"', html)
    assert charts == ["leads-per-month", "funnel", "forecast-fan", "forecast-sources"]


def test_html_report_numbers_in_german(reports: tuple[Path, Path]) -> None:
    html = reports[0].read_text(encoding="utf-8")
    assert "<h1>Vertriebsbericht</h1>" in html
    won = re.search(r'id="deals-won">.*?class="value">(\d+)<.*?class="label">([^<]+)<', html, re.S)
    assert won and won.groups() == ("1", f"12.345,67{NBSP}€")
    lost = re.search(r'id="deals-lost">.*?class="value">\d+<.*?class="label">([^<]+)<', html, re.S)
    assert lost and lost.group(1) == f"20.000,00{NBSP}€"
    assert "offene Pipeline" in html and "noch nicht erzeugt" in html


def test_workbook_has_the_kpi_tables(reports: tuple[Path, Path]) -> None:
    book = CalamineWorkbook.from_path(str(reports[1]))
    assert book.sheet_names == ["Kennzahlen", "Deals", "Funnel", "Prognose", "Warnungen"]
    deals = book.get_sheet_by_name("Deals").to_python()
    assert deals[0] == ["Status", "Anzahl", "Betrag"]
    assert sorted((r[0], r[1], r[2]) for r in deals[1:]) == [
        ("gewonnen", 1.0, 12345.67),
        ("offen", 1.0, 5000.0),
        ("verloren", 1.0, 20000.0),
    ]
    kpis = book.get_sheet_by_name("Kennzahlen").to_python()
    assert len(kpis) == 1 + 5
    funnel = book.get_sheet_by_name("Funnel").to_python()
    assert funnel[0][:3] == ["Meilenstein", "reached", "conversion"]
    forecast = book.get_sheet_by_name("Prognose").to_python()
    sources = {"offene Pipeline", "noch nicht erzeugt", "Folge- und Direktaufträge", "gesamt"}
    assert {r[2] for r in forecast[1:]} == sources


def test_report_needs_an_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code != 0
    assert "--out" in result.output
