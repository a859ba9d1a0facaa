"""The default demo company shows the process that was planted in it."""

from functools import cache

import numpy as np
import pandas as pd
import pytest

from revintel.synth import SynthConfig, SynthResult, generate

pytestmark = pytest.mark.slow


@cache
def _default() -> SynthResult:
    return generate(SynthConfig())


def _mature_events(result: SynthResult) -> pd.DataFrame:
    leads = result.tables["leads"].to_pandas()
    mature = leads.loc[leads["created_at"] < pd.Timestamp(result.truth["mature_before"]), "lead_id"]
    m = result.tables["milestones"].to_pandas()
    return m[m["lead_id"].isin(set(mature))]


def test_default_size_matches_the_issue() -> None:
    result = _default()
    assert result.tables["leads"].num_rows == 60_000
    accounts = result.tables["accounts"]
    # the customers, plus one placeholder account holding the webshop's guest orders
    assert accounts.num_rows == 3_001
    assert sum(accounts.column("placeholder").to_pylist()) == 1
    assert result.tables["reps"].num_rows == 20
    families = set(result.tables["products"].column("family").to_pylist())
    assert len(families) == 10


def test_empirical_step_conversion_within_two_points_of_truth() -> None:
    result = _default()
    counts = _mature_events(result)["milestone"].value_counts()
    for step, truth in result.truth["stage_conversion"].items():
        source, target = step.split("->")
        empirical = counts[target] / counts[source]
        assert counts[source] == truth["n"]
        assert abs(empirical - truth["p"]) < 0.02, (step, empirical, truth["p"])


def test_empirical_win_probability_within_two_points_of_truth() -> None:
    result = _default()
    counts = _mature_events(result)["milestone"].value_counts()
    for milestone, truth in result.truth["win_probability"].items():
        empirical = counts["won"] / counts[milestone]
        assert abs(empirical - truth["p"]) < 0.02, (milestone, empirical, truth["p"])


def test_channel_mix_moves_from_offline_to_digital_with_a_trade_fair_collapse() -> None:
    mix = _default().truth["channel_mix_by_year"]
    assert mix["2020"]["digital"] < 0.5
    assert 0.65 <= mix["2024"]["digital"] <= 0.75
    leads = _default().tables["leads"].to_pandas()
    month = leads["created_at"].dt.to_period("M")
    fair_share = leads["channel"].eq("trade_fair").groupby(month).mean()
    before = fair_share[:"2020-02"].mean()
    during = fair_share["2020-04":"2021-12"].mean()
    after = fair_share["2022-03":].mean()
    assert during < 0.2 * before
    assert after > 3 * during


def test_discount_raises_the_win_chance_at_negotiation() -> None:
    result = _default()
    opp = result.tables["opportunities"].to_pandas()
    m = result.tables["milestones"].to_pandas()
    negotiated = set(m.loc[m["milestone"] == "contract_negotiation", "entity_id"])
    closed = opp[opp["opportunity_id"].isin(negotiated) & opp["status"].isin(["won", "lost"])]
    high = closed["discount"] > closed["discount"].median()
    win_high = closed.loc[high, "status"].eq("won").mean()
    win_low = closed.loc[~high, "status"].eq("won").mean()
    assert win_high - win_low > 0.05


def test_planted_acceptance_dip_is_visible() -> None:
    result = _default()
    dip_from = pd.Timestamp(result.truth["planted"]["mql_sal_dip"]["from"])
    leads = result.tables["leads"].to_pandas()
    m = result.tables["milestones"].to_pandas()
    accepted = set(m.loc[m["milestone"] == "sal", "lead_id"])
    window = leads[
        (leads["created_at"] >= dip_from - pd.Timedelta(days=92)) & (leads["created_at"] < dip_from)
    ]
    dip = leads[
        (leads["created_at"] >= dip_from) & (leads["created_at"] < dip_from + pd.Timedelta(days=60))
    ]
    assert window["lead_id"].isin(accepted).mean() > 0.55
    assert dip["lead_id"].isin(accepted).mean() < 0.5
    stalled = result.truth["planted"]["stalled_deals"]["open_opportunities"]
    assert len(stalled) >= 20
    opp = result.tables["opportunities"].to_pandas().set_index("opportunity_id")
    assert (opp.loc[stalled, "status"] == "open").all()


def test_customers_reorder_and_some_churn() -> None:
    result = _default()
    orders = result.tables["orders"].to_pandas()
    repeat = orders["opportunity_id"].isna()
    assert repeat.sum() > 0.3 * (~repeat).sum()
    churned = result.truth["churn"]["dropped_out_accounts"]
    customers = result.truth["purchase_process"]["customers"]
    assert 0.1 * customers < len(churned) < 0.9 * customers
    assert np.isclose(
        sum(result.truth["product_affinity"]["Förderanlagen"].values()), 1.0, atol=1e-3
    )
