"""The demo company plants channel effects per milestone transition, devices, content and costs,
and its truth file says what was planted."""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from revintel.store import open_store
from revintel.synth import SynthConfig, SynthResult, generate, write_demo_company
from revintel.synth import _config as c
from revintel.synth._exposures import draw_exposures

PATH = list(c.PATH)
CONFIG = SynthConfig(seed=42, leads=8_000, accounts=400, reps=8)


@cache
def _company() -> SynthResult:
    return generate(CONFIG)


@cache
def _frames() -> dict[str, pd.DataFrame]:
    names = ("leads", "milestones", "touchpoints", "campaigns", "marketing_costs")
    return {n: _company().tables[n].to_pandas() for n in names}


@cache
def _stages() -> dict[str, tuple[pd.DataFrame, pd.Series]]:
    """Per transition (by target milestone) the decided stages of mature leads — start, end —
    and whether each converted, read from the milestones table."""
    f = _frames()
    leads = f["leads"]
    mature = set(leads.loc[leads["created_at"] < _company().truth["mature_before"], "lead_id"])
    m = f["milestones"][f["milestones"]["lead_id"].isin(mature)]
    wide = m[m["milestone"].isin(PATH)].pivot(
        index="lead_id", columns="milestone", values="occurred_at"
    )
    terminal = m[m["milestone"].isin(["lost", "disqualified"])].set_index("lead_id")["occurred_at"]
    wide = wide.reindex(columns=PATH).assign(terminal=terminal)
    out = {}
    for source, target in itertools.pairwise(PATH):
        w = wide[wide[source].notna() & (wide[target].notna() | wide["terminal"].notna())]
        window = pd.DataFrame({"start": w[source], "end": w[target].fillna(w["terminal"])})
        out[target] = (window, w[target].notna())
    return out


def _present(window: pd.DataFrame, touches: pd.DataFrame) -> np.ndarray:
    """Whether each stage of ``window`` holds one of ``touches``."""
    j = touches.merge(window, left_on="lead_id", right_index=True)
    inside = j[(j["occurred_at"] >= j["start"]) & (j["occurred_at"] <= j["end"])]
    return window.index.isin(inside["lead_id"].unique())


def _difference(converted: pd.Series, present: np.ndarray) -> tuple[float, float]:
    """Conversion with minus without, and its standard error."""
    p1, p0 = converted[present].mean(), converted[~present].mean()
    se = np.sqrt(p1 * (1 - p1) / present.sum() + p0 * (1 - p0) / (~present).sum())
    return float(p1 - p0), float(se)


def test_centring_keeps_each_steps_expected_conversion() -> None:
    rng = np.random.default_rng(0)
    exposures = draw_exposures(SynthConfig(), np.full(100_000, 1_500.0), 0)  # in 2024
    z = logit(c.BASE_CONVERSION) + rng.normal(0, 0.8, (100_000, 1))  # leads differ
    centred = exposures.centred(z)
    assert centred.offset is not None
    with_exposures = expit(z + centred.logit_shift())
    reach = np.cumprod(np.hstack([np.ones((len(z), 1)), with_exposures[:, :-1]]), axis=1)
    np.testing.assert_allclose(
        (reach * with_exposures).sum(axis=0) / reach.sum(axis=0),
        (reach * expit(z)).sum(axis=0) / reach.sum(axis=0),
        atol=1e-9,
    )
    # about the mean planted effect, a little less (conversion is concave above one half)
    mean_effect = (c.EXPOSURE_RATE * c.EXPOSURE_EFFECT).sum(axis=1)
    assert (centred.offset < mean_effect).all() and (centred.offset > 0.6 * mean_effect).all()
    # drawn independently of the lead: presence rates are the planted ones
    for j in range(len(c.EXPOSURE_CHANNELS)):
        np.testing.assert_allclose(exposures.has(j).mean(axis=0), c.EXPOSURE_RATE[:, j], atol=0.005)
    during = draw_exposures(SynthConfig(), np.full(50_000, 400.0), 0)  # February 2021
    assert not during.has(c.EXPOSURE_CHANNELS.index("trade_fair")).any()
    assert during.has(0).mean() == pytest.approx(c.EXPOSURE_RATE[:, 0].mean(), abs=0.01)
    with pytest.raises(ValueError, match="centre the exposures"):
        during.logit_shift()


