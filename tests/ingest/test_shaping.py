"""Mappings that shape data: one line-level file into accounts, products, orders and lines.

Every expected figure is computed from the same file with pandas.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from revintel.ingest import IngestError, import_files
from revintel.store import Store, open_store

from .conftest import WriteFile

NOW = datetime(2025, 1, 1)
MAPPING = """
system: shop
lookups:
  country: {UK: GB, "United Kingdom": GB, Deutschland: DE}
guest_customer:
  id: guest
  name: Unknown customer (guest orders)
objects:
  lines:
    table: order_lines
    detect: ["Invoice|Belegnummer", "StockCode|Artikelnummer"]
    where:
      - "{Customer ID|Kunde} != 'TEST'"
    computed:
      line_total: "number({Quantity|Menge}) * number({Price|Preis})"
      kind: >-
        if(startswith({Invoice|Belegnummer}, 'C') or number({Quantity|Menge}) < 0,
        'return', 'order')
      country_code: "lookup('country', {Country|Land})"
    id: ["Invoice|Belegnummer", "StockCode|Artikelnummer", "@occurrence"]
    fields:
      order_id: {column: Invoice|Belegnummer, ref: orders}
      product_id: {column: StockCode|Artikelnummer, ref: products}
      quantity: Quantity|Menge
      unit_price: Price|Preis
      net_amount: line_total
  orders:
    table: orders
    from: lines
    group_by: Invoice|Belegnummer
    id: Invoice|Belegnummer
    fields:
      account_id: {column: Customer ID|Kunde, ref: accounts, aggregate: first}
      ordered_at: {column: InvoiceDate|Datum, aggregate: min}
      amount: {column: line_total, aggregate: sum}
      kind: {column: kind, aggregate: first}
  customers:
    table: accounts
    from: lines
    group_by: Customer ID|Kunde
    id: Customer ID|Kunde
    fields:
      name: Customer ID|Kunde
      country: {column: country_code, aggregate: first}
  products:
    table: products
    detect: ["StockCode|Artikelnummer", "Description|Bezeichnung"]
    group_by: StockCode|Artikelnummer
    id: StockCode|Artikelnummer
    fields:
      name: {column: Description|Bezeichnung, aggregate: first}
      list_price: {column: Price|Preis, aggregate: max}
