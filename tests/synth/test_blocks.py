"""A company generated in blocks is one consistent company, with the truth of one made whole."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from revintel.store import Store, open_store
from revintel.synth import SynthConfig, generate, write_demo_company
from revintel.synth._blocks import block_bounds

BLOCKED = SynthConfig(seed=5, leads=6_000, accounts=200, reps=6, block_leads=2_000)
WHOLE = SynthConfig(seed=5, leads=6_000, accounts=200, reps=6)


@pytest.fixture(scope="module")
def blocked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[str, int]]]:
    path = Path(tmp_path_factory.mktemp("blocks")) / "blocks.duckdb"
    with open_store(path) as store:
        result = write_demo_company(store, BLOCKED)
        assert result.tables == {}
        yield store, result.row_counts


@cache
def _whole() -> dict[str, pd.DataFrame]:
    return {n: t.to_pandas() for n, t in generate(WHOLE).tables.items()}


def _frame(store: Store, name: str) -> pd.DataFrame:
    return store.table(name).to_pandas()


def test_block_bounds_cover_every_lead_once() -> None:
    assert block_bounds(6_000, 2_000) == [(0, 2_000), (2_000, 4_000), (4_000, 6_000)]
    assert block_bounds(5, 10) == [(0, 5)]
    with pytest.raises(ValueError, match="block_leads must be at least 1"):
        block_bounds(5, 0)


def test_counts_ids_and_order(blocked: tuple[Store, dict[str, int]]) -> None:
    store, rows = blocked
    assert {n: c for n, c in store.row_counts().items() if n in rows} == rows
    leads = _frame(store, "leads")
    assert len(leads) == 6_000 and leads["lead_id"].is_unique
    assert leads["lead_id"].iloc[[0, -1]].tolist() == ["L0000001", "L0006000"]
    # ids follow the arrival day across blocks, as in a company made in one piece
    assert leads.sort_values("lead_id")["created_at"].dt.floor("D").is_monotonic_increasing
    for name, key in (("touchpoints", "touchpoint_id"), ("milestones", "milestone_event_id"),
                      ("opportunities", "opportunity_id"), ("orders", "order_id")):  # fmt: skip
        assert _frame(store, name)[key].is_unique, name


def test_references_resolve(blocked: tuple[Store, dict[str, int]]) -> None:
    store, _ = blocked
    keys = {
        "campaigns": set(_frame(store, "campaigns")["campaign_id"]),
        "leads": set(_frame(store, "leads")["lead_id"]),
        "opportunities": set(_frame(store, "opportunities")["opportunity_id"]),
    }
    assert set(_frame(store, "leads")["campaign_id"]) <= keys["campaigns"]
    assert set(_frame(store, "touchpoints")["campaign_id"]) <= keys["campaigns"]
    assert set(_frame(store, "touchpoints")["lead_id"]) <= keys["leads"]
    assert set(_frame(store, "opportunities")["lead_id"]) <= keys["leads"]
    assert set(_frame(store, "quotes")["opportunity_id"]) <= keys["opportunities"]
    first_orders = _frame(store, "orders")["opportunity_id"].dropna()
    assert set(first_orders) <= keys["opportunities"]
    won = _frame(store, "opportunities").query("status == 'won'")
    assert len(first_orders) == len(won)


def test_campaign_budgets_add_up_over_blocks(blocked: tuple[Store, dict[str, int]]) -> None:
    store, _ = blocked
    campaigns = _frame(store, "campaigns").set_index("campaign_id")
    per_campaign = _frame(store, "leads")["campaign_id"].value_counts()
    assert per_campaign.sum() == 6_000 and set(per_campaign.index) == set(campaigns.index)
    names = set(campaigns["name"])
    assert names <= set(_whole()["campaigns"]["name"]) | {n for n in names if "Lead Ads" in n}


def test_rates_and_truth_match_a_company_made_in_one_piece(
    blocked: tuple[Store, dict[str, int]],
) -> None:
    store, _ = blocked
    whole = _whole()
    for name in ("opportunities", "milestones", "touchpoints", "quotes", "orders"):
        ratio = store.row_counts()[name] / len(whole[name])
        # repeat orders of 200 accounts vary by about 10 % between two draws of the same company
        slack = 0.2 if name == "orders" else 0.1
        assert 1 - slack < ratio < 1 + slack, (name, ratio)
    truth_path = Path(str(store.location).removeprefix("duckdb://")).with_suffix(".truth.json")
    assert truth_path.exists()
    blocked_truth = pd.read_json(truth_path, typ="series")
    whole_truth = generate(WHOLE).truth
    assert set(blocked_truth.index) == set(whole_truth)
    for step, value in whole_truth["stage_conversion"].items():
        assert abs(blocked_truth["stage_conversion"][step]["p"] - value["p"]) < 0.03, step
    ceiling = blocked_truth["scoring_ceiling"]
    for name, auc in whole_truth["scoring_ceiling"].items():
        assert abs(ceiling[name] - auc) < 0.05, name
    assert blocked_truth["counts"]["opportunities"] == store.row_counts()["opportunities"]
