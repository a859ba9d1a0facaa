"""The ``order_lines`` preset: a line-level export into customers, products, orders and lines.

Returns (credit notes "C…" and negative quantities), guest orders without a customer number, a
second currency, the same product twice in one order and two overlapping exports, imported with
one command and checked against a pandas computation of the same files.
"""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.ingest import import_files, quality_report
from revintel.metrics import MetricQuery, MetricSources, evaluate_kpi, load_catalogue
from revintel.predict._features import customer_accounts
from revintel.server import Settings
from revintel.store import open_store
from tests.shared_data import shared_dataset
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import build_store

HEADER = ["Invoice", "StockCode", "Description", "Quantity", "Price", "InvoiceDate",
          "Customer ID", "Country", "Currency"]  # fmt: skip
GBP_RATE = 1.17  # euros for one pound, from before the first order


def _invoices(count: int = 30, seed: int = 14) -> list[list[str]]:
    """Lines of ``count`` invoices: every fifth in GBP, some credit notes and guest orders."""
    rng = random.Random(seed)
    prices = {f"P{p:02d}": round(rng.uniform(0.5, 40.0), 2) for p in range(1, 13)}
    lines = []
    for i in range(count):
        credit = i % 7 == 3  # a credit note: "C" and negative quantities
        by_quantity = i == 11  # a return told only by its negative quantities
        guest = i % 6 == 4
        customer = "" if guest else str(12_340 + rng.randrange(8))
        currency = "GBP" if i % 5 == 0 else "EUR"
        invoice = f"{'C' if credit else ''}{536_000 + i}"
        stamp = f"2024-{1 + i % 6:02d}-{1 + i % 27:02d} {9 + i % 8:02d}:{i % 60:02d}"
        products = rng.sample(sorted(prices), rng.randint(1, 4))
        if i % 4 == 1:
            products.append(products[0])  # the same product twice: two genuine lines
        for code in products:
            quantity = rng.randint(1, 12) * (-1 if credit or by_quantity else 1)
            lines.append([invoice, code, f"Article {code}", str(quantity), str(prices[code]),
                          stamp, customer, "Germany", currency])  # fmt: skip
    return lines


def _write(path: Path, lines: list[list[str]]) -> Path:
    pd.DataFrame(lines, columns=HEADER).to_csv(path, index=False)
    return path


def _exports(folder: Path) -> tuple[Path, Path]:
    """Two exports overlapping in invoices 12 to 19 (the same lines in both), one gzipped."""
    lines = _invoices()
    invoices = list(dict.fromkeys(line[0] for line in lines))
    first, second = set(invoices[:20]), set(invoices[12:])
    a = _write(folder / "lines_jan_apr.csv", [x for x in lines if x[0] in first])
    b = _write(folder / "lines_mar_jun.csv.gz", [x for x in lines if x[0] in second])
    return a, b


def _expected(files: tuple[Path, Path]) -> dict[str, object]:
    """Orders, returns, gross and returned amounts per currency, and guests, with pandas."""
    a, b = (pd.read_csv(f, dtype=str, keep_default_na=False) for f in files)
    lines = pd.concat([a, b[~b["Invoice"].isin(a["Invoice"])]], ignore_index=True)
    lines["total"] = lines["Quantity"].astype(float) * lines["Price"].astype(float)
    lines["return"] = lines["Invoice"].str.match(r"C\d") | (lines["Quantity"].astype(float) < 0)
    per_invoice = lines.groupby("Invoice").agg(
        total=("total", "sum"),
        is_return=("return", "first"),
        currency=("Currency", "first"),
        customer=("Customer ID", "first"),
    )
    rate = per_invoice["currency"].map({"EUR": 1.0, "GBP": GBP_RATE})
    sales, returns = per_invoice[~per_invoice["is_return"]], per_invoice[per_invoice["is_return"]]
    guests = per_invoice[per_invoice["customer"] == ""]
    return {
        "lines": len(lines),
        "orders": len(sales),
        "returns": len(returns),
        "gross": float((sales["total"] * rate[sales.index]).sum()),
        "returned": float((returns["total"].abs() * rate[returns.index]).sum()),
        "gbp_gross": float(sales.loc[sales["currency"] == "GBP", "total"].sum()),
        "customers": lines.loc[lines["Customer ID"] != "", "Customer ID"].nunique(),
        "products": lines["StockCode"].nunique(),
        "guest_orders": len(guests),
        "guest_amount": float(guests["total"].sum()),
    }


def _kpi(sources: MetricSources, kpi: str) -> float:
    catalogue = load_catalogue()
    frame = evaluate_kpi(sources, catalogue.get(kpi), MetricQuery(grain="all"), catalogue.settings)
    return float(frame["value"].iloc[0])


