"""The Resources page on a small generated company: the library's plan, formatted, in German and
English; each rep's load before and after against capacity; a rep's own rows only; the CSV and
Excel downloads for the CRM; the login wall."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from revintel.allocation import (
    Allocation,
    CurveReport,
    allocation_inputs,
    coverage_by_size,
    curve_report_of,
    plan_allocation,
    portfolio,
    portfolio_matrix,
    under_served,
)
from revintel.auth import add_user
from revintel.i18n import LANGUAGES, Translator
from revintel.server import Settings, create_app
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.web.attribution_company import Company, english_leftovers
from tests.web.conftest import SECRET
from tests.web.stores import PASSWORD

PAGE = "/allocation"
CONFIG = SynthConfig(seed=5, leads=2_000, accounts=200, reps=4)
#: Selling weeks a year of the packaged rules: logged hours a year / weeks = hours a week.
WEEKS_PER_YEAR = 46.0
LEVELS = {
    "de": {
        "inside": "Innendienst",
        "field_light": "Außendienst (leicht)",
        "field": "Außendienst",
        "deal": "Opportunity",
    },
    "en": {
        "inside": "inside sales",
        "field_light": "field sales (light)",
        "field": "field sales",
        "deal": "deal",
    },
}


@dataclass(frozen=True)
class Served:
    """The served company, the library's plan of it, the logged hours a week per rep and the
    rep signed in as ``rep``."""

    company: Company
    plan: Allocation
    logged: dict[str, float]
    capacity: dict[str, float]
    portfolio: pd.DataFrame
    curve: CurveReport


def _logged_hours(activities: pd.DataFrame, last_order: pd.Timestamp) -> dict[str, float]:
    """Hours a week per rep in the twelve months up to the last order day, from the raw rows."""
    end = last_order.normalize() + pd.Timedelta(days=1)
    start = end - pd.DateOffset(years=1)
    window = activities[(activities["occurred_at"] >= start) & (activities["occurred_at"] < end)]
    minutes = window.groupby("rep_id")["duration_minutes"].sum()
    return {str(k): float(v) / 60.0 / WEEKS_PER_YEAR for k, v in minutes.items()}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = tmp_path_factory.mktemp("allocation_page") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, CONFIG)
        plan = plan_allocation(store)
        inputs = allocation_inputs(store)
        curve = curve_report_of(inputs.curve, inputs.history, inputs.as_of, inputs.rules)
        accounts = portfolio(store)
        busiest = str(plan.assignments["rep_id"].value_counts().idxmax())
        add_user(store, "admin", PASSWORD, "admin")
        add_user(store, "chef", PASSWORD, "manager")
        add_user(store, "marie", PASSWORD, "marketing")
        add_user(store, "rep", PASSWORD, "sales_rep", rep_id=busiest)
        activities = store.table("activities").to_pandas()
        last_order = pd.Timestamp(store.table("orders").ordered_at.max().execute())
        reps = store.table("reps").to_pandas()
    settings = Settings(
        db=str(db), secret_key=SecretStr(SECRET), warm_up=False, cookie_secure=False
    )
    capacity = dict(zip(reps["rep_id"], reps["capacity_hours_per_week"].astype(float), strict=True))
    with TestClient(create_app(settings)) as client:
        logged = _logged_hours(activities, last_order)
        yield Served(Company(db, client, busiest), plan, logged, capacity, accounts, curve)


def _rows(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table id="table-{table}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no table {table}"
    return [
        [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def _id(value: object) -> str:
    return value if isinstance(value, str) else ""


def _expected_rows(plan: pd.DataFrame, t: Translator) -> list[list[str]]:
    """The first rows of the assignment table as the page should write them."""
    rows = []
    for r in plan.head(50).to_dict(orient="records"):
        rows.append(
            [
                r["rep_id"],
                _id(r["account_id"]),
                _id(r["opportunity_id"]),
                t.number(r["hours_per_week"], 2),
                t.money(r["expected_gain"]),
                LEVELS[t.lang][r["reason"].level],
            ]
        )
    return rows


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_shows_the_librarys_plan_in_each_language(served: Served, lang: str) -> None:
    t = Translator(lang)
    html = served.company.page(PAGE, lang, user="chef")
    shown = _rows(html, "assignments")
    assert [r[:6] for r in shown] == _expected_rows(served.plan.assignments, t)
    assert len(served.plan.assignments) > 50  # the page shows 50, the download all
    first = served.plan.assignments.iloc[0]
    assert t.money(first["reason"].gain) in shown[0][6]
    if lang == "de":
        text = unescape(re.sub(r"<[^>]+>", " ", html.split("<main", 1)[-1]))
        assert english_leftovers(html, ("allocation.",)) == []
        assert "Ressourcen" in html and "Auslastung vorher und nachher" in text
        assert re.search(r"\d{2}\.\d{2}\.\d{4}", text)  # the plan's day as dd.mm.yyyy
        for raw in ("field_light", "AllocationReason"):
            assert raw not in text, raw
    else:
        assert ">Allocation<" in html


def test_the_portfolio_matrix_and_the_under_served_accounts(served: Served) -> None:
    t = Translator("de")
    html = served.company.page(PAGE, "de", user="chef")
    matrix = portfolio_matrix(served.portfolio)
    assert [r[1:5] for r in _rows(html, "portfolio")] == [
        [
            t.number(r["accounts"]),
            *(t.money(r[k]) for k in ("current_revenue", "potential", "white_space")),
        ]
        for r in matrix.to_dict(orient="records")
    ]
    assert int(matrix["accounts"].sum()) == len(served.portfolio) > 150
    corner = matrix[matrix["cell"] == "CA"].iloc[0]
    cell = re.search(r'id="cell-CA">(.*?)</td>', html, re.S)
    assert cell and t.money(corner["potential"]) in unescape(cell.group(1))
    expected = list(under_served(served.portfolio)["account_id"][:15])
    assert expected and [r[0] for r in _rows(html, "under-served")] == expected


def test_today_s_coverage_by_size_and_the_coverage_model(served: Served) -> None:
    t = Translator("de")
    html = served.company.page(PAGE, "de", user="chef")
    by_size = coverage_by_size(served.portfolio)
    by = {"segment": "Segment", "revenue_tier": "Umsatzklasse"}
    assert _rows(html, "by-size") == [
        [
            by[r["by"]],
            f"Umsatzklasse {r['group']}" if r["by"] == "revenue_tier" else r["group"],
            t.number(r["accounts"]),
            t.number(r["accounts_served"]),
            t.number(r["hours_per_week"], 1),
            t.number(r["hours_per_account"], 2),
            t.money(r["current_revenue"]),
            t.money(r["potential"]),
            t.number(r["hours_per_million"], 2),
        ]
        for r in by_size.to_dict(orient="records")
    ]
    counts = _rows(html, "coverage-models")
    assert [r[0] for r in counts] == ["Außendienst", "Innendienst", "Digital (Self-Service)"]
    assert sum(int(r[1]) for r in counts) == len(served.portfolio)
    largest = served.portfolio.sort_values(["potential", "account_id"], ascending=[False, True])
    shown = _rows(html, "coverage")
    assert [r[0] for r in shown] == list(largest["account_id"][:25])
    assert all(r[8] for r in shown) and "allocation.coverage" not in html


def test_what_an_hour_of_selling_buys(served: Served) -> None:
    t = Translator("de")
    report = served.curve
    html = served.company.page(PAGE, "de", user="chef")
    assert _rows(html, "curve") == [
        [
            t.number(r["hours_per_week"], 2),
            t.number(r["hours_per_year"], 1),
            t.percent(r["share_of_potential"], 1),
            t.money(r["intake"]),
            t.money(r["lift"]),
            t.money(r["next_hour"]),
        ]
        for r in report.points().to_dict(orient="records")
    ]
    line = re.search(r'id="allocation-curve-line">(.*?)</p>', html, re.S)
    assert line and "innerhalb der Kunden" in unescape(line.group(1))
    assert f"{report.customer_years} Kundenjahren" in unescape(line.group(1))
    assert t.money(report.typical_potential) in unescape(line.group(1))
    # the company's curve is for those who plan; a rep sees their rows, not the curve
    assert 'id="table-curve"' not in served.company.page(PAGE, "de", user="rep")


def test_the_reps_load_before_and_after_against_capacity(served: Served) -> None:
    t = Translator("en")
    html = served.company.page(PAGE, "en", user="admin")
    rows = {r[0]: r for r in _rows(html, "load")}
    planned = served.plan.assignments.groupby("rep_id")["hours_per_week"].sum()
    assert set(rows) == set(served.capacity)
    for rep, capacity in served.capacity.items():
        after = float(planned.get(rep, 0.0))
        assert after <= capacity + 1e-9
        assert rows[rep][4] == t.number(capacity, 1)
        assert rows[rep][5] == t.number(served.logged.get(rep, 0.0), 1)
        assert rows[rep][6] == t.number(after, 1)
        assert rows[rep][8] == t.percent(after / capacity, 0)
    assert sum(served.logged.values()) > 0
    assert 'id="chart-allocation-load"' in html


def test_a_rep_sees_only_their_own_suggested_rows(served: Served) -> None:
    mine = served.plan.assignments[served.plan.assignments["rep_id"] == served.company.rep_id]
    html = served.company.page(PAGE, "en", user="rep")
    shown = _rows(html, "assignments")
    assert {r[0] for r in shown} == {served.company.rep_id}
    assert [r[:6] for r in shown] == _expected_rows(mine, Translator("en"))
    assert [r[0] for r in _rows(html, "load")] == [served.company.rep_id]
    assert 'id="allocation-scope"' in html
    suggested = set(mine["account_id"].dropna())
    accounts = sum(int(r[1]) for r in _rows(html, "portfolio"))
    assert accounts == len(suggested & set(served.portfolio["account_id"])) > 0
    download = served.company.get(f"{PAGE}/export?table=assignments&format=csv", "en", "rep")
    lines = download.text.strip().splitlines()
    assert len(lines) - 1 == len(mine) < len(served.plan.assignments)


def test_the_assignment_download_for_the_crm(served: Served) -> None:
    plan = served.plan.assignments
    english = served.company.csv_rows(f"{PAGE}/export?table=assignments&format=csv", "en")
    assert english[0] == [
        "Rep", "Account", "Deal", "Hours a week", "Expected gain",
        "Service level", "Reason",
    ]  # fmt: skip
    assert len(english) - 1 == len(plan)
    assert [r[0] for r in english[1:]] == list(plan["rep_id"])
    assert [(r[1], r[2]) for r in english[1:]] == [
        (_id(a), _id(o)) for a, o in zip(plan["account_id"], plan["opportunity_id"], strict=True)
    ]
    assert [float(r[4]) for r in english[1:]] == pytest.approx(list(plan["expected_gain"]))
    german = served.company.csv_rows(f"{PAGE}/export?table=assignments&format=csv", "de")
    assert german[0][:5] == [
        "Vertriebler", "Kunde", "Opportunity", "Stunden pro Woche", "Erwarteter Mehrertrag",
    ]  # fmt: skip
    assert german[1][3] == f"{plan['hours_per_week'].iloc[0]:.2f}".replace(".", ",")
    sheet = served.company.xlsx_rows(f"{PAGE}/export?table=assignments&format=xlsx", "en")
    assert [row[3] for row in sheet[1:]] == pytest.approx(list(plan["hours_per_week"]))
    missing = served.company.get(f"{PAGE}/export?table=nope&format=csv")
    assert missing.status_code == 404


def test_marketing_is_refused_and_sees_no_link(served: Served) -> None:
    assert 'href="/allocation"' in served.company.page("/import", "en", user="chef")
    assert 'href="/allocation"' not in served.company.page("/import", "en", user="marie")
    for path in (PAGE, f"{PAGE}/export?table=assignments"):
        refused = served.company.get(path, "en", user="marie")
        assert refused.status_code == 403
        assert 'id="table-assignments"' not in refused.text


def test_anonymous_visitors_are_sent_to_the_login(served: Served) -> None:
    client = served.company.client
    client.cookies.clear()
    served.company.signed.clear()
    for path in (PAGE, f"{PAGE}/export?table=assignments"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=%2Fallocation")
