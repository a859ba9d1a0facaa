"""Custom fields as scoring features: point in time, and worth their place in the lead score.

The lead file is simulated: a hidden propensity drives both the conversion to SQL and the
engagement columns (visits, time on site, last activity, do-not-email), each with noise. The
same file is imported twice, with and without the mapping's ``custom:`` block, and the lead
score is trained on each; the out-of-time test AUC with the engagement columns must be higher.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.ingest import import_files
from revintel.model import load_funnel
from revintel.predict import apply_scores, train_score
from revintel.predict._dataset import training_frame
from revintel.predict._reasons import sentence
from revintel.predict._targets import target
from revintel.store import Store, open_store

LEADS = 4_000
START = pd.Timestamp("2023-01-01")
DAYS = 540  # 18 months: room for the training, validation and test windows
ACTIVITIES = ("Email Opened", "Page Visited", "Olark Chat", "SMS Sent", "Unsubscribed")
MAPPING = """
system: edu
stages: {Open: mql, Qualified: sql}
objects:
  leads:
    table: leads
    detect: [Lead Number, Lead Origin]
    id: Lead Number
    fields:
      created_at: Created
      channel: Lead Origin
    stage:
      column: Stage
      dated_by: {mql: Created, sql: Qualified On}
      entered: {mql: Created}
"""
CUSTOM = """
    custom:
      web_visits: {column: Total Visits, type: number, observed_at: Activity Date}
      time_on_site: {column: Total Time Spent on Website, type: number,
                     observed_at: Activity Date}
      last_activity: {column: Last Activity, type: text, observed_at: Activity Date}
      do_not_email: {column: Do Not Email, type: flag, observed_at: Activity Date}
