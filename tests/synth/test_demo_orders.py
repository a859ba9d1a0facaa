"""Orders of the demo company look like an ERP's export and show the purchase process planted."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy.optimize import brentq
from scipy.special import polygamma

from revintel.metrics import MetricQuery, MetricSources, evaluate_kpi, load_catalogue
from revintel.store import open_store
from revintel.synth import SynthConfig, SynthResult, generate, write_demo_company
from revintel.synth import _config as c
from revintel.synth._blocks import BlockedCompany
from revintel.synth._company import build_company
from revintel.synth._order_lines import repeat_lines
from revintel.synth._orders import affinity_matrix

CONFIG = SynthConfig(seed=3, leads=20_000, accounts=1_500, reps=10)
SMALL = SynthConfig(seed=3, leads=1_500, accounts=120, reps=6)
#: Digests of the tables of SMALL drawn before the orders: orders never move them.
BEFORE_ORDERS = {
    "leads": "b83b2479ebcebb38",
    "opportunities": "7be138dc8abb891c",
    "milestones": "5d513880c879f0e1",
    "touchpoints": "f7eadf3894f21979",
    "quotes": "f22c7ad4d671fa13",
    "campaigns": "5c7569d028acad4e",
    "contacts": "71fb32aa14fdbe58",
    "products": "1b7b2f191d079349",
}


@cache
def _company() -> SynthResult:
    return generate(CONFIG)


@cache
def _frames() -> dict[str, pd.DataFrame]:
    tables = _company().tables
    return {n: tables[n].to_pandas() for n in ("orders", "order_lines", "accounts", "products")}


def _sales() -> pd.DataFrame:
    orders = _frames()["orders"]
    return orders[orders["kind"] == "order"]


def _repeat_orders() -> pd.DataFrame:
    sales = _sales()
    return sales[sales["opportunity_id"].isna() & (sales["account_id"] != "synth:guest")]


def _lines_per_order() -> pd.Series:
    return _frames()["order_lines"].groupby("order_id").size()


def _digest(table: pa.Table) -> str:
    h = hashlib.sha256()
    for name in table.column_names:
        h.update(name.encode())
        h.update(repr(table.column(name).to_pylist()).encode())
    return h.hexdigest()[:16]


def test_repeat_orders_have_several_lines_and_first_orders_one() -> None:
    counts = _lines_per_order()
    repeat = counts[_repeat_orders()["order_id"]]
    assert 2.2 < repeat.mean() < 2.9
    assert 0.1 < (repeat == 1).mean() < 0.3
    assert (repeat >= 4).mean() > 0.1
    assert repeat.max() <= c.MAX_LINES
    first = _sales().dropna(subset=["opportunity_id"])["order_id"]
    assert (counts[first] == 1).all()
    lines = _frames()["order_lines"]
    assert not lines.duplicated(["order_id", "product_id"]).any()
    truth = _company().truth["purchase_process"]["lines_per_repeat_order"]
    assert truth["mean"] == pytest.approx(repeat.mean(), abs=1e-4)


def test_order_amount_is_the_sum_of_its_lines() -> None:
    lines = _frames()["order_lines"]
    net = (lines["unit_price"] * lines["quantity"] * (1 - lines["discount"])).round(2)
    assert np.abs(lines["net_amount"] - net).max() < 0.006
    assert (lines["quantity"] == lines["quantity"].round()).all()
    assert lines["discount"].between(0, 1, inclusive="left").all()
    repeat = lines[lines["order_id"].isin(_repeat_orders()["order_id"])]
    assert repeat["discount"].max() <= c.MAX_ORDER_DISCOUNT
    orders = _frames()["orders"].set_index("order_id")
    totals = lines.groupby("order_id")["net_amount"].sum()
    assert set(totals.index) == set(orders.index)
    assert np.abs(totals - orders.loc[totals.index, "amount"]).max() < 0.006


def test_first_order_amount_is_the_won_deal() -> None:
    opportunities = _company().tables["opportunities"].to_pandas()
    won = opportunities[opportunities["status"] == "won"].set_index("opportunity_id")
    first = _sales().dropna(subset=["opportunity_id"]).set_index("opportunity_id")
    assert set(first.index) == set(won.index)
    assert np.array_equal(first["amount"].to_numpy(), won.loc[first.index, "net_price"].to_numpy())


def test_repeat_lines_add_up_to_the_drawn_value() -> None:
    rng = np.random.default_rng(1)
    company = build_company(SynthConfig(seed=1, accounts=50, reps=3), rng, "test")
    n = 4_000
    value = rng.gamma(c.SPEND_P, 6_000.0, n)
    discount = rng.uniform(0.0, 0.08, n)
    family = rng.integers(0, len(c.FAMILIES), n)
    product = family * c.PRODUCTS_PER_FAMILY + rng.integers(0, c.PRODUCTS_PER_FAMILY, n)
    lines = repeat_lines(rng, company, family, value, discount, product, affinity_matrix())
    totals = lines.order_totals(n)
    capped = np.bincount(lines.order, lines.discount >= c.MAX_ORDER_DISCOUNT, n) > 0
    assert capped.mean() < 0.08
    lines_per_order = np.bincount(lines.order, minlength=n)
    assert (lines_per_order >= 1).all()
    assert np.all(np.abs(totals - value)[~capped] <= 0.006 * lines_per_order[~capped])
    assert (totals[capped] > value[capped]).all()  # too dear to sell at the value: dearer
    assert (lines.quantity >= 1).all()
    assert np.median(lines.discount) < 0.06


def test_returns_take_back_part_of_an_earlier_order() -> None:
    orders = _frames()["orders"]
    returns = orders[orders["kind"] == "return"]
    sales = _sales().set_index("order_id")
    assert 0.02 < len(returns) / len(sales) < 0.04
    assert returns["order_id"].str.startswith("G").all()
    assert sales["original_order_id"].isna().all() and (sales["amount"] > 0).all()
    assert returns["opportunity_id"].isna().all() and (returns["amount"] < 0).all()
    original = sales.loc[returns["original_order_id"]]
    assert (original["account_id"].to_numpy() == returns["account_id"].to_numpy()).all()
    assert (original["ordered_at"].to_numpy() < returns["ordered_at"].to_numpy()).all()
    assert (-returns["amount"].to_numpy() <= original["amount"].to_numpy() + 1e-9).all()
    lines = _frames()["order_lines"]
    back = lines[lines["order_id"].isin(returns["order_id"])].merge(
        returns[["order_id", "original_order_id"]], on="order_id"
    )
    assert (back["quantity"] < 0).all() and (back["net_amount"] < 0).all()
    bought = back.merge(
        lines, left_on=["original_order_id", "product_id"], right_on=["order_id", "product_id"]
    )
    assert len(bought) == len(back)  # every returned product was in the order returned
    assert (-bought["quantity_x"] <= bought["quantity_y"]).all()
    assert _company().truth["purchase_process"]["returns"]["returns"] == len(returns)


def test_guest_orders_are_booked_on_one_placeholder_account() -> None:
    accounts = _frames()["accounts"].set_index("account_id")
    assert accounts.loc["synth:guest", "placeholder"]
    assert accounts["placeholder"].sum() == 1
    assert accounts["placeholder"].notna().all()
    sales = _sales()
    guests = sales[sales["account_id"] == "synth:guest"]
    assert (guests["channel"] == "webshop").all()
    assert guests["rep_id"].isna().all() and guests["opportunity_id"].isna().all()
    webshop = int((_repeat_orders()["channel"] == "webshop").sum())
    expected = webshop * c.GUEST_SHARE / (1 - c.GUEST_SHARE)
    assert abs(len(guests) - expected) < 4 * np.sqrt(expected) + 1
    assert _company().truth["purchase_process"]["guests"]["orders"] == len(guests)


def _families(order_ids: pd.Series) -> pd.DataFrame:
    lines = _frames()["order_lines"]
    lines = lines[lines["order_id"].isin(order_ids)]
    family = _frames()["products"].set_index("product_id")["family"]
    number = lines["order_line_id"].str.rsplit("-", n=1).str[1].astype(int)
    return lines.assign(family=lines["product_id"].map(family), number=number)


def _pooled_lift(given: pd.Series, family: pd.Series) -> float:
    """Observed over expected count of the planted pairs (given family → family bought)."""
    share = family.value_counts(normalize=True)
    observed = expected = 0.0
    for a, b in c.AFFINITY_PAIRS:
        observed += float(((given == a) & (family == b)).sum())
        expected += float((given == a).sum() * share.get(b, 0.0))
    return observed / expected


def test_planted_affinity_shows_in_the_lines() -> None:
    lines = _families(_repeat_orders()["order_id"])
    # within an order: the first line's family → the families of the further lines
    anchor = lines[lines["number"] == 1].set_index("order_id")["family"]
    further = lines[lines["number"] > 1]
    assert _pooled_lift(further["order_id"].map(anchor), further["family"]) > 1.8
    # across orders: the family a customer first bought → the first line of its repeat orders
    first = _sales().dropna(subset=["opportunity_id"]).sort_values("ordered_at")
    first = first.drop_duplicates("account_id")
    first_family = _families(first["order_id"]).set_index("order_id")["family"]
    by_account = dict(zip(first["account_id"], first["order_id"].map(first_family), strict=True))
    repeat = _repeat_orders().set_index("order_id")["account_id"]
    leading = lines[lines["number"] == 1]
    given = leading["order_id"].map(repeat).map(by_account)
    assert _pooled_lift(given, leading["family"]) > 1.5


def test_gross_minus_returns_is_net_in_the_order_kpis(tmp_path: Path) -> None:
    with open_store(tmp_path / "demo.duckdb") as store:
        result = write_demo_company(store, SMALL)
        orders = result.tables["orders"].to_pandas()
        sources = MetricSources.from_store(store, as_of=date(2024, 12, 31))
        catalogue = load_catalogue()
        query = MetricQuery(grain="all")

        def total(kpi: str) -> float:
            frame = evaluate_kpi(sources, catalogue.get(kpi), query, catalogue.settings)
            return float(frame["value"].iloc[0])

        gross = orders.loc[orders["kind"] == "order", "amount"].sum()
        returned = -orders.loc[orders["kind"] == "return", "amount"].sum()
        assert returned > 0
        assert total("gross_revenue") == pytest.approx(gross)
        assert total("returns") == pytest.approx(returned)
        assert total("net_revenue") == pytest.approx(gross - returned)
        assert total("return_rate") == pytest.approx(returned / gross)


def test_same_seed_gives_the_same_orders_and_leaves_earlier_tables_alone() -> None:
    a, b = generate(SMALL), generate(SMALL)
    for name in ("orders", "order_lines", "accounts", "targets"):
        assert a.tables[name].equals(b.tables[name]), name
    other = generate(SynthConfig(seed=4, leads=1_500, accounts=120, reps=6))
    assert not a.tables["order_lines"].equals(other.tables["order_lines"])
    assert {n: _digest(a.tables[n]) for n in BEFORE_ORDERS} == BEFORE_ORDERS


def test_a_company_made_in_blocks_has_lines_returns_and_guests() -> None:
    config = SynthConfig(seed=5, leads=6_000, accounts=200, reps=6, block_leads=2_000)
    parts: dict[str, list[pa.Table]] = {}
    for part in BlockedCompany(config).parts(lambda step, done, total: None):
        for name, table in part.items():
            parts.setdefault(name, []).append(table)
    tables = {
        n: pa.concat_tables(t, promote_options="default").to_pandas() for n, t in parts.items()
    }
    orders, lines, accounts = tables["orders"], tables["order_lines"], tables["accounts"]
    assert accounts["account_id"].is_unique
    assert set(orders["account_id"]) <= set(accounts["account_id"])
    assert set(lines["order_id"]) == set(orders["order_id"])
    assert (orders["kind"] == "return").any()
    guests = orders["account_id"] == "synth:guest"
    assert accounts["placeholder"].sum() == int(guests.any())
    assert lines.groupby("order_id").size().max() > 1


@pytest.mark.slow
def test_repeat_order_values_keep_the_planted_gamma_spread_within_each_customer() -> None:
    """Each customer's repeat orders are Gamma(p) draws around its own mean (the mean follows
    its planted potential, so between customers the spend is not Gamma-distributed any more):
    the variance of log values within a customer is trigamma(p) whatever the mean."""
    orders = generate(SynthConfig()).tables["orders"].to_pandas()
    repeat = orders[
        (orders["kind"] == "order")
        & orders["opportunity_id"].isna()
        & (orders["account_id"] != "synth:guest")
        & (orders["amount"] > 0)
    ]
    logs = np.log(repeat["amount"].to_numpy(float))
    grouped = pd.Series(logs).groupby(repeat["account_id"].to_numpy())
    counts, variances = grouped.count(), grouped.var(ddof=1)
    many = counts >= 3
    pooled = float(((counts[many] - 1) * variances[many]).sum() / (counts[many] - 1).sum())
    p = brentq(lambda shape: float(polygamma(1, shape)) - pooled, 0.05, 200.0)
    assert p == pytest.approx(c.SPEND_P, rel=0.15)
