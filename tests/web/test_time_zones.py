"""Times in API responses: RFC 3339 with the offset of the store's zone.

The hand-made store's times are midnights in Berlin (``+01:00`` in winter, ``+02:00`` from
31 March 2024); an upload of UTC and New York times is stored as Berlin wall-clock times.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from revintel.server import Settings
from revintel.store import open_store, set_store_timezone
from tests.web.conftest import SECRET, LiveServer, browser_login, csrf_from, serve_in_thread
from tests.web.stores import build_store

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")
LEAD_CSV = (
    "Id,FirstName,LastName,Company,Status,LeadSource,CreatedDate,ConvertedDate,IsConverted\n"
    "00Q01,A,B,C1,Open - Not Contacted,Web,2024-10-27T00:30:00Z,,false\n"
    "00Q02,A,B,C2,Open - Not Contacted,Web,2024-10-27 02:30:00,,false\n"
    "00Q03,A,B,C3,Open - Not Contacted,Web,2024-03-05 10:00:00+01:00,,false\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own (these tests import), on a store in the default zone."""
    db = tmp_path_factory.mktemp("zones") / "berlin.duckdb"
    tokens = build_store(db)
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)


@pytest.fixture(scope="module")
def berlin(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client("admin") as client:
        yield client


def _times(body: Any, key: str = "") -> list[tuple[str, str]]:
    """Every (field, value) of ``body`` whose field names a point in time (``…_at``)."""
    if isinstance(body, dict):
        return [pair for k, v in body.items() for pair in _times(v, k)]
    if isinstance(body, list):
        return [pair for item in body for pair in _times(item, key)]
    if key.endswith("_at") and body is not None:
        return [(key, str(body))]
    return []


def _upload(client: httpx.Client, name: str, text: str, **form: str) -> httpx.Response:
    return client.post(
        "/api/v1/imports",
        data={"preset": "salesforce", **form},
        files={"files": (name, text.encode(), "text/csv")},
    )


def test_every_time_in_responses_has_an_offset(berlin: httpx.Client) -> None:
    created = berlin.post("/api/v1/tokens", json={"name": "zones", "valid_days": 3}).json()
    assert _upload(berlin, "Lead.csv", LEAD_CSV).status_code == 201
    paths = [
        "/api/v1/leads",
        "/api/v1/leads/L01",
        "/api/v1/opportunities",
        "/api/v1/opportunities/O1",
        "/api/v1/accounts",
        "/api/v1/imports",
        "/api/v1/tokens",
    ]
    seen: dict[str, list[str]] = {}
    for path in paths:
        response = berlin.get(path)
        assert response.status_code == 200, (path, response.text)
        for field, value in _times(response.json()):
            assert RFC3339.match(value), (path, field, value)
            seen.setdefault(field, []).append(value)
    for field, value in _times(created):
        assert RFC3339.match(value), (field, value)
    # Fields of leads, deals, milestones, touchpoints, batches and tokens were all checked.
    expected = {"created_at", "closed_at", "occurred_at", "started_at", "finished_at"}
    assert expected <= set(seen)


def test_stored_wall_clock_times_carry_winter_and_summer_offsets(berlin: httpx.Client) -> None:
    body = berlin.get("/api/v1/opportunities/O1").json()["opportunity"]
    assert body["created_at"] == "2024-02-01T00:00:00+01:00"
    assert body["closed_at"] == "2024-03-15T00:00:00+01:00"
    body = berlin.get("/api/v1/opportunities/O3").json()["opportunity"]
    assert body["created_at"] == "2024-04-02T00:00:00+02:00"
    lead = berlin.get("/api/v1/leads/L01").json()
    assert lead["lead"]["created_at"] == "2024-01-06T00:00:00+01:00"
    assert [e["occurred_at"] for e in lead["timeline"]][:3] == [
        "2024-01-06T00:00:00+01:00",
        "2024-01-08T00:00:00+01:00",
        "2024-01-20T00:00:00+01:00",
    ]


def test_an_upload_in_utc_and_new_york_time_reads_back_as_the_same_instants(
    berlin: httpx.Client,
) -> None:
    assert _upload(berlin, "Lead.csv", LEAD_CSV).status_code == 201
    first = berlin.get("/api/v1/leads/salesforce:00Q01").json()["lead"]["created_at"]
    second = berlin.get("/api/v1/leads/salesforce:00Q02").json()["lead"]["created_at"]
    third = berlin.get("/api/v1/leads/salesforce:00Q03").json()["lead"]["created_at"]
    # 00:30Z and 02:30Z on 27 October: 02:30 summer time, then 03:30 winter time.
    assert (first, second) == ("2024-10-27T02:30:00+02:00", "2024-10-27T03:30:00+01:00")
    assert third == "2024-03-05T10:00:00+01:00"
    york = (
        "Id,LastName,Company,Status,CreatedDate\n00Q09,B,C9,Open - Not Contacted,2024-07-05 10:00\n"
    )
    response = _upload(berlin, "Lead-ny.csv", york, timezone="America/New_York")
    assert response.status_code == 201, response.text
    ninth = berlin.get("/api/v1/leads/salesforce:00Q09").json()["lead"]["created_at"]
    assert ninth == "2024-07-05T16:00:00+02:00"
    assert datetime.fromisoformat(ninth) == datetime(
        2024, 7, 5, 10, tzinfo=ZoneInfo("America/New_York")
    )


def test_an_unknown_upload_zone_is_a_400_naming_it(berlin: httpx.Client) -> None:
    response = _upload(berlin, "Lead.csv", LEAD_CSV, timezone="Mars/Base")
    assert response.status_code == 400
    assert "Mars/Base" in response.json()["error"]["message"]


def test_server_written_times_are_the_store_clock(berlin: httpx.Client) -> None:
    before = datetime.now(ZoneInfo("Europe/Berlin"))
    created = berlin.post("/api/v1/tokens", json={"name": "clock", "valid_days": 2}).json()
    at = datetime.fromisoformat(created["created_at"])
    assert before - timedelta(seconds=1) <= at <= datetime.now(ZoneInfo("Europe/Berlin"))
    assert datetime.fromisoformat(created["expires_at"]) - at == timedelta(days=2)
    batch = berlin.get("/api/v1/imports").json()["items"][0]
    started = datetime.fromisoformat(batch["started_at"])
    assert timedelta(0) <= datetime.now(ZoneInfo("Europe/Berlin")) - started < timedelta(minutes=5)


def test_store_info_and_openapi_name_the_zone_and_format(berlin: httpx.Client) -> None:
    assert berlin.get("/api/v1/store").json()["timezone"] == "Europe/Berlin"
    schemas = berlin.get("/api/openapi.json").json()["components"]["schemas"]
    lead_created = schemas["Lead"]["properties"]["created_at"]
    assert (lead_created["type"], lead_created["format"]) == ("string", "date-time")
    closed = schemas["Opportunity"]["properties"]["closed_at"]["anyOf"]
    assert {"type": "string", "format": "date-time"} in closed


def test_a_server_writes_the_offset_of_its_own_store(tmp_path: Path, berlin: httpx.Client) -> None:
    db = tmp_path / "tokyo.duckdb"
    with open_store(db) as store:
        set_store_timezone(store, "Asia/Tokyo")
    tokens = build_store(db)
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en")
    for url in serve_in_thread(settings):
        headers = {"Authorization": f"Bearer {tokens['admin']}"}
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            assert client.get("/api/v1/store").json()["timezone"] == "Asia/Tokyo"
            lead = client.get("/api/v1/leads/L01").json()["lead"]
            # The other server, running at the same time in this process, keeps its zone.
            other = berlin.get("/api/v1/leads/L02").json()["lead"]
    assert lead["created_at"] == "2024-01-06T00:00:00+09:00"
    assert other["created_at"] == "2024-01-07T00:00:00+01:00"


def test_the_import_page_takes_the_zone(server: LiveServer, berlin: httpx.Client) -> None:
    client = browser_login(server, "admin")
    form = client.get("/import")
    assert 'name="timezone"' in form.text
    york = "Id,LastName,Company,Status,CreatedDate\n"
    york += "00Q20,B,C,Open - Not Contacted,2024-01-15 10:00\n"
    response = client.post(
        "/import",
        files={"files": ("Lead.csv", york.encode(), "text/csv")},
        data={
            "csrf_token": csrf_from(form.text),
            "preset": "salesforce",
            "timezone": "America/New_York",
        },
    )
    assert response.status_code == 200, response.text
    lead = berlin.get("/api/v1/leads/salesforce:00Q20").json()["lead"]
    assert lead["created_at"] == "2024-01-15T16:00:00+01:00"  # 10:00 EST = 15:00Z
