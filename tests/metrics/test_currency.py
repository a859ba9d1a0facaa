"""Amounts in several currencies: converted at the rate of each record's date, or refused."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from revintel.metrics import (
    MetricQuery,
    MetricSources,
    MissingRateError,
    evaluate_kpi,
    import_fx_rates,
    load_catalogue,
)
from revintel.metrics._currency import foreign_currencies
from revintel.store import Store, open_store, set_store_currency

LINEAGE = {"source_system": "erp", "import_batch_id": "b1"}
ORDERS = [
    # order_id, ordered_at, amount, currency, kind
    ("O1", datetime(2024, 1, 5, 9), 1000.0, "EUR", "order"),
    ("O2", datetime(2024, 1, 10, 12), 500.0, "GBP", "order"),
    ("O3", datetime(2024, 1, 31, 23, 30), 200.0, " gbp", "order"),
    ("O4", datetime(2024, 2, 1, 0, 5), 300.0, "GBP", "order"),
    ("O5", datetime(2024, 2, 15, 8), 100.0, "GBP", "order"),
    ("O6", datetime(2024, 2, 20, 8), 50.0, "", "order"),
    ("O7", datetime(2024, 3, 5, 8), 400.0, "USD", "order"),
    ("O8", datetime(2024, 3, 12, 8), 80.0, "GBP", "return"),
    ("O9", datetime(2024, 3, 20, 8), 700.0, None, "order"),
]
RATES = """Währung;gültig ab;Kurs
GBP;01.01.2024;1,17
GBP;01.02.2024;1,16
GBP;2024-02-15;1,18
USD;01.03.2024;0,92
"""


def _orders_store(path: Path | str, currency: str | None = None) -> Store:
    store = open_store(path)
    if currency is not None:
        set_store_currency(store, currency)
    store.insert(
        "accounts",
        pd.DataFrame([{"account_id": "A1", "name": "Kunde", "source_id": "A1", **LINEAGE}]),
    )
    frame = pd.DataFrame(ORDERS, columns=["order_id", "ordered_at", "amount", "currency", "kind"])
    store.insert("orders", frame.assign(account_id="A1", source_id=frame["order_id"], **LINEAGE))
    return store


def _rates_file(folder: Path, text: str = RATES) -> Path:
    path = folder / "kurse.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _expected_gross(rates_text: str, store_currency: str = "EUR") -> pd.Series:
    """Gross revenue per month as pandas computes it: each order at the rate of its day."""
    orders = pd.DataFrame(ORDERS, columns=["order_id", "ordered_at", "amount", "currency", "kind"])
    orders["code"] = orders["currency"].fillna("").str.strip().str.upper().replace("", None)
    orders["code"] = orders["code"].fillna(store_currency)
    orders["day"] = orders["ordered_at"].dt.normalize()
    rates = pd.read_csv(io.StringIO(rates_text), sep=";", dtype=str)
    rates.columns = ["code", "valid_from", "rate"]
    rates["rate"] = rates["rate"].str.replace(",", ".").astype(float)
    rates["valid_from"] = pd.to_datetime(rates["valid_from"], format="mixed", dayfirst=True)
    merged = pd.merge_asof(
        orders.sort_values("day"),
        rates.sort_values("valid_from"),
        left_on="day",
        right_on="valid_from",
        by="code",
    )
    merged.loc[merged["code"] == store_currency, "rate"] = 1.0
    assert merged["rate"].notna().all()
    sales = merged[merged["kind"] == "order"]
    value = sales["amount"] * sales["rate"]
    return value.groupby(sales["ordered_at"].dt.to_period("M").dt.start_time).sum()


def _gross(store: Store) -> pd.Series:
    catalogue = load_catalogue()
    sources = MetricSources.from_store(store, as_of=date(2024, 3, 31))
    frame = evaluate_kpi(
        sources, catalogue.get("gross_revenue"), MetricQuery(grain="month"), catalogue.settings
    )
    return pd.Series(frame["value"].to_numpy(float), index=pd.to_datetime(frame["period"]))


def test_order_intake_is_converted_at_each_order_date(tmp_path: Path) -> None:
    with _orders_store(tmp_path / "s.duckdb") as store:
        report = import_fx_rates(store, _rates_file(tmp_path))
        assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (4, 4, 0)
        found = _gross(store)
    expected = _expected_gross(RATES)
    assert list(found.index) == list(expected.index)
    assert found.to_numpy() == pytest.approx(expected.to_numpy())
    # January by hand: 1000 € + 500 £ × 1.17 + 200 £ × 1.17 (31 January, 23:30 still January).
    assert found.iloc[0] == pytest.approx(1000 + 700 * 1.17)
    # March: 400 $ at 0.92 and an order without currency, in the store currency.
    assert found.iloc[2] == pytest.approx(400 * 0.92 + 700)


def test_a_rate_applies_until_the_next_one(tmp_path: Path) -> None:
    with _orders_store(tmp_path / "s.duckdb") as store:
        import_fx_rates(store, _rates_file(tmp_path))
        orders = MetricSources.from_store(store).table("orders").to_pandas()
    amounts = dict(zip(orders["order_id"], orders["amount"], strict=True))
    assert amounts["O4"] == pytest.approx(300 * 1.16)  # 1 February: the new rate
    assert amounts["O5"] == pytest.approx(100 * 1.18)  # 15 February: the third one
    assert amounts["O8"] == pytest.approx(80 * 1.18)  # the latest rate stays valid
    assert set(orders["currency"]) == {"EUR"}


def test_amounts_without_a_rate_are_refused_with_currency_and_dates(tmp_path: Path) -> None:
    with _orders_store(tmp_path / "s.duckdb") as store:
        import_fx_rates(
            store, _rates_file(tmp_path, "currency;valid_from;rate\nGBP;2024-02-01;1.16\n")
        )
        with pytest.raises(MissingRateError) as caught:
            _gross(store)
    assert str(caught.value) == (
        "amounts in GBP from 10.01.2024 to 31.01.2024 and in USD from 05.03.2024 have no "
        "exchange rate; import rates with revintel fx import"
    )
    assert caught.value.gaps == {
        "GBP": (date(2024, 1, 10), date(2024, 1, 31)),
        "USD": (date(2024, 3, 5), date(2024, 3, 5)),
    }


def test_the_store_currency_decides_what_is_foreign(tmp_path: Path) -> None:
    rates = "currency;valid_from;rate\nEUR;2024-01-01;0.86\nUSD;2024-01-01;0.79\n"
    with _orders_store(tmp_path / "s.duckdb", currency="GBP") as store:
        import_fx_rates(store, _rates_file(tmp_path, rates))
        found = _gross(store)
    assert found.to_numpy() == pytest.approx(_expected_gross(rates, "GBP").to_numpy())


def test_one_currency_needs_no_join(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        store.insert(
            "accounts",
            pd.DataFrame([{"account_id": "A1", "name": "K", "source_id": "A1", **LINEAGE}]),
        )
        frame = pd.DataFrame(
            {
                "order_id": ["1", "2"],
                "account_id": "A1",
                "ordered_at": [datetime(2024, 1, 1), datetime(2024, 1, 2)],
                "amount": [10.0, 20.0],
                "currency": ["EUR", None],
            }
        )
        store.insert("orders", frame.assign(source_id=frame["order_id"], **LINEAGE))
        sources = MetricSources.from_store(store)
        raw = sources.tables["orders"]
        assert foreign_currencies(sources.tables, "EUR") == {}
        # The very expression of the stored table: no rates joined.
        assert sources.table("orders") is raw


def test_a_replaced_rate_changes_the_figures(tmp_path: Path) -> None:
    with _orders_store(tmp_path / "s.duckdb") as store:
        import_fx_rates(store, _rates_file(tmp_path))
        before = _gross(store).iloc[0]
        import_fx_rates(
            store, _rates_file(tmp_path, "currency;valid_from;rate\nGBP;2024-01-01;2\n")
        )
        after = _gross(store).iloc[0]
        assert store.table("fx_rates").count().execute() == 4
    assert before == pytest.approx(1000 + 700 * 1.17)
    assert after == pytest.approx(1000 + 700 * 2)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from revintel.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )


def test_cli_refuses_then_imports_and_converts(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    _orders_store(Path(db)).close()
    refused = _cli("kpi", "gross_revenue", "--db", db, "-f", "json")
    assert refused.returncode == 1
    assert "amounts in GBP from 10.01.2024 to 12.03.2024 and in USD from 05.03.2024" in (
        " ".join(refused.stderr.split())
    )
    imported = _cli("fx", "import", str(_rates_file(tmp_path)), "--db", db)
    assert imported.returncode == 0, imported.stderr
    assert "imported 4 of 4 rate(s) into EUR" in imported.stdout
    listed = _cli("fx", "list", "--db", db, "-f", "csv")
    assert listed.stdout.splitlines()[1].startswith("GBP,2024-01-01,1.17,fx-")
    ok = _cli("kpi", "gross_revenue", "--db", db, "-f", "json", "--grain", "all")
    assert ok.returncode == 0, ok.stderr
    bad = _cli("fx", "import", str(_rates_file(tmp_path, "currency;valid_from;rate\nGBP;x;1\n")))
    assert bad.returncode == 1


def test_store_currency_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    created = _cli("init", "--db", db, "--currency", "chf")
    assert created.returncode == 0 and "currency CHF" in created.stdout
    assert _cli("store", "currency", "--db", db).stdout.strip() == "CHF"
    unknown = _cli("store", "currency", "EURO", "--db", db)
    assert unknown.returncode == 1 and "unknown currency 'EURO'" in unknown.stderr
    assert _cli("init", "--db", str(tmp_path / "x.duckdb"), "--currency", "ABC").returncode == 1
    assert not (tmp_path / "x.duckdb").exists()
    with open_store(db) as store:
        store.insert(
            "accounts",
            pd.DataFrame([{"account_id": "A1", "name": "K", "source_id": "A1", **LINEAGE}]),
        )
        store.insert(
            "orders",
            pd.DataFrame(
                [
                    {
                        "order_id": "1",
                        "account_id": "A1",
                        "ordered_at": datetime(2024, 1, 1),
                        "amount": 1.0,
                        "source_id": "1",
                        **LINEAGE,
                    }
                ]
            ),
        )
    guarded = _cli("store", "currency", "EUR", "--db", db)
    assert guarded.returncode == 1 and "--force" in guarded.stderr
    forced = _cli("store", "currency", "EUR", "--force", "--db", db)
    assert forced.returncode == 0 and "currency: EUR (was CHF)" in forced.stdout
    info = _cli("info", "--db", db, "-f", "json")
    assert '"currency": "EUR"' in info.stdout


def test_the_demo_company_stays_in_euro_with_unchanged_figures(tmp_path: Path) -> None:
    from revintel.synth import SynthConfig, write_demo_company

    config = SynthConfig(seed=3, leads=1_500, accounts=150, reps=4)
    with open_store(tmp_path / "demo.duckdb") as store:
        write_demo_company(store, config)
        sources = MetricSources.from_store(store)
        assert sources.currency == "EUR"
        assert foreign_currencies(sources.tables, "EUR") == {}
        orders = store.table("orders").to_pandas()
        catalogue = load_catalogue()
        frame = evaluate_kpi(
            sources, catalogue.get("gross_revenue"), MetricQuery(grain="month"), catalogue.settings
        )
    assert set(orders["currency"].dropna()) == {"EUR"}
    # Before currencies were known, gross revenue was the plain sum of the stored amounts.
    sales = orders[orders["kind"].fillna("order") == "order"]
    before = sales.groupby(sales["ordered_at"].dt.to_period("M").dt.start_time)["amount"].sum()
    after = pd.Series(frame["value"].to_numpy(float), index=pd.to_datetime(frame["period"]))
    assert len(after) > 12
    # a month holding only a return has no sale: gross revenue 0 there
    before = before.reindex(after.index, fill_value=0.0)
    assert after.to_numpy() == pytest.approx(before.to_numpy(), rel=1e-12)


def test_the_conversion_runs_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    with _orders_store(postgres_url) as store:
        with pytest.raises(MissingRateError, match=r"amounts in GBP from 10\.01\.2024"):
            _gross(store)
        import_fx_rates(store, _rates_file(tmp_path))
        found = _gross(store)
    assert found.to_numpy() == pytest.approx(_expected_gross(RATES).to_numpy())


def test_each_money_table_is_converted_at_its_own_date(tmp_path: Path) -> None:
    with _orders_store(tmp_path / "s.duckdb") as store:
        store.insert(
            "products",
            pd.DataFrame([{"product_id": "P", "name": "p", "source_id": "P", **LINEAGE}]),
        )
        lines = pd.DataFrame(
            {
                "order_line_id": ["L1", "L2"],
                "order_id": ["O3", "O4"],  # 31 January and 1 February
                "product_id": "P",
                "unit_price": [10.0, 10.0],
                "net_amount": [20.0, 20.0],
                "cost": [5.0, None],
                "currency": "GBP",
            }
        )
        store.insert("order_lines", lines.assign(source_id=lines["order_line_id"], **LINEAGE))
        opps = pd.DataFrame(
            {
                "opportunity_id": ["D1", "D2"],
                "created_at": [datetime(2024, 1, 20), datetime(2024, 1, 20)],
                "closed_at": [datetime(2024, 2, 20), None],
                "status": ["won", "open"],
                "amount": [100.0, 100.0],
                "currency": "GBP",
            }
        )
        store.insert("opportunities", opps.assign(source_id=opps["opportunity_id"], **LINEAGE))
        quotes = pd.DataFrame(
            {"quote_id": ["Q1"], "created_at": [datetime(2024, 2, 14)], "amount": [50.0]}
        )
        store.insert("quotes", quotes.assign(currency="GBP", source_id="Q1", **LINEAGE))
        targets = pd.DataFrame(
            {
                "target_id": ["T1"],
                "period_start": [date(2024, 2, 1)],
                "period_end": [date(2024, 2, 29)],
                "amount": [1000.0],
                "currency": "GBP",
            }
        )
        store.insert("targets", targets.assign(source_id="T1", **LINEAGE))
        import_fx_rates(store, _rates_file(tmp_path))
        sources = MetricSources.from_store(store)
        got = {
            name: sources.table(name).to_pandas().sort_values(key).reset_index(drop=True)
            for name, key in (
                ("order_lines", "order_line_id"),
                ("opportunities", "opportunity_id"),
                ("quotes", "quote_id"),
                ("targets", "target_id"),
            )
        }
    assert list(got["order_lines"]["net_amount"]) == pytest.approx([20 * 1.17, 20 * 1.16])
    assert list(got["order_lines"]["unit_price"]) == pytest.approx([10 * 1.17, 10 * 1.16])
    assert got["order_lines"]["cost"][0] == pytest.approx(5 * 1.17)
    assert pd.isna(got["order_lines"]["cost"][1])
    # Won on 20 February: that day's rate; open since 20 January: the rate of its creation.
    assert list(got["opportunities"]["amount"]) == pytest.approx([100 * 1.18, 100 * 1.17])
    assert got["quotes"]["amount"][0] == pytest.approx(50 * 1.16)
    assert got["targets"]["amount"][0] == pytest.approx(1000 * 1.16)
    assert all(set(frame["currency"]) == {"EUR"} for frame in got.values())
