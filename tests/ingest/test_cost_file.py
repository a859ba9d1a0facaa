"""Cost sheets of a marketing department load into ``marketing_costs`` without a mapping."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from revintel.auth import add_user, create_token
from revintel.cli import app
from revintel.ingest import import_files, parse_mapping, undo_import
from revintel.ingest._months import month_bounds, parse_month_numbers, parse_months
from revintel.metrics import MetricQuery, MetricSources, evaluate_kpi, load_catalogue
from revintel.server import Settings
from revintel.store import Store, open_store
from tests.ingest.conftest import WriteFile
from tests.web.conftest import SECRET, serve_in_thread

GERMAN = """Monat;Kanal;Kampagne;Betrag
01.2024;Suchmaschine;;1.234,56
Feb 2024;Suchmaschine;7015g01;2.900,00
März 24;Messe;;10.000
2024-04;Webinar;salesforce:7015g02;250,5
13.2024;Webinar;;5,00
04.2024;Webinar;GIBTESNICHT;7,00
05.2024;Webinar;;-20,00
"""
ENGLISH = """month,channel,campaign,amount,currency
2024-01,search,,1234.56,EUR
2024-02,display,,99.90,USD
"""
FROM_TO = """Von;Bis;Kanal;Kostenart;Kosten
16.01.2024;15.02.2024;Messe;Standmiete;3.100,00
16.01.2024;15.02.2024;Messe;Personal;1.550,00
20.02.2024;10.02.2024;Messe;Reise;100,00
"""
YEAR_AND_MONTH = "Jahr;Monat;Kanal;Betrag\n2024;1;Print;100\n2024;März;Print;300\n"


def _campaigns(store: Store) -> None:
    """Two campaigns the CRM (salesforce) wrote before the cost sheet arrives."""
    store.insert(
        "campaigns",
        pd.DataFrame(
            {
                "campaign_id": ["salesforce:7015g01", "salesforce:7015g02"],
                "name": ["Suche Frühjahr", "Webinarreihe"],
                "channel": ["Suchmaschine", "Webinar"],
                "source_system": "salesforce",
                "source_id": ["7015g01", "7015g02"],
                "import_batch_id": "crm-1",
            }
        ),
    )


def _costs(store: Store) -> pd.DataFrame:
    frame = store.table("marketing_costs").to_pandas()
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame.sort_values(["period_start", "channel", "amount"], ignore_index=True)


def test_months_are_read_as_sheets_write_them() -> None:
    years, months = parse_months(
        pa.array(["2024-01", "01.2024", "1/24", "Jan 2024", "Dezember 2023", "mrz. 2024", "x"])
    )
    assert years.to_pylist() == [2024, 2024, 2024, 2024, 2023, 2024, None]
    assert months.to_pylist() == [1, 1, 1, 1, 12, 3, None]
    first, last = month_bounds(pa.array([2024, 2023], pa.int32()), pa.array([2, 12], pa.int32()))
    assert [d.date() for d in first.to_pylist()] == [date(2024, 2, 1), date(2023, 12, 1)]
    assert [d.date() for d in last.to_pylist()] == [date(2024, 2, 29), date(2023, 12, 31)]
    assert parse_month_numbers(pa.array(["3", "Okt.", "0"])).to_pylist() == [3, 10, None]


def test_a_german_sheet_loads_with_campaigns_of_the_crm(
    store: Store, write_file: WriteFile
) -> None:
    _campaigns(store)
    report = import_files(store, "marketing_costs", [write_file("kosten.csv", GERMAN)])
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (7, 4, 3)
    costs = _costs(store)
    assert costs["amount"].tolist() == [1234.56, 2900.0, 10000.0, 250.5]
    assert [d.isoformat() for d in costs["period_start"]] == [
        "2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"
    ]  # fmt: skip
    assert [d.isoformat() for d in costs["period_end"]] == [
        "2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"
    ]  # fmt: skip
    # by its id in the CRM and by its key in the store
    assert costs["campaign_id"].tolist()[1] == "salesforce:7015g01"
    assert costs["campaign_id"].tolist()[3] == "salesforce:7015g02"
    assert report.rejections is not None
    problems = report.rejections.to_pandas()
    month = problems[problems["row_number"] == 6]
    assert month[["column", "value", "reason"]].values.tolist()[0] == [
        "Monat", "13.2024", "not a month or a date (yyyy-mm-dd) (cost_start)"
    ]  # fmt: skip
    assert set(month["reason"][1:]) == {"missing period_start", "missing period_end"}
    rejected = problems.drop_duplicates("row_number").set_index("row_number")
    assert (rejected.loc[7, "column"], rejected.loc[7, "value"]) == ("Kampagne", "GIBTESNICHT")
    assert rejected.loc[7, "reason"] == "unknown campaign"
    assert (rejected.loc[8, "column"], rejected.loc[8, "reason"]) == ("Betrag", "negative amount")
    assert set(rejected["file"].str.rsplit("/", n=1).str[-1]) == {"kosten.csv"}


def test_the_same_sheet_again_writes_nothing(store: Store, write_file: WriteFile) -> None:
    _campaigns(store)
    path = write_file("kosten.csv", GERMAN)
    first = import_files(store, "marketing_costs", [path])
    again = import_files(store, "marketing_costs", [path])
    assert first.written == {"marketing_costs": 4}
    assert again.written == {"marketing_costs": 0}
    assert store.table("marketing_costs").count().execute() == 4


def test_english_from_to_and_year_month_sheets(store: Store, write_file: WriteFile) -> None:
    files = [
        write_file("costs.csv", ENGLISH),
        write_file("messe.csv", FROM_TO),
        write_file("print.csv", YEAR_AND_MONTH),
    ]
    report = import_files(store, "marketing_costs", files)
    by_file = {Path(f.file).name: (f.rows_accepted, f.rows_rejected) for f in report.files}
    assert by_file == {"costs.csv": (2, 0), "messe.csv": (2, 1), "print.csv": (2, 0)}
    costs = _costs(store)
    assert costs.loc[costs["channel"] == "display", "currency"].tolist() == ["USD"]
    messe = costs[costs["channel"] == "Messe"]
    assert messe["kind"].tolist() == ["Personal", "Standmiete"]  # one month, two kinds
    assert set(messe["period_end"]) == {date(2024, 2, 15)}
    printed = costs[costs["channel"] == "Print"]
    assert printed["period_end"].tolist() == [date(2024, 1, 31), date(2024, 3, 31)]
    assert report.rejections is not None
    rejected = report.rejections.to_pandas()
    assert rejected[["row_number", "reason"]].values.tolist() == [[4, "ended before started"]]


def test_imported_costs_feed_the_cost_kpis(store: Store, write_file: WriteFile) -> None:
    import_files(store, "marketing_costs", [write_file("messe.csv", FROM_TO)])
    sources = MetricSources.from_store(store, as_of=date(2024, 3, 31))
    catalogue = load_catalogue()
    spec = catalogue.get("marketing_cost")
    got = evaluate_kpi(sources, spec, MetricQuery(grain="month"), catalogue.settings)
    # 4,650 over the 31 days from 16 January: 16 days in January, 15 in February
    assert got["value"].tolist() == pytest.approx([4650 * 16 / 31, 4650 * 15 / 31])


def test_command_line_and_api(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    with open_store(db) as store:
        _campaigns(store)
        add_user(store, "chef", "a-long-password-123", "admin")
        token = create_token(store, "chef", "tests")[0]
    sheet = tmp_path / "kosten.csv"
    sheet.write_text(GERMAN, encoding="utf-8")
    args = ["import", "marketing_costs", str(sheet), "--db", str(db), "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert (body["rows_accepted"], body["written"]) == (4, {"marketing_costs": 4})
    english = ENGLISH.encode()
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET)):
        client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120
        )
        response = client.post(
            "/api/v1/imports",
            files=[("files", ("costs.csv", english, "text/csv"))],
            data={"preset": "marketing_costs"},
        )
        assert response.status_code == 201, response.text
        assert response.json()["written"] == {"marketing_costs": 2}
    with open_store(db, read_only=True) as store:
        assert store.table("marketing_costs").count().execute() == 6


def test_a_mapping_may_reference_records_of_other_systems() -> None:
    mapping = parse_mapping(
        {
            "system": "sheet",
            "objects": {
                "costs": {
                    "table": "marketing_costs",
                    "detect": ["Betrag"],
                    "id": "Nr",
                    "fields": {
                        "campaign_id": {
                            "column": "Kampagne",
                            "ref": "campaigns",
                            "across_systems": True,
                        }
                    },
                }
            },
        }
    )
    assert mapping.objects["costs"].fields["campaign_id"].across_systems


def test_an_imported_sheet_can_be_undone(store: Store, write_file: WriteFile) -> None:
    report = import_files(store, "marketing_costs", [write_file("messe.csv", FROM_TO)])
    assert store.table("marketing_costs").count().execute() == 2
    undone = undo_import(store, report.batch_id)
    assert undone.removed["marketing_costs"] == 2 and sum(undone.removed.values()) == 2
    assert store.table("marketing_costs").count().execute() == 0
