"""Deal guidance under load: ``POST /api/v1/pricing/guidance`` from 50 concurrent CRM clients.

The default demo company (seed 42) with a fitted price model is served by ``revintel serve``
in a child process. 50 clients ask for guidance on random open deals (one request in twenty
is a draft quote, from a set a CRM would repeat while a negotiation goes on):

(a) each client a CRM user calling about once a second (Poisson arrivals, open loop: a late
    answer does not delay the next call), the target being p99 < 20 ms;
(b) closed loop without think time: how many answers per second one server process gives.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from array import array
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks._measure import write_result
from benchmarks.bench_web import _server
from revintel.auth import add_user, create_token
from revintel.pricing._price_model import fit_price_model, latest_fit_id, store_price_model
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

log = logging.getLogger(__name__)

CLIENTS = 50
#: Seconds of phase (a) and (b).
SECONDS = float(os.environ.get("REVINTEL_BENCH_GUIDANCE_SECONDS", "60"))
CLOSED_SECONDS = float(os.environ.get("REVINTEL_BENCH_GUIDANCE_CLOSED_SECONDS", "20"))
#: Calls per second of one CRM user (phase a).
RATE = 1.0
DRAFT_SHARE = 0.05
DRAFTS = 20
TARGET_P99_MS = 20.0
PASSWORD = "benchmark-password"
PATH = "/api/v1/pricing/guidance"
#: A store file to copy instead of writing the demo company (for trying the benchmark out).
REUSE = os.environ.get("REVINTEL_BENCH_GUIDANCE_DB")


def _prepare(db: Path, seed: int = 42) -> tuple[str, list[bytes], list[bytes], float | None]:
    """Write the demo company (unless ``db`` holds one), a manager's token and the price model
    (unless one is stored); the request bodies of open deals and drafts and the seconds
    fitting took."""
    fit_seconds = None
    with open_store(db) as store:
        if store.row_counts()["opportunities"] == 0:
            write_demo_company(store, SynthConfig(seed=seed))
        user = f"bench-{secrets.token_hex(3)}"
        add_user(store, user, PASSWORD, "manager")
        token = create_token(store, user, "benchmark")[0]
        if latest_fit_id(store) is None:
            started = time.perf_counter()
            store_price_model(store, fit_price_model(store))
            fit_seconds = round(time.perf_counter() - started, 1)
        o = store.table("opportunities")
        open_ids = (
            o.filter((o.status == "open") & (o.list_price > 0)).opportunity_id.to_pyarrow()
        ).to_pylist()
        accounts = store.table("accounts").account_id.to_pyarrow().to_pylist()
        products = store.table("products").product_id.to_pyarrow().to_pylist()
    rng = np.random.default_rng(seed)
    deals = [json.dumps({"opportunity_id": i}).encode() for i in sorted(open_ids)]
    drafts = []
    for _ in range(DRAFTS):
        chosen = rng.choice(products, size=int(rng.integers(1, 4)), replace=False)
        lines = [{"product_id": str(p), "quantity": int(rng.integers(1, 4))} for p in chosen]
        body = {
            "account_id": str(rng.choice(accounts)),
            "products": lines,
            "discount": round(float(rng.uniform(0.0, 0.25)), 3),
        }
        drafts.append(json.dumps(body).encode())
    return token, deals, drafts, fit_seconds


class _Connection:
    """One keep-alive HTTP/1.1 connection sending JSON POSTs (a few microseconds of client CPU
    per request, so the latencies measured are the server's; see ``bench_web``)."""

    def __init__(self, url: str, token: str) -> None:
        self.host, port = url.removeprefix("http://").rsplit(":", 1)
        self.port = int(port)
        self.head = (
            f"POST {PATH} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        )
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> int:
        try:
            return await self._post(body)
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise
            # The server closed the connection while it was idle (keep-alive timeout, 5 s):
            # a CRM's HTTP client opens a new one and sends again, so does this one.
            await self.close()
            return await self._post(body)

    async def _post(self, body: bytes) -> int:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"{self.head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = _CONTENT_LENGTH.search(head)
        if length is not None:
            await self.reader.readexactly(int(length.group(1)))
        return int(head[9:12])

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.IGNORECASE)


async def _client(
    url: str,
    token: str,
    bodies: tuple[list[bytes], list[bytes]],
    seed: int,
    until: float,
    rate: float | None,
) -> tuple[array, bytearray, bytearray]:
    """Requests until ``until``: Poisson arrivals at ``rate`` per second (latency counted from
    the planned arrival), or back to back when ``rate`` is None; seconds, ok and whether it
    was a draft, of each."""
    deals, drafts = bodies
    rng = np.random.default_rng(seed)
    connection = _Connection(url, token)
    seconds, ok, drafted = array("d"), bytearray(), bytearray()
    planned = time.perf_counter() + (rng.exponential(1 / rate) if rate else 0.0)
    while time.perf_counter() < until:
        if rate:
            delay = planned - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        draft = rng.random() < DRAFT_SHARE
        body = drafts[rng.integers(len(drafts))] if draft else deals[rng.integers(len(deals))]
        start = planned if rate else time.perf_counter()
        try:
            status = await connection.post(body)
        except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
            log.warning("guidance request failed: %s", exc)
            status = 0
            await connection.close()
        seconds.append(time.perf_counter() - start)
        ok.append(status == 200)
        drafted.append(draft)
        if rate:
            planned = max(planned, start) + rng.exponential(1 / rate)
    await connection.close()
    return seconds, ok, drafted


async def _phase(
    url: str,
    token: str,
    bodies: tuple[list[bytes], list[bytes]],
    seconds: float,
    rate: float | None,
) -> dict[str, Any]:
    until = time.perf_counter() + seconds
    results = await asyncio.gather(
        *(_client(url, token, bodies, n, until, rate) for n in range(CLIENTS))
    )
    latencies = np.concatenate([np.frombuffer(r[0], dtype=float) for r in results]) * 1000
    drafted = np.concatenate([np.frombuffer(r[2], dtype=np.uint8) for r in results]) == 1
    errors = sum(len(r[1]) - sum(r[1]) for r in results)
    return {
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / seconds, 1),
        **_percentiles(latencies),
        "errors": int(errors),
        "open_deals": _percentiles(latencies[~drafted]) | {"requests": int((~drafted).sum())},
        "drafts": _percentiles(latencies[drafted]) | {"requests": int(drafted.sum())},
    }


