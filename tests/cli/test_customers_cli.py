"""``revintel customers`` and ``revintel crosssell`` on a small demo company: the analysts'
columns, the as-of cut and the domain's numbers."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.customers._bgnbd import BetaGeoModel
from revintel.customers._crosssell import recommend_products
from revintel.customers._summary import purchase_summary
from revintel.predict._churn_risk import churn_risk
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

runner = CliRunner()
AS_OF = date(2024, 6, 30)
CONTRACT = ["account_id", "p_alive", "expected_orders", "p_no_order"]
CONTRACT += ["expected_order_value", "clv", "churn_risk"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("customers-cli") / "demo.duckdb"
    with open_store(path) as store:
        write_demo_company(store, SynthConfig(seed=3, leads=1_000, accounts=120, reps=3))
    return str(path)


@pytest.fixture(scope="module")
def orders(db: str) -> pd.DataFrame:
    """Orders of real customers (no guests), read without revintel's views."""
    with open_store(db, read_only=True) as store:
        frame = store.table("orders").to_pandas()
        accounts = store.table("accounts").to_pandas()
    guests = set(accounts.loc[accounts["placeholder"].fillna(False), "account_id"])
    return frame[~frame["account_id"].isin(guests)]


def _buyers(orders: pd.DataFrame, day: date) -> set[str]:
    """Accounts with an order by ``day`` not returned in full by then (one returned in full is
    no purchase)."""
    by_day = orders[pd.to_datetime(orders["ordered_at"]).dt.date <= day]
    sales = by_day[by_day["kind"] == "order"]
    returns = by_day[by_day["kind"] == "return"]
    returned = returns.groupby("original_order_id")["amount"].sum().abs()
    kept = sales["amount"] - sales["order_id"].map(returned).fillna(0.0)
    return set(sales.loc[kept > 0, "account_id"])


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_customers_csv_has_the_contract_columns_and_one_row_per_customer(
    db: str, orders: pd.DataFrame
) -> None:
    out = _run("customers", "--db", db, "--as-of", AS_OF.isoformat(), "--horizon-days", "60",
               "--format", "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[: len(CONTRACT)] == CONTRACT
    assert len(rows) == len(_buyers(orders, AS_OF)) > 20
    for name in ("p_alive", "p_no_order"):
        assert all(0.0 <= float(r[name]) <= 1.0 for r in rows)
    assert all(r["churn_risk"] == "" for r in rows)  # no churn model trained


def test_as_of_leaves_out_later_orders_and_later_customers(db: str, orders: pd.DataFrame) -> None:
    first = orders.groupby("account_id")["ordered_at"].min().dt.date
    late = sorted(first[first > AS_OF].index)
    assert late, "the demo company should win customers after the as-of day"
    early = json.loads(_run("customers", "--db", db, "--as-of", AS_OF.isoformat(), "-f", "json"))
    full = json.loads(_run("customers", "--db", db, "-f", "json"))
    assert not {r["account_id"] for r in early} & set(late)
    assert set(late) <= {r["account_id"] for r in full}
    assert max(r["last_order_at"] for r in early) <= AS_OF.isoformat()


def test_numbers_equal_the_domain_models(db: str, orders: pd.DataFrame) -> None:
    out = _run("customers", "--db", db, "--as-of", AS_OF.isoformat(), "--horizon-days", "60",
               "-f", "json")  # fmt: skip
    got = pd.DataFrame(json.loads(out)).set_index("account_id")
    summary = purchase_summary(orders, AS_OF, unit="D")
    model = BetaGeoModel().fit(summary["frequency"], summary["recency"], summary["T"])
    history = (summary["frequency"], summary["recency"], summary["T"])
    got = got.loc[summary.index]
    np.testing.assert_allclose(got["p_alive"], model.p_alive(*history), rtol=1e-9)
    np.testing.assert_allclose(
        got["expected_orders"], model.expected_purchases(60, *history), rtol=1e-9
    )
    np.testing.assert_allclose(got["p_no_order"], model.p_no_purchase(60, *history), rtol=1e-9)
    assert (got["clv"] > 0).all() and (got["expected_order_value"] > 0).all()


def test_discount_rate_lowers_customer_value(db: str) -> None:
    def clv(rate: str) -> pd.Series:
        out = _run("customers", "--db", db, "--discount-rate", rate, "-f", "json")
        return pd.DataFrame(json.loads(out)).set_index("account_id")["clv"]

    assert (clv("0.3") < clv("0.0")).all()


def test_crosssell_rows_equal_the_domain_with_german_reasons(db: str) -> None:
    out = _run("crosssell", "--db", db, "--as-of", AS_OF.isoformat(), "--top", "2",
               "--lang", "de", "--format", "csv")  # fmt: skip
    # German CSV: a byte order mark and semicolons, as Excel in Germany opens it
    assert out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff")), delimiter=";"))
    assert list(rows[0])[:5] == ["account_id", "product_id", "rank", "score", "reason"]
    with open_store(db, read_only=True) as store:
        expected = recommend_products(store, AS_OF, top=2)
    assert [(r["account_id"], r["product_id"], int(r["rank"])) for r in rows] == list(
        zip(expected["account_id"], expected["product_id"], expected["rank"], strict=True)
    )
    assert all(r["reason"].startswith(("Kunden, die", "Eines der")) for r in rows)


def test_table_output_and_clear_errors(db: str) -> None:
    table = _run("customers", "--db", db, "--as-of", AS_OF.isoformat())
    assert table.startswith("Customers as of 2024-06-30, next 90 days") and "A000" in table
    bad = runner.invoke(app, ["customers", "--db", db, "--as-of", "30.06.2024"])
    assert bad.exit_code != 0 and "not an ISO date" in bad.output
    bad = runner.invoke(app, ["crosssell", "--db", db, "--lang", "fr"])
    assert bad.exit_code != 0 and "use de or en" in bad.output


@pytest.mark.slow
def test_with_a_trained_churn_model_risks_reasons_and_value_at_stake_are_filled(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "churn.duckdb")
    with open_store(db) as store:  # enough customers for a churn model (about 770)
        write_demo_company(store, SynthConfig(seed=11, leads=20_000, accounts=1_200, reps=12))
    _run("score", "train", "accounts", "--db", db)
    result = runner.invoke(app, ["customers", "--db", db, "--lang", "de", "-f", "json"])
    assert result.exit_code == 0 and "score train accounts" not in result.stderr
    got = pd.DataFrame(json.loads(result.stdout)).set_index("account_id")
    with open_store(db, read_only=True) as store:
        # the command's default as-of day: the latest order or return (a customer's last order
        # may be earlier)
        latest = pd.Timestamp(store.table("orders").ordered_at.max().execute())
        day = latest.normalize().to_pydatetime()
        direct = churn_risk(store, day.replace(hour=23, minute=59, second=59), train=False)
        orders = store.table("orders").to_pandas()
    direct = direct.set_index("account_id")
    scored = got.loc[got["churn_risk"].notna()]
    assert set(scored.index) <= set(direct.index) and len(scored) > 100
    # the churn model scores every account with an order; the customer table leaves out those
    # whose every order was returned in full (no purchase), the only scored accounts it lacks
    left_out = set(direct.index) - set(scored.index)
    assert left_out == set(direct.index) & _returned_in_full(orders)
    assert not left_out & set(got.index)
    np.testing.assert_allclose(scored["churn_risk"], direct.loc[scored.index, "churn_risk"])
    np.testing.assert_allclose(scored["value_at_stake"], scored["clv"] * scored["churn_risk"])
    reasons = direct.loc[scored.index, "reasons_de"].fillna("")
    assert scored["churn_reasons_de"].fillna("").tolist() == reasons.tolist()
    assert scored["churn_reasons_de"].str.contains("Bestellung|Angebot").any()
    english = direct.loc[scored.index, "reasons_en"].fillna("")
    assert scored["churn_reasons_en"].fillna("").tolist() == english.tolist()
    # alerts: the warned customers among the top fifth by customer value, most valuable first
    alerted = runner.invoke(app, ["customers", "--db", db, "--alerts", "-f", "json"])
    alerts = pd.DataFrame(json.loads(alerted.stdout))
    cut = got["clv"].quantile(0.8)
    expected = (
        direct.loc[scored.index].query("warning").index.intersection(got.index[got["clv"] >= cut])
    )
    assert 0 < len(alerts) == len(expected)
    assert set(alerts["account_id"]) == set(expected)
    assert alerts["clv"].is_monotonic_decreasing


def _returned_in_full(orders: pd.DataFrame) -> set[str]:
    """Accounts each of whose orders was netted to zero or less by returns naming it."""
    returns = orders["kind"].fillna("order").str.lower() == "return"
    returned = orders[returns].groupby("original_order_id")["amount"].sum()
    sales = orders[~returns].set_index("order_id")
    net = sales["amount"] + returned.reindex(sales.index).fillna(0.0)
    return set(net.groupby(sales["account_id"]).max().loc[lambda m: m <= 0].index)


def test_too_few_customers_by_the_as_of_day_is_a_clear_error(db: str, orders: pd.DataFrame) -> None:
    first_day = pd.to_datetime(orders["ordered_at"]).min().date().isoformat()
    result = runner.invoke(app, ["customers", "--db", db, "--as-of", first_day])
    assert result.exit_code != 0
    assert f"accounts ordered up to {first_day}" in str(result.exception)
    assert "needs at least 10" in str(result.exception)


def _crosssell_csv(db: str, *args: str) -> pd.DataFrame:
    out = _run("crosssell", "--db", db, "--as-of", AS_OF.isoformat(), *args, "--format", "csv")
    return pd.read_csv(io.StringIO(out))


def test_crosssell_rules_file_and_method_are_applied(db: str, tmp_path: Path) -> None:
    with open_store(db, read_only=True) as store:
        products = store.table("products").to_pandas()
    family = products.set_index("product_id")["family"]
    plain = _crosssell_csv(db, "--top", "5")
    offered = plain["product_id"].map(family).value_counts()
    banned = str(offered.index[0])  # the family offered most often without rules
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f"rules:\n  - only_with:\n      products: {{family: {banned}}}\n"
        "      accounts: {country: [XX]}\n",
        encoding="utf-8",
    )
    ruled = _crosssell_csv(db, "--top", "5", "--rules", str(rules))
    assert offered.iloc[0] > 0
    assert banned not in set(ruled["product_id"].map(family))
    assert len(ruled) == len(plain)  # every account still gets five products
    popular = _crosssell_csv(db, "--top", "5", "--method", "popularity")
    assert not popular.equals(plain)
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - excludes:\n      products: {family: X}\n", encoding="utf-8")
    result = runner.invoke(app, ["crosssell", "--db", db, "--rules", str(bad)])
    assert result.exit_code != 0
    # the error box wraps the message where the temporary path's length puts it
    said = " ".join(result.output.replace("│", " ").split())
    assert "rule 1 (excludes): bought: Field required" in said
