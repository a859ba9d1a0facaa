"""Dashboard and REST API under load: 50 concurrent clients on loopback against the demo company."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks._measure import write_result
from revintel.auth import add_user, create_token
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from revintel.web._warmup import WARM_PATHS

log = logging.getLogger(__name__)

CLIENTS = 50
SECONDS = float(os.environ.get("REVINTEL_BENCH_WEB_SECONDS", "60"))
PASSWORD = "benchmark-password"
TARGETS = {"page_p99_ms": 300, "api_p99_ms": 100, "errors": 0}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(db: Path) -> str:
    with open_store(db) as store:
        write_demo_company(store, SynthConfig(seed=42))
        add_user(store, "bench", PASSWORD, "manager")
        return create_token(store, "bench", "benchmark")[0]


@contextmanager
def _server(db: Path, *, warm_up: bool = False, with_process: bool = False) -> Iterator[Any]:
    """``revintel serve`` on ``db`` in a child process: yields its URL (and the process)."""
    port = _free_port()
    # Without warm-up the first pass measures computing each view.
    env = {
        **os.environ,
        "REVINTEL_SECRET_KEY": secrets.token_urlsafe(32),
        "REVINTEL_WARM_UP": "true" if warm_up else "false",
    }
    command = [sys.executable, "-m", "revintel", "serve", "--db", str(db), "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield (url, process) if with_process else url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _session_cookie(url: str) -> str:
    with httpx.Client(base_url=url) as client:
        form = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf is not None
        cookie = form.headers["set-cookie"].split(";", 1)[0]
        response = client.post(
            "/login",
            data={"username": "bench", "password": PASSWORD, "csrf_token": csrf.group(1)},
            headers={"Cookie": cookie},
        )
        return response.headers["set-cookie"].split(";", 1)[0]


def _paths(url: str, token: str) -> tuple[list[str], list[str]]:
    headers = {"Authorization": f"Bearer {token}"}
    deals = httpx.get(f"{url}/api/v1/opportunities?limit=20", headers=headers).json()
    leads = httpx.get(f"{url}/api/v1/leads?limit=20", headers=headers).json()
    deal_ids = [d["opportunity_id"] for d in deals["items"]]
    lead_ids = [d["lead_id"] for d in leads["items"]]
    pages = ["/", "/funnel", "/velocity", "/forecast"]
    pages += ["/leads", "/leads?channel=search", "/deals?status=open"]
    pages += [f"/deals/{i}" for i in deal_ids[:5]] + [f"/leads/{i}" for i in lead_ids[:5]]
    api = ["/api/v1/leads?limit=50", "/api/v1/opportunities?status=open", "/api/v1/store"]
    api += ["/api/v1/forecast?grain=quarter"]
    api += [f"/api/v1/opportunities/{i}" for i in deal_ids] + [
        f"/api/v1/leads/{i}" for i in lead_ids
    ]
    return pages, api


class _Connection:
    """One keep-alive HTTP/1.1 connection that sends GETs and reads whole answers.

    The load generator shares the machine's cores with the server. A full HTTP client spends
    about a millisecond of CPU per request, which on two cores is more than the server itself
    spends on a cached view; this minimal one spends a few microseconds, so the latencies
    measured are the server's.
    """

    def __init__(self, url: str, header: str) -> None:
        address = url.removeprefix("http://")
        self.host, port = address.rsplit(":", 1)
        self.port = int(port)
        self.header = header
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        """The status code of ``GET path``, after the whole body has been read."""
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.header}\r\n\r\n"
        self.writer.write(request.encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = _CONTENT_LENGTH.search(head)
        if length is not None:
            await self.reader.readexactly(int(length.group(1)))
        else:  # chunked transfer encoding
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readline()
        if _CLOSE.search(head):
            await self.close()
        return status

    async def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.IGNORECASE)
_CLOSE = re.compile(rb"\r\nconnection: *close", re.IGNORECASE)


class _Samples:
    """Measurements kept in flat arrays while the load runs: hundreds of thousands of tuples
    would make the client's own garbage collection pause it, and those pauses would be
    counted as the server's latency."""

    def __init__(self, *, stamps: bool) -> None:
        self.stamps = stamps
        self.began = array("d")
        self.seconds = array("d")
        self.ok = bytearray()

    def append(self, began: float, seconds: float, ok: bool) -> None:
        self.began.append(began)
        self.seconds.append(seconds)
        self.ok.append(ok)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for began, seconds, ok in zip(self.began, self.seconds, self.ok, strict=True):
            yield (began, seconds, bool(ok)) if self.stamps else (seconds, bool(ok))


