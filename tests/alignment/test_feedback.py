"""Rejections, reasons and the MQL-definition proposal on the hand-made store, where every
number is known by construction (see :mod:`tests.alignment.feedback_store`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.alignment._feedback import rejection_groups
from revintel.alignment._feedback_stats import against_rest, holm, wilson
from revintel.alignment._mql_definition import NoScoresError, propose_threshold, tradeoff_curve
from revintel.auth import Role, User
from revintel.store import open_store
from revintel.views._feedback import (
    FeedbackRequestError,
    feedback_leads,
    feedback_reasons,
    mql_definition,
)
from tests.alignment.feedback_store import build_feedback_store

ADMIN = User("boss", "Boss", Role.admin)
REP = User("rep1", "Rep One", Role.sales_rep, rep_id="r1")


@pytest.fixture(scope="session")
def feedback_hand_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made store of :mod:`tests.alignment.feedback_store`."""
    db = tmp_path_factory.mktemp("feedback_hand") / "store.duckdb"
    build_feedback_store(db)
    return db


def test_wilson_and_test_against_the_rest() -> None:
    low, high = wilson(np.array([24, 36]), np.array([30, 120]))
    assert low.round(4).tolist() == [0.6269, 0.2253]
    assert high.round(4).tolist() == [0.9049, 0.3872]
    # 24/30 against 36/120: z = 5.0 on the pooled rate 0.4
    p = against_rest(np.array([24, 36]), np.array([30, 120]))
    assert p[0] == pytest.approx(5.733e-07, rel=1e-3)
    assert p[0] == p[1]
    assert holm(np.array([0.01, np.nan, 0.04])).tolist()[::2] == [0.02, 0.04]


def test_rejections_by_channel(feedback_hand_db: Path) -> None:
    with open_store(feedback_hand_db, read_only=True) as store:
        view = feedback_reasons(store, ADMIN, "channel")
    assert (view.mqls, view.decided, view.rejected) == (150, 150, 60)
    assert view.rate == pytest.approx(0.4)
    g = view.groups.set_index("group")
    assert g.loc["social", ["mqls", "accepted", "rejected", "open"]].tolist() == [30, 6, 24, 0]
    assert g.loc["search", ["mqls", "accepted", "rejected"]].tolist() == [120, 84, 36]
    assert g.loc["social", "rate"] == pytest.approx(0.8)
    assert g.loc["search", "rate"] == pytest.approx(0.3)
    assert g.loc["social", "rate_low"] == pytest.approx(0.62694, abs=1e-4)
    assert bool(g.loc["social", "significant"]) and g.loc["social", "direction"] == "higher"
    assert g.loc["search", "direction"] == "lower"
    assert g.loc["social", "top_reason"] == "wrong_target"
    reasons = view.reasons.set_index(["group", "reason"])["rejected"].to_dict()
    assert reasons == {("search", "no_budget"): 36, ("social", "wrong_target"): 24}


def test_rejections_by_score_band_campaign_and_size(feedback_hand_db: Path) -> None:
    with open_store(feedback_hand_db, read_only=True) as store:
        bands = feedback_reasons(store, ADMIN, "score_band").groups.set_index("group")
        campaigns = feedback_reasons(store, ADMIN, "campaign").groups.set_index("group")
        sizes = feedback_reasons(store, ADMIN, "size").groups.set_index("group")
    # the score from before the MQL time counts, not the 0.99 written two days later
    assert bands["rejected"].to_dict() == {"10–20 %": 24, "20–30 %": 18, "30–50 %": 18,
                                           "50–100 %": 0}  # fmt: skip
    assert campaigns.loc["K4", "rate"] == pytest.approx(0.2)
    assert campaigns.loc["K4", "label"] == "Kampagne 4"
    assert sizes["mqls"].to_dict() == {"1–49": 60, "1000+": 90}
    assert sizes.loc["1–49", "rate"] == pytest.approx(0.7)


