"""The price waterfall reconciles to the penny with the order lines, items and terms."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from revintel.ingest import import_files
from revintel.metrics import MetricSources
from revintel.metrics._pocket import OFF_INVOICE_KINDS, POCKET_COLUMNS, pocket_lines
from revintel.pricing._waterfall import UnknownDealError, deal_waterfall, waterfall
from revintel.store import Store, open_store
from revintel.synth import truth_path_for
from tests.pricing.waterfall_store import (
    IMPORTED_ITEMS,
    TERM_ITEMS,
    TOTAL_COST,
    TOTAL_INVOICE,
    TOTAL_LIST,
    fill_waterfall_store,
)


@pytest.fixture
def hand_store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "hand.duckdb") as store:
        fill_waterfall_store(store)
        yield store


def _lines(store: Store) -> pd.DataFrame:
    frame = pocket_lines(MetricSources.from_store(store)).to_pandas()
    return frame.set_index("order_line_id").sort_index()


def _cents(value: float) -> int:
    return round(value * 100)


def test_pocket_lines_have_the_documented_columns_one_row_per_line(hand_store: Store) -> None:
    frame = pocket_lines(MetricSources.from_store(hand_store)).to_pandas()
    assert tuple(frame.columns) == POCKET_COLUMNS
    assert sorted(frame["order_line_id"]) == ["O1-1", "O1-2", "O2-1", "O3-1", "R1-1"]
    assert frame.set_index("order_line_id").loc["R1-1", "kind"] == "return"


def test_totals_reconcile_to_the_penny(hand_store: Store) -> None:
    lines = _lines(hand_store)
    assert _cents(lines["list_amount"].sum()) == _cents(TOTAL_LIST)
    assert _cents(lines["invoice_amount"].sum()) == _cents(TOTAL_INVOICE)
    assert _cents(lines["off_invoice"].sum()) == _cents(IMPORTED_ITEMS + TERM_ITEMS)
    assert _cents(lines["cost"].sum()) == _cents(TOTAL_COST)
    pocket = TOTAL_INVOICE - IMPORTED_ITEMS - TERM_ITEMS
    assert _cents(lines["pocket_amount"].sum()) == _cents(pocket)
    assert _cents(lines["pocket_margin"].sum()) == _cents(pocket - TOTAL_COST)
    # each line's steps add up: list − on-invoice = invoice, Σ kinds = off-invoice
    assert (lines["list_amount"] - lines["on_invoice"] - lines["invoice_amount"]).abs().max() < 1e-9
    kinds = lines[list(OFF_INVOICE_KINDS)].sum(axis=1)
    assert (kinds - lines["off_invoice"]).abs().max() < 1e-9


def test_invoice_equals_the_net_amount_of_the_lines_in_store_currency(hand_store: Store) -> None:
    net = hand_store.table("order_lines").to_pandas().set_index("order_line_id")["net_amount"]
    lines = _lines(hand_store)
    expected = net.where(net.index != "O2-1", net * 1.17)  # O2 in GBP, ordered 10.02.2024
    assert lines["invoice_amount"].to_dict() == pytest.approx(expected.to_dict())


def test_order_items_are_spread_by_net_amount_and_line_items_stay_on_their_line(
    hand_store: Store,
) -> None:
    lines = _lines(hand_store)
    # the order's rebate of 23 over lines of 180 and 50
    assert lines.loc["O1-1", "rebate"] == pytest.approx(18.0)
    assert lines.loc["O1-2", "rebate"] == pytest.approx(5.0)
    assert lines.loc["O1-2", "freight"] == pytest.approx(5.0)  # "Freight": kinds are matched
    assert lines.loc["O1-1", "freight"] == 0.0  # O1 has a freight item: no freight term at all


def test_terms_fill_in_kinds_without_an_imported_item(hand_store: Store) -> None:
    lines = _lines(hand_store)
    # Mittelstand rebate 2 % and freight 1 % (*) of the invoice; payment terms imported in GBP,
    # converted at the rate of the day they were granted (1.20 from March), not the order's
    assert lines.loc["O2-1", "rebate"] == pytest.approx(0.02 * 280.8)
    assert lines.loc["O2-1", "freight"] == pytest.approx(0.01 * 280.8)
    assert lines.loc["O2-1", "payment_terms"] == pytest.approx(4.8 * 1.20)
    # the imported freight of 2 beats the term (1 % of 150 = 1.50)
    assert lines.loc["O3-1", "freight"] == pytest.approx(2.0)
    assert lines.loc["O3-1", "list_amount"] == pytest.approx(200.0)  # 150 / (1 − 25 %)
    # a return without items takes back the term with its sign
    assert lines.loc["R1-1", "freight"] == pytest.approx(-0.9)
    assert lines.loc["R1-1", "rebate"] == 0.0  # Enterprise has no rebate term


def test_without_terms_only_imported_items_count(tmp_path: Path) -> None:
    with open_store(tmp_path / "plain.duckdb") as store:
        fill_waterfall_store(store, with_terms=False)
        lines = _lines(store)
    assert _cents(lines["off_invoice"].sum()) == _cents(IMPORTED_ITEMS)


def test_waterfall_steps_and_shares(hand_store: Store) -> None:
    total = waterfall(hand_store).set_index("step")
    assert list(total.index) == [
        "list", "on_invoice", "invoice", *OFF_INVOICE_KINDS, "pocket", "cost", "pocket_margin",
    ]  # fmt: skip
    assert total.loc["list", "share_of_list"] == 1.0
    assert total.loc["invoice", "amount"] == pytest.approx(TOTAL_INVOICE)
    assert total.loc["on_invoice", "share_of_list"] == pytest.approx(130.2 / 701)
    assert total.loc["rebate", "amount"] == pytest.approx(23 + 5.616)
    assert set(total["lines"]) == {5}
    by_segment = waterfall(hand_store, by="segment").set_index(["segment", "step"])["amount"]
    assert by_segment["Mittelstand", "pocket"] == pytest.approx(280.8 - 5.616 - 2.808 - 5.76)
    assert by_segment["Enterprise", "list"] == pytest.approx(200 + 50 - 100)


def test_waterfall_by_period_team_and_filtered(hand_store: Store) -> None:
    monthly = waterfall(hand_store, by="month")
    months = monthly[monthly["step"] == "invoice"].set_index("month")["amount"]
    assert months.to_dict() == pytest.approx(
        {pd.Timestamp("2024-01-01").date(): 230.0, pd.Timestamp("2024-02-01").date(): 340.8}
    )
    teams = waterfall(hand_store, by="team")
    assert set(teams["team"]) == {"Süd"}
    small = waterfall(hand_store, where={"segment": "Kleinunternehmen"}).set_index("step")
    assert small.loc["pocket", "amount"] == pytest.approx(148.0)
    early = waterfall(hand_store, as_of=pd.Timestamp("2024-01-31").date()).set_index("step")
    assert early.loc["list", "amount"] == pytest.approx(250.0)
    with pytest.raises(ValueError, match="unknown breakdown 'colour'"):
        waterfall(hand_store, by="colour")


def test_deal_waterfall_of_an_ordered_and_an_open_deal(small_pricing_db: Path) -> None:
    with open_store(small_pricing_db, read_only=True) as store:
        orders = store.table("orders")
        ordered = orders.filter(orders.opportunity_id.notnull()).opportunity_id.min().execute()
        lines = pocket_lines(MetricSources.from_store(store)).to_pandas()
        deal = deal_waterfall(store, ordered).set_index("step")
        o = store.table("opportunities")
        open_deal = o.filter(o.status == "open").select("opportunity_id", "list_price", "amount")
        first = open_deal.order_by("opportunity_id").limit(1).to_pandas().iloc[0]
        unordered = deal_waterfall(store, first["opportunity_id"]).set_index("step")
        with pytest.raises(UnknownDealError, match="'O-none'"):
            deal_waterfall(store, "O-none")
    mine = lines[lines["opportunity_id"] == ordered]
    assert deal.loc["list", "amount"] == pytest.approx(mine["list_amount"].sum())
    assert deal.loc["pocket_margin", "amount"] == pytest.approx(mine["pocket_margin"].sum())
    assert unordered.loc["list", "amount"] == pytest.approx(first["list_price"])
    assert unordered.loc["invoice", "amount"] == pytest.approx(first["amount"])
    assert set(unordered["lines"]) == {0}


def test_planted_rebates_per_segment_are_recovered(small_pricing_db: Path) -> None:
    truth_path = truth_path_for(small_pricing_db)
    assert truth_path is not None
    planted = json.loads(truth_path.read_text(encoding="utf-8"))["price_waterfall"]
    with open_store(small_pricing_db, read_only=True) as store:
        steps = waterfall(store, by="segment").set_index(["segment", "step"])["amount"]
    for segment, rate in planted["rebate_by_segment"].items():
        found = steps[segment, "rebate"] / steps[segment, "invoice"]
        assert found == pytest.approx(rate, abs=0.001), segment
    # Skonto: 2 % on about 60 % of the orders
    share = steps.xs("payment_terms", level="step").sum() / steps.xs("invoice", level="step").sum()
    assert share == pytest.approx(0.02 * 0.6, abs=0.002)


def test_an_erp_export_of_items_imports_with_the_preset(tmp_path: Path) -> None:
    export = tmp_path / "nebenkosten.csv"
    export.write_text(
        "Auftrag;Position;Art;Betrag;Währung;Datum\n"
        "O3;;Skonto;3,00;EUR;01.03.2024\n"
        "O1;O1-1;Fracht;1,50;;\n",
        encoding="utf-8",
    )
    with open_store(tmp_path / "s.duckdb") as store:
        fill_waterfall_store(store)
        first = import_files(store, "price_adjustments", [export])
        again = import_files(store, "price_adjustments", [export])
        lines = _lines(store)
    assert first.written == {"price_adjustments": 2}
    assert again.written == {"price_adjustments": 0}
    assert lines.loc["O3-1", "payment_terms"] == pytest.approx(3.0)
    assert lines.loc["O1-1", "freight"] == pytest.approx(1.5)
    assert _cents(lines["off_invoice"].sum()) == _cents(IMPORTED_ITEMS + TERM_ITEMS + 4.5)


@pytest.mark.postgres
def test_pocket_lines_on_postgresql_give_duckdb_s_answer(tmp_path: Path, postgres_url: str) -> None:
    frames = []
    for location in (str(tmp_path / "duck.duckdb"), postgres_url):
        with open_store(location) as store:
            fill_waterfall_store(store)
            frames.append(_lines(store).drop(columns=["ordered_at"]))
    pd.testing.assert_frame_equal(frames[0], frames[1], check_dtype=False, atol=1e-9)
