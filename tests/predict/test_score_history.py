"""A score history written afterwards: every lead scored as it stood at its MQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from revintel.metrics import MetricQuery, MetricSources, evaluate_kpi, load_catalogue
from revintel.predict import ScoreHistoryError, score_history, train_score
from revintel.store import open_store
from tests.predict.conftest import copy_store

SINCE = date(2024, 1, 1)


@pytest.fixture(scope="module")
def db(company_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = copy_store(company_file, tmp_path_factory.mktemp("history"))
    with open_store(path) as store:
        train_score(store, "lead_to_sql")
    return path


def test_each_lead_is_scored_when_the_kpis_count_its_mql(db: Path) -> None:
    with open_store(db) as store:
        rows = score_history(store, "lead_to_sql", since=SINCE)
        journeys = MetricSources.from_store(store).journeys.to_pandas()
    mql_at = journeys.dropna(subset=["t_mql"]).set_index("lead_id")["t_mql"]
    mql_at = mql_at[mql_at >= pd.Timestamp(SINCE)]
    assert len(rows) > 300
    # Every score is dated at its lead's MQL, and only MQLs since the day are scored.
    at = rows.set_index("entity_id")["scored_at"]
    assert set(at.index) <= set(mql_at.index)
    assert (at == mql_at.reindex(at.index)).all()
    # Leads that had reached SQL by the time of their MQL had nothing left to predict.
    assert len(rows) >= 0.8 * len(mql_at)
    assert rows["score"].between(0, 1).all()


def test_writing_it_again_replaces_instead_of_adding(db: Path) -> None:
    with open_store(db) as store:
        first = score_history(store, "lead_to_sql", since=SINCE)
        before = store.table("scores").count().execute()
        again = score_history(store, "lead_to_sql", since=SINCE)
        after = store.table("scores").count().execute()
    assert before == after
    assert len(first) == len(again)


def test_the_weighted_mql_count_reads_the_history(db: Path) -> None:
    with open_store(db) as store:
        rows = score_history(store, "lead_to_sql", since=SINCE)
        sources = MetricSources.from_store(store)
        cat = load_catalogue()
        query = MetricQuery(grain="month", start=SINCE)
        weighted = evaluate_kpi(sources, cat.get("mqls_quality_weighted"), query, cat.settings)
        plain = evaluate_kpi(sources, cat.get("mqls"), query, cat.settings)
    month = pd.to_datetime(rows["scored_at"]).dt.to_period("M").dt.to_timestamp()
    scores = rows.groupby(month)["score"].agg(["mean", "count"])
    counts = plain.set_index(pd.to_datetime(plain["period"]))["value"]
    checked = 0
    for _, row in weighted.iterrows():
        period = pd.Timestamp(row["period"])
        mqls, (mean, scored) = counts[period], scores.loc[period]
        # The month's MQLs, each unscored one counted with the mean of the scored ones.
        assert row["value"] == pytest.approx(mqls * mean, rel=1e-9)
        assert row["scored_share"] == pytest.approx(scored / mqls, rel=1e-9)
        checked += 1
    assert checked >= 10


def test_a_deal_score_or_an_unknown_milestone_is_refused(db: Path) -> None:
    with open_store(db) as store:
        with pytest.raises(ScoreHistoryError, match="milestone 'nope' is not one of"):
            score_history(store, "lead_to_sql", "nope")
        with pytest.raises(LookupError):
            score_history(store, "deal_win")
