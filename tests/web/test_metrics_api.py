"""The API's KPI catalogue, KPI table and funnel views equal the metrics package's numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from revintel.metrics import (
    FUNNEL_VIEW_KPIS,
    MetricQuery,
    MetricSources,
    evaluate_kpis,
    load_catalogue,
    parse_filter,
)
from revintel.model import load_funnel
from revintel.store import open_store
from tests.web.conftest import Demo, browser_login


def _direct(demo: Demo, kpi: str, query: MetricQuery) -> pd.DataFrame:
    with open_store(demo.server.db) as store:
        sources = MetricSources.from_store(store, load_funnel())
        catalogue = load_catalogue()
        return evaluate_kpis(sources, catalogue, (kpi,), query)


def test_catalogue_lists_every_kpi_in_both_languages(demo_server: Demo) -> None:
    body = browser_login(demo_server.server, "chef").get("/api/v1/kpis/catalogue").json()
    assert [k["id"] for k in body] == list(load_catalogue().ids)
    acceptance = next(k for k in body if k["id"] == "mql_sal_acceptance")
    assert acceptance["unit"] == "ratio"
    assert acceptance["name_de"] != acceptance["name_en"]
    assert acceptance["alert"] is not None


def test_kpi_values_by_channel_and_quarter_equal_the_metrics_package(demo_server: Demo) -> None:
    client = browser_login(demo_server.server, "chef")
    params = {"kpi": "mqls", "by": "channel", "grain": "quarter"}
    rows = client.get("/api/v1/kpis/values", params=params).json()
    expected = _direct(demo_server, "mqls", MetricQuery(grain="quarter", by=("channel",)))
    assert len(rows) == len(expected) > 8
    got = {(r["period"], r["channel"]): r["value"] for r in rows}
    want = {
        (str(p)[:10], c): v
        for p, c, v in zip(expected["period"], expected["channel"], expected["value"], strict=True)
    }
    assert got == pytest.approx(want)
    assert {r["kpi"] for r in rows} == {"mqls"}


def test_a_reps_kpis_count_only_their_rows(demo_server: Demo) -> None:
    params = {"kpi": "mqls", "grain": "all"}
    whole = browser_login(demo_server.server, "chef").get("/api/v1/kpis/values", params=params)
    parts = [
        browser_login(demo_server.server, rep.lower()).get("/api/v1/kpis/values", params=params)
        for rep in demo_server.reps
    ]
    total = sum(r["value"] for r in whole.json())
    shares = [sum(r["value"] for r in p.json()) for p in parts]
    assert all(0 < s < total for s in shares)
    assert sum(shares) == total


def test_filters_and_comparison(demo_server: Demo) -> None:
    client = browser_login(demo_server.server, "chef")
    params = {"kpi": "win_rate", "grain": "year", "where": "segment=Enterprise", "compare": "true"}
    rows = client.get("/api/v1/kpis/values", params=params).json()
    where = (parse_filter("segment=Enterprise"),)
    query = MetricQuery(grain="year", where=where, compare=True)
    expected = _direct(demo_server, "win_rate", query)
    assert len(rows) == len(expected) >= 3
    for column in ("value", "previous", "last_year", "change"):
        got = [r[column] if r[column] is not None else float("nan") for r in rows]
        assert got == pytest.approx(expected[column].tolist(), nan_ok=True), column
    whole = client.get("/api/v1/kpis/values", params={"kpi": "win_rate", "grain": "year"}).json()
    assert [r["denominator"] for r in rows] != [r["denominator"] for r in whole]


def test_funnel_views_equal_their_kpis(demo_server: Demo) -> None:
    client = browser_login(demo_server.server, "chef")
    for view, kpi in FUNNEL_VIEW_KPIS.items():
        rows = client.get(f"/api/v1/funnel/{view}", params={"grain": "year"}).json()
        expected = _direct(demo_server, kpi, MetricQuery(grain="year"))
        assert len(rows) == len(expected), view
    report = client.get("/api/v1/funnel/report", params={"grain": "year", "by": "segment"})
    assert report.status_code == 200 and {"segment"} <= set(report.json()[0])


def test_bad_kpi_ids_and_filters_are_422(demo_server: Demo) -> None:
    client = browser_login(demo_server.server, "chef")
    unknown = client.get("/api/v1/kpis/values", params={"kpi": "hot_leads"})
    assert unknown.status_code == 422
    assert "hot_leads" in unknown.json()["error"]["message"]
    bad = client.get("/api/v1/kpis/values", params={"kpi": "mqls", "where": "colour=red"})
    assert bad.status_code == 422
    assert client.get("/api/v1/funnel/nonsense").status_code == 422


def test_funnel_and_kpis_slice_by_segment_team_and_rep(demo_server: Demo) -> None:
    from revintel.metrics import funnel_overview

    client = browser_login(demo_server.server, "chef")
    whole = client.get("/api/v1/funnel").json()
    with open_store(demo_server.server.db) as store:
        sources = MetricSources.from_store(store, load_funnel())
        segment = store.table("accounts").segment.to_pyarrow().to_pylist()[0]
        team = store.table("reps").team.to_pyarrow().to_pylist()[0]
        query = MetricQuery(where=(parse_filter(f"segment={segment}"),))
        expected = funnel_overview(sources, load_catalogue(), query, "en")
    sliced = client.get("/api/v1/funnel", params={"segment": segment}).json()
    assert [r["reached"] for r in sliced] == [int(v) for v in expected["reached"].fillna(0)]
    assert sliced[0]["reached"] < whole[0]["reached"]
    by_team = client.get("/api/v1/funnel", params={"team": team}).json()
    assert 0 < by_team[0]["reached"] < whole[0]["reached"]
    rep = demo_server.reps[0]
    mine = browser_login(demo_server.server, rep.lower()).get("/api/v1/kpis").json()
    chef_for_rep = client.get("/api/v1/kpis", params={"rep": rep}).json()
    assert [t["value"] for t in chef_for_rep] == [t["value"] for t in mine]


def test_funnel_page_offers_the_slice_filters(demo_server: Demo) -> None:
    chef = browser_login(demo_server.server, "chef")
    html = chef.get("/funnel", params={"segment": "Enterprise"}).text
    for name in ("channel", "segment", "team", "rep"):
        assert f'id="filter-{name}"' in html
    assert '<option value="Enterprise" selected>' in html
    assert "segment=Enterprise" in html.split('id="csv-funnel"', 1)[1].split(">", 1)[0]
    rep = browser_login(demo_server.server, demo_server.reps[0].lower())
    own = rep.get("/velocity").text
    assert 'id="filter-segment"' in own and 'id="filter-team"' not in own


def test_maturity_days_reaches_the_kpi_and_funnel_api(demo_server: Demo) -> None:
    client = browser_login(demo_server.server, "chef")
    params = {"kpi": "win_probability", "by": "channel", "grain": "all", "maturity_days": 0}
    rows = client.get("/api/v1/kpis/values", params=params).json()
    query = MetricQuery(grain="all", by=("channel",), maturity_days=0)
    expected = _direct(demo_server, "win_probability", query)
    got = {(r["channel"], r["step"]): r["value"] for r in rows}
    want = {
        (c, m): v
        for c, m, v in zip(expected["channel"], expected["step"], expected["value"], strict=True)
    }
    assert len(got) > 8 and got == pytest.approx(want)
    unchanged = {k: v for k, v in params.items() if k != "maturity_days"}
    default = client.get("/api/v1/kpis/values", params=unchanged).json()
    assert {(r["channel"], r["step"]): r["numerator"] for r in default} != {
        (r["channel"], r["step"]): r["numerator"] for r in rows
    }
    view = client.get("/api/v1/funnel/probability", params={"maturity_days": 0}).json()
    assert view != client.get("/api/v1/funnel/probability").json()
    assert client.get("/api/v1/funnel/probability", params={"maturity_days": -1}).status_code == 422
