"""The Prometheus metrics at /metrics: labels, access and the separate port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.server.conftest import Served, serve


@pytest.fixture(scope="module")
def served(store_path: tuple[Path, dict[str, str]]) -> Iterator[Served]:
    """The application with ``/metrics`` for admins."""
    yield from serve(*store_path)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _scrape(served: Served) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = served.client.get("/metrics", headers=served.auth("admin"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


def _requests(method: str, route: str, status: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    labels = (("method", method), ("route", route), ("status", status))
    return ("revintel_http_requests_total", labels)


def test_requests_are_counted_by_route_template_not_raw_path(served: Served) -> None:
    before = _scrape(served)
    for lead in ("L01", "L02", "L03"):
        assert served.client.get(f"/api/v1/leads/{lead}", headers=served.auth("admin")).is_success
    served.client.get("/api/v1/leads/NOPE", headers=served.auth("admin"))
    served.client.get("/no/such/page/12345")
    after = _scrape(served)
    detail = _requests("GET", "/api/v1/leads/{lead_id}", "200")
    assert after[detail] - before.get(detail, 0) == 3
    assert after[_requests("GET", "/api/v1/leads/{lead_id}", "404")] >= 1
    assert after[_requests("GET", "unmatched", "404")] >= 1
    assert not any("L01" in dict(labels).get("route", "") for _, labels in after)
    latency = ("revintel_http_request_duration_seconds_count",
               (("method", "GET"), ("route", "/api/v1/leads/{lead_id}")))  # fmt: skip
    assert after[latency] >= 3


def test_cache_imports_and_warm_up_are_exposed(served: Served) -> None:
    for _ in range(2):
        served.client.get("/api/v1/accounts/A1", headers=served.auth("admin"))
    samples = _scrape(served)
    assert samples[("revintel_cache_hits_total", ())] >= 1
    assert samples[("revintel_cache_misses_total", ())] >= 1
    assert samples[("revintel_cache_entries", ())] >= 1
    assert samples[("revintel_warm_up_running", ())] == 0
    # Every warmer's runs and seconds, by name (computing ahead is off here: none ran).
    page_runs = ("revintel_warmer_runs_total", (("warmer", "page_warmer"),))
    assert samples[page_runs] == 0
    late = ("revintel_warmer_skipped_total", (("warmer", "attribution_warmer"),))
    assert samples[late] == 0
    assert ("revintel_warmer_cpu_seconds_total", (("warmer", "page_warmer"),)) in samples
    assert ("revintel_import_rows_total", (("outcome", "accepted"),)) in samples
    assert ("revintel_import_rows_total", (("outcome", "rejected"),)) in samples


@pytest.mark.parametrize(("user", "status"), [(None, 401), ("anna", 403), ("marie", 403)])
def test_only_admins_may_scrape(served: Served, user: str | None, status: int) -> None:
    headers = served.auth(user) if user else {}
    assert served.client.get("/metrics", headers=headers).status_code == status


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_metrics_port_serves_them_without_sign_in_and_not_on_the_main_port(
    store_path: tuple[Path, dict[str, str]],
) -> None:
    port = _free_port()
    for running in serve(*store_path, metrics_port=port):
        running.client.get("/login")
        assert running.client.get("/metrics", headers=running.auth("admin")).status_code == 404
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
        assert scraped.status_code == 200
        assert _samples(scraped.text)[_requests("GET", "/login", "200")] == 1