"""
LINES = """Invoice,StockCode,Description,Quantity,Price,InvoiceDate,Customer ID,Country
1001,A,Apple,2,1.50,2024-01-05 10:00,C1,UK
1001,B,,1,2.00,2024-01-05 10:00,C1,UK
1001,A,Apple,1,1.50,2024-01-05 10:00,C1,UK
1002,B,Banana,abc,2.25,2024-01-06 11:00,C2,Deutschland
1002,C,Cherry,3,1.00,2024-01-06 11:00,C2,Deutschland
1002,B,Banana,2,2.25,2024-01-06 11:30,C2,Deutschland
C1003,A,Apple,-1,1.50,2024-01-07 09:00,C1,UK
1004,A,Apple,5,1.50,2024-01-08 09:00,,France
1005,C,Cherry,5,1.00,2024-01-08 09:00,TEST,France
1006,D,Dates,4,3.10,2024-01-09 12:00,C3,United Kingdom
"""


def _mapping(tmp_path: Path, text: str = MAPPING) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _stored(store: Store, name: str) -> pd.DataFrame:
    return store.table(name).execute()


def _expected(text: str, sep: str = ",", decimal: str = ".") -> pd.DataFrame:
    """The lines kept and readable, with the line total, as pandas reads them."""
    df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    df["row_number"] = df.index + 2
    df = df[df.iloc[:, 6] != "TEST"].copy()
    number = df.iloc[:, 3].str.replace(",", ".") if decimal == "," else df.iloc[:, 3]
    price = df.iloc[:, 4].str.replace(".", "").str.replace(",", ".") if decimal == "," else None
    df["qty"] = pd.to_numeric(number, errors="coerce")
    df["price"] = pd.to_numeric(price if price is not None else df.iloc[:, 4])
    df["total"] = df["qty"] * df["price"]
    return df


def test_one_line_level_file_fills_four_tables(
    store: Store, write_file: WriteFile, tmp_path: Path
) -> None:
    report = import_files(
        store, "generic", [write_file("lines.csv", LINES)], mapping=_mapping(tmp_path), now=NOW
    )
    df = _expected(LINES)
    good = df[df["qty"].notna()]
    counts = {f.object: (f.rows_read, f.rows_accepted, f.rows_rejected) for f in report.files}
    assert counts["lines"] == (len(df), len(good), 1)
    assert counts["orders"] == (good["Invoice"].nunique(),) * 2 + (0,)

    lines = _stored(store, "order_lines").set_index("source_id").sort_index()
    assert len(lines) == len(good)
    assert {"1001/A/1", "1001/A/2", "1002/B/2"} <= set(lines.index)  # @occurrence
    assert lines["net_amount"].sum() == pytest.approx(good["total"].sum())

    orders = _stored(store, "orders").set_index("source_id").sort_index()
    by_invoice = good.groupby("Invoice").agg(
        amount=("total", "sum"), first_at=("InvoiceDate", "min")
    )
    assert orders["amount"].to_dict() == pytest.approx(by_invoice["amount"].to_dict())
    assert orders["ordered_at"].dt.strftime("%Y-%m-%d %H:%M").to_dict() == (
        by_invoice["first_at"].to_dict()
    )
    assert orders.loc["C1003", "kind"] == "return" and orders.loc["C1003", "amount"] == -1.5
    assert orders.loc["1004", "account_id"] == "shop:guest"
    assert (orders.drop(index="C1003")["kind"] == "order").all()

    accounts = _stored(store, "accounts").set_index("source_id").sort_index()
    customers = sorted(c for c in good["Customer ID"].unique() if c)
    assert list(accounts.index) == [*customers, "guest"]
    assert accounts.loc[customers, "country"].tolist() == ["GB", "DE", "GB"]

    products = _stored(store, "products").set_index("source_id").sort_index()
    raw = pd.read_csv(io.StringIO(LINES), dtype=str, keep_default_na=False)
    first_name = raw[raw["Description"] != ""].groupby("StockCode")["Description"].first()
    assert products["name"].to_dict() == first_name.to_dict()
    top = raw.assign(p=pd.to_numeric(raw["Price"])).groupby("StockCode")["p"].max()
    assert products["list_price"].to_dict() == top.to_dict()

    rejected = _stored(store, "rejected_rows")
    bad = df[df["qty"].isna()]
    assert rejected[["row_number", "column", "value", "target_table"]].values.tolist() == [
        [int(bad["row_number"].iloc[0]), "Quantity", "abc", "order_lines"]
    ]


GERMAN = """Belegnummer;Artikelnummer;Bezeichnung;Menge;Preis;Datum;Kunde;Land
R1;A;Apfel;2;1.234,50;05.01.2024;K1;Deutschland
R1;B;Birne;1,5;0,99;05.01.2024;K1;Deutschland
R2;A;Apfel;-1;1.234,50;06.01.2024;K2;Deutschland
"""


def test_computed_numbers_are_stored_as_computed_in_a_german_file(
    store: Store, write_file: WriteFile, tmp_path: Path
) -> None:
    path = write_file("belege.csv", GERMAN)
    import_files(store, "generic", [path], mapping=_mapping(tmp_path), now=NOW)
    df = _expected(GERMAN, sep=";", decimal=",")
    lines = _stored(store, "order_lines").set_index("source_id").sort_index()
    # 2 × 1.234,50 = 2469.0, not 2 × 1234.5 read back as text "2469.0" with a decimal comma
    assert lines["net_amount"].tolist() == pytest.approx(df["total"].tolist())
    orders = _stored(store, "orders").set_index("source_id").sort_index()
    totals = df.groupby("Belegnummer")["total"].sum()
    assert orders["amount"].to_dict() == pytest.approx(totals.to_dict())
    assert orders.loc["R2", "kind"] == "return"
    assert orders["ordered_at"].dt.strftime("%d.%m.%Y").tolist() == ["05.01.2024", "06.01.2024"]


ALONE = """
system: shop
objects:
  orders:
    table: orders
    detect: [Invoice, InvoiceDate]
    group_by: Invoice
    id: Invoice
    fields:
      account_id: {column: Customer ID, ref: accounts}
      ordered_at: {column: InvoiceDate, aggregate: min}
      amount: {column: Amount, aggregate: sum}
  accounts:
    table: accounts
    detect: [Customer ID, Name]
    id: Customer ID
    fields: {name: Name}
