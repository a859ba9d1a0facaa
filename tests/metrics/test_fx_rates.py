"""Rates files: CSV or XLSX, German or English headers, each row checked and rejections kept."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from revintel.metrics import FxRatesError, import_fx_rates
from tests.metrics.test_currency import _orders_store, _rates_file


def test_rates_file_rows_are_checked_and_rejections_kept(tmp_path: Path) -> None:
    text = (
        "Währung;gültig ab;Kurs\n"
        "GBP;01.01.2024;1,17\n"
        "XYZ;01.01.2024;1,0\n"
        "GBP;31.02.2024;1,2\n"
        "USD;2024-01-01;-1\n"
        "EUR;2024-01-01;1\n"
        "GBP;2024-01-01;1,18\n"
    )
    with _orders_store(tmp_path / "s.duckdb") as store:
        report = import_fx_rates(store, _rates_file(tmp_path, text))
        rejected = store.table("rejected_rows").to_pandas().sort_values("row_number")
        batches = store.table("import_batches").to_pandas()
        rates = store.table("fx_rates").to_pandas()
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (6, 1, 5)
    assert list(rejected["row_number"]) == [3, 4, 5, 6, 7]
    assert list(rejected["column"]) == ["currency", "valid_from", "rate", "currency", "valid_from"]
    assert "second rate (row 2)" in rejected["reason"].iloc[-1]
    assert set(rejected["import_batch_id"]) == {report.batch_id}
    assert batches.set_index("import_batch_id").loc[report.batch_id, "status"] == "committed"
    assert rates[["currency", "rate"]].to_dict("records") == [{"currency": "GBP", "rate": 1.17}]


def test_a_file_without_any_rate_fails_and_keeps_its_rejections(tmp_path: Path) -> None:
    with _orders_store(tmp_path / "s.duckdb") as store:
        with pytest.raises(FxRatesError, match=r"kurse.csv: no exchange rate loaded .*row 2: "):
            import_fx_rates(store, _rates_file(tmp_path, "currency;valid_from;rate\nGBP;x;1\n"))
        batches = store.table("import_batches").to_pandas()
        assert list(batches["status"]) == ["failed"]
        assert store.table("rejected_rows").count().execute() == 1
        assert store.table("fx_rates").count().execute() == 0
        with pytest.raises(FxRatesError, match="missing column"):
            import_fx_rates(store, _rates_file(tmp_path, "code;day;value\nGBP;2024-01-01;1\n"))


def test_rates_load_from_a_workbook_with_date_and_number_cells(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "kurse.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet("Kurse")
        day = book.add_format({"num_format": "dd.mm.yyyy"})
        sheet.write_row(0, 0, ["Währung", "gültig ab", "Kurs"])
        sheet.write(1, 0, "GBP")
        sheet.write_datetime(1, 1, datetime(2024, 1, 1), day)
        sheet.write_number(1, 2, 1.17)
        sheet.write_row(2, 0, ["USD", "01.03.2024", "0,92"])
        sheet.write_row(3, 0, ["GBP", "kein Datum", 1.2])
    with _orders_store(tmp_path / "s.duckdb") as store:
        report = import_fx_rates(store, path)
        rates = store.table("fx_rates").to_pandas().sort_values("currency")
        [rejection] = store.table("rejected_rows").to_pyarrow().to_pylist()
    assert (report.rows_read, report.rows_accepted) == (3, 2)
    assert list(rates["valid_from"].astype(str)) == ["2024-01-01", "2024-03-01"]
    assert list(rates["rate"]) == pytest.approx([1.17, 0.92])
    assert (rejection["row_number"], rejection["column"]) == (4, "valid_from")
