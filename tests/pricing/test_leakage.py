"""Leakage per group and the accounts and reps discounting furthest above their peers."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.pricing._leakage import discount_outliers, leakage
from revintel.store import Store, open_store
from tests.pricing.waterfall_store import LINEAGE, fill_waterfall_store

runner = CliRunner()

#: The rep and the account planted to give more discount than their peers, and by how much.
GENEROUS_REP, REP_EXTRA = "R3", 0.06
GENEROUS_ACCOUNT, ACCOUNT_EXTRA = "A07", 0.08


def _rows(records: Sequence[Mapping[str, object]], key: str) -> pd.DataFrame:
    frame = pd.DataFrame(records)
    return frame.assign(source_id=frame[key], **LINEAGE)


def _fill_discount_store(store: Store, seed: int = 5) -> None:
    """400 orders of 4 reps on 20 accounts, two lines each (two families), with discounts by
    segment and family plus noise; one rep and one account give more."""
    rng = np.random.default_rng(seed)
    accounts = [f"A{i:02d}" for i in range(1, 21)]
    segments = {a: ("Enterprise" if i % 2 else "Mittelstand") for i, a in enumerate(accounts)}
    store.insert(
        "accounts",
        _rows(
            [{"account_id": a, "name": f"Kunde {a}", "segment": s} for a, s in segments.items()],
            "account_id",
        ),
    )
    reps = [f"R{i}" for i in range(1, 5)]
    store.insert("reps", _rows([{"rep_id": r, "name": f"Rep {r}"} for r in reps], "rep_id"))
    families = {"P1": "Pumpen", "P2": "Ventile"}
    products = [{"product_id": p, "name": p, "family": f} for p, f in families.items()]
    store.insert("products", _rows(products, "product_id").assign(list_price=100.0))
    orders, lines = [], []
    start = datetime(2024, 1, 1)
    for n in range(400):
        order_id, rep, account = f"B{n:04d}", reps[n % 4], accounts[rng.integers(20)]
        orders.append({"order_id": order_id, "account_id": account, "rep_id": rep,
                       "ordered_at": start + timedelta(days=n % 300), "kind": "order"})  # fmt: skip
        for number, product in enumerate(families, start=1):
            base = (0.12 if segments[account] == "Enterprise" else 0.08) + 0.02 * (number == 1)
            extra = REP_EXTRA * (rep == GENEROUS_REP) + ACCOUNT_EXTRA * (
                account == GENEROUS_ACCOUNT
            )
            discount = float(np.clip(base + extra + rng.normal(0, 0.02), 0, 0.5))
            quantity = float(rng.integers(1, 6))
            lines.append({"order_line_id": f"{order_id}-{number}", "order_id": order_id,
                          "product_id": product, "quantity": quantity, "unit_price": 100.0,
                          "discount": discount,
                          "net_amount": round(100.0 * quantity * (1 - discount), 2),
                          "cost": 60.0 * quantity})  # fmt: skip
    store.insert("orders", _rows(orders, "order_id"))
    store.insert("order_lines", _rows(lines, "order_line_id"))


@pytest.fixture(scope="module")
def discount_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with open_store(tmp_path_factory.mktemp("outliers") / "s.duckdb") as store:
        _fill_discount_store(store)
        yield store


def test_the_planted_generous_rep_tops_the_outliers(discount_store: Store) -> None:
    found = discount_outliers(discount_store, level="rep", min_deals=5)
    assert list(found.columns) == [
        "rep", "name", "deals", "list_amount", "discount", "peer_discount",
        "excess_points", "excess_amount", "z",
    ]  # fmt: skip
    top = found.iloc[0]
    assert top["rep"] == GENEROUS_REP and top["name"] == "Rep R3"
    assert top["deals"] == 100
    assert top["excess_points"] == pytest.approx(100 * REP_EXTRA, abs=1.0)
    assert top["excess_amount"] == pytest.approx(
        top["list_amount"] * (top["discount"] - top["peer_discount"])
    )
    assert top["z"] > 5
    others = found.iloc[1:]
    assert (others["excess_points"] < 0).all()  # the others give less than peers including R3


def test_the_planted_generous_account_tops_the_account_outliers(discount_store: Store) -> None:
    found = discount_outliers(discount_store, level="account", min_deals=5, top=3)
    assert len(found) == 3
    assert found.iloc[0]["account"] == GENEROUS_ACCOUNT
    assert found.iloc[0]["excess_points"] == pytest.approx(100 * ACCOUNT_EXTRA, abs=1.5)
    assert found.iloc[0]["z"] > 4
    assert found.iloc[1]["excess_points"] < 4


def test_min_deals_and_levels_are_checked(discount_store: Store) -> None:
    assert discount_outliers(discount_store, level="rep", min_deals=101).empty
    with pytest.raises(ValueError, match="unknown level 'team'"):
        discount_outliers(discount_store, level="team")
    with pytest.raises(ValueError, match="at least 1"):
        discount_outliers(discount_store, level="rep", top=0)


def test_leakage_per_segment_is_list_minus_pocket(tmp_path: Path) -> None:
    with open_store(tmp_path / "hand.duckdb") as store:
        fill_waterfall_store(store)
        frame = leakage(store, "segment").set_index("segment")
        with pytest.raises(ValueError, match="unknown breakdown 'colour'"):
            leakage(store, "colour")
    # Mittelstand: list 351, pocket 280.80 − 5.616 − 2.808 − 5.76 (see waterfall_store)
    assert frame.loc["Mittelstand", "leakage"] == pytest.approx(351 - 266.616)
    assert frame.loc["Mittelstand", "leakage_share"] == pytest.approx((351 - 266.616) / 351)
    # Enterprise: O1 (list 250, pocket 202) and the return R1 (list −100, pocket −89.10)
    assert frame.loc["Enterprise", "leakage"] == pytest.approx(150 - 112.9)
    assert frame.loc["Enterprise", "on_invoice_share"] == pytest.approx(10 / 150)
    assert list(frame.index) == ["Mittelstand", "Kleinunternehmen", "Enterprise"]


def test_cli_waterfall_leakage_and_outliers(small_pricing_db: Path) -> None:
    db = str(small_pricing_db)
    total = runner.invoke(app, ["pricing", "waterfall", "--db", db, "-f", "json"])
    assert total.exit_code == 0, total.output
    steps = {row["step"]: row for row in json.loads(total.output)}
    assert steps["pocket"]["amount"] == pytest.approx(
        steps["invoice"]["amount"] - sum(steps[k]["amount"] for k in ("rebate", "freight",
                                         "payment_terms", "bonus", "other"))
    )  # fmt: skip
    table = runner.invoke(
        app, ["pricing", "waterfall", "--by", "segment", "--db", db, "--lang", "de"]
    )
    assert table.exit_code == 0, table.output
    assert "Pocket-Marge" in table.output and "Rückvergütung" in table.output
    english = runner.invoke(app, ["pricing", "leakage", "--by", "rep", "--db", db, "--lang", "en"])
    assert english.exit_code == 0, english.output
    assert "Price leakage" in english.output and "€" in english.output
    csv = runner.invoke(app, ["pricing", "leakage", "--by", "family", "--db", db, "-f", "csv"])
    assert csv.output.splitlines()[0].startswith("family,lines,list_amount,")
    outliers = runner.invoke(
        app, ["pricing", "outliers", "--level", "rep", "--top", "3", "--db", db, "-f", "json"]
    )
    assert outliers.exit_code == 0, outliers.output
    assert len(json.loads(outliers.output)) == 3
    wrong = runner.invoke(app, ["pricing", "waterfall", "--by", "colour", "--db", db])
    assert wrong.exit_code != 0 and "--by" in wrong.output
