"""Baselines, metrics and reason sentences against hand-computed numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from revintel.predict import (
    MilestonePriorBaseline,
    NaiveBayesBaseline,
    PointsBaseline,
    score_metrics,
    scorer_from_state,
    sentence,
    top_decile_lift,
    top_reasons,
)
from revintel.predict._spec import Rule


def test_naive_bayes_matches_counts_by_hand() -> None:
    x = pd.DataFrame({"channel": ["a", "a", "a", "b", "b", "b"]})
    y = np.array([1, 1, 0, 0, 0, 1])
    model = NaiveBayesBaseline(fields=("channel",), alpha=1.0).fit(x, y)
    # P(a | won) = (2 + 1) / (3 + 3), P(a | lost) = (1 + 1) / (3 + 3); prior odds 1
    p = model.predict_proba(pd.DataFrame({"channel": ["a", "zzz"]}))[:, 1]
    assert p[0] == pytest.approx(3 / 5)
    assert p[1] == pytest.approx(0.5)  # an unseen value carries no evidence
    again = scorer_from_state(model.to_state())
    assert np.allclose(again.predict_proba(x), model.predict_proba(x))


def test_points_add_up_by_rule_and_map_monotonically_to_probability() -> None:
    rules = (Rule("webinars", "ge", 1, 15.0), Rule("touches", "per", None, 5.0, cap=4),
             Rule("segment", "in", ["Enterprise"], 10.0))  # fmt: skip
    x = pd.DataFrame({"webinars": [0, 2, 1, 0], "touches": [0, 9, 1, np.nan],
                      "segment": ["Enterprise", None, "Mittelstand", "Enterprise"]})  # fmt: skip
    model = PointsBaseline(rules=rules).fit(x, np.array([0, 1, 1, 0]))
    assert model.points(x).sum(axis=1).tolist() == [10.0, 35.0, 20.0, 10.0]
    p = model.predict_proba(x)[:, 1]
    assert p[1] > p[2] > p[0] == p[3]


def test_milestone_prior_divides_by_the_target_milestone_for_earlier_targets() -> None:
    model = MilestonePriorBaseline(probabilities={"mql": 0.03, "sal": 0.06, "sql": 0.12},
                                   target_probability=0.12)  # fmt: skip
    p = model.predict_proba(pd.DataFrame({"milestone": ["mql", "sal"]}))[:, 1]
    assert p.tolist() == pytest.approx([0.25, 0.5])


def test_metrics_of_a_perfect_and_a_useless_score() -> None:
    y = np.array([0] * 90 + [1] * 10)
    perfect = score_metrics(y, y.astype(float))
    assert perfect["auc"] == 1.0 and perfect["lift_top_decile"] == pytest.approx(10.0)
    assert perfect["brier"] == pytest.approx(0.0, abs=1e-9)
    flat = score_metrics(y, np.full(100, 0.1))
    assert flat["auc"] == 0.5
    assert flat["log_loss"] == pytest.approx(-(0.9 * math.log(0.9) + 0.1 * math.log(0.1)))
    assert math.isnan(top_decile_lift(np.zeros(10), np.arange(10)))  # no positives: undefined


def test_reasons_read_as_short_sentences_in_both_languages() -> None:
    assert sentence("webinars", 3.0, "de") == "3 Webinar-Teilnahmen"
    assert sentence("discount_vs_norm", -0.04, "de") == "Rabatt 4 Pp. unter Segmentnorm"
    assert sentence("response_hours", float("nan"), "en") == "first call after unknown h"
    assert sentence("age_vs_typical", 1.75, "de") == "Alter 1,8× typisch für die Phase"
    reasons = top_reasons(
        {"webinars": 0.8, "channel": -0.5, "segment": 0.01, "discount_vs_norm": 0.3},
        {"webinars": 3, "channel": "social", "segment": "Enterprise", "discount_vs_norm": 0.18},
        top=1,
    )
    assert [r["en"] for r in reasons["positive"]] == ["3 webinar attendances"]
    assert [r["de"] for r in reasons["negative"]] == ["Kanal social"]


def test_real_time_paths_of_the_baselines_match_their_batch_paths() -> None:
    x = pd.DataFrame(
        {
            "milestone": ["mql", "sal", None, "sql"],
            "channel": ["a", "b", "a", None],
            "webinars": [0.0, 2.0, np.nan, 1.0],
        }
    )
    y = np.array([0, 1, 0, 1])
    models = [
        NaiveBayesBaseline(fields=("milestone", "channel")).fit(x, y),
        PointsBaseline(
            rules=(Rule("webinars", "per", None, 5.0, cap=1), Rule("channel", "eq", "a", 3.0))
        ).fit(x, y),
        MilestonePriorBaseline(probabilities={"mql": 0.1, "sal": 0.2, "sql": 0.4}),
    ]
    for model in models:
        batch = model.predict_proba(x)[:, 1]
        for i, record in enumerate(x.to_dict(orient="records")):
            p, contributions = model.score_record(record)
            assert p == pytest.approx(batch[i], abs=1e-12)
            expected = model.contributions(x.iloc[[i]]).iloc[0].to_dict()
            assert contributions == pytest.approx(expected)
