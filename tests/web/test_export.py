"""Bulk export: every entity as CSV and Parquet, with the rows the caller's role may see."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from revintel.model import table
from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import LINEAGE, build_store

ENTITIES = ("leads", "opportunities", "milestones", "touchpoints", "accounts", "orders", "scores")
#: Keys each user's export holds, from the hand-made store (see tests/web/stores.py) plus the
#: orders and scores below. A deal's events belong to the deal, a lead's to the lead.
EXPECTED: dict[str, dict[str, set[str]]] = {
    "anna": {
        "leads": {f"L0{i}" for i in range(1, 8)},
        "opportunities": {"O1", "O2"},
        "milestones": {"M1", "M2", "M3", "M4", "M5"},
        "touchpoints": {"T1", "T2"},
        "accounts": {"A1", "A2"},
        "orders": {"R1", "R2"},
        "scores": {"S1", "S3"},
    },
    "ben": {
        "leads": {"L08", "L09", "L10", "L11", "L12"},
        "opportunities": {"O3"},
        "milestones": {"M6", "M7", "M8"},
        "touchpoints": set(),
        "accounts": {"A3"},
        "orders": {"R3"},
        "scores": {"S2"},
    },
}


REASONS = json.dumps(
    {
        "positive": [{"feature": "channel", "effect": 0.4, "de": 'a, "quoted" reason;', "en": "a"}],
        "negative": [],
    }
)


def _extra_rows(db: Path) -> None:
    orders = pd.DataFrame(
        [
            {"order_id": "R1", "account_id": "A1", "opportunity_id": "O1", "rep_id": "r1",
             "ordered_at": datetime(2024, 3, 20), "amount": 12345.67, "currency": "EUR"},
            {"order_id": "R2", "account_id": "A2", "rep_id": "r1",
             "ordered_at": datetime(2024, 4, 2, 9, 30), "amount": 99.5, "currency": "EUR"},
            {"order_id": "R3", "account_id": "A3", "rep_id": "r2", "channel": "webshop",
             "ordered_at": datetime(2024, 5, 1), "amount": 10.0, "currency": "EUR"},
        ]
    )  # fmt: skip
    orders["source_id"] = orders["order_id"]
    for column, value in LINEAGE.items():
        orders[column] = value
    scores = pd.DataFrame(
        [
            {"score_id": f"S{i}", "model_id": "m", "kind": kind, "entity_type": etype,
             "entity_id": eid, "score": score, "scored_at": datetime(2024, 6, 30),
             "reasons": REASONS}
            for i, (kind, etype, eid, score) in enumerate(
                [("lead_to_sql", "lead", "L03", 0.8), ("lead_to_sql", "lead", "L09", 0.6),
                 ("deal_win", "opportunity", "O2", 0.55)],
                start=1,
            )
        ]
    )  # fmt: skip
    with open_store(db) as store:
        store.insert("orders", orders)
        store.insert("scores", scores)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The hand-made store with orders and scores, served by its own uvicorn."""
    db = tmp_path_factory.mktemp("export") / "store.duckdb"
    tokens = build_store(db)
    _extra_rows(db)
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        yield LiveServer(url, db, tokens)


def _parquet(server: LiveServer, user: str, entity: str) -> pa.Table:
    response = server.client(user).get(f"/api/v1/export/{entity}", params={"format": "parquet"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    assert response.headers["content-disposition"] == f"attachment; filename={entity}.parquet"
    return pq.read_table(io.BytesIO(response.content))


def _csv(server: LiveServer, user: str, entity: str, schema: pa.Schema, sep: str) -> pa.Table:
    delimiter = {",": "comma", ";": "semicolon"}[sep]
    response = server.client(user).get(
        f"/api/v1/export/{entity}", params={"format": "csv", "delimiter": delimiter}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f"attachment; filename={entity}.csv"
    header = response.content.split(b"\n", 1)[0].decode()
    assert header.split(sep) == [f'"{name}"' for name in schema.names]
    return pacsv.read_csv(
        io.BytesIO(response.content),
        parse_options=pacsv.ParseOptions(delimiter=sep),
        convert_options=pacsv.ConvertOptions(
            column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )


def _store_rows(server: LiveServer, entity: str) -> pa.Table:
    with open_store(server.db) as store:
        return store.table(entity).select(*table(entity).column_names()).to_pyarrow()


def _by_key(rows: pa.Table, entity: str) -> pa.Table:
    return rows.sort_by(table(entity).key[0])


@pytest.mark.parametrize("entity", ENTITIES)
@pytest.mark.parametrize("user", ["admin", "anna", "ben"])
def test_csv_and_parquet_hold_the_same_rows_the_role_may_see(
    server: LiveServer, user: str, entity: str
) -> None:
    key = table(entity).key[0]
    parquet = _parquet(server, user, entity)
    stored = _store_rows(server, entity)
    assert parquet.schema.names == stored.schema.names
    if user == "admin":
        assert _by_key(parquet, entity).equals(_by_key(stored.cast(parquet.schema), entity))
    else:
        assert set(parquet[key].to_pylist()) == EXPECTED[user][entity]
    for sep in (",", ";"):
        csv = _csv(server, user, entity, parquet.schema, sep)
        assert _by_key(csv, entity).equals(_by_key(parquet, entity)), (entity, sep)


@pytest.mark.parametrize("entity", ["leads", "opportunities", "accounts"])
@pytest.mark.parametrize("user", ["admin", "anna", "ben"])
def test_an_export_holds_what_the_list_shows(server: LiveServer, user: str, entity: str) -> None:
    key = table(entity).key[0]
    listed = server.client(user).get(f"/api/v1/{entity}", params={"limit": 500}).json()
    exported = _parquet(server, user, entity)
    assert exported.num_rows == listed["total"]
    assert set(exported[key].to_pylist()) == {row[key] for row in listed["items"]}


def test_csv_times_are_iso_and_text_is_quoted(server: LiveServer) -> None:
    client = server.client("admin")
    orders = client.get("/api/v1/export/orders", params={"format": "csv"}).text
    assert '"R2","A2",,"r1","2024-04-02T09:30:00",' in orders
    scores = client.get("/api/v1/export/scores", params={"delimiter": "semicolon"}).text
    assert '""de"": ""a, \\""quoted\\"" reason;""' in scores


def test_an_empty_export_still_has_its_header(server: LiveServer) -> None:
    response = server.client("ben").get("/api/v1/export/touchpoints")
    names = table("touchpoints").column_names()
    assert response.text == ",".join(f'"{n}"' for n in names) + "\n"
    empty = _parquet(server, "ben", "touchpoints")
    assert empty.num_rows == 0 and empty.schema.names == names


def test_export_refuses_unknown_entities_formats_and_anonymous_callers(
    server: LiveServer,
) -> None:
    client = server.client("admin")
    assert client.get("/api/v1/export/users").status_code == 422
    assert client.get("/api/v1/export/leads", params={"format": "xlsx"}).status_code == 422
    assert client.get("/api/v1/export/leads", params={"delimiter": "tab"}).status_code == 422
    assert server.client().get("/api/v1/export/leads").status_code == 401
