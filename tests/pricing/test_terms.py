"""Off-invoice terms: read from YAML, refused with file and key, replaced in one write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.pricing._terms import (
    PriceTermsError,
    parse_terms,
    read_terms,
    store_terms,
    stored_terms,
)
from revintel.store import open_store

runner = CliRunner()

TERMS = """
group_by: segment
terms:
  Enterprise: {rebate: 0.03, freight: 0.005, payment_terms: 0.02, bonus: 0.01}
  "*": {freight: 0.01}
"""


def test_terms_are_read_per_group_and_kind() -> None:
    terms = parse_terms(TERMS, "t.yaml")
    assert terms.group_by == "segment"
    assert terms.rates == {
        "Enterprise": {"rebate": 0.03, "freight": 0.005, "payment_terms": 0.02, "bonus": 0.01},
        "*": {"freight": 0.01},
    }
    assert len(terms.rows()) == 5


def test_the_packaged_example_is_valid() -> None:
    example = read_terms()
    assert example.group_by == "segment"
    assert example.rates["*"] == {"freight": 0.01}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "group_by: segment\nterms:\n  Enterprise: {skonto: 0.02}\n",
            "t.yaml: terms.Enterprise.skonto: unknown kind 'skonto'; choose from: rebate,",
        ),
        (
            "group_by: segment\nterms:\n  Enterprise: {rebate: 0.7}\n",
            "t.yaml: terms.Enterprise.rebate: rate 0.7 lies outside [0, 0.5]",
        ),
        (
            "group_by: segment\nterms:\n  Enterprise: {rebate: -0.01}\n",
            "t.yaml: terms.Enterprise.rebate: rate -0.01 lies outside [0, 0.5]",
        ),
        (
            "group_by: segment\nterms:\n  Enterprise: {rebate: viel}\n",
            "t.yaml: terms.Enterprise.rebate: the rate must be a number, not 'viel'",
        ),
        (
            "group_by: colour\nterms:\n  red: {rebate: 0.01}\n",
            "t.yaml: group_by: 'colour' is no column of accounts; choose one of: account_id,",
        ),
        ("group_by: segment\n", "t.yaml: terms: expected a mapping of customer group to rates"),
        (
            "group_by: segment\nterms: {A: {rebate: 0.1}}\nrates: {}\n",
            "t.yaml: unknown key 'rates'",
        ),
        ("- just a list\n", "t.yaml: expected a mapping with group_by and terms"),
    ],
)
def test_invalid_terms_are_refused_naming_file_and_key(text: str, message: str) -> None:
    with pytest.raises(PriceTermsError) as caught:
        parse_terms(text, "t.yaml")
    assert str(caught.value).startswith(message)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(PriceTermsError, match=f"{missing}: cannot read"):
        read_terms(missing)


def test_storing_terms_replaces_the_previous_ones(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        assert store_terms(store, parse_terms(TERMS), "a.yaml") == 5
        assert store_terms(store, parse_terms(TERMS), "a.yaml") == 5
        assert store.table("price_terms").count().execute() == 5
        other = "group_by: region\nterms:\n  International: {freight: 0.03}\n"
        assert store_terms(store, parse_terms(other), "b.yaml") == 1
        frame = stored_terms(store)
    assert frame[["group_by", "customer_group", "kind", "rate", "source_file"]].to_dict(
        "records"
    ) == [
        {
            "group_by": "region",
            "customer_group": "International",
            "kind": "freight",
            "rate": 0.03,
            "source_file": "b.yaml",
        }
    ]


def test_cli_imports_and_lists_terms(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    path = tmp_path / "konditionen.yaml"
    path.write_text(TERMS, encoding="utf-8")
    open_store(db).close()
    empty = runner.invoke(app, ["pricing", "terms", "list", "--db", db, "--lang", "de"])
    assert empty.exit_code == 0, empty.output
    assert "Keine Konditionen gespeichert" in empty.output
    done = runner.invoke(app, ["pricing", "terms", "import", str(path), "--db", db, "--lang", "de"])
    assert done.exit_code == 0, done.output
    assert "5 Konditionen aus" in done.output
    assert "Rückvergütung" in done.output and "3,00" in done.output
    listed = runner.invoke(app, ["pricing", "terms", "list", "--db", db, "-f", "json"])
    rows = json.loads(listed.output)
    assert {(r["customer_group"], r["kind"], r["rate"]) for r in rows} >= {
        ("Enterprise", "rebate", 0.03),
        ("*", "freight", 0.01),
    }
    path.write_text("group_by: segment\nterms:\n  Enterprise: {rebate: 0.9}\n", encoding="utf-8")
    refused = runner.invoke(app, ["pricing", "terms", "import", str(path), "--db", db])
    assert refused.exit_code != 0
    assert "terms.Enterprise.rebate: rate 0.9" in str(refused.exception)
