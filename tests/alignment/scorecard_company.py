"""The small demo company of the scorecard tests: u-shaped attribution credits stored for three
milestones, and lead scores written for every MQL of the scorecard's month and the month before
(plus a later score per lead that must not count), built once per test session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.attribution._credits import store_credits
from revintel.auth import add_user, create_token
from revintel.metrics import MetricSources
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.web.stores import PASSWORD as STORES_PASSWORD

COMPANY = SynthConfig(seed=5, leads=2_000, accounts=200, reps=4)
#: The month the tests look at (the demo's data reach 31.12.2024: the default month too).
MONTH = date(2024, 11, 1)
PREVIOUS = date(2024, 10, 1)
#: Milestones whose credits are stored (fewer than all keeps the build short).
CREDITED = ("mql", "sql", "won")
SCORE_KIND = "lead_to_sql"
#: The web tests sign in with the password of their shared stores.
PASSWORD = STORES_PASSWORD
USERS = {"admin": "admin", "rep": "sales_rep"}


def mql_times(db: Path) -> pd.DataFrame:
    """Every lead's first MQL time as the journeys define it (``lead_id``, ``t_mql``)."""
    with open_store(db) as store:
        j = MetricSources.from_store(store).journeys
        frame = j.filter(j.t_mql.notnull()).select("lead_id", "t_mql", "rep_id").to_pandas()
    frame["t_mql"] = pd.to_datetime(frame["t_mql"])
    return frame


def planted_scores(mqls: pd.DataFrame) -> pd.DataFrame:
    """Scores for the MQLs of :data:`PREVIOUS` and :data:`MONTH`: one an hour before the MQL
    (it counts) and one a day after it (written later: it must not count)."""
    months = mqls["t_mql"].dt.to_period("M").dt.to_timestamp().dt.date
    chosen = mqls[months.isin([PREVIOUS, MONTH])].sort_values("lead_id").reset_index(drop=True)
    rng = np.random.default_rng(11)
    before = chosen.assign(
        score=np.round(rng.uniform(0.05, 0.95, len(chosen)), 4),
        scored_at=chosen["t_mql"] - pd.Timedelta(hours=1),
        score_id=[f"sc-before-{i}" for i in chosen["lead_id"]],
    )
    after = chosen.assign(
        score=0.999,
        scored_at=chosen["t_mql"] + pd.Timedelta(days=1),
        score_id=[f"sc-after-{i}" for i in chosen["lead_id"]],
    )
    rows = pd.concat([before, after], ignore_index=True)
    return pd.DataFrame(
        {
            "score_id": rows["score_id"],
            "model_id": "scorecard-test-model",
            "kind": SCORE_KIND,
            "entity_type": "lead",
            "entity_id": rows["lead_id"],
            "score": rows["score"],
            "scored_at": rows["scored_at"],
        }
    )


def _build(db: Path) -> None:
    with open_store(db) as store:
        write_demo_company(store, COMPANY)
        store_credits(store, models=["u_shaped"], milestones=list(CREDITED))
    scores = planted_scores(mql_times(db))
    with open_store(db) as store, store.transaction():
        store.insert("scores", scores)


def scorecard_db(factory: pytest.TempPathFactory) -> Path:
    """The company's store, built on the first call of the session and reused after it."""
    folder = factory.getbasetemp() / "scorecard-company"
    db = folder / "store.duckdb"
    done = folder / "built"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        _build(db)
        done.touch()
    return db


def add_users(db: Path) -> tuple[dict[str, str], str]:
    """Users of every role (the rep owns the first rep's rows) and an API token each; returns
    the tokens and the rep's id."""
    with open_store(db) as store:
        rep = sorted(store.table("reps").rep_id.to_pyarrow().to_pylist())[0]
        tokens = {}
        for name, role in USERS.items():
            add_user(store, name, PASSWORD, role, rep_id=rep if role == "sales_rep" else None)
            tokens[name] = create_token(store, name, "scorecard tests")[0]
    return tokens, rep
