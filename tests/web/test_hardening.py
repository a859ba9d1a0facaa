"""Regression tests of attacks on the server: each reproduces the original probe."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest
import xlsxwriter

from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import build_store

# Order-intake targets for 2024-Q2: one per team and one of rep r1 (Anna, team Nord).
TARGETS = [
    ("T-nord", "Nord", None, 100_000.0),
    ("T-sued", "Süd", None, 70_000.0),
    ("T-r1", "Nord", "r1", 30_000.0),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the targets and the uploads change the store."""
    db = tmp_path_factory.mktemp("hardening") / "store.duckdb"
    tokens = build_store(db)
    frame = pd.DataFrame(
        [
            {
                "target_id": key,
                "period_start": date(2024, 4, 1),
                "period_end": date(2024, 6, 30),
                "team": team,
                "rep_id": rep,
                "amount": amount,
                "currency": "EUR",
                "source_system": "test",
                "source_id": key,
                "import_batch_id": "b1",
            }
            for key, team, rep, amount in TARGETS
        ]
    )
    with open_store(db) as store:
        store.insert("targets", frame)
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)


def _coverage_targets(server: LiveServer, user: str) -> dict[str, float]:
    response = server.client(user).get(
        "/api/v1/kpis/values",
        params={"kpi": "pipeline_coverage", "by": "team", "grain": "quarter"},
    )
    assert response.status_code == 200, response.text
    rows = [r for r in response.json() if r.get("denominator") is not None]
    return {r["team"]: r["denominator"] for r in rows}


def test_a_rep_sees_only_their_own_target_in_pipeline_coverage(server: LiveServer) -> None:
    # Before: Anna read every team's target (Süd 70,000 included) and her pipeline was divided
    # by the team's 130,000. Now only her own target exists for her.
    assert _coverage_targets(server, "anna") == {"Nord": 30_000.0}
    assert _coverage_targets(server, "ben") == {}
    assert _coverage_targets(server, "admin") == {"Nord": 130_000.0, "Süd": 70_000.0}


@pytest.mark.parametrize(
    "what_if", ["lead_volume*10000", "win_rate*3000", "win_rate[segment=Enterprise]*1000"]
)
def test_what_if_factors_beyond_the_limit_are_refused(server: LiveServer, what_if: str) -> None:
    response = server.client("anna").get("/api/v1/forecast", params={"what_if": what_if})
    assert response.status_code == 422, response.text
    assert "a factor lies between 0 and 10" in response.json()["error"]["message"]


def test_a_spreadsheet_with_a_far_cell_is_refused_and_the_server_lives(
    server: LiveServer, tmp_path: pytest.TempPathFactory
) -> None:
    path = f"{tmp_path}/far.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write(0, 0, "name")
    sheet.write(1_048_575, 16_383, "x")
    book.close()
    with open(path, "rb") as handle:
        files = [("files", ("far.xlsx", handle.read(), "application/octet-stream"))]
    client = server.client("marie")
    response = client.post("/api/v1/imports", files=files, data={"preset": "odoo"})
    assert response.status_code == 422, response.text
    assert "declares the range A1:XFD1048576" in response.json()["error"]["message"]
    assert client.get("/api/v1/health").status_code == 200
