"""Typing text columns: number and date formats decided per column from the values."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest

from revintel.ingest import IngestError, parse_booleans, parse_dates, parse_numbers


def test_german_numbers_with_thousands_dots_and_currency() -> None:
    typed = parse_numbers(pa.array(["1.234,50", "12,5", "-3", "", "1.000.000,00 €", "x1"]))
    assert typed.values.to_pylist() == [1234.5, 12.5, -3.0, None, 1_000_000.0, None]
    assert typed.invalid.to_pylist() == [False, False, False, False, False, True]


def test_english_numbers_and_sap_trailing_minus() -> None:
    assert parse_numbers(pa.array(["1,234.50", "12.5", "100-"])).values.to_pylist() == [
        1234.5,
        12.5,
        -100.0,
    ]


def test_thousands_only_column_follows_the_file_convention() -> None:
    column = pa.array(["1.234", "2"])
    assert parse_numbers(column).values.to_pylist() == [1.234, 2.0]
    assert parse_numbers(column, default_decimal=",").values.to_pylist() == [1234.0, 2.0]


def test_mixed_decimal_separators_ask_for_the_format() -> None:
    with pytest.raises(IngestError, match="'Betrag' mixes decimal commas"):
        parse_numbers(pa.array(["1,5", "2.25"]), column_name="Betrag", file="f.csv")


def test_whole_numbers() -> None:
    typed = parse_numbers(pa.array(["12", "2.5"]), integer=True)
    assert typed.values.to_pylist() == [12, None]
    assert typed.expected == "a whole number"


def test_german_dates_are_not_numbers() -> None:
    typed = parse_dates(pa.array(["31.12.2024", "01.02.2023 10:15", "", "32.01.2020"]))
    assert typed.values.to_pylist() == [
        datetime(2024, 12, 31),
        datetime(2023, 2, 1, 10, 15),
        None,
        None,
    ]
    assert typed.invalid.to_pylist() == [False, False, False, True]
    assert typed.expected == "a date (dd.mm.yyyy)"


def test_iso_and_us_dates() -> None:
    iso = parse_dates(pa.array(["2024-12-31", "2024-01-02T10:15:00Z", "2018-02-26 19:58:54"]))
    assert iso.values.to_pylist()[1:] == [
        datetime(2024, 1, 2, 10, 15),
        datetime(2018, 2, 26, 19, 58, 54),
    ]
    us = parse_dates(pa.array(["11/27/2024 10:15 PM", "1/2/2024"]))
    assert us.values.to_pylist() == [datetime(2024, 11, 27, 22, 15), datetime(2024, 1, 2)]
    day_first = parse_dates(pa.array(["27/11/2024", "1/2/2024"]))
    assert day_first.values.to_pylist() == [datetime(2024, 11, 27), datetime(2024, 2, 1)]


def test_ambiguous_slashed_dates_ask_for_the_format() -> None:
    column = pa.array(["11/10/2024", "1/2/2024"])
    with pytest.raises(IngestError, match=r"f\.csv: column 'Close Date' .*--date-format"):
        parse_dates(column, column_name="Close Date", file="f.csv")
    assert parse_dates(column, fmt="dd/mm/yyyy").values.to_pylist() == [
        datetime(2024, 10, 11),
        datetime(2024, 2, 1),
    ]


def test_booleans_in_german_and_english() -> None:
    typed = parse_booleans(pa.array(["Ja", "nein", "TRUE", "0", "", "vielleicht"]))
    assert typed.values.to_pylist() == [True, False, True, False, None, None]
    assert typed.invalid.to_pylist() == [False, False, False, False, False, True]


def test_days_that_do_not_exist_are_invalid_not_rolled_over() -> None:
    german = parse_dates(pa.array(["30.02.2024", "29.02.2024", "31.04.2024"]))
    assert german.values.to_pylist() == [None, datetime(2024, 2, 29), None]
    assert german.invalid.to_pylist() == [True, False, True]
    iso = parse_dates(pa.array(["2024-02-30", "2024-01-10T08:00:00.000Z"]))
    assert iso.values.to_pylist() == [None, datetime(2024, 1, 10, 8)]
    assert iso.invalid.to_pylist() == [True, False]


def test_plain_iso_columns_keep_their_bad_cells_and_blanks() -> None:
    # Every value has a plain ISO layout: the direct cast handles the column unless one fails.
    typed = parse_dates(pa.array(["2024-02-29 23:59:59", "", "2023-12-31", None, "2024-02-30"]))
    assert typed.values.to_pylist() == [
        datetime(2024, 2, 29, 23, 59, 59),
        None,
        datetime(2023, 12, 31),
        None,
        None,
    ]
    assert typed.invalid.to_pylist() == [False, False, False, False, True]
    clean = parse_dates(pa.array(["2024-02-29 23:59:59", "", "2023-12-31"]))
    assert clean.values.to_pylist()[0] == datetime(2024, 2, 29, 23, 59, 59)
    assert clean.invalid.to_pylist() == [False, False, False]
