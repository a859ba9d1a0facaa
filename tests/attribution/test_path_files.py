"""Aggregated path files in the dialects analytics tools and spreadsheets write them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from revintel.attribution._path_files import read_path_file
from revintel.attribution._paths import Paths


def write(tmp_path: Path, text: str, name: str = "paths.csv", encoding: str = "utf-8") -> Path:
    file = tmp_path / name
    file.write_bytes(text.encode(encoding))
    return file


def journeys(paths: Paths) -> list[list[str]]:
    return [paths.path(i) for i in range(len(paths))]


def test_channelattribution_layout_with_repeated_paths_added_up(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "path;total_conversions;total_conversion_value;total_null\n"
        "eta > iota > alpha > eta;1;0.244;3\n"
        "beta > eta;1;2.402;3\n"
        "eta > iota > alpha > eta;2;6.754;0\n",
    )
    paths = read_path_file(file)
    assert paths.channels == ("alpha", "beta", "eta", "iota")  # sorted
    assert journeys(paths) == [["eta", "iota", "alpha", "eta"], ["beta", "eta"]]  # first seen
    np.testing.assert_allclose(paths.conversions, [3, 1])
    np.testing.assert_allclose(paths.value, [6.998, 2.402])
    np.testing.assert_allclose(paths.nulls, [3, 3])
    assert paths.days_before is None and paths.role is None and paths.margin is None


def test_comma_and_tab_files_with_other_separators_and_header_spellings(tmp_path: Path) -> None:
    comma = write(tmp_path, "Conversions,Path,Nulls\n2,Search|Email,5\n1, Email ,0\n", "a.csv")
    paths = read_path_file(comma)
    assert journeys(paths) == [["Search", "Email"], ["Email"]]
    np.testing.assert_allclose(paths.conversions, [2, 1])
    np.testing.assert_allclose(paths.nulls, [5, 0])
    np.testing.assert_allclose(paths.value, [0, 0])  # no value column

    tab = write(
        tmp_path, "PATH\tCONVERSION VALUE\tTotal_Conversions\nads>seo>ads\t12.5\t1\n", "b.tsv"
    )
    paths = read_path_file(tab)
    assert journeys(paths) == [["ads", "seo", "ads"]]
    assert paths.value.tolist() == [12.5] and paths.nulls.tolist() == [0]

    quoted = write(tmp_path, 'path,conversions\n"a, b, c",4\n', "c.csv")
    assert journeys(read_path_file(quoted)) == [["a", "b", "c"]]


def test_german_export_with_thousands_and_decimal_comma(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "Pfad;Konversionen;Wert\nMesse > Webinar;1.234;12.345,50\nMesse;2;0,5\n",
        encoding="cp1252",
    )
    paths = read_path_file(file)
    assert journeys(paths) == [["Messe", "Webinar"], ["Messe"]]
    np.testing.assert_allclose(paths.conversions, [1234, 2])
    np.testing.assert_allclose(paths.value, [12345.5, 0.5])


def test_decimal_comma_under_english_headers_switches_to_german_numbers(tmp_path: Path) -> None:
    file = write(tmp_path, "\ufeffpath;conversions;value\na > b;3;1.000,25\nb;1;7,5\n")
    np.testing.assert_allclose(read_path_file(file).value, [1000.25, 7.5])


def test_blank_rows_are_skipped_but_keep_the_row_numbers(tmp_path: Path) -> None:
    file = write(tmp_path, "path;conversions\n\na;1\n;;\nb;x\n")
    with pytest.raises(ValueError, match=r"row 5, column 'conversions': 'x' is not a number"):
        read_path_file(file)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("path;conversions\na;1\n ;2\n", r"row 3, column 'path': empty"),
        ("path;conversions\na > > b;1\n", r"row 2, column 'path': the path 'a > > b' has an empty"),
        ("path;conversions;nulls\na;1;-4\n", r"row 2, column 'nulls': '-4' is negative"),
        ("path;conversions\na;1\nb;eins\n", r"row 3, column 'conversions': 'eins' is not"),
        ("path;conversions\na;nan\n", r"row 2, column 'conversions': 'nan' is not"),
        ("path;conversions\na;\n", r"row 2, column 'conversions': empty"),
        ("Pfad;Konversionen\na;1234.5\n", r"row 2, column 'Konversionen': .*German number"),
        ("path;conversions\na;1;7\n", r"row 2 has 3 cells but the header only 2 columns"),
        ("channels;conversions\na;1\n", r"no path column .*found the columns 'channels'"),
        ("path;value\na;1\n", r"no conversions column"),
        ("path;conversions;Konversionen\na;1;1\n", r"both 'conversions' and 'Konversionen'"),
        ("path;conversions\n", r"has a header but no data rows"),
        ("\n\n", r"the file is empty"),
    ],
)
def test_bad_files_name_file_row_and_column(tmp_path: Path, text: str, message: str) -> None:
    file = write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as error:
        read_path_file(file)
    assert str(file) in str(error.value)


def test_a_missing_file_is_a_value_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"missing\.csv: cannot be read"):
        read_path_file(tmp_path / "missing.csv")
