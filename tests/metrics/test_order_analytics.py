"""Customer-development KPIs over orders, checked against pandas on the same rows.

The hand-made store has three customers and a guest, a return, an order before the query
window, two currencies and order lines of two product families that sum to their orders.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.ingest import import_files
from revintel.metrics import (
    MetricCatalogue,
    MetricQuery,
    MetricQueryError,
    MetricSources,
    evaluate_kpi,
    import_fx_rates,
    load_catalogue,
    parse_filter,
)
from revintel.store import open_store
from tests.shared_data import shared_dataset

LINEAGE = {"source_system": "erp", "import_batch_id": "b1"}
GBP_IN_EUR = 1.2
ACCOUNTS = [
    # account_id, country, segment, placeholder
    ("K1", "DE", "Mittelstand", False),
    ("K2", "AT", "Enterprise", False),
    ("K3", "DE", "Mittelstand", None),
    ("GAST", "DE", None, True),
]
ORDERS = [
    # order_id, account_id, rep_id, channel, ordered_at, amount, currency, kind
    ("O1", "K1", "R1", "field", "2023-11-15", 100.0, "EUR", "order"),
    ("O2", "K1", "R1", "field", "2024-01-10", 200.0, "EUR", "order"),
    ("O3", "K2", "R2", "web", "2024-01-20", 300.0, "GBP", "order"),
    ("O4", "GAST", "R2", "web", "2024-01-25", 50.0, "EUR", "order"),
    ("O5", "K1", "R2", "web", "2024-02-05", 400.0, "EUR", "order"),
    ("O6", "K2", "R2", "web", "2024-02-10", -100.0, "GBP", "return"),
    ("O7", "K3", "R1", "field", "2024-02-14", 250.0, "EUR", "order"),
    ("O8", "K3", "R1", "field", "2024-02-20", 150.0, "EUR", "order"),
    ("O9", "K2", "R1", "field", "2024-03-03", 500.0, "EUR", None),
    ("O10", "GAST", "R2", "web", "2024-03-05", 80.0, "EUR", "order"),
]
LINES = [
    # order_id, product_id, net_amount (in the order's currency)
    ("O1", "P1", 100.0),
    ("O2", "P1", 120.0),
    ("O2", "P2", 80.0),
    ("O3", "P2", 300.0),
    ("O4", "P1", 50.0),
    ("O5", "P1", 150.0),
    ("O5", "P2", 250.0),
    ("O6", "P2", -100.0),
    ("O7", "P1", 250.0),
    ("O8", "P2", 150.0),
    ("O9", "P1", 200.0),
    ("O9", "P2", 300.0),
    ("O10", "P2", 80.0),
]
FAMILIES = {"P1": "Pumpen", "P2": "Ventile"}


def _frame(rows: list[tuple], columns: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


def _orders() -> pd.DataFrame:
    orders = _frame(ORDERS, "order_id account_id rep_id channel ordered_at amount currency kind")
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"])
    return orders


def _lines() -> pd.DataFrame:
    lines = _frame(LINES, "order_id product_id net_amount")
    currency = _orders().set_index("order_id")["currency"]
    lines["currency"] = lines["order_id"].map(currency)
    lines["order_line_id"] = lines["order_id"] + "-" + lines.index.astype(str)
    return lines


@pytest.fixture(scope="module")
def orders_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MetricSources]:
    folder = tmp_path_factory.mktemp("orders")
    store = open_store(folder / "orders.duckdb")
    accounts = _frame(ACCOUNTS, "account_id country segment placeholder")
    reps = pd.DataFrame(
        {"rep_id": ["R1", "R2"], "name": ["Anna", "Bernd"], "team": ["Nord", "Süd"]}
    )
    products = pd.DataFrame({"product_id": list(FAMILIES), "family": list(FAMILIES.values())})
    for table, frame, key in [
        ("accounts", accounts.assign(name=accounts["account_id"]), "account_id"),
        ("reps", reps, "rep_id"),
        ("products", products.assign(name=products["product_id"]), "product_id"),
        ("orders", _orders(), "order_id"),
        ("order_lines", _lines(), "order_line_id"),
    ]:
        store.insert(table, frame.assign(source_id=frame[key], **LINEAGE))
    rates = folder / "rates.csv"
    rates.write_text(f"currency;valid_from;rate\nGBP;2023-01-01;{GBP_IN_EUR}\n", encoding="utf-8")
    import_fx_rates(store, rates)
    yield MetricSources.from_store(store, as_of=date(2024, 3, 31))
    store.close()


# ---- the reference: the same definitions written in pandas ----------------------------------


def _reference_orders() -> pd.DataFrame:
    """Orders in EUR with month, return flag and whether the account is a guest."""
    o = _orders()
    o["eur"] = o["amount"].abs() * o["currency"].map({"EUR": 1.0, "GBP": GBP_IN_EUR})
    o["is_return"] = o["kind"] == "return"
    o["month"] = o["ordered_at"].dt.to_period("M").dt.start_time.dt.date
    guests = {a for a, *_, placeholder in ACCOUNTS if placeholder}
    o["guest"] = o["account_id"].isin(guests)
    return o


def _customer_orders() -> pd.DataFrame:
    o = _reference_orders()
    sales = o[~o["is_return"] & ~o["guest"]].copy()
    sales["first"] = sales.groupby("account_id")["ordered_at"].transform("min")
    sales["first_month"] = sales["first"].dt.to_period("M").dt.start_time.dt.date
    return sales


def _expected_customers() -> pd.DataFrame:
    sales = _customer_orders()
    rows = []
    for month, group in sales.groupby("month"):
        active = group["account_id"].nunique()
        new = group.loc[group["first_month"] == month, "account_id"].nunique()
        rows.append((month, active, new, active - new, (active - new) / active))
    return _frame(rows, "month active new returning repeat_rate").set_index("month")


def _values(
    sources: MetricSources, catalogue: MetricCatalogue, kpi: str, **query: Any
) -> dict[date | None, float]:
    frame = evaluate_kpi(sources, catalogue.get(kpi), MetricQuery(**query), catalogue.settings)
    return dict(zip(frame["period"], frame["value"], strict=True))


def _approx(expected: pd.Series) -> object:
    return pytest.approx(expected.astype(float).to_dict())


# ---- the tests ----------------------------------------------------------------------------


def test_average_order_value_is_gross_over_orders_in_store_currency(
    orders_store: MetricSources, catalogue: MetricCatalogue
) -> None:
    o = _reference_orders()
    sales = o[~o["is_return"]]
    expected = sales.groupby("month")["eur"].sum() / sales.groupby("month").size()
    # January: 200 + 300 £ (360 €) + 50 (guest) over three orders
    assert expected[date(2024, 1, 1)] == pytest.approx(610 / 3)
    assert _values(orders_store, catalogue, "average_order_value") == _approx(expected)
    frame = evaluate_kpi(orders_store, catalogue.get("average_order_value"), MetricQuery())
    assert frame["numerator"].tolist() == pytest.approx(
        sales.groupby("month")["eur"].sum().tolist()
    )
    assert frame["denominator"].tolist() == [1, 3, 3, 2]


def test_customer_counts_leave_guests_out_and_look_back_before_the_window(
    orders_store: MetricSources, catalogue: MetricCatalogue
) -> None:
    expected = _expected_customers()
    for kpi, column in [
        ("active_customers", "active"),
        ("new_customers", "new"),
        ("returning_customers", "returning"),
        ("repeat_purchase_rate", "repeat_rate"),
    ]:
        assert _values(orders_store, catalogue, kpi) == _approx(expected[column]), kpi
    # From January 2024 on, K1 still counts as returning: its first order was in November.
    window = {"start": date(2024, 1, 1)}
    assert _values(orders_store, catalogue, "new_customers", **window) == {
        date(2024, 1, 1): 1.0,  # K2 (K1 returns, the guest is no customer)
        date(2024, 2, 1): 1.0,  # K3
        date(2024, 3, 1): 0.0,  # K2 again
    }
    year = _values(orders_store, catalogue, "new_customers", grain="all", **window)
    assert year == {None: 2.0}


def test_customer_breakdowns_by_country_and_channel_add_up(
    orders_store: MetricSources, catalogue: MetricCatalogue
) -> None:
    spec = catalogue.get("active_customers")
    by_country = evaluate_kpi(orders_store, spec, MetricQuery(grain="all", by=("country",)))
    assert dict(zip(by_country["country"], by_country["value"], strict=True)) == {
        "AT": 1.0,
        "DE": 2.0,  # K1, K3; the German guest is left out
    }
    web = {"where": (parse_filter("channel=web"),)}
    # K1 orders on the web in February for the first time, but it is not a new customer.
    assert _values(orders_store, catalogue, "new_customers", **web) == {
        date(2024, 1, 1): 1.0,
        date(2024, 2, 1): 0.0,
    }


def test_inter_purchase_days_belong_to_the_later_order(
    orders_store: MetricSources, catalogue: MetricCatalogue
) -> None:
    sales = _customer_orders().sort_values(["account_id", "ordered_at", "order_id"])
    sales["gap"] = sales.groupby("account_id")["ordered_at"].diff().dt.days
    gaps = sales.dropna(subset=["gap"])
    assert _values(orders_store, catalogue, "inter_purchase_days") == _approx(
        gaps.groupby("month")["gap"].mean()
    )
    assert _values(orders_store, catalogue, "inter_purchase_days_median") == _approx(
        gaps.groupby("month")["gap"].median()
    )
    # January: K1 from 15.11.2023 (56 days); March: K2 from 20.01. (43 days).
    assert _values(orders_store, catalogue, "inter_purchase_days", start=date(2024, 1, 1)) == {
        date(2024, 1, 1): 56.0,
        date(2024, 2, 1): pytest.approx((26 + 6) / 2),
        date(2024, 3, 1): 43.0,
    }


def test_cohort_retention_is_a_cohort_by_months_since_matrix(
    orders_store: MetricSources, catalogue: MetricCatalogue
) -> None:
    sales = _customer_orders()
    sales["since"] = (sales["ordered_at"].dt.to_period("M") - sales["first"].dt.to_period("M")).map(
        lambda offset: offset.n
    )
    size = sales.groupby("first_month")["account_id"].nunique()
    active = sales.groupby(["first_month", "since"])["account_id"].nunique()
    expected = {(month, f"+{since:02d}"): n / size[month] for (month, since), n in active.items()}
    frame = evaluate_kpi(orders_store, catalogue.get("cohort_retention"), MetricQuery())
    got = dict(zip(zip(frame["period"], frame["step"], strict=True), frame["value"], strict=True))
    assert got == pytest.approx(expected)
    # K1 (cohort November 2023) ordered again two and three months later.
    assert got[(date(2023, 11, 1), "+02")] == 1.0
    assert frame["step"].tolist()[:3] == ["+00", "+02", "+03"]


def test_revenue_by_product_family_adds_up_to_the_orders(
    orders_store: MetricSources, catalogue: MetricCatalogue
) -> None:
    lines = _lines().merge(_reference_orders()[["order_id", "is_return", "month"]], on="order_id")
    lines["eur"] = lines["net_amount"].abs() * lines["currency"].map(
        {"EUR": 1.0, "GBP": GBP_IN_EUR}
    )
    lines["family"] = lines["product_id"].map(FAMILIES)
    sign = lines["is_return"].map({True: -1.0, False: 1.0})
    expected = (lines["eur"] * sign).groupby([lines["month"], lines["family"]]).sum()
    spec = catalogue.get("net_revenue")
    frame = evaluate_kpi(orders_store, spec, MetricQuery(by=("product_family",)))
    got = frame.set_index(["period", "product_family"])["value"]
    assert got.to_dict() == pytest.approx(expected.to_dict())
    total = evaluate_kpi(orders_store, spec, MetricQuery()).set_index("period")["value"]
    assert got.groupby(level="period").sum().to_dict() == pytest.approx(total.to_dict())
    by_family = evaluate_kpi(
        orders_store,
        catalogue.get("orders"),
        MetricQuery(grain="all", by=("product_family",), where=(parse_filter("team=Nord"),)),
    )
    # Nord (R1) sold O1, O2, O7, O9 with pumps and O2, O8, O9 with valves.
    assert dict(zip(by_family["product_family"], by_family["value"], strict=True)) == {
        "Pumpen": 4.0,
        "Ventile": 3.0,
    }


@pytest.mark.parametrize(
    ("kpi", "query", "message"),
    [
        ("active_customers", MetricQuery(by=("product_family",)), "'active_customers' has no"),
        ("cohort_retention", MetricQuery(by=("channel",)), "'cohort_retention' has no"),
        ("cohort_retention", MetricQuery(grain="all"), "use a grain other than 'all'"),
        ("returns", MetricQuery(by=("product_family",)), "'returns' has no dimension product"),
    ],
)
def test_combinations_without_meaning_are_refused(
    orders_store: MetricSources,
    catalogue: MetricCatalogue,
    kpi: str,
    query: MetricQuery,
    message: str,
) -> None:
    with pytest.raises(MetricQueryError, match=message):
        evaluate_kpi(orders_store, catalogue.get(kpi), query)


@pytest.fixture(scope="module")
def superstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, pd.DataFrame]]:
    export = shared_dataset("superstore_orders") / "Sample - Superstore.csv"
    path = tmp_path_factory.mktemp("superstore") / "store.duckdb"
    with open_store(path) as store:
        import_files(store, "order_lines", [export])
    raw = pd.read_csv(export, encoding="utf-8-sig")
    raw["date"] = pd.to_datetime(raw["Order Date"], format="%d/%m/%y")
    yield path, raw


def _superstore_orders(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per order; its customer is that of its first line (two orders name four)."""
    return (
        raw.sort_values("Row ID")
        .groupby("Order ID")
        .agg(customer=("Customer ID", "first"), date=("date", "first"), sales=("Sales", "sum"))
    )


