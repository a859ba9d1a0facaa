"""The Funnel page on a small demo company: invariants of the table, breakdowns and CSV."""

from __future__ import annotations

import csv
import io
from itertools import pairwise

import httpx
import pytest

from tests.web.conftest import Demo, browser_login

PATH = 8  # mql … contract_negotiation in the built-in funnel


@pytest.fixture(scope="module")
def chef(demo_server: Demo) -> httpx.Client:
    return browser_login(demo_server.server, "chef")


def _csv(client: httpx.Client, **params: str) -> list[dict[str, str]]:
    response = client.get("/charts/funnel.csv", params=params)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.text)))


def test_funnel_counts_never_rise_along_the_path(chef: httpx.Client) -> None:
    rows = _csv(chef)
    assert [r["milestone"] for r in rows][:3] == ["mql", "sal", "sql"]
    assert len(rows) == PATH
    reached = [int(r["reached"]) for r in rows]
    assert reached[0] > 0
    assert all(a >= b for a, b in pairwise(reached))
    p_won = [float(r["p_won"]) for r in rows]
    assert all(0 < p < 1 for p in p_won)
    assert all(float(r["p_won_low"]) <= float(r["p_won"]) <= float(r["p_won_high"]) for r in rows)


def test_breakdown_groups_add_up_to_the_total(chef: httpx.Client) -> None:
    total = {r["milestone"]: int(r["reached"]) for r in _csv(chef)}
    by_segment = _csv(chef, by="segment")
    segments = {r["segment"] for r in by_segment}
    assert len(segments) >= 2
    summed = {m: sum(int(r["reached"]) for r in by_segment if r["milestone"] == m) for m in total}
    assert summed == total


def test_funnel_page_in_german(demo_server: Demo) -> None:
    client = browser_login(demo_server.server, "chef")
    client.headers["Cookie"] += "; revintel_lang=de"
    html = client.get("/funnel", params={"by": "segment"}).text
    assert "Aufschlüsseln nach" in html and "Opportunity generiert" in html
    assert '<option value="segment" selected>' in html


def test_a_reps_funnel_is_smaller(demo_server: Demo, chef: httpx.Client) -> None:
    whole = int(_csv(chef)[0]["reached"])
    rep = browser_login(demo_server.server, demo_server.reps[0].lower())
    part = int(_csv(rep)[0]["reached"])
    assert 0 < part < whole


def test_api_funnel_equals_the_page_csv(chef: httpx.Client) -> None:
    api = chef.get("/api/v1/funnel", params={"by": "segment", "lang": "de"}).json()
    page = _csv(chef, by="segment")
    assert [(r["group"], r["milestone"], r["reached"]) for r in api] == [
        (r["segment"], r["milestone"], int(r["reached"])) for r in page
    ]
    assert api[3]["label"] == "Opportunity generiert"
    assert chef.get("/api/v1/funnel", params={"by": "planet"}).status_code == 422


def test_api_kpis_and_alerts(demo_server: Demo, chef: httpx.Client) -> None:
    tiles = {t["kpi"]: t for t in chef.get("/api/v1/kpis").json()}
    assert tiles["mqls"]["value"] == demo_server.expected["mqls"]
    assert tiles["mql_sal_acceptance"]["value"] == pytest.approx(
        demo_server.expected["mql_sal_acceptance"]
    )
    assert tiles["mqls"]["trend"] in {"up", "down", "flat"}
    alerts = chef.get("/api/v1/alerts").json()
    assert all(a["reason_de"] and a["reason_en"] for a in alerts)


def test_lead_velocity_rate_is_the_growth_of_mqls(demo_server: Demo, chef: httpx.Client) -> None:
    mqls = {r["Month"]: float(r["MQLs"]) for r in _chart_csv(chef, "mqls-per-month")}
    lvr = {r["Month"]: r["LVR"] for r in _chart_csv(chef, "lead-velocity-rate")}
    months = sorted(mqls)
    assert len(months) >= 48
    for previous, month in pairwise(months):
        expected = (mqls[month] - mqls[previous]) / mqls[previous]
        assert float(lvr[month]) == pytest.approx(expected)
    assert demo_server.expected["mqls"] in mqls.values()
    assert chef.get("/velocity", params={"channel": "search"}).status_code == 200
    assert chef.get("/charts/nothing.csv").status_code == 404


def _chart_csv(client: httpx.Client, chart: str) -> list[dict[str, str]]:
    response = client.get(f"/charts/{chart}.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.text)))