"""
ORDERS = """Invoice,InvoiceDate,Customer ID,Amount
1,2024-01-05,C1,10
1,2024-01-04,C1,5
2,2024-01-06,C2,x
2,2024-01-06,C2,4
3,2024-01-06,C1,4
3,2024-01-06,C2,4
,2024-01-06,C2,4
"""


def test_a_grouped_object_alone_rejects_the_lines_it_cannot_use(
    store: Store, write_file: WriteFile, tmp_path: Path
) -> None:
    files = [
        write_file("orders.csv", ORDERS),
        write_file("a.csv", "Customer ID,Name\nC1,A\nC2,B\n"),
    ]
    report = import_files(store, "generic", files, mapping=_mapping(tmp_path, ALONE), now=NOW)
    orders = _stored(store, "orders").set_index("source_id").sort_index()
    assert orders["amount"].to_dict() == {"1": 15.0, "2": 4.0}
    assert str(orders.loc["1", "ordered_at"].date()) == "2024-01-04"
    rejected = _stored(store, "rejected_rows").sort_values("row_number")
    assert rejected[["row_number", "column", "value", "reason"]].values.tolist() == [
        [4, "Amount", "x", "not a number"],
        [6, "Customer ID", "C1", "differs within Invoice 3"],
        [7, "Customer ID", "C2", "differs within Invoice 3"],
        [8, "Invoice", "", "missing Invoice"],
    ]
    file = next(f for f in report.files if f.object == "orders")
    # two orders and four lines: read = accepted + rejected
    assert (file.rows_read, file.rows_accepted, file.rows_rejected) == (6, 2, 4)


def test_a_line_a_group_cannot_use_is_rejected_on_the_line_level_object(
    store: Store, write_file: WriteFile, tmp_path: Path
) -> None:
    text = LINES.replace("2024-01-06 11:30", "someday")
    import_files(store, "generic", [write_file("l.csv", text)], mapping=_mapping(tmp_path), now=NOW)
    rejected = _stored(store, "rejected_rows").sort_values("row_number")
    assert rejected[["row_number", "column", "value", "target_table"]].values.tolist() == [
        [5, "Quantity", "abc", "order_lines"],
        [7, "InvoiceDate", "someday", "order_lines"],
    ]
    lines = _stored(store, "order_lines")
    orders = _stored(store, "orders").set_index("source_id")
    # the line is neither loaded nor part of its order's amount: lines and orders agree
    assert "1002/B/2" not in set(lines["source_id"])
    assert orders.loc["1002", "amount"] == pytest.approx(3.0)


def test_ids_from_row_numbers(store: Store, write_file: WriteFile, tmp_path: Path) -> None:
    text = MAPPING.replace('"StockCode|Artikelnummer", "@occurrence"]', '"@row"]')
    import_files(
        store, "generic", [write_file("l.csv", LINES)], mapping=_mapping(tmp_path, text), now=NOW
    )
    ids = sorted(_stored(store, "order_lines")["source_id"], key=lambda s: int(s.split("/")[1]))
    assert ids[:3] == ["1001/2", "1001/3", "1001/4"]


def test_a_group_by_column_the_file_lacks_is_named_with_the_file_columns(
    store: Store, write_file: WriteFile, tmp_path: Path
) -> None:
    text = ALONE.replace("group_by: Invoice", "group_by: Invoce")
    with pytest.raises(IngestError) as raised:
        import_files(
            store, "generic", [write_file("o.csv", ORDERS)], mapping=_mapping(tmp_path, text)
        )
    assert str(raised.value) == (
        f"{tmp_path / 'mapping.yaml'}: objects.orders.group_by: unknown column 'Invoce' "
        "(file columns: Invoice, InvoiceDate, Customer ID, Amount)"
    )
    assert _stored(store, "orders").empty


def test_mapping_mistakes_in_shaping_keys_are_named(tmp_path: Path) -> None:
    text = ALONE.replace("table: orders\n", "table: orders\n    from: nothing\n")
    text = text.replace("fields: {name: Name}", "fields: {name: {column: Name, aggregate: sum}}")
    with pytest.raises(IngestError) as raised:
        import_files(None, "generic", [], mapping=_mapping(tmp_path, text))  # type: ignore[arg-type]
    origin = tmp_path / "mapping.yaml"
    assert str(raised.value).splitlines() == [
        f"{origin}: objects.orders.from: no object 'nothing' in this mapping",
        f"{origin}: objects.orders.from: an object fed from another has no detect or source",
        f"{origin}: objects.accounts.fields.name.aggregate: only with group_by",
    ]


CONTACTS = """Company,Email,Since,Country
Acme,a@acme.com,2023-05-01,DE
Acme,b@acme.com,2022-01-10,
Acme,a@acme.com,2024-02-02,AT
Bolt,c@bolt.io,2021-07-07,FR
"""


@pytest.mark.parametrize("aggregate", ["count", "count_distinct"])
def test_counting_aggregates(
    store: Store, write_file: WriteFile, tmp_path: Path, aggregate: str
) -> None:
    text = f"""
