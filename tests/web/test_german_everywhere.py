"""Every dashboard page and every export of a small demo company, read in German, shows no raw
id of the label registry and no English label where a German one exists.

Only visible text counts: tags, attributes, scripts and styles are stripped, and ``<code>``
and ``translate="no"`` mark identifiers shown on purpose (data model fields, CLI commands, KPI
formulas). Pages are found from the application's routes, so a new page is checked without
touching this test.
"""

from __future__ import annotations

import csv
import doctest
import html
import io
import json
import math
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib import import_module

import httpx
import pandas as pd
import pytest

from revintel.i18n import LABEL_KINDS, known_ids, label_texts
from revintel.metrics import Alert, load_catalogue
from revintel.metrics._alerts import _drop_in
from revintel.model import load_funnel
from revintel.server import Settings
from revintel.views import alert_text
from tests.web.conftest import SECRET, DemoCompany, LiveServer, browser_login, serve_in_thread
from tests.web.german_pages import USER, shared_german_server
from tests.web.stores import build_store

#: English labels that are ordinary German words too ("Meeting" in a German KPI definition).
GERMAN_TOO = frozenset({"Meeting"})
#: Elements whose text is not read (as are those marked ``translate="no"``): code shows
#: identifiers on purpose.
SKIPPED = frozenset({"script", "style", "code", "template"})
LANG_COOKIE = "revintel_lang=de"
#: Pages broken down by channel and rep: the chart's legend and the table name each group.
BREAKDOWNS = ("/funnel?by=channel", "/funnel?by=rep")
#: Breakdown dimensions: a chart's CSV has a code column of the dimension's name.
DIMENSIONS = frozenset(known_ids("dimension"))
#: CSV columns that keep the stored code beside its label, for systems reading the file back.
CODE_COLUMN = re.compile(r"(?i)(^|[\s_-])(id|code)$|^milestone$")


class _Visible(HTMLParser):
    """Collects the text a reader sees and each chart's figure."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping: list[str] = []
        self.texts: list[str] = []
        self.figures: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("data-figure"):
            self.figures.append(found["data-figure"] or "")
        if tag in SKIPPED or found.get("translate") == "no":
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(data.strip())


def visible_parts(markup: str) -> tuple[list[str], list[str]]:
    """The visible text pieces of ``markup`` and the labels its charts draw (trace names, axis
    titles and category values)."""
    parser = _Visible()
    parser.feed(markup)
    chart_texts: list[str] = []
    for raw in parser.figures:
        figure = json.loads(raw)
        for trace in figure.get("data", []):
            chart_texts.append(str(trace.get("name") or ""))
            for axis in ("x", "y", "labels"):
                chart_texts += [v for v in trace.get(axis) or [] if isinstance(v, str)]
    return parser.texts, [t for t in chart_texts if t]


@dataclass(frozen=True)
class Term:
    """A word that must not appear in German text, and why."""

    text: str
    why: str


def forbidden_terms() -> list[Term]:
    """Raw ids whose German label differs from them and English labels that differ from the
    German ones."""
    terms: dict[str, str] = {}
    funnel = load_funnel()
    for kind in LABEL_KINDS:
        for value in known_ids(kind, funnel):
            texts = label_texts(kind, value, funnel)
            assert texts is not None
            german, english = texts
            if value != german:
                terms.setdefault(value, f"raw {kind} id")
            if english != german and english not in GERMAN_TOO:
                terms.setdefault(english, f"English label of {kind} {value!r}")
    return [Term(text, why) for text, why in terms.items()]


def findings(pieces: list[str], terms: list[Term], where: str) -> list[str]:
    """``where: term (why) in 'text'`` for every forbidden term in ``pieces``."""
    found = []
    patterns = [(t, re.compile(rf"(?<![\w-]){re.escape(t.text)}(?![\w-])")) for t in terms]
    for piece in dict.fromkeys(pieces):
        for term, pattern in patterns:
            if pattern.search(piece):
                found.append(f"{where}: {term.text!r} ({term.why}) in {piece[:100]!r}")
    return found


@dataclass(frozen=True)
class GermanSite:
    """A signed-in German admin client, the dashboard's HTML page paths and the reps' names."""

    client: httpx.Client
    paths: list[str]
    rep_names: dict[str, str]


@pytest.fixture(scope="module")
def site(
    demo_company: DemoCompany, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GermanSite]:
    server = shared_german_server(demo_company, tmp_path_factory.mktemp("german"))
    client = browser_login(LiveServer(server.url, server.db, demo_company.tokens), USER)
    client.headers["Cookie"] += f"; {LANG_COOKIE}"
    yield GermanSite(client, server.paths, server.rep_names)
    client.close()


def csv_cells(text: str, fields: bool = False) -> list[str]:
    """The cells of a CSV export but those of code columns (see :data:`CODE_COLUMN`). Table
    exports have German headers and semicolons; a chart's rows (``fields``) are headed by field
    names, read by programs, with a breakdown's code column beside its words."""
    lines = text.lstrip("\ufeff")
    delimiter = ";" if ";" in lines.partition("\n")[0] else ","
    rows = list(csv.reader(io.StringIO(lines, newline=""), delimiter=delimiter))
    if not rows:
        return []
    codes = [CODE_COLUMN.search(h.strip()) or (fields and h in DIMENSIONS) for h in rows[0]]
    kept = [i for i, code in enumerate(codes) if not code]
    return [row[i] for row in rows[1 if fields else 0 :] for i in kept if i < len(row)]


