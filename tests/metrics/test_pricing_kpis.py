"""Discount-discipline KPIs, checked against pandas on the same rows.

The hand-made store has two segments (Enterprise A1; Mittelstand A2, A3), two reps of two
teams, won deals with and without an amount or a discount, a lost and an open deal, a deal
without a price; orders with a partial return, off-invoice items per order (spread over its
lines by net amount) and per line, a payment-terms rate for Mittelstand and a line without a
cost; and two stored band fits, of which the later one counts.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.metrics import (
    MetricQuery,
    MetricSources,
    evaluate_kpi,
    kpi_gap,
    load_catalogue,
    parse_filter,
)
from revintel.metrics._catalogue import KpiSpec
from revintel.pricing._bands import band_positions, fit_bands
from revintel.pricing._deals import deal_frame
from revintel.store import Store, open_store
from tests.pricing.conftest import small_pricing_db  # noqa: F401  (a fixture shared with pricing)

LINEAGE = {"source_system": "crm", "import_batch_id": "b1"}
CATALOGUE = load_catalogue()
DEAL_KPIS = ("average_discount", "share_below_floor", "price_realisation")
POCKET_KPIS = (
    "invoice_discount_rate",
    "off_invoice_rate",
    "pocket_price_rate",
    "pocket_margin",
    "pocket_margin_rate",
)
ACCOUNTS = [
    # account_id, segment, industry, region
    ("A1", "Enterprise", "Maschinenbau", "Nord"),
    ("A2", "Mittelstand", "Handel", "Süd"),
    ("A3", "Mittelstand", "Handel", "Nord"),
]
REPS = [("R1", "Nord"), ("R2", "Süd")]
PRODUCTS = [("P1", "Pumpen", 1000.0, 600.0), ("P2", "Ventile", 200.0, 80.0)]
LEADS = [
    # lead_id, account_id, rep_id, channel
    ("L1", "A1", "R1", "field"),
    ("L2", "A2", "R1", "web"),
    ("L3", "A3", "R2", "field"),
    ("L4", "A1", "R2", "web"),
    ("L5", "A2", "R2", "web"),
    ("L6", "A3", "R1", "field"),
    ("L7", "A2", "R1", "web"),
    ("L9", "A1", "R1", "field"),
]
OPPORTUNITIES = [
    # id, lead, account, rep, product, list_price, amount, discount, status, created, closed
    ("O1", "L1", "A1", "R1", "P1", 10000.0, 8500.0, 0.15, "won", "2024-01-10", "2024-02-15"),
    ("O2", "L2", "A2", "R1", "P2", 2000.0, 1800.0, 0.10, "won", "2024-01-15", "2024-03-01"),
    ("O3", "L3", "A3", "R2", "P1", 5000.0, None, 0.08, "won", "2024-02-01", "2024-04-10"),
    ("O4", "L4", "A1", "R2", "P2", 4000.0, 3000.0, None, "won", "2024-03-01", "2024-05-20"),
    ("O5", "L5", "A2", "R2", "P1", 3000.0, 2700.0, 0.10, "lost", "2024-03-01", "2024-05-01"),
    ("O6", "L6", "A3", "R1", "P1", 6000.0, 5700.0, 0.05, "Won", "2024-04-01", "2024-06-30"),
    ("O7", "L7", "A2", "R1", "P2", None, 900.0, None, "won", "2024-04-01", "2024-06-01"),
    ("O9", "L9", "A1", "R1", "P1", 8000.0, 6000.0, 0.25, "open", "2024-05-01", None),
]
ORDERS = [
    # order_id, account_id, opportunity_id, rep_id, ordered_at, channel, amount, kind
    ("B1", "A1", "O1", "R1", "2024-02-20", "field", 8500.0, "order"),
    ("B2", "A2", "O2", "R1", "2024-03-05", "web", 1800.0, "order"),
    ("B3", "A3", "O3", "R2", "2024-04-15", "field", 4600.0, "order"),
    ("B4", "A2", "O2", "R1", "2024-04-20", "web", -540.0, "return"),
]
LINES = [
    # order_line_id, order_id, product_id, quantity, unit_price, discount, net_amount, cost
    ("B1-1", "B1", "P1", 8.0, 1000.0, 0.15, 6800.0, 4800.0),
    ("B1-2", "B1", "P2", 10.0, 200.0, 0.15, 1700.0, 800.0),
    ("B2-1", "B2", "P2", 10.0, 200.0, 0.10, 1800.0, 800.0),
    ("B3-1", "B3", "P1", 5.0, 1000.0, 0.08, 4600.0, None),
    ("B4-1", "B4", "P2", -3.0, 200.0, 0.10, -540.0, -240.0),
]
ADJUSTMENTS = [
    # adjustment_id, order_id, order_line_id, kind, amount
    ("J1", "B1", None, "rebate", 255.0),
    ("J2", "B1", "B1-2", "freight", 30.0),
    ("J3", "B3", None, "payment_terms", 46.0),
]
#: Off-invoice items per line, worked by hand: B1's rebate by net share (6800 : 1700 of 8500),
#: B1-2's own freight, B3's own payment terms, and 2 % payment terms for Mittelstand on the
#: orders without an imported payment-terms item (B2, and B2's return B4 with its sign).
OFF_INVOICE = {"B1-1": 204.0, "B1-2": 51.0 + 30.0, "B2-1": 36.0, "B3-1": 46.0, "B4-1": -10.8}
BANDS = [
    # band_id, fit_id, floor, target, stretch, fitted_at
    ("F0-B1", "F0", 0.50, 0.60, 0.70, "2024-01-01"),
    ("F1-B1", "F1", 0.88, 0.92, 0.96, "2024-07-01"),
    ("F1-B2", "F1", 0.90, 0.94, 0.98, "2024-07-01"),
]
BAND_DEALS = [
    # fit_id, opportunity_id, band_id
    ("F0", "O1", "F0-B1"),
    ("F0", "O2", "F0-B1"),
    ("F1", "O1", "F1-B1"),  # 0.85 < 0.88: below
    ("F1", "O2", "F1-B2"),  # 0.90 = floor: not below
    ("F1", "O3", "F1-B2"),  # 0.92
    ("F1", "O4", "F1-B1"),  # 0.75: below
    ("F1", "O5", "F1-B2"),  # lost: left out
    ("F1", "O6", "F1-B2"),  # 0.95
    ("F1", "O9", "F1-B1"),  # open: left out
]
AS_OF = date(2024, 6, 30)
PERIOD_UNIT = {"month": "M", "quarter": "Q", "year": "Y"}


def _frame(rows: list[tuple], columns: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


def _insert(store: Store, table: str, frame: pd.DataFrame, key: str) -> None:
    store.insert(table, frame.assign(source_id=frame[key], **LINEAGE))


def _write_model(store: Store) -> None:
    accounts = _frame(ACCOUNTS, "account_id segment industry region")
    reps = _frame(REPS, "rep_id team")
    products = _frame(PRODUCTS, "product_id family list_price unit_cost")
    leads = _frame(LEADS, "lead_id account_id rep_id channel").assign(
        created_at=pd.Timestamp("2024-01-01")
    )
    opps = _opportunities()
    orders = _frame(
        ORDERS, "order_id account_id opportunity_id rep_id ordered_at channel amount kind"
    )
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"])
    lines = _frame(
        LINES, "order_line_id order_id product_id quantity unit_price discount net_amount cost"
    )
    items = _frame(ADJUSTMENTS, "adjustment_id order_id order_line_id kind amount")
    won = opps[opps["status"].str.lower() == "won"]
    milestones = pd.DataFrame(
        {
            "milestone_event_id": "M-" + won["opportunity_id"],
            "entity_type": "opportunity",
            "entity_id": won["opportunity_id"],
            "lead_id": won["lead_id"],
            "account_id": won["account_id"],
            "milestone": "won",
            "occurred_at": won["closed_at"],
        }
    )
    for table, frame, key in [
        ("accounts", accounts.assign(name=accounts["account_id"]), "account_id"),
        ("reps", reps.assign(name=reps["rep_id"]), "rep_id"),
        ("products", products.assign(name=products["product_id"]), "product_id"),
        ("leads", leads, "lead_id"),
        ("opportunities", opps, "opportunity_id"),
        ("orders", orders.assign(currency="EUR"), "order_id"),
        ("order_lines", lines.assign(currency="EUR"), "order_line_id"),
        ("price_adjustments", items.assign(currency="EUR"), "adjustment_id"),
        ("milestones", milestones, "milestone_event_id"),
    ]:
        _insert(store, table, frame, key)
    store.insert(
        "price_terms",
        pd.DataFrame(
            {
                "term_id": ["T1"],
                "group_by": ["segment"],
                "customer_group": ["Mittelstand"],
                "kind": ["payment_terms"],
                "rate": [0.02],
                "imported_at": [pd.Timestamp("2024-01-01")],
            }
        ),
    )


def _write_bands(store: Store) -> None:
    bands = _frame(BANDS, "band_id fit_id floor target stretch fitted_at")
    bands["fitted_at"] = pd.to_datetime(bands["fitted_at"])
    store.insert("price_bands", bands.assign(segment=bands["band_id"], won_deals=30))
    store.insert("price_band_deals", _frame(BAND_DEALS, "fit_id opportunity_id band_id"))


def _opportunities() -> pd.DataFrame:
    columns = (
        "opportunity_id lead_id account_id rep_id product_id list_price amount discount status "
        "created_at closed_at"
    )
    opps = _frame(OPPORTUNITIES, columns)
    for column in ("created_at", "closed_at"):
        opps[column] = pd.to_datetime(opps[column])
    return opps.assign(currency="EUR")


@pytest.fixture(scope="module")
def priced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MetricSources]:
    store = open_store(tmp_path_factory.mktemp("pricing_kpis") / "store.duckdb")
    _write_model(store)
    _write_bands(store)
    yield MetricSources.from_store(store, as_of=AS_OF)
    store.close()


@pytest.fixture(scope="module")
def unbanded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MetricSources]:
    store = open_store(tmp_path_factory.mktemp("pricing_kpis_nobands") / "store.duckdb")
    _write_model(store)
    yield MetricSources.from_store(store, as_of=AS_OF)
    store.close()


# ---- the reference: the same definitions written in pandas ----------------------------------


def _dimensions(rows: pd.DataFrame) -> pd.DataFrame:
    accounts = _frame(ACCOUNTS, "account_id segment industry region")
    reps = _frame(REPS, "rep_id team")
    families = {p[0]: p[1] for p in PRODUCTS}
    out = rows.merge(accounts, on="account_id", how="left").merge(reps, on="rep_id", how="left")
    out["product_family"] = out["product_id"].map(families)
    out["rep"] = out["rep_id"]
    return out


def _reference_deals() -> pd.DataFrame:
    opps = _opportunities()
    won = opps[(opps["status"].str.lower() == "won") & (opps["list_price"] > 0)].copy()
    won["amount"] = won["amount"].fillna(won["list_price"] * (1 - won["discount"]))
    won = won[won["amount"].notna()]
    given = won["discount"].fillna(1 - won["amount"] / won["list_price"])
    won["price_ratio"] = 1 - given
    channels = {lead[0]: lead[3] for lead in LEADS}
    won["channel"] = won["lead_id"].map(channels)
    members = _frame(BAND_DEALS, "fit_id opportunity_id band_id")
    members = members[members["fit_id"] == "F1"]
    bands = _frame(BANDS, "band_id fit_id floor target stretch fitted_at")
    banded = members.merge(bands[["band_id", "floor", "target"]], on="band_id")
    won = won.merge(banded[["opportunity_id", "floor", "target"]], on="opportunity_id", how="left")
    return _dimensions(won).assign(at=won["closed_at"])


def _reference_lines() -> pd.DataFrame:
    lines = _frame(
        LINES, "order_line_id order_id product_id quantity unit_price discount net_amount cost"
    )
    orders = _frame(
        ORDERS, "order_id account_id opportunity_id rep_id ordered_at channel amount kind"
    )
    lines = lines.merge(orders.drop(columns=["amount"]), on="order_id")
    lines["list_amount"] = lines["unit_price"] * lines["quantity"]
    lines["invoice_amount"] = lines["net_amount"]
    lines["on_invoice"] = lines["list_amount"] - lines["invoice_amount"]
    lines["off_invoice"] = lines["order_line_id"].map(OFF_INVOICE)
    lines["pocket_amount"] = lines["invoice_amount"] - lines["off_invoice"]
    lines["pocket_margin"] = lines["pocket_amount"] - lines["cost"]
    return _dimensions(lines).assign(at=pd.to_datetime(lines["ordered_at"]))


def _measure(kpi: str, part: pd.DataFrame) -> tuple[float, float | None]:
    """(numerator, denominator) of ``kpi`` over the rows ``part``."""
    if kpi == "average_discount":
        return float((part["list_price"] - part["amount"]).sum()), float(part["list_price"].sum())
    if kpi == "share_below_floor":
        with_band = part[part["floor"].notna()]
        return float((with_band["price_ratio"] < with_band["floor"]).sum()), float(len(with_band))
    if kpi == "price_realisation":
        with_band = part[part["target"].notna()]
        target = (with_band["list_price"] * with_band["target"]).sum()
        return float(with_band["amount"].sum()), float(target)
    costed = part[part["cost"].notna()]
    if kpi == "pocket_margin":
        return float(len(costed)), None
    top, bottom = {
        "invoice_discount_rate": (part["on_invoice"].sum(), part["list_amount"].sum()),
        "off_invoice_rate": (part["off_invoice"].sum(), part["invoice_amount"].sum()),
        "pocket_price_rate": (part["pocket_amount"].sum(), part["list_amount"].sum()),
        "pocket_margin_rate": (costed["pocket_margin"].sum(), costed["pocket_amount"].sum()),
    }[kpi]
    return float(top), float(bottom)


def _reference(kpi: str, grain: str, by: list[str], where: dict[str, str]) -> pd.DataFrame:
    rows = _reference_deals() if kpi in DEAL_KPIS else _reference_lines()
    for dim, kept in where.items():
        rows = rows[rows[dim] == kept]
    if kpi in ("share_below_floor", "price_realisation"):
        rows = rows[rows["floor"].notna()]
    rows = rows.assign(period=rows["at"].dt.to_period(PERIOD_UNIT[grain]).dt.start_time.dt.date)
    out = []
    for key, part in rows.groupby(["period", *by]):
        top, bottom = _measure(kpi, part)
        if kpi == "pocket_margin":
            value = float(part["pocket_margin"].sum())
        else:
            value = top / bottom if bottom else np.nan
        out.append((*key, value, top, bottom))
    return pd.DataFrame(out, columns=["period", *by, "value", "numerator", "denominator"])


def _evaluated(sources: MetricSources, kpi: str, query: MetricQuery) -> pd.DataFrame:
    frame = evaluate_kpi(sources, CATALOGUE.get(kpi), query, CATALOGUE.settings)
    return frame[["period", *query.by, "value", "numerator", "denominator"]]


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    keys = [c for c in want.columns if c not in ("value", "numerator", "denominator")]
    got = got.sort_values(keys, ignore_index=True)
    want = want.sort_values(keys, ignore_index=True)
    assert got[keys].astype(str).values.tolist() == want[keys].astype(str).values.tolist()
    for column in ("value", "numerator", "denominator"):
        np.testing.assert_allclose(
            got[column].to_numpy(float), want[column].to_numpy(float), rtol=1e-9, err_msg=column
        )


# ---- the tests -------------------------------------------------------------------------------

BREAKDOWNS = [
    [],
    ["segment"],
    ["rep"],
    ["team"],
    ["product_family"],
    ["channel"],
    ["segment", "rep"],
]


@pytest.mark.parametrize("kpi", DEAL_KPIS + POCKET_KPIS)
@pytest.mark.parametrize("by", BREAKDOWNS, ids=lambda b: "+".join(b) or "total")
def test_kpi_equals_pandas(priced: MetricSources, kpi: str, by: list[str]) -> None:
    grain = "quarter" if kpi in DEAL_KPIS else "month"
    query = MetricQuery(grain=grain, by=tuple(by))  # type: ignore[arg-type]
    _same(_evaluated(priced, kpi, query), _reference(kpi, grain, by, {}))


@pytest.mark.parametrize("kpi", ["average_discount", "pocket_price_rate"])
@pytest.mark.parametrize("dim", ["region", "industry"])
def test_firmographic_breakdowns_equal_pandas(priced: MetricSources, kpi: str, dim: str) -> None:
    query = MetricQuery(grain="year", by=(dim,))
    _same(_evaluated(priced, kpi, query), _reference(kpi, "year", [dim], {}))


@pytest.mark.parametrize("kpi", DEAL_KPIS + POCKET_KPIS)
def test_filter_equals_pandas(priced: MetricSources, kpi: str) -> None:
    query = MetricQuery(grain="year", by=("rep",), where=(parse_filter("segment=Mittelstand"),))
    want = _reference(kpi, "year", ["rep"], {"segment": "Mittelstand"})
    _same(_evaluated(priced, kpi, query), want)


def test_worked_values(priced: MetricSources) -> None:
    """A few values by hand, so the reference itself is checked."""
    quarter = MetricQuery(grain="quarter")
    values = {kpi: _evaluated(priced, kpi, quarter)["value"].round(6).tolist() for kpi in DEAL_KPIS}
    # Q1: O1, O2 (list 12,000, given 1,700); Q2: O3 (amount 4,600), O4, O6 (list 15,000,
    # given 400 + 1,000 + 300); O7 has no list price, O5 was lost.
    assert values["average_discount"] == [round(1700 / 12000, 6), round(1700 / 15000, 6)]
    # Q1: O1 below its floor, O2 on it; Q2: O4 below, O3 and O6 not.
    assert values["share_below_floor"] == [0.5, round(1 / 3, 6)]
    q1 = (8500 + 1800) / (10000 * 0.92 + 2000 * 0.94)
    assert values["price_realisation"][0] == round(q1, 6)
    year = MetricQuery(grain="year")
    pocket = {kpi: _evaluated(priced, kpi, year)["value"].iloc[0] for kpi in POCKET_KPIS}
    listed, invoiced = 8000 + 2000 + 2000 + 5000 - 600, 6800 + 1700 + 1800 + 4600 - 540
    off = sum(OFF_INVOICE.values())
    assert pocket["invoice_discount_rate"] == pytest.approx((listed - invoiced) / listed)
    assert pocket["off_invoice_rate"] == pytest.approx(off / invoiced)
    assert pocket["pocket_price_rate"] == pytest.approx((invoiced - off) / listed)
    # B3-1 has no cost: its pocket amount is left out of the margin.
    margin = (invoiced - 4600 - (off - 46.0)) - (4800 + 800 + 800 - 240)
    assert pocket["pocket_margin"] == pytest.approx(margin)
    assert pocket["pocket_margin_rate"] == pytest.approx(margin / (invoiced - 4600 - (off - 46)))


def test_band_kpis_are_empty_with_a_gap_without_bands(unbanded: MetricSources) -> None:
    for kpi in ("share_below_floor", "price_realisation"):
        spec: KpiSpec = CATALOGUE.get(kpi)
        assert evaluate_kpi(unbanded, spec, MetricQuery(grain="quarter")).empty
        gap = kpi_gap(unbanded, MetricQuery(), [spec])
        assert gap is not None and gap.code == "no_price_bands"
    assert not evaluate_kpi(unbanded, CATALOGUE.get("average_discount")).empty
    assert kpi_gap(unbanded, MetricQuery(), [CATALOGUE.get("average_discount")]) is None


def test_band_kpis_on_the_small_demo(small_pricing_db: Path, tmp_path: Path) -> None:  # noqa: F811
    """Bands fitted on the demo's won deals and stored; the 10th percentile is the floor, so
    about a tenth of the won deals behind the bands sits below it."""
    with open_store(small_pricing_db, read_only=True) as source:
        deals = deal_frame(source)
    bands = fit_bands(deals, min_won=30)
    positions = band_positions(deals, bands)
    db = tmp_path / "banded.duckdb"
    shutil.copyfile(small_pricing_db, db)
    with open_store(db) as store:
        fitted = datetime(2025, 1, 1)
        table = bands.table.drop(columns=["median_list_price"])
        store.insert("price_bands", table.assign(fit_id="F1", fitted_at=fitted))
        store.insert("price_band_deals", positions.drop(columns=["percentile"]).assign(fit_id="F1"))
        sources = MetricSources.from_store(store)
        total = MetricQuery(grain="all")
        below = evaluate_kpi(sources, CATALOGUE.get("share_below_floor"), total)
        realised = evaluate_kpi(sources, CATALOGUE.get("price_realisation"), total)
        average = evaluate_kpi(sources, CATALOGUE.get("average_discount"), total)
    won = deals[deals["status"] == "won"].merge(
        positions[["opportunity_id", "band_id"]], on="opportunity_id"
    )
    won = won.merge(bands.table[["band_id", "floor", "target"]], on="band_id")
    assert below["denominator"].iloc[0] == len(won)
    assert below["numerator"].iloc[0] == int((won["price_ratio"] < won["floor"]).sum())
    assert 0.05 < below["value"].iloc[0] <= 0.10
    want = won["amount"].sum() / (won["list_price"] * won["target"]).sum()
    assert realised["value"].iloc[0] == pytest.approx(want, rel=1e-9)
    assert 0.97 < realised["value"].iloc[0] < 1.03
    all_won = deals[deals["status"] == "won"]
    want_discount = (all_won["list_price"] - all_won["amount"]).sum() / all_won["list_price"].sum()
    assert average["value"].iloc[0] == pytest.approx(want_discount, rel=1e-9)
