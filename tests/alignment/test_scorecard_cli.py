"""``revintel scorecard`` on the scorecard's demo company: the JSON document holds the domain's
numbers, and a bad month or file is refused naming it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from tests.alignment.scorecard_company import scorecard_db

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(scorecard_db(tmp_path_factory))


def test_the_json_document_of_a_month(db: str) -> None:
    result = runner.invoke(app, ["scorecard", "--db", db, "--month", "2024-11", "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["month"], document["quarter"]) == ("2024-11", "2024-Q4")
    kpis = {k["kpi"]: k for k in document["kpis"]}
    assert kpis["mqls"]["value"] == document["velocity"]["mqls"]
    assert kpis["lvr"]["value"] == pytest.approx(document["velocity"]["lvr"])
    for line in document["contributions"]:
        sides = line["marketing"] + line["sales"] + line["unattributed"]
        assert sides == pytest.approx(line["conversions"])


@pytest.mark.parametrize(
    ("args", "hint", "reason"),
    [
        (["--month", "2024-13"], "--month", "is not a month"),
        (["--month", "2025-01"], "--month", "lies in the future"),
        (["--config", "no-such-file.yaml"], "--config", "cannot read"),
    ],
)
def test_a_bad_month_or_file_is_refused_naming_it(
    db: str, args: list[str], hint: str, reason: str
) -> None:
    result = runner.invoke(app, ["scorecard", "--db", db, *args])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert hint in text and reason in text
