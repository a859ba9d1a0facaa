"""The demo company's off-invoice items: planted as documented, and nothing else moved."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pyarrow as pa
import pytest

from revintel.synth import SynthConfig, SynthResult, generate
from revintel.synth import _generate as generation
from revintel.synth import _price_adjustments as planted
from revintel.synth._blocks import BlockedCompany

SMALL = SynthConfig(seed=3, leads=3_000, accounts=300, reps=6)


@cache
def _company() -> SynthResult:
    return generate(SMALL)


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    tables = _company().tables
    items = tables["price_adjustments"].to_pandas()
    orders = tables["orders"].to_pandas()
    lines = tables["order_lines"].to_pandas()
    accounts = tables["accounts"].to_pandas()
    return items, orders, lines, accounts


def test_items_leave_every_other_table_of_the_demo_exactly_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_items = _company().tables
    empty = with_items["price_adjustments"].slice(0, 0)

    def no_items(*args: object) -> pa.Table:
        return empty

    monkeypatch.setattr(generation, "price_adjustments_table", no_items)
    without = generate(SMALL).tables
    assert without["price_adjustments"].num_rows == 0
    assert with_items["price_adjustments"].num_rows > 1_000
    for name, table in without.items():
        if name != "price_adjustments":
            assert with_items[name].equals(table), name


def test_same_seed_same_items_other_seed_other_items() -> None:
    again = generate(SMALL).tables["price_adjustments"]
    assert again.equals(_company().tables["price_adjustments"])
    other = generate(SynthConfig(seed=4, leads=3_000, accounts=300, reps=6))
    assert not other.tables["price_adjustments"].equals(again)


def test_items_belong_to_sales_orders_and_their_lines() -> None:
    items, orders, lines, _ = _frames()
    kinds = orders.set_index("order_id")["kind"]
    assert set(kinds[items["order_id"]]) == {"order"}  # returns get none
    on_lines = items[items["order_line_id"].notna()]
    assert set(on_lines["kind"]) == {"freight"}
    line_order = lines.set_index("order_line_id")["order_id"]
    assert (line_order[on_lines["order_line_id"]].to_numpy() == on_lines["order_id"]).all()
    assert set(items.loc[items["order_line_id"].isna(), "kind"]) == {
        "rebate",
        "payment_terms",
        "bonus",
    }
    assert (items["amount"] > 0).all()
    assert items["adjustment_id"].is_unique


def test_rebates_freight_skonto_and_bonus_follow_the_planted_rates() -> None:
    items, orders, lines, accounts = _frames()
    sales = orders[orders["kind"] == "order"].merge(
        accounts[["account_id", "segment", "region"]], on="account_id", how="left"
    )
    rebates = items[items["kind"] == "rebate"].merge(sales, on="order_id", suffixes=("", "_o"))
    for segment, rate in planted.REBATE_BY_SEGMENT.items():
        of = rebates[rebates["segment"] == segment]
        if rate == 0:
            assert of.empty
            continue
        assert of["amount"].sum() / of["amount_o"].sum() == pytest.approx(rate, abs=1e-4)
        assert (pd.to_datetime(of["occurred_at"]).dt.strftime("%m-%d") == "12-31").all()
    freight = items[items["kind"] == "freight"].merge(
        lines[["order_line_id", "net_amount"]], on="order_line_id"
    )
    freight = freight.merge(sales[["order_id", "region"]], on="order_id")
    abroad = freight["region"] == "International"
    share_abroad = freight[abroad]["amount"].sum() / freight[abroad]["net_amount"].sum()
    share_home = freight[~abroad]["amount"].sum() / freight[~abroad]["net_amount"].sum()
    assert share_abroad == pytest.approx(planted.FREIGHT_BY_REGION["International"], rel=0.05)
    assert share_home == pytest.approx(planted.FREIGHT_DOMESTIC, rel=0.05)
    skonto = items[items["kind"] == "payment_terms"]
    assert len(skonto) / len(sales) == pytest.approx(planted.PAYMENT_TERMS_SHARE, abs=0.03)
    bonus = items[items["kind"] == "bonus"].merge(sales, on="order_id", suffixes=("", "_o"))
    assert bonus["account_id"].nunique() <= round(
        sales["account_id"].nunique() * planted.BONUS_TOP_CUSTOMERS
    )
    assert (bonus["segment"].notna()).all()  # never the guests


def test_the_truth_file_records_the_planted_rates() -> None:
    truth = _company().truth["price_waterfall"]
    assert truth["rebate_by_segment"] == {
        "Enterprise": 0.03,
        "Mittelstand": 0.02,
        "Kleinunternehmen": 0.0,
    }
    assert truth["freight_by_region"]["International"] == 0.025
    assert truth["payment_terms_rate"] == 0.02


def test_a_company_made_in_blocks_has_items_too() -> None:
    config = SynthConfig(seed=5, leads=4_000, accounts=200, reps=6, block_leads=2_000)
    parts: dict[str, list[pa.Table]] = {}
    for part in BlockedCompany(config).parts(lambda step, done, total: None):
        for name, table in part.items():
            parts.setdefault(name, []).append(table)
    items = pa.concat_tables(parts["price_adjustments"]).to_pandas()
    orders = pa.concat_tables(parts["orders"]).to_pandas()
    assert set(items["kind"]) == {"rebate", "freight", "payment_terms", "bonus"}
    assert items["order_id"].isin(orders["order_id"]).all()
