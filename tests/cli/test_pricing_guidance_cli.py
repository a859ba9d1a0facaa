"""``revintel pricing fit`` and ``revintel pricing guidance``: the library's numbers as JSON,
drafts, a table in German, and one sentence when no model is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.pricing._drafts import open_deal
from revintel.pricing._guidance import guidance
from revintel.pricing._price_model import latest_fit_id, load_price_model
from revintel.store import open_store, store_currency
from tests.pricing.fitted import copy_store, fitted_small_store

runner = CliRunner()
WIDE = {"COLUMNS": "200"}
CONTRACT = (
    "floor",
    "target",
    "stretch",
    "current_price",
    "recommended_price",
    "win_probability_current",
    "win_probability_recommended",
    "expected_margin_current",
    "expected_margin_recommended",
    "segment",
    "comparable_deals",
)


@pytest.fixture(scope="module")
def fitted_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fitted_small_store(tmp_path_factory)


@pytest.fixture(scope="module")
def first_open(fitted_db: Path) -> str:
    with open_store(fitted_db, read_only=True) as store:
        o = store.table("opportunities")
        found = o.filter((o.status == "open") & (o.list_price > 0)).order_by("opportunity_id")
        return str(found.limit(1).opportunity_id.to_pyarrow()[0])


def test_guidance_json_equals_the_library(fitted_db: Path, first_open: str) -> None:
    result = runner.invoke(
        app, ["pricing", "guidance", first_open, "--db", str(fitted_db), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(CONTRACT) <= set(answer)
    with open_store(fitted_db, read_only=True) as store:
        model = load_price_model(store)
        assert model is not None
        expected = guidance(model, open_deal(store, first_open), store_currency(store))
    assert answer == expected


def test_draft_and_german_table(fitted_db: Path, first_open: str) -> None:
    with open_store(fitted_db, read_only=True) as store:
        account = open_deal(store, first_open)["account_id"]
        products = store.table("products").product_id.to_pyarrow().to_pylist()
    args = ["pricing", "guidance", "--db", str(fitted_db), "--account", account]
    args += ["--product", f"{products[0]}:2", "--product", f"{products[1]}:1", "--discount", "0.12"]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    draft = json.loads(result.stdout)
    assert draft["draft"] is True and draft["current_discount"] == 0.12
    table = runner.invoke(app, [*args, "--lang", "de"], env=WIDE)
    assert table.exit_code == 0, table.output
    assert (
        "Empfohlener Preis" in table.stdout and "Vergleichbare verlorene Abschlüsse" in table.stdout
    )
    assert ",00\xa0€" in table.stdout  # German money: 1.234,56 €
    bad = runner.invoke(app, [*args[:-4], "--product", "P001"])
    assert bad.exit_code == 2 and "PRODUCT:QUANTITY" in bad.output


def test_no_model_says_to_fit_then_fit_stores_one(
    fitted_db: Path, tmp_path: Path, first_open: str
) -> None:
    db = copy_store(fitted_db, tmp_path)
    with open_store(db) as store:
        store.truncate("price_models")
    missing = runner.invoke(app, ["pricing", "guidance", first_open, "--db", str(db)])
    assert missing.exit_code == 1
    assert "revintel pricing fit" in missing.output
    fitted = runner.invoke(app, ["pricing", "fit", "--db", str(db), "--seed", "1"], env=WIDE)
    assert fitted.exit_code == 0, fitted.output
    with open_store(db, read_only=True) as store:
        fit_id = latest_fit_id(store)
    assert fit_id is not None and fit_id in fitted.stdout
    assert "auc" in fitted.stdout.lower()