def test_superstore_customers_and_order_value_per_year(
    superstore: tuple[Path, pd.DataFrame],
) -> None:
    path, raw = superstore
    orders = _superstore_orders(raw)
    orders["year"] = orders["date"].dt.year
    first_year = orders.groupby("customer")["year"].transform("min")
    active = orders.groupby("year")["customer"].nunique()
    new = orders[orders["year"] == first_year].groupby("year")["customer"].nunique()
    aov = orders.groupby("year")["sales"].sum() / orders.groupby("year").size()
    catalogue = load_catalogue()
    with open_store(path, read_only=True) as store:
        sources = MetricSources.from_store(store, as_of=date(2022, 12, 31))
        got = {
            kpi: {
                p.year: v
                for p, v in _values(sources, catalogue, kpi, grain="year").items()
                if p is not None
            }
            for kpi in ("active_customers", "new_customers", "average_order_value")
        }
    assert got["active_customers"] == active.astype(float).to_dict()
    assert got["new_customers"] == new.astype(float).to_dict()
    assert got["average_order_value"] == pytest.approx(aov.to_dict())
    assert sum(got["new_customers"].values()) == orders["customer"].nunique()


def test_superstore_cli_prints_revenue_by_family_and_the_cohort_matrix(
    superstore: tuple[Path, pd.DataFrame],
) -> None:
    path, raw = superstore
    runner = CliRunner()
    args = ["kpi", "net_revenue", "--by", "product_family", "--grain", "all", "--db", str(path)]
    result = runner.invoke(app, [*args, "-f", "csv"])
    assert result.exit_code == 0, result.output
    got = pd.read_csv(io.StringIO(result.output)).set_index("product_family")
    expected = raw.groupby("Category")["Sales"].sum()
    assert got["value"].to_dict() == pytest.approx(expected.to_dict())
    cohorts = ["kpi", "cohort_retention", "--grain", "month", "--db", str(path), "-f", "csv"]
    result = runner.invoke(app, cohorts)
    assert result.exit_code == 0, result.output
    matrix = pd.read_csv(io.StringIO(result.output), dtype={"step": str})
    first = _superstore_orders(raw).groupby("customer")["date"].min()
    cohort_sizes = first.dt.to_period("M").dt.start_time.dt.strftime("%Y-%m-%d").value_counts()
    start = matrix[matrix["step"] == "+00"].set_index("period")
    assert set(start["value"]) == {1.0}
    assert start["denominator"].to_dict() == cohort_sizes.to_dict()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["cohort_retention", "--by", "channel"],
            "KPI 'cohort_retention' has no dimension channel",
        ),
        (["active_customers", "--by", "product_family"], "has no dimension product_family"),
        (["cohort_retention", "--grain", "all"], "use a grain other than 'all'"),
    ],
)
def test_the_cli_refuses_what_a_kpi_cannot_break_down(
    superstore: tuple[Path, pd.DataFrame], args: list[str], message: str
) -> None:
    path, _ = superstore
    result = CliRunner().invoke(app, ["kpi", *args, "--db", str(path)])
    # the entry point prints the error and exits with 1 (see the run of `revintel kpi`)
    assert isinstance(result.exception, MetricQueryError)
    assert message in str(result.exception)