def test_truth_has_incremental_conversions_where_an_effect_is_planted() -> None:
    attribution = _company().truth["attribution"]
    assert list(attribution) == PATH[1:]
    for target, step in attribution.items():
        assert step["from"] == PATH[PATH.index(target) - 1]
        channels = step["channels"]
        assert list(channels) == list(c.EXPOSURE_CHANNELS)
        effective = []
        for name, planted in channels.items():
            if planted["logit_effect"] == 0:
                assert planted["incremental_conversions"] == 0, (target, name)
            else:
                assert planted["decided_with_channel"] > 0, (target, name)
                assert planted["incremental_conversions"] > 0, (target, name)
                per_journey = planted["incremental_conversions"] / planted["decided_with_channel"]
                effective.append((planted["logit_effect"], per_journey))
        assert len(effective) >= 6, target
        # a larger planted effect gives more incremental conversions per journey with it
        per_journey = [p for _, p in sorted(effective)]
        assert per_journey == sorted(per_journey), target
    email = attribution["sal"]["channels"]["email"]
    assert email["decided_with_channel"] > 1_500  # frequent, and it moves nothing


def test_truth_counts_the_decided_steps_of_the_milestones_table() -> None:
    attribution = _company().truth["attribution"]
    m = _frames()["milestones"]
    terminal = m[m["milestone"].isin(["lost", "disqualified"])]["lead_id"]
    last = m[m["milestone"].isin(PATH) & m["lead_id"].isin(terminal)]
    failed_at = last.groupby("lead_id")["milestone"].agg(lambda s: max(s, key=PATH.index))
    counts = m["milestone"].value_counts()
    for source, target in itertools.pairwise(PATH):
        assert attribution[target]["converted"] == counts[target]
        assert attribution[target]["decided"] == counts[target] + (failed_at == source).sum()


def test_the_planted_effects_show_in_the_generated_touchpoints() -> None:
    touches = _frames()["touchpoints"]
    for target, (window, converted) in _stages().items():
        effects = dict(
            zip(c.EXPOSURE_CHANNELS, c.EXPOSURE_EFFECT[PATH.index(target) - 1], strict=True)
        )
        top = max(effects, key=lambda ch: effects[ch])
        diff, se = _difference(converted, _present(window, touches[touches["channel"] == top]))
        assert diff > 0, (target, top, diff, se)
        diff, se = _difference(converted, _present(window, touches[touches["channel"] == "email"]))
        assert abs(diff) < 3 * se, (target, diff, se)
    # the strongest early effects stand far above the noise
    window, converted = _stages()["sal"]
    diff, se = _difference(converted, _present(window, touches[touches["channel"] == "trade_fair"]))
    assert diff > 0.08 and diff > 4 * se


def test_a_case_study_in_the_middle_of_the_journey_lifts_conversion() -> None:
    touches = _frames()["touchpoints"]
    window, converted = _stages()["opportunity_specified"]
    diff, se = _difference(converted, _present(window, touches[touches["content"] == "case_study"]))
    assert diff > 2 * se, (diff, se)


def test_content_differs_by_buying_phase() -> None:
    touches = _frames()["touchpoints"]
    stages = _stages()
    share = {}
    for phase, targets in (("early", ("sal", "sql")), ("late", ("offer_discussed", "won"))):
        kinds = []
        for target in targets:
            window, _ = stages[target]
            j = touches.merge(window, left_on="lead_id", right_index=True)
            kinds.append(
                j.loc[(j["occurred_at"] >= j["start"]) & (j["occurred_at"] <= j["end"]), "content"]
            )
        share[phase] = pd.concat(kinds).value_counts(normalize=True)
    early, late = share["early"], share["late"]
    middle = ("case_study", "product_video")
    assert early.get("blog", 0) + early.get("whitepaper", 0) > 0.4
    assert sum(early.get(k, 0) for k in (*middle, "price_list", "configurator")) < 0.05
    assert late.get("price_list", 0) + late.get("configurator", 0) > 0.5
    assert late.get("blog", 0) + late.get("whitepaper", 0) < 0.05
    no_content = touches["kind"].isin(
        ["visit", "video_call", "call", "follow_up_call", "email_click"]
    )
    assert touches.loc[no_content, "content"].isna().all()
    assert touches.loc[touches["kind"] == "webinar", "content"].eq("webinar").all()


