"""Lead scores on the demo company: P(SQL within 60 days) and P(won within a year)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from revintel.predict import (
    RealTimeScorer,
    TrainingResult,
    apply_scores,
    load_model,
    train_score,
)
from revintel.store import Store, open_store


@pytest.fixture(scope="module")
def trained(module_db: Path) -> dict[str, TrainingResult]:
    with open_store(module_db) as store:
        return {kind: train_score(store, kind) for kind in ("lead_to_sql", "lead_to_won")}


def _metrics(result: TrainingResult) -> pd.DataFrame:
    return result.comparison.set_index("algorithm")


@pytest.mark.parametrize("kind", ["lead_to_sql", "lead_to_won"])
def test_lightgbm_beats_the_baselines_on_leads(
    trained: dict[str, TrainingResult], kind: str
) -> None:
    metrics = _metrics(trained[kind])
    assert trained[kind].record.algorithm == "lightgbm"
    gbm = metrics.loc["lightgbm"]
    assert gbm["auc"] > 0.6
    for baseline in ("naive_bayes", "points", "milestone_prior"):
        assert gbm["auc"] > metrics.loc[baseline, "auc"]
        assert gbm["log_loss"] <= metrics.loc[baseline, "log_loss"]


def test_sql_within_60_days_is_common_and_won_within_a_year_is_rare(
    trained: dict[str, TrainingResult],
) -> None:
    sql = _metrics(trained["lead_to_sql"]).loc["lightgbm"]
    won = _metrics(trained["lead_to_won"]).loc["lightgbm"]
    assert 0.3 < sql["positives"] / sql["rows"] < 0.6
    assert 0.04 < won["positives"] / won["rows"] < 0.2
    # the funnel's default probability cannot tell one new MQL from another
    assert _metrics(trained["lead_to_won"]).loc["milestone_prior", "auc"] < 0.56


def test_faster_first_calls_and_more_digital_touches_never_lower_the_score(
    trained: dict[str, TrainingResult], module_store: Store
) -> None:
    scorer = RealTimeScorer.from_record(load_model(module_store, "lead_to_sql"))
    lead = {"milestone": "mql", "channel": "search", "segment": "Mittelstand",
            "hours_since_created": 48.0, "digital_touches": 2.0}  # fmt: skip
    by_response = [
        scorer.score({**lead, "response_hours": h}, reasons=False)["score"]
        for h in (1.0, 5.0, 20.0, 60.0, 150.0)
    ]
    assert by_response == sorted(by_response, reverse=True)
    assert by_response[0] > by_response[-1]
    by_touches = [
        scorer.score({**lead, "response_hours": 10.0, "digital_touches": n}, reasons=False)["score"]
        for n in (0.0, 2.0, 4.0, 8.0)
    ]
    assert by_touches == sorted(by_touches)
    assert by_touches[-1] > by_touches[0] + 0.03


def test_open_leads_get_both_scores(
    trained: dict[str, TrainingResult], module_store: Store
) -> None:
    sql = apply_scores(module_store, "lead_to_sql")
    won = apply_scores(module_store, "lead_to_won")
    assert 0 < len(sql.scores) < len(won.scores)
    assert set(sql.scores["entity_id"]) <= set(won.scores["entity_id"])
    assert won.scores["score"].mean() < sql.scores["score"].mean()
    assert set(sql.drift.columns) == {"feature", "psi", "status"}
