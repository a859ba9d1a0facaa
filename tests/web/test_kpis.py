"""The overview's KPI tiles and alerts equal the metrics package's numbers, per visible rows."""

from __future__ import annotations

import re

from tests.web.conftest import Demo, browser_login


def _tile(html: str, kpi: str) -> str:
    match = re.search(rf'id="kpi-{kpi}".*?class="value">([^<]*)<', html, re.S)
    assert match, kpi
    return match.group(1).strip()


def test_manager_tiles_match_the_metrics_package(demo_server: Demo) -> None:
    html = browser_login(demo_server.server, "chef").get("/").text
    mqls, acceptance = demo_server.expected["mqls"], demo_server.expected["mql_sal_acceptance"]
    assert mqls > 0
    assert _tile(html, "mqls") == f"{mqls:,.0f}"
    assert _tile(html, "mql_sal_acceptance") == f"{acceptance:.1%}"


def test_reps_tiles_add_up_to_the_whole(demo_server: Demo) -> None:
    server, reps = demo_server.server, demo_server.reps
    whole = int(_tile(browser_login(server, "chef").get("/").text, "mqls").replace(",", ""))
    parts = [
        int(_tile(browser_login(server, rep.lower()).get("/").text, "mqls").replace(",", ""))
        for rep in reps
    ]
    assert all(0 < p < whole for p in parts)
    assert sum(parts) == whole