"""


def simulated_leads(seed: int = 14) -> pd.DataFrame:
    """Leads whose conversion and engagement share a hidden propensity, with noise."""
    rng = np.random.default_rng(seed)
    created = START + pd.to_timedelta(rng.integers(0, DAYS, LEADS), unit="D")
    origin = rng.choice(["API", "Landing Page", "Lead Import"], LEADS)
    propensity = rng.normal(size=LEADS) + np.where(origin == "Landing Page", 0.2, 0.0)
    converts = rng.random(LEADS) < 1 / (1 + np.exp(-(-1.2 + 1.6 * propensity)))
    # qualification 3 to 40 days after arrival: after the second snapshot (day 2)
    qualified = created + pd.to_timedelta(rng.integers(3, 41, LEADS), unit="D")
    # the engagement is known on the day of arrival or the day after
    activity = created + pd.to_timedelta(rng.integers(0, 2, LEADS), unit="D")
    visits = rng.poisson(np.exp(1.0 + 0.6 * propensity))
    seconds = np.round(np.exp(5.5 + 0.5 * propensity + rng.normal(scale=0.8, size=LEADS)))
    weights = np.exp(np.outer(propensity, np.linspace(1.0, -1.0, len(ACTIVITIES))))
    weights /= weights.sum(axis=1, keepdims=True)
    last = [rng.choice(ACTIVITIES, p=w) for w in weights]
    no_email = rng.random(LEADS) < 1 / (1 + np.exp(2.0 + propensity))
    return pd.DataFrame(
        {
            "Lead Number": [f"L{i:05d}" for i in range(LEADS)],
            "Lead Origin": origin,
            "Created": created.strftime("%Y-%m-%d"),
            "Stage": np.where(converts, "Qualified", "Open"),
            "Qualified On": np.where(converts, qualified.strftime("%Y-%m-%d"), ""),
            "Activity Date": activity.strftime("%Y-%m-%d"),
            "Total Visits": visits,
            "Total Time Spent on Website": seconds.astype(int),
            "Last Activity": last,
            "Do Not Email": np.where(no_email, "Yes", "No"),
        }
    )


@pytest.fixture(scope="module")
def lead_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("leads") / "leads.csv"
    simulated_leads().to_csv(path, index=False)
    return path


def _store(folder: Path, lead_file: Path, custom: bool) -> Store:
    mapping = folder / "mapping.yaml"
    mapping.write_text(MAPPING + (CUSTOM if custom else ""), encoding="utf-8")
    store = open_store(folder / "store.duckdb")
    report = import_files(store, "generic", [lead_file], mapping=mapping)
    assert report.rows_rejected == 0 and report.rows_accepted == LEADS
    return store


def test_custom_features_are_point_in_time(lead_file: Path, tmp_path: Path) -> None:
    with _store(tmp_path, lead_file, custom=True) as store:
        frame = training_frame(store, target("lead_to_sql", 30), load_funnel())
    leads = pd.read_csv(lead_file).set_index("Lead Number")
    row = leads.loc[frame["entity_id"].str.removeprefix("edu:")]
    seen = pd.to_datetime(row["Activity Date"]).to_numpy() <= frame["at"].to_numpy()
    # a value counts only from its observation on: never before, always after
    assert frame.loc[~seen, "custom.web_visits"].isna().all()
    assert (frame.loc[seen, "custom.web_visits"].to_numpy() == row["Total Visits"][seen]).all()
    flags = (row["Do Not Email"][seen] == "Yes").astype(float).to_numpy()
    assert (frame.loc[seen, "custom.do_not_email"].to_numpy() == flags).all()
    assert (frame.loc[seen, "custom.last_activity"].to_numpy() == row["Last Activity"][seen]).all()
    assert 0 < (~seen).sum() < len(frame)  # both kinds occur


def test_engagement_columns_raise_the_lead_score_auc(lead_file: Path, tmp_path: Path) -> None:
    aucs, best = {}, {}
    for custom in (False, True):
        folder = tmp_path / ("with" if custom else "without")
        folder.mkdir()
        with _store(folder, lead_file, custom) as store:
            result = train_score(store, "lead_to_sql", random_state=0)
            chosen = result.comparison.loc[result.comparison["chosen"]].iloc[0]
            aucs[custom] = float(chosen["auc"])
            best[custom] = float(result.comparison["auc"].max())
            table = result.comparison[["algorithm", "auc", "validation_auc", "chosen"]]
            print(f"\ncustom fields {custom}:\n{table.to_string(index=False)}")
            if custom:
                assert {"custom.web_visits", "custom.last_activity"} <= set(result.record.features)
                applied = apply_scores(store, "lead_to_sql")
                sentences = [
                    r["en"]
                    for reasons in applied.scores["reasons"]
                    for side in json.loads(reasons).values()
                    for r in side
                ]
                assert any(s.startswith("Total Visits: ") for s in sentences)
    # the chosen model, and also against the best of every algorithm without them
    assert aucs[True] >= aucs[False] + 0.05, aucs
    assert aucs[True] >= best[False] + 0.05, (aucs, best)


def test_reasons_name_custom_features_by_the_files_header() -> None:
    labels = {
        "custom.do_not_email": ("Do Not Email", "flag"),
        "custom.last_visit": ("Last Visit Date", "date"),
        "custom.time_on_site": ("Total Time Spent on Website", "number"),
        "custom.last_activity": ("Last Activity", "text"),
    }
    assert sentence("custom.do_not_email", 1.0, "en", labels) == "Do Not Email: yes"
    assert sentence("custom.do_not_email", 0.0, "de", labels) == "Do Not Email: nein"
    assert sentence("custom.last_visit", 3.0, "en", labels) == "Last Visit Date: 3 days ago"
    assert sentence("custom.last_visit", 12.0, "de", labels) == "Last Visit Date: vor 12 Tagen"
    number = sentence("custom.time_on_site", 1234.5, "de", labels)
    assert number == "Total Time Spent on Website: 1\u202f234,5"
    assert sentence("custom.last_activity", None, "en", labels) == "Last Activity: unknown"
    # a model scored without the store's labels still reads
    assert sentence("custom.web_visits", 4.0, "en") == "web_visits: 4"
