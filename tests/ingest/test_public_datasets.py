"""The Olist and Maven presets on the public datasets, and Maven rewritten the German way."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from revintel.ingest import import_files
from revintel.model import IMPORT_BATCH_ID, TABLES
from revintel.store import Store, open_store
from tests.shared_data import shared_dataset

MAVEN_FILES = ("accounts.csv", "products.csv", "sales_teams.csv", "sales_pipeline.csv")
MAVEN_NUMBERS = {"revenue", "employees", "sales_price", "close_value", "year_established"}
MAVEN_DATES = {"engage_date", "close_date"}


def _maven(folder: Path) -> list[Path]:
    return [folder / name for name in MAVEN_FILES]


def _content(store: Store) -> dict[str, list[dict[str, object]]]:
    out = {}
    for spec in TABLES:
        if not spec.lineage:
            continue
        columns = ", ".join(f'"{c}"' for c in spec.column_names() if c != IMPORT_BATCH_ID)
        sql = f'SELECT {columns} FROM "{spec.name}" ORDER BY "{spec.key[0]}"'
        out[spec.name] = store.execute_sql(sql).to_pylist()
    return out


def test_olist_gives_8000_mqls_and_842_won_deals_linked_to_them(store: Store) -> None:
    folder = shared_dataset("olist_marketing_funnel")
    report = import_files(store, "olist", sorted(folder.glob("*.csv")))
    assert (report.rows_read, report.rows_rejected) == (8842, 0)
    mql = store.execute_sql(
        "SELECT count(*) AS n, count(DISTINCT entity_id) AS leads FROM milestones "
        "WHERE milestone = 'mql' AND NOT inferred"
    ).to_pylist()
    assert mql == [{"n": 8000, "leads": 8000}]
    won = store.execute_sql(
        "SELECT count(*) AS n FROM milestones AS m JOIN leads AS l ON m.lead_id = l.lead_id "
        "WHERE m.milestone = 'won' AND NOT m.inferred"
    ).to_pylist()
    assert won == [{"n": 842}]
    channels = store.execute_sql(
        "SELECT count(*) FILTER (channel = 'organic_search') AS organic, count(*) FILTER "
        "(channel IS NULL) AS unknown FROM leads"
    ).to_pylist()
    assert channels == [{"organic": 2296, "unknown": 1099 + 60}]


def test_maven_gives_8800_opportunities_with_stages_and_85_accounts(store: Store) -> None:
    report = import_files(store, "maven", _maven(shared_dataset("maven_crm_sales_opportunities")))
    assert (report.rows_read, report.rows_rejected) == (8800 + 85 + 7 + 35, 0)
    counts = store.row_counts()
    assert (counts["opportunities"], counts["accounts"], counts["reps"], counts["products"]) == (
        8800,
        85,
        35,
        7,
    )
    stages = store.execute_sql(
        "SELECT status, stage, count(*) AS n FROM opportunities GROUP BY ALL ORDER BY ALL"
    ).to_pylist()
    assert [(s["status"], s["stage"], s["n"]) for s in stages] == [
        ("lost", "lost", 2473),
        ("open", "opportunity_generated", 500),
        ("open", "opportunity_specified", 1589),
        ("won", "won", 4238),
    ]
    won_value = store.execute_sql("SELECT sum(amount) FROM opportunities WHERE status = 'won'")
    assert won_value.column(0)[0].as_py() == 10_005_534
    real = store.execute_sql(
        "SELECT milestone, count(*) AS n FROM milestones WHERE NOT inferred GROUP BY 1 ORDER BY 1"
    ).to_pylist()
    assert real == [
        {"milestone": "lost", "n": 2473},
        {"milestone": "opportunity_specified", "n": 8300},
        {"milestone": "won", "n": 4238},
    ]
    gtx = (
        store.execute_sql("SELECT count(*) FROM opportunities WHERE product_id = 'maven:GTX Pro'")
        .column(0)[0]
        .as_py()
    )
    assert gtx > 0


def _german_number(text: str) -> str:
    if not text:
        return text
    whole, _, fraction = f"{float(text):,.2f}".partition(".")
    return whole.replace(",", ".") + "," + fraction


def _german_date(text: str) -> str:
    return date.fromisoformat(text).strftime("%d.%m.%Y") if text else text


def _rewrite_german(source: Path, target: Path) -> None:
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with target.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        for row in rows:
            for column, value in row.items():
                if column in MAVEN_NUMBERS:
                    row[column] = _german_number(value)
                elif column in MAVEN_DATES:
                    row[column] = _german_date(value)
            writer.writerow(row)


@pytest.mark.slow
def test_maven_rewritten_the_german_way_loads_identically(tmp_path: Path) -> None:
    plain = _maven(shared_dataset("maven_crm_sales_opportunities"))
    german = []
    for path in plain:
        target = tmp_path / f"de_{path.name}"
        _rewrite_german(path, target)
        german.append(target)
    first = german[3].read_text(encoding="cp1252").splitlines()[1]
    assert first == "1C1I7A6R;Moses Frase;GTX Plus Basic;Cancity;Won;20.10.2016;01.03.2017;1.054,00"
    with open_store(tmp_path / "plain.duckdb") as a, open_store(tmp_path / "de.duckdb") as b:
        import_files(a, "maven", plain)
        report = import_files(b, "maven", german)
        assert report.rows_rejected == 0
        assert _content(a) == _content(b)