def test_one_command_loads_returns_guests_and_overlapping_files(tmp_path: Path) -> None:
    files = _exports(tmp_path)
    expected = _expected(files)
    db = str(tmp_path / "store.duckdb")
    runner = CliRunner()
    result = runner.invoke(
        app, ["import", "order_lines", *map(str, files), "--db", db, "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["rows_rejected"] == 0
    assert report["guest_orders"] == expected["guest_orders"] > 0
    assert report["guest_amount"] == pytest.approx(expected["guest_amount"])
    with open_store(db) as store:
        counts = {t: store.table(t).count().execute() for t in ("order_lines", "products")}
        assert counts == {"order_lines": expected["lines"], "products": expected["products"]}
        accounts = store.table("accounts").to_pandas()
        guest = accounts[accounts["placeholder"].fillna(False).astype(bool)]
        assert guest["account_id"].tolist() == ["order_lines:guest"]
        assert len(accounts) == expected["customers"] + 1
        orders = store.table("orders").to_pandas()
        returned_lines = store.table("order_lines").filter(lambda t: t.quantity < 0).to_pandas()
        assert (returned_lines["net_amount"] < 0).all() and len(returned_lines) > 0
        gbp = orders[(orders["currency"] == "GBP") & (orders["kind"] == "order")]
        assert gbp["amount"].sum() == pytest.approx(expected["gbp_gross"])
        rates = {"currency": ["GBP"], "valid_from": [date(2020, 1, 1)], "rate": [GBP_RATE]}
        lineage = {"source_system": ["test"], "source_id": ["GBP"], "import_batch_id": ["t"]}
        store.insert("fx_rates", pa.table({**rates, **lineage}))
        sources = MetricSources.from_store(store, as_of=date(2024, 12, 31))
        assert _kpi(sources, "orders") == expected["orders"]
        assert _kpi(sources, "gross_revenue") == pytest.approx(expected["gross"])
        assert _kpi(sources, "returns") == pytest.approx(expected["returned"])
        net = expected["gross"] - expected["returned"]  # type: ignore[operator]
        assert _kpi(sources, "net_revenue") == pytest.approx(net)
        rate = expected["returned"] / expected["gross"]  # type: ignore[operator]
        assert _kpi(sources, "return_rate") == pytest.approx(rate)
        assert (orders["kind"] == "return").sum() == expected["returns"]
    quality = json.loads(runner.invoke(app, ["quality", "--db", db, "-f", "json"]).output)
    guests = quality["guest orders (no customer number, on a placeholder account)"]
    assert guests[0]["orders"] + guests[0]["returns"] == expected["guest_orders"]


def test_importing_the_same_exports_again_changes_nothing(tmp_path: Path) -> None:
    files = _exports(tmp_path)
    with open_store(tmp_path / "store.duckdb") as store:
        first = import_files(store, "order_lines", list(files))
        again = import_files(store, "order_lines", list(files))
        assert sum(first.written.values()) > 0
        assert sum(again.written.values()) == 0


def test_superstore_sample_matches_its_reference_figures(tmp_path: Path) -> None:
    export = shared_dataset("superstore_orders") / "Sample - Superstore.csv"
    with open_store(tmp_path / "store.duckdb") as store:
        report = import_files(store, "order_lines", [export])
        assert report.rows_rejected == 0
        orders = store.table("orders")
        lines = store.table("order_lines")
        accounts = store.table("accounts")
        assert orders.count().execute() == 5_111
        assert accounts.count().execute() == 804
        assert store.table("products").count().execute() == 1_862
        assert lines.count().execute() == 10_194
        assert lines.net_amount.sum().execute() == pytest.approx(2_326_534.3543)
        assert orders.amount.sum().execute() == pytest.approx(2_326_534.3543)
        assert lines.quantity.sum().execute() == 38_654
        profit = (lines.net_amount - lines.cost).sum().execute()
        assert profit == pytest.approx(292_296.8146)
        first, last = orders.ordered_at.min().execute(), orders.ordered_at.max().execute()
        assert (first.date(), last.date()) == (date(2019, 1, 3), date(2022, 12, 30))
        assert orders.filter(orders.kind == "return").count().execute() == 0


ORDERS = """order,customer,date,total,type,refers_to
B-1,K1,2024-03-01,100.00,order,
B-2,,2024-03-02,40.00,order,
G-2,,2024-03-05,-40.00,return,B-2
B-3,K1,2024-03-06,-5.00,order,
B-4,K2,2024-03-07,12.50,credit,
"""
ORDER_MAPPING = """
system: shop
guest_customer: {id: walk-in, name: Laufkundschaft}
objects:
  customers:
    table: accounts
    detect: [customer_id, customer_name]
    id: customer_id
    fields: {name: customer_name}
  orders:
    table: orders
    detect: [order, total]
    id: order
    fields:
      account_id: {column: customer, ref: accounts}
      ordered_at: date
      amount: total
      kind: type
      original_order_id: {column: refers_to, ref: orders}
"""


def test_returns_may_be_negative_and_guests_get_the_placeholder(tmp_path: Path) -> None:
    (tmp_path / "mapping.yaml").write_text(ORDER_MAPPING, encoding="utf-8")
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,customer_name\nK1,Kunde Eins\nK2,Kunde Zwei\n")
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    with open_store(tmp_path / "store.duckdb") as store:
        report = import_files(
            store, "generic", [customers, orders], mapping=tmp_path / "mapping.yaml"
        )
        rejected = report.rejections.to_pandas() if report.rejections is not None else None
        assert rejected is not None
        assert sorted(zip(rejected["row_number"], rejected["reason"], strict=True)) == [
            (5, "negative amount"),  # an order (not a return) below zero
            (6, "neither order nor return"),
        ]
        assert (report.guest_orders, report.guest_amount) == (2, 0.0)
        stored = store.table("orders").to_pandas().set_index("source_id")
        assert stored.loc["G-2", "amount"] == -40.0
        assert stored.loc["G-2", "original_order_id"] == "shop:B-2"
        assert set(stored.loc[["B-2", "G-2"], "account_id"]) == {"shop:walk-in"}
        accounts = store.table("accounts").to_pandas().set_index("account_id")
        assert accounts.loc["shop:walk-in", "name"] == "Laufkundschaft"
        assert bool(accounts.loc["shop:walk-in", "placeholder"]) is True
        guests = quality_report(store).guests
        assert guests.to_dict(orient="records") == [
            {"source_system": "shop", "accounts": 1, "orders": 1, "returns": 1, "amount": 0.0}
        ]
        real = customer_accounts(store).account_id.to_pyarrow().to_pylist()
        assert sorted(real) == ["shop:K1", "shop:K2"]  # the placeholder feeds no model


GERMAN = """\
Belegnummer;Kundennummer;Artikelnummer;Bezeichnung;Menge;Einzelpreis;Belegdatum;Land;Bezugsbeleg
R-1001;D-7;A-10;Schraube M8;100;0,25;02.01.2024;Deutschland;
R-1001;D-7;A-11;Mutter M8;100;0,10;02.01.2024;Deutschland;
R-1002;;A-12;Winkel;3;1.250,00;13.01.2024;Österreich;
C1003;D-7;A-10;Schraube M8;-20;0,25;20.01.2024;Deutschland;R-1001
"""


def test_german_headers_decimal_commas_and_day_first_dates(tmp_path: Path) -> None:
    export = tmp_path / "belege.csv"
    export.write_text(GERMAN, encoding="utf-8")
    with open_store(tmp_path / "store.duckdb") as store:
        report = import_files(store, "order_lines", [export])
        assert report.rows_rejected == 0
        assert (report.guest_orders, report.guest_amount) == (1, 3_750.0)
        orders = store.table("orders").to_pandas().set_index("source_id").sort_index()
        assert orders.index.tolist() == ["C1003", "R-1001", "R-1002"]
        assert orders["amount"].tolist() == [-5.0, 35.0, 3_750.0]
        assert orders["kind"].tolist() == ["return", "order", "order"]
        assert orders.loc["C1003", "original_order_id"] == "order_lines:R-1001"
        assert [d.date() for d in orders["ordered_at"]] == [
            date(2024, 1, 20),
            date(2024, 1, 2),
            date(2024, 1, 13),
        ]
        accounts = store.table("accounts").to_pandas().set_index("source_id")
        assert accounts.loc["D-7", "country"] == "DE"
        products = store.table("products").to_pandas().set_index("source_id")
        assert products.loc["A-12", "name"] == "Winkel"


def test_the_api_reports_guest_orders_of_an_upload(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET, default_language="en")):
        client = LiveServer(url, db, tokens).client("marie")
        upload = ("files", ("belege.csv", GERMAN.encode(), "text/csv"))
        response = client.post("/api/v1/imports", files=[upload], data={"preset": "order_lines"})
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["guest_orders"], body["guest_amount"]) == (1, 3_750.0)
        guests = client.get("/api/v1/quality").json()["guests"]
        assert guests == [
            {
                "source_system": "order_lines",
                "accounts": 1,
                "orders": 1,
                "returns": 0,
                "amount": 3_750.0,
            }
        ]