system: crm
objects:
  companies:
    table: accounts
    detect: [Company, Email]
    group_by: Company
    id: Company
    fields:
      name: Company
      employees: {{column: Email, aggregate: {aggregate}}}
      created_at: {{column: Since, aggregate: min}}
      country: {{column: Country, aggregate: first}}
"""
    path = write_file("contacts.csv", CONTACTS)
    import_files(store, "generic", [path], mapping=_mapping(tmp_path, text), now=NOW)
    df = pd.read_csv(io.StringIO(CONTACTS), dtype=str)
    expected = df.groupby("Company").agg(
        employees=("Email", "size" if aggregate == "count" else "nunique"),
        created_at=("Since", "min"),
        country=("Country", "first"),  # pandas' first skips missing values too
    )
    accounts = _stored(store, "accounts").set_index("source_id").sort_index()
    assert accounts["employees"].tolist() == expected["employees"].tolist()
    assert accounts["created_at"].dt.strftime("%Y-%m-%d").tolist() == (
        expected["created_at"].tolist()
    )
    assert accounts["country"].tolist() == expected["country"].tolist()


def test_a_sum_into_a_text_column_is_refused(
    store: Store, write_file: WriteFile, tmp_path: Path
) -> None:
    text = ALONE.replace(
        "account_id: {column: Customer ID, ref: accounts}",
        "currency: {column: Amount, aggregate: sum}",
    )
    with pytest.raises(IngestError, match=r"objects\.orders\.fields\.currency\.aggregate: sum"):
        import_files(
            store, "generic", [write_file("o.csv", ORDERS)], mapping=_mapping(tmp_path, text)
        )


def test_a_grouped_object_keeps_its_custom_fields_first_value(
    store: Store, write_file: WriteFile, tmp_path: Path
) -> None:
    text = ALONE.replace(
        "      amount: {column: Amount, aggregate: sum}\n",
        "      amount: {column: Amount, aggregate: sum}\n"
        "    custom:\n      channel_note: {column: Note, type: text}\n",
    )
    orders = (
        "Invoice,InvoiceDate,Customer ID,Amount,Note\n1,2024-01-05,C1,10,\n1,2024-01-04,C1,5,web\n"
    )
    files = [write_file("o.csv", orders), write_file("a.csv", "Customer ID,Name\nC1,A\n")]
    import_files(store, "generic", files, mapping=_mapping(tmp_path, text), now=NOW)
    values = _stored(store, "custom_values")
    assert values[["record_id", "text_value"]].values.tolist() == [["shop:1", "web"]]


def test_a_file_pointing_to_records_does_not_overwrite_them(tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,channel,created_at\nL1,web,2024-01-12\nL2,fair,2024-01-13\n")
    deals = tmp_path / "opps.csv"
    deals.write_text("opportunity_id,lead_id,created_at,stage,amount\nO1,L1,2024-01-12,won,1000\n")
    with open_store(tmp_path / "s.duckdb") as store:
        report = import_files(store, "generic", [leads, deals])
        stored = store.table("leads").to_pandas().set_index("lead_id")["channel"].to_dict()
    assert [(f.file, f.table) for f in report.files] == [
        (str(leads), "leads"),
        (str(deals), "opportunities"),
    ]
    assert stored == {"generic:L1": "web", "generic:L2": "fair"}