async def _client(
    url: str, header: str, paths: list[str], offset: int, until: float, *, stamps: bool = False
) -> list[Any]:
    """Request ``paths`` in turn, without pause, until ``until``; (seconds, ok) per request,
    or (monotonic start, seconds, ok) with ``stamps``."""
    connection = _Connection(url, header)
    samples = _Samples(stamps=stamps)
    i = offset
    while time.monotonic() < until:
        path = paths[i % len(paths)]
        i += 1
        began = time.monotonic()
        start = time.perf_counter()
        try:
            status: int | str = await connection.get(path)
        except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
            status = type(exc).__name__
            await connection.close()
        ok = status == 200
        if not ok:
            log.warning("%s answered %s", path, status)
        seconds = time.perf_counter() - start
        samples.append(began, seconds, ok)
    await connection.close()
    return list(samples)


async def _load(url: str, cookie: str, token: str, seconds: float) -> dict[str, list]:
    pages, api = _paths(url, token)
    page_header, api_header = f"Cookie: {cookie}", f"Authorization: Bearer {token}"
    # One sequential pass first: the figures are for a server that has seen each view once.
    # How long each view took the first time (computed, not yet kept) is recorded too.
    first: dict[str, list[tuple[float, bool]]] = {"pages": [], "api": []}
    main_pages: dict[str, float] = {}
    with httpx.Client(base_url=url, timeout=300) as client:
        for kind, paths, headers in (
            ("pages", pages, {"Cookie": cookie}),
            ("api", api, {"Authorization": f"Bearer {token}"}),
        ):
            for path in paths:
                start = time.perf_counter()
                ok = client.get(path, headers=headers).status_code == 200
                first[kind].append((time.perf_counter() - start, ok))
                if path in WARM_PATHS:
                    main_pages[path] = round((time.perf_counter() - start) * 1000, 1)
    until = time.monotonic() + seconds
    tasks = [
        _client(url, page_header, pages, n, until)
        if n % 2 == 0
        else _client(url, api_header, api, n, until)
        for n in range(CLIENTS)
    ]
    results = await asyncio.gather(*tasks)
    return {
        "pages": [s for n, r in enumerate(results) if n % 2 == 0 for s in r],
        "api": [s for n, r in enumerate(results) if n % 2 == 1 for s in r],
        "first_pages": first["pages"],
        "first_api": first["api"],
        "first_main_pages_ms": main_pages,
    }


def _summary(samples: list[tuple[float, bool]], seconds: float) -> dict[str, Any]:
    latencies = np.array([s[0] for s in samples]) * 1000
    return {
        "requests": len(samples),
        "requests_per_second": round(len(samples) / seconds, 1),
        "p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "p99_ms": round(float(np.percentile(latencies, 99)), 1),
        "errors": sum(1 for s in samples if not s[1]),
    }


def _first_view(samples: list[tuple[float, bool]]) -> dict[str, Any]:
    latencies = np.array([s[0] for s in samples]) * 1000
    return {
        "urls": len(samples),
        "p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "max_ms": round(float(latencies.max()), 1),
        "errors": sum(1 for s in samples if not s[1]),
    }


def _warmed_first_views(db: Path) -> dict[str, Any]:
    """A server that computes its main views ahead: how long until it has, and how long each
    main page then takes on its first visit."""
    with _server(db, warm_up=True) as url:
        started = time.perf_counter()
        while httpx.get(f"{url}/api/v1/health").json()["warming"]:
            if time.perf_counter() - started > 600:
                raise RuntimeError("the views were not computed within 10 minutes")
            time.sleep(0.1)
        ready = time.perf_counter() - started
        headers = {"Cookie": _session_cookie(url)}
        views = {}
        with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
            for path in WARM_PATHS:
                start = time.perf_counter()
                status = client.get(path).status_code
                views[path] = {
                    "ms": round((time.perf_counter() - start) * 1000, 1),
                    "status": status,
                }
    return {"seconds_until_computed": round(ready, 1), "first_visit": views}


def run(results_dir: Path) -> dict[str, Any]:
    """Serve a fresh demo company to 50 clients (half pages, half API); record p50/p99. Then
    serve it again computing the main views ahead and time their first visits."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        token = _prepare(db)
        with _server(db) as url:
            cookie = _session_cookie(url)
            samples = asyncio.run(_load(url, cookie, token, SECONDS))
        warmed = _warmed_first_views(db)
    figures = {
        "benchmark": "web",
        "clients": CLIENTS,
        "seconds": SECONDS,
        "leads": SynthConfig().leads,
        "pages": _summary(samples["pages"], SECONDS),
        "api": _summary(samples["api"], SECONDS),
        "first_view": {
            "note": "each URL once, in turn, before the load: computed, then kept",
            "pages": _first_view(samples["first_pages"]),
            "api": _first_view(samples["first_api"]),
            "main_pages_ms": samples["first_main_pages_ms"],
        },
        "computed_ahead": warmed,
        "targets": TARGETS,
    }
    write_result(results_dir, "web", figures)
    return figures


if __name__ == "__main__":
    print(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results")))
