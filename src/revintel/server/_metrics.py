"""Prometheus metrics of a running server: requests, latency, the result cache, imports, warm-up.

Each application keeps its own registry, so several applications in one process (tests) never
share or collide on a metric. ``/metrics`` is served to admins, or without sign-in on a port of
its own when ``REVINTEL_METRICS_PORT`` is set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from revintel.server._deps import AdminDep
from revintel.server._settings import Settings
from revintel.server._state import AppState
from revintel.store import Store

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
#: Label of requests no route matched (unknown paths, static files): raw paths would make every
#: mistyped or probing URL a new time series.
UNMATCHED_ROUTE = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Latency buckets in seconds, from a cached page to a cold forecast.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def _import_totals(store: Store) -> list[dict[str, Any]]:
    """Batches, accepted and rejected rows of the stored imports by status (on any engine)."""
    batches = store.table("import_batches")
    totals = batches.group_by("status").aggregate(
        batches=batches.count(),
        accepted=batches.rows_accepted.sum().coalesce(0),
        rejected=batches.rows_rejected.sum().coalesce(0),
    )
    rows: list[dict[str, Any]] = totals.to_pyarrow().to_pylist()
    return rows


@dataclass
class ServerMetrics:
    """The metrics of one application and the registry holding them."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter(
            "revintel_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "revintel_http_request_duration_seconds",
            "Time from receiving a request to the end of its response, by method and route.",
            ("method", "route"),
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request and its duration."""
        method = method if method in _METHODS else "other"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def exposition(self) -> bytes:
        """Every metric in Prometheus' text format."""
        return generate_latest(self.registry)


class StateCollector(Collector):
    """Reads the result cache, the import history and the warm-up state at each scrape."""

    def __init__(self, state: AppState) -> None:
        self.state = state

    def collect(self) -> Iterable[Metric]:
        """The current values (the import history is read from the store)."""
        cache = self.state.cache
        yield _counter("revintel_cache_hits", "Results served from the result cache.", cache.hits)
        yield _counter("revintel_cache_misses", "Results computed for the cache.", cache.misses)
        yield _counter(
            "revintel_cache_previous_hits",
            "Results served as of before the last import while it was being recomputed.",
            cache.previous_hits,
        )
        yield _gauge("revintel_cache_entries", "Results kept in the result cache.", len(cache))
        yield _gauge(
            "revintel_warm_up_running",
            "1 while views are being computed ahead, else 0.",
            float(self.state.warming),
        )
        seconds = self.state.warm_up_seconds
        if seconds is not None:
            yield _gauge(
                "revintel_warm_up_duration_seconds",
                "Duration of the last complete pass computing the views ahead.",
                seconds,
            )
        yield from self._warmers()
        yield from self._helper()
        yield from self._imports()

    def _warmers(self) -> Iterator[Metric]:
        stats = self.state.warmer_stats
        families = {
            "runs": CounterMetricFamily(
                "revintel_warmer_runs", "Runs of each warmer.", labels=("warmer",)
            ),
            "skipped": CounterMetricFamily(
                "revintel_warmer_skipped",
                "Passes leaving a slow page's warmer out: nobody opened its results since.",
                labels=("warmer",),
            ),
            "seconds": CounterMetricFamily(
                "revintel_warmer_seconds", "Wall-clock seconds of each warmer.", labels=("warmer",)
            ),
            "cpu_seconds": CounterMetricFamily(
                "revintel_warmer_cpu_seconds",
                "Processor seconds while each warmer ran: of the server process, or of the "
                "helper process for passes run there.",
                labels=("warmer",),
            ),
        }
        for name, figures in stats.items():
            for field_name, family in families.items():
                family.add_metric((name,), float(getattr(figures, field_name)))
        yield from families.values()

    def _helper(self) -> Iterator[Metric]:
        helper = self.state.warm_helper
        if helper is None:
            return
        yield _counter(
            "revintel_refresh_helper_passes",
            "Passes computing the results again after a change that ran in a helper process.",
            helper.passes,
        )
        yield _counter(
            "revintel_refresh_helper_failures",
            "Helper passes that failed, so that the server computed the results itself.",
            helper.failures,
        )
        yield _counter(
            "revintel_refresh_helper_results",
            "Results computed by helper processes and kept by the server.",
            helper.adopted,
        )

    def _imports(self) -> Iterator[Metric]:
        batches = CounterMetricFamily(
            "revintel_imports", "Import batches in the store, by status.", labels=("status",)
        )
        rows = CounterMetricFamily(
            "revintel_import_rows",
            "Rows of the stored import batches, accepted or rejected.",
            labels=("outcome",),
        )
        with self.state.stores.borrow() as store:
            totals = _import_totals(store)
        accepted = rejected = 0
        for row in totals:
            batches.add_metric((str(row["status"] or "unknown"),), row["batches"])
            accepted += int(row["accepted"])
            rejected += int(row["rejected"])
        rows.add_metric(("accepted",), accepted)
        rows.add_metric(("rejected",), rejected)
        yield batches
        yield rows


def _counter(name: str, documentation: str, value: float) -> Metric:
    return CounterMetricFamily(name, documentation, value=value)


def _gauge(name: str, documentation: str, value: float) -> Metric:
    return GaugeMetricFamily(name, documentation, value=value)


def route_template(scope: Scope) -> str:
    """The template of the route that answered (``/api/v1/leads/{lead_id}``), or ``unmatched``.

    A route included through routers with prefixes knows only its own part of the template, so
    the prefix is taken from the path: the longest tail of the path the route matches follows it.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    pattern = getattr(route, "path_regex", None)
    if not isinstance(template, str) or pattern is None:
        return UNMATCHED_ROUTE
    path = str(scope.get("path", ""))
    for cut, char in enumerate(path):
        if char == "/" and pattern.fullmatch(path[cut:]):
            return path[:cut] + template
    return template


class RequestMetrics:
    """ASGI middleware counting each request by method, route template and status, and timing it.

    The route template (``/api/v1/leads/{lead_id}``) is read after routing, so ids in paths do
    not create a time series each.
    """

    def __init__(self, app: ASGIApp, metrics: ServerMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_counting)
        finally:
            route = route_template(scope)
            method = str(scope.get("method", ""))
            self.metrics.observe(method, route, status, time.perf_counter() - started)


def install_metrics(app: FastAPI, state: AppState) -> ServerMetrics:
    """Count the application's requests and serve ``/metrics`` to admins.

    With ``metrics_port`` set, ``/metrics`` is not part of the application: :func:`metrics_port`
    serves it on that port instead.
    """
    metrics = ServerMetrics()
    metrics.registry.register(StateCollector(state))
    app.add_middleware(RequestMetrics, metrics=metrics)
    if state.settings.metrics_port is None:

        @app.get(METRICS_PATH, include_in_schema=False)
        def _metrics(user: AdminDep) -> Response:
            return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return metrics


@contextmanager
def metrics_port(metrics: ServerMetrics, settings: Settings) -> Iterator[None]:
    """Serve ``metrics`` on ``settings.metrics_port`` (when set) while the block runs."""
    if settings.metrics_port is None:
        yield
        return
    server, thread = start_http_server(
        settings.metrics_port, addr=settings.metrics_host, registry=metrics.registry
    )
    log.info("metrics on http://%s:%d/metrics", settings.metrics_host, settings.metrics_port)
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
