"""Soak: 50 concurrent clients for ten minutes while an import runs every minute.

The demo company is served by ``revintel serve`` in a child process, as in production (views
computed ahead). Half the clients load pages, half call the API, each on its own keep-alive
connection without pause; an admin uploads a small export once a minute. Per minute the
benchmark records requests, p50/p99 and errors of pages and API, the imports' outcome and the
server's resident memory, and at the end each warmer's runs and seconds (from ``/metrics``).
It checks: no error, the web benchmark's p99 targets held in every minute, memory flat from
minute 2 to the end (growth under 5 % of minute 2's).
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil

from benchmarks._measure import write_result
from benchmarks.bench_web import (
    CLIENTS,
    TARGETS,
    _client,
    _paths,
    _prepare,
    _server,
    _session_cookie,
)
from revintel.auth import add_user, create_token
from revintel.store import open_store

SECONDS = float(os.environ.get("REVINTEL_SOAK_SECONDS", "600"))
MINUTE = 60.0
IMPORT_EVERY = 60.0
MAX_GROWTH = 0.05


def _admin_token(db: Path) -> str:
    with open_store(db) as store:
        add_user(store, "soak-admin", "soak-password-123", "admin")
        return create_token(store, "soak-admin", "soak")[0]


def _export(round_number: int) -> bytes:
    """A small CRM export: 20 accounts, each re-imported with a changed city every round."""
    rows = ["account_id,name,country,city"]
    rows += [f"SOAK{i:03d},Soak Kunde {i} GmbH,DE,Stadt {round_number}" for i in range(20)]
    return ("\n".join(rows) + "\n").encode()


async def _imports(url: str, token: str, until: float) -> list[dict[str, Any]]:
    """Upload an export every minute until ``until``; the status and seconds of each."""
    done: list[dict[str, Any]] = []
    round_number = 0
    next_at = time.monotonic() + IMPORT_EVERY / 2
    async with httpx.AsyncClient(base_url=url, timeout=300) as client:
        while True:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if time.monotonic() >= until:
                return done
            round_number += 1
            files = {"files": (f"accounts-{round_number}.csv", _export(round_number), "text/csv")}
            start = time.perf_counter()
            response = await client.post(
                "/api/v1/imports",
                files=files,
                data={"preset": "generic"},
                headers={"Authorization": f"Bearer {token}"},
            )
            done.append(
                {
                    "at_s": round(time.monotonic() - (until - SECONDS), 1),
                    "status": response.status_code,
                    "seconds": round(time.perf_counter() - start, 2),
                }
            )
            next_at += IMPORT_EVERY


async def _memory(pid: int, until: float, start: float) -> list[tuple[float, float]]:
    """(seconds since start, resident MiB of the server) every five seconds."""
    process = psutil.Process(pid)
    samples = []
    while time.monotonic() < until:
        samples.append((time.monotonic() - start, process.memory_info().rss / 2**20))
        await asyncio.sleep(5)
    return samples


async def _soak(url: str, pid: int, cookie: str, token: str, admin: str) -> dict[str, Any]:
    pages, api = _paths(url, token)
    with httpx.Client(base_url=url, timeout=300) as client:
        for path in pages:
            client.get(path, headers={"Cookie": cookie})
        for path in api:
            client.get(path, headers={"Authorization": f"Bearer {token}"})
    # What the client holds from here on is not the server's: keep it out of the collector.
    gc.collect()
    gc.freeze()
    start = time.monotonic()
    until = start + SECONDS
    headers = (f"Cookie: {cookie}", f"Authorization: Bearer {token}")
    clients = [
        _client(url, headers[n % 2], pages if n % 2 == 0 else api, n, until, stamps=True)
        for n in range(CLIENTS)
    ]
    results = await asyncio.gather(
        _imports(url, admin, until), _memory(pid, until, start), *clients
    )
    imports, memory, per_client = results[0], results[1], results[2:]
    return {"start": start, "imports": imports, "memory": memory, "clients": per_client}


def _warmers(url: str, token: str) -> dict[str, dict[str, float]]:
    """Runs, skipped runs, wall and processor seconds of each warmer, from ``/metrics``."""
    text = httpx.get(
        f"{url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ).text
    found: dict[str, dict[str, float]] = {}
    for line in text.splitlines():
        if not line.startswith("revintel_warmer_") or "_created" in line:
            continue
        name, value = line.rsplit(" ", 1)
        metric, label = name.split("{", 1)
        figure = metric.removeprefix("revintel_warmer_").removesuffix("_total")
        warmer = label.split('"')[1]
        found.setdefault(warmer, {})[figure] = round(float(value), 2)
    return found


def _helper(url: str, token: str) -> dict[str, float]:
    """Passes, failures and kept results of the helper process computing results again."""
    text = httpx.get(
        f"{url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ).text
    found: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("revintel_refresh_helper_") and "_total " in line:
            name, value = line.rsplit(" ", 1)
            figure = name.removeprefix("revintel_refresh_helper_").removesuffix("_total")
            found[figure] = float(value)
    return found


def _minutes(raw: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for minute in range(int(np.ceil(SECONDS / MINUTE))):
        low, high = raw["start"] + minute * MINUTE, raw["start"] + (minute + 1) * MINUTE
        row: dict[str, Any] = {"minute": minute + 1}
        for kind, parity in (("pages", 0), ("api", 1)):
            samples = [
                (s, ok)
                for n, client in enumerate(raw["clients"])
                if n % 2 == parity
                for at, s, ok in client
                if low <= at < high
            ]
            latencies = np.array([s for s, _ in samples] or [0.0]) * 1000
            row[kind] = {
                "requests": len(samples),
                "p50_ms": round(float(np.percentile(latencies, 50)), 1),
                "p99_ms": round(float(np.percentile(latencies, 99)), 1),
                "errors": sum(1 for _, ok in samples if not ok),
            }
        mib = [m for t, m in raw["memory"] if minute * MINUTE <= t < (minute + 1) * MINUTE]
        row["rss_mib"] = round(float(np.mean(mib)), 1) if mib else None
        rows.append(row)
    return rows


def _verdict(minutes: list[dict[str, Any]], imports: list[dict[str, Any]]) -> dict[str, Any]:
    errors = sum(m[k]["errors"] for m in minutes for k in ("pages", "api"))
    worst_page = max(m["pages"]["p99_ms"] for m in minutes)
    worst_api = max(m["api"]["p99_ms"] for m in minutes)
    settled = [m["rss_mib"] for m in minutes[1:] if m["rss_mib"] is not None]
    growth = (settled[-1] - settled[0]) / settled[0] if len(settled) > 1 else 0.0
    failed_imports = sum(1 for i in imports if i["status"] != 201)
    return {
        "errors": errors,
        "failed_imports": failed_imports,
        "worst_minute_page_p99_ms": worst_page,
        "worst_minute_api_p99_ms": worst_api,
        "memory_growth_from_minute_2": round(growth, 4),
        "meets_targets": errors == 0
        and failed_imports == 0
        and worst_page < TARGETS["page_p99_ms"]
        and worst_api < TARGETS["api_p99_ms"]
        and growth < MAX_GROWTH,
    }


def run(results_dir: Path) -> dict[str, Any]:
    """Serve the demo company, soak it, and write ``results/soak.json``."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        token = _prepare(db)
        admin = _admin_token(db)
        with _server(db, warm_up=True, with_process=True) as (url, process):
            cookie = _session_cookie(url)
            raw = asyncio.run(_soak(url, process.pid, cookie, token, admin))
            warmers = _warmers(url, admin)
            helper = _helper(url, admin)
    minutes = _minutes(raw)
    figures = {
        "benchmark": "soak",
        "clients": CLIENTS,
        "seconds": SECONDS,
        "import_every_seconds": IMPORT_EVERY,
        "targets": {**TARGETS, "memory_growth_from_minute_2": MAX_GROWTH},
        "verdict": _verdict(minutes, raw["imports"]),
        "minutes": minutes,
        "imports": raw["imports"],
        "warmers": warmers,
        "refresh_helper": helper,
    }
    write_result(results_dir, "soak", figures)
    return figures