def _percentiles(latencies: np.ndarray) -> dict[str, float]:
    if len(latencies) == 0:
        return {}
    return {
        **{f"p{q}_ms": round(float(np.percentile(latencies, q)), 2) for q in (50, 95, 99)},
        "max_ms": round(float(latencies.max()), 1),
    }


def _ready(url: str, token: str, body: bytes) -> float:
    """Seconds until the server has read the price model and answered every open deal ahead
    (its warm-up), then one request to be sure."""
    started = time.perf_counter()
    while httpx.get(f"{url}/api/v1/health").json().get("warming"):
        if time.perf_counter() - started > 600:
            raise RuntimeError("the guidance was not computed ahead within 10 minutes")
        time.sleep(0.1)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    answer = httpx.post(f"{url}{PATH}", content=body, headers=headers, timeout=300)
    answer.raise_for_status()
    return time.perf_counter() - started


def run(results_dir: Path) -> dict[str, Any]:
    """Fit the demo company's price model, serve it and measure phases (a) and (b)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        if REUSE:  # a demo company prepared before (with or without a price model)
            shutil.copyfile(REUSE, db)
        token, deals, drafts, fit_seconds = _prepare(db)
        with _server(db, warm_up=True) as url:
            ready = _ready(url, token, deals[0])
            crm = asyncio.run(_phase(url, token, (deals, drafts), SECONDS, RATE))
            closed = asyncio.run(_phase(url, token, (deals, drafts), CLOSED_SECONDS, None))
    figures = {
        "benchmark": "guidance",
        "clients": CLIENTS,
        "open_deals": len(deals),
        "draft_share": DRAFT_SHARE,
        "distinct_drafts": DRAFTS,
        "fit_seconds": fit_seconds,
        "seconds_until_ready": round(ready, 1),
        "crm_poisson_1_per_second": crm | {"seconds": SECONDS},
        "closed_loop": closed | {"seconds": CLOSED_SECONDS},
        "target_p99_ms": TARGET_P99_MS,
        "target_met": crm["p99_ms"] < TARGET_P99_MS and crm["errors"] == 0,
    }
    write_result(results_dir, "guidance", figures)
    return figures


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results"
    print(json.dumps(run(out), indent=2))