def test_a_rep_sees_only_own_leads(feedback_hand_db: Path) -> None:
    with open_store(feedback_hand_db, read_only=True) as store:
        leads = feedback_leads(store, REP)
        view = feedback_reasons(store, REP, "segment")
    assert len(leads) == 60 and set(leads["rep_id"]) == {"r1"}
    assert view.groups[["group", "mqls", "accepted", "rejected"]].values.tolist() == [
        ["Kleinunternehmen", 60, 18, 42]
    ]


def test_unknown_breakdown_is_refused(feedback_hand_db: Path) -> None:
    with open_store(feedback_hand_db, read_only=True) as store, pytest.raises(FeedbackRequestError):
        feedback_reasons(store, ADMIN, "colour")


def test_proposal_is_the_threshold_known_by_construction(feedback_hand_db: Path) -> None:
    with open_store(feedback_hand_db, read_only=True) as store:
        view = mql_definition(store, ADMIN, 0.75)
    p = view.proposal
    assert p.threshold == pytest.approx(0.3)
    assert p.chosen_from == pd.Timestamp("2024-01-01 09:00")
    assert p.reported_from == pd.Timestamp("2024-04-10 09:00")  # the 101st MQL
    chosen, reported = p.at("chosen", 0.3), p.at("reported", 0.3)
    assert chosen["acceptance"] == pytest.approx(0.8) and chosen["wins_lost"] == 3
    assert chosen["won_amount_lost"] == pytest.approx(5000.0)
    assert reported["acceptance"] == pytest.approx(0.8)
    assert reported["share_kept"] == pytest.approx(0.6)
    assert reported["wins_lost"] == 2 and reported["won_amount_lost"] == pytest.approx(1200.0)
    assert (p.unscored, p.open_reported, view.scores.stored, view.scores.modelled) == (0, 0, 150, 0)
    acceptance = p.curve[p.curve["period"] == "chosen"].set_index("threshold")["acceptance"]
    assert acceptance.round(3).to_dict() == {0.0: 0.6, 0.1: 0.6, 0.2: 0.7, 0.3: 0.8, 0.4: 0.9,
                                             0.5: 1.0}  # fmt: skip
    rules = view.rules.set_index("channel")
    assert rules.loc["social", "acceptance_without"] == pytest.approx(0.7)
    assert rules.loc["social", "wins_lost"] == 2


def test_target_moves_the_threshold(feedback_hand_db: Path) -> None:
    with open_store(feedback_hand_db, read_only=True) as store:
        assert mql_definition(store, ADMIN, 0.7).proposal.threshold == pytest.approx(0.2)
        assert mql_definition(store, ADMIN, 0.5).proposal.threshold == 0.0
        # 0.95 needs level 5 only: 20 decided MQLs, fewer than the 30 a proposal needs
        assert mql_definition(store, ADMIN, 0.95).proposal.threshold is None
        with pytest.raises(FeedbackRequestError):
            mql_definition(store, ADMIN, 1.5)


def test_curve_and_missing_scores() -> None:
    leads = pd.DataFrame(
        {"score": [0.1, 0.5, 0.9, np.nan], "decision": ["rejected", "accepted", "open", "open"],
         "won": [True, False, False, False], "won_amount": [10.0, 0.0, 0.0, 0.0],
         "t_mql": pd.to_datetime(["2024-01-01"] * 4)}
    )  # fmt: skip
    curve = tradeoff_curve(leads.dropna(), [0.0, 0.5]).set_index("threshold")
    assert curve.loc[0.5, ["mqls_kept", "decided_kept", "acceptance", "wins_lost"]].tolist() == [
        2,
        1,
        1.0,
        1,
    ]
    assert curve.loc[0.0, "acceptance"] == pytest.approx(0.5)
    with pytest.raises(NoScoresError):
        propose_threshold(leads.assign(score=np.nan))


def test_groups_without_decisions_have_no_rate() -> None:
    leads = pd.DataFrame({"channel": ["a", "b", "b"], "decision": ["open", "accepted", "rejected"],
                          "reason": [None, None, "x"]})  # fmt: skip
    groups = rejection_groups(leads, "channel").set_index("group")
    assert np.isnan(groups.loc["a", "rate"]) and groups.loc["b", "rate"] == 0.5
    assert not groups["significant"].any()