if __name__ == "__main__":
    print(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/results"))["verdict"])


# --- figures quoted by docs/benchmarks.md (checked by tests/test_figures.py) ------------------


def _range(values: list[float], unit: str = "") -> str:
    return f"{min(values):,.1f}–{max(values):,.1f}{unit}" if values else "–"


def render(figures: dict[str, Any]) -> dict[str, str]:
    """The soak block of docs/benchmarks.md, rendered from ``soak.json``."""
    minutes = figures["minutes"]
    verdict = figures["verdict"]
    targets = figures["targets"]
    lines = [
        "| minute | page requests | page p50 / p99 ms | API requests | API p50 / p99 ms | errors "
        "| server MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in minutes:
        pages, api = row["pages"], row["api"]
        lines.append(
            f"| {row['minute']} | {pages['requests']:,} | {pages['p50_ms']} / {pages['p99_ms']} "
            f"| {api['requests']:,} | {api['p50_ms']} / {api['p99_ms']} "
            f"| {pages['errors'] + api['errors']} | {row['rss_mib']:,.1f} |"
        )
    imports = figures["imports"]
    accepted = sum(1 for i in imports if i["status"] == 201)
    machine = figures.get("machine", {})
    helper = figures.get("refresh_helper") or {}
    in_helper = (
        f"views computed in {helper.get('passes', 0):.0f} passes of a helper process "
        f"({helper.get('failures', 0):.0f} failed, {helper.get('results', 0):,.0f} results "
        "handed back and kept); "
        if helper
        else "views computed again in the server process; "
    )
    met = "met" if verdict["meets_targets"] else "NOT met"
    summary = (
        f"\n{figures['clients']} clients for {figures['seconds'] / 60:.0f} minutes, an import "
        f"every {figures['import_every_seconds']:.0f} s: {accepted} of {len(imports)} imports "
        f"accepted, taking {_range([i['seconds'] for i in imports], ' s')}; {in_helper}errors "
        f"{verdict['errors']}; worst minute's p99: pages {verdict['worst_minute_page_p99_ms']} ms "
        f"(target {targets['page_p99_ms']} ms), API {verdict['worst_minute_api_p99_ms']} ms "
        f"(target {targets['api_p99_ms']} ms); server memory from minute 2 to the end "
        f"{verdict['memory_growth_from_minute_2']:+.1%} (target within "
        f"±{targets['memory_growth_from_minute_2']:.0%}). Targets {met}.\n"
        f"\nMeasured {machine.get('measured_at', '?')[:10]} on {machine.get('cpus', '?')} cores, "
        f"{machine.get('memory_gib', '?')} GiB, Python {machine.get('python', '?')}.\n"
    )
    return {"soak": "\n".join(lines) + "\n" + summary}