def export_links(markup: str) -> list[str]:
    """The downloads a page offers: one CSV per export route and table and the first Excel file
    of each route (the management report is checked by its own tests)."""
    links = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', markup)]
    chosen: dict[str, str] = {}
    for link in links:
        path, _, query = link.partition("?")
        if path.endswith("/export") or path.endswith(".csv"):
            table = re.search(r"table=([^&]+)", query)
            xlsx = "format=xlsx" in query
            key = path + ("xlsx" if xlsx else table[1] if table else "")
            chosen.setdefault(key, link)
    return list(chosen.values())


def xlsx_strings(content: bytes) -> list[str]:
    """The texts of an Excel workbook (its shared strings)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        if "xl/sharedStrings.xml" not in book.namelist():
            return []
        xml = book.read("xl/sharedStrings.xml").decode("utf-8")
    return [html.unescape(t) for t in re.findall(r"<t[^>]*>([^<]*)</t>", xml)]


def download_texts(response: httpx.Response) -> list[str]:
    """What a reader sees in a download: CSV cells or workbook strings, but KPI formulas (the
    catalogue's notation, shown as code on the pages)."""
    formulas = {kpi.formula for kpi in load_catalogue().kpis}
    if "spreadsheetml" in response.headers.get("content-type", ""):
        return [s for s in xlsx_strings(response.content) if s not in formulas]
    fields = response.url.path.startswith("/charts/")
    return [c for c in csv_cells(response.text, fields) if c not in formulas]


def test_every_page_and_export_reads_german(site: GermanSite) -> None:
    terms = forbidden_terms()
    # Charts name reps (tables may show the rep id beside the name, as the CRM file needs it).
    reps = [Term(rep, "rep id where the rep's name belongs") for rep in site.rep_names]
    problems: list[str] = []
    exports: list[str] = []
    assert {"/", "/funnel", "/quality", "/leads", "/deals"} <= set(site.paths)
    paths = [*site.paths, *BREAKDOWNS]
    # Pages are computed side by side: the server answers each request in a thread of its own.
    with ThreadPoolExecutor(max_workers=3) as pool:
        pages = dict(zip(paths, pool.map(site.client.get, paths), strict=True))
        for path, response in pages.items():
            assert response.status_code == 200, f"{path}: {response.status_code}"
            texts, chart_texts = visible_parts(response.text)
            # The signed-in user's name ("admin") is data, the role beside it must be in words.
            texts = [t.removeprefix(f"{USER} (") for t in texts]
            assert "Abmelden" in texts or path == "/login", f"{path} is not the German page"
            problems += findings(texts, terms, path)
            problems += findings(chart_texts, terms + reps, f"{path} (chart)")
            exports += [e for e in export_links(response.text) if e not in exports]
        for link, response in zip(exports, pool.map(site.client.get, exports), strict=True):
            assert response.status_code == 200, f"{link}: {response.status_code}"
            problems += findings(download_texts(response), terms, link)
    assert len(exports) >= 20 and any("format=xlsx" in e for e in exports), exports
    assert not problems, "untranslated text:\n" + "\n".join(problems)


def test_filters_offer_labels_and_rep_names(site: GermanSite) -> None:
    markup = site.client.get("/leads").text
    options = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', markup))
    assert options["trade_fair"] == "Messe"
    assert options["field_sales"] == "Außendienst"
    assert options["disqualified"] == "disqualifiziert"
    assert {r: options[r] for r in site.rep_names} == site.rep_names


def _conversion_drop() -> Alert:
    """A drop of MQL → SAL conversion in the social channel, as the metrics package words it:
    30 of 100 in November 2024 against 300 of 600 in the six months before."""
    spec = load_catalogue().get("mql_sal_conversion")
    assert spec.alert is not None
    months = pd.date_range("2024-05-01", periods=7, freq="MS").date
    part = pd.DataFrame({"period": months, "numerator": [50] * 6 + [30], "denominator": [100] * 7})
    alert = _drop_in(spec, spec.alert, part, ["channel", "step"], ("social", "mql->sal"))
    assert alert is not None
    return alert


def test_alert_texts_name_groups_months_and_p_values_in_words() -> None:
    alert = _conversion_drop()
    assert "(channel social, step mql->sal)" in alert.reason("de")
    # z = (0.3 - 0.5) / sqrt(p (1 - p) (1/100 + 1/600)) with pooled p = 330/700: z ≈ -3.71,
    # one-sided p ≈ 0.0001, below 0.001.
    pooled = 330 / 700
    z = (0.3 - 0.5) / math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 600))
    assert alert.numbers["z"] == pytest.approx(z, abs=1e-3)
    assert alert.numbers["p_value"] < 0.001
    names = {"R001": "Anna Berg"}
    german, english = alert_text(alert, "de", names), alert_text(alert, "en", names)
    assert "(Kanal: Soziale Medien, Schritt: MQL → SAL)" in german
    assert "Kohorte November 2024" in german and "p < 0,001" in german
    assert "30,0 %" in german and "50,0 %" in german
    assert "(Channel: Social media, step: MQL → SAL)" in english
    assert "cohort November 2024" in english and "p < 0.001" in english
    assert "30.0%" in english and "50.0%" in english
    terms = forbidden_terms()
    assert not findings([german], terms, "alert"), german