def test_mobile_share_of_digital_touches_grows_by_year() -> None:
    touches = _frames()["touchpoints"]
    assert touches.loc[~touches["digital"], "mobile"].isna().all()
    digital = touches[touches["digital"]]
    assert digital["mobile"].notna().all()
    share = digital["mobile"].astype(bool).groupby(digital["occurred_at"].dt.year).mean()
    assert share.is_monotonic_increasing
    assert abs(share[2020] - 0.25) < 0.03 and abs(share[2024] - 0.55) < 0.03
    planted = _company().truth["buying_journey"]["mobile_share_of_digital"]
    assert planted["2020"] == 0.25 and planted["2024"] == 0.55


def test_trade_fair_touches_fall_while_trade_fairs_collapse() -> None:
    touches = _frames()["touchpoints"]
    fair = touches.loc[touches["channel"] == "trade_fair", "occurred_at"].dt.to_period("M")
    monthly = fair.value_counts().reindex(
        pd.period_range("2020-01", "2024-12", freq="M"), fill_value=0
    )
    before, during, after = (
        monthly[:"2020-02"].mean(),
        monthly["2020-04":"2021-12"].mean(),
        monthly["2022-03":].mean(),
    )
    assert during < 0.1 * before and during < 0.1 * after, (before, during, after)


def test_marketing_costs_follow_campaigns_and_pause_trade_fairs() -> None:
    f = _frames()
    costs, campaigns = f["marketing_costs"], f["campaigns"].set_index("campaign_id")
    assert len(costs) > 500 and costs["cost_id"].is_unique
    assert (costs["amount"] > 0).all() and costs["currency"].eq("EUR").all()
    assert set(costs["kind"]) == {"media", "agency", "event", "tools", "incentives"}
    tied = costs[costs["campaign_id"].notna()].merge(
        campaigns, left_on="campaign_id", right_index=True, suffixes=("", "_campaign")
    )
    assert (tied["channel"] == tied["channel_campaign"]).all()
    assert (pd.to_datetime(tied["period_start"]) >= tied["started_at"]).all()
    assert (pd.to_datetime(tied["period_end"]) <= tied["ended_at"]).all()
    assert (costs["period_start"] <= costs["period_end"]).all()
    month = pd.to_datetime(costs["period_start"]).dt.to_period("M")
    fair = costs[costs["channel"] == "trade_fair"]
    paused = (month[fair.index] >= pd.Period("2020-03", "M")) & (
        month[fair.index] <= pd.Period("2021-12", "M")
    )
    assert not paused.any() and len(fair) > 20
    # the tools are paid every month of the history, without a campaign
    tools = costs[costs["kind"] == "tools"]
    assert tools["campaign_id"].isna().all() and month[tools.index].nunique() == 60
    # spend follows the campaign budgets: search media is 60 % of them, give or take the noise
    search = tied[(tied["channel"] == "search") & (tied["kind"] == "media")]
    budget = campaigns.loc[search["campaign_id"].unique(), "budget"].sum()
    assert search["amount"].sum() / budget == pytest.approx(0.60, rel=0.03)


def test_a_company_written_in_blocks_has_costs_and_the_attribution_truth(tmp_path: Path) -> None:
    config = SynthConfig(seed=3, leads=3_000, accounts=150, reps=6, block_leads=1_000)
    with open_store(tmp_path / "blocks.duckdb") as store:
        result = write_demo_company(store, config)
        costs = store.table("marketing_costs").to_pandas()
        campaigns = set(store.table("campaigns").to_pandas()["campaign_id"])
        touches = store.table("touchpoints").to_pandas()
    assert len(costs) == result.row_counts["marketing_costs"] > 0
    assert set(costs["campaign_id"].dropna()) <= campaigns
    assert set(touches["campaign_id"]) <= campaigns
    decided = sum(step["decided"] for step in result.truth["attribution"].values())
    assert decided > 3_000
    assert touches["content"].notna().any() and touches["mobile"].notna().any()