def test_the_alert_text_examples_hold() -> None:
    results = doctest.testmod(import_module("revintel.views._alert_texts"))
    assert results.attempted > 0 and results.failed == 0


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The hand-made store, served in German, after an import with two rejected rows: an
    opportunity of an unknown account and one whose amount is no number."""
    db = tmp_path_factory.mktemp("german-quality") / "store.duckdb"
    tokens = build_store(db)
    accounts = "account_id,name\nA7,Acme GmbH\n"
    opportunities = (
        "opportunity_id,account_id,amount,created_at,stage\n"
        "O7,A7,1000,2024-01-10,offer_sent\nO8,A9,500,2024-01-10,offer_sent\n"
        "O9,A7,abc,2024-01-10,offer_sent\n"
    )
    files = [
        ("files", ("accounts.csv", accounts.encode(), "text/csv")),
        ("files", ("opportunities.csv", opportunities.encode(), "text/csv")),
    ]
    settings = Settings(db=str(db), secret_key=SECRET, default_language="de", warm_up=False)
    for url in serve_in_thread(settings):
        server = LiveServer(url, db, tokens)
        with server.client("admin") as client:
            answer = client.post("/api/v1/imports", files=files, data={"preset": "generic"})
        assert answer.status_code == 201, answer.text
        yield server


def test_quality_page_names_statuses_and_reasons_in_german(imported: LiveServer) -> None:
    client = browser_login(imported, "admin")
    markup = client.get("/quality").text
    # Rejection reasons in words, each with its stored code beside it and its count.
    cells = re.findall(r'data-code="([^"]+)">([^<]+)</td><td class="num">(\d+)', markup)
    assert set(cells) == {
        ("unknown account", "Verweis auf unbekannte Zeile: account", "1"),
        ("not a number", "Keine Zahl", "1"),
    }, cells
    assert re.search(r'id="batches">.*?<td>geladen</td>', markup, re.S)
    texts, _ = visible_parts(markup)
    assert "Quellsystem" in texts and "Vollständigkeit" in texts
    assert not findings(texts, forbidden_terms(), "/quality")
