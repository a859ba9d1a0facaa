"""Rejections and the MQL definition on the small demo company (4,000 leads, seed 7), through
the views and the ``revintel feedback`` commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.auth import Role, User
from revintel.cli import app
from revintel.predict import load_model, train_score
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from revintel.views._feedback import feedback_leads, feedback_reasons, mql_definition

ADMIN = User("boss", "Boss", Role.admin)
runner = CliRunner()
FEEDBACK_DEMO = SynthConfig(seed=7, leads=4_000, accounts=300, reps=6)


@pytest.fixture(scope="session")
def feedback_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo company without any lead model (read it only)."""
    db = tmp_path_factory.mktemp("feedback_demo") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, FEEDBACK_DEMO)
    return db


@pytest.fixture(scope="session")
def feedback_scored_db(feedback_demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the small demo company with a registered ``lead_to_won`` model."""
    db = tmp_path_factory.mktemp("feedback_scored") / "store.duckdb"
    shutil.copy(feedback_demo_db, db)
    with open_store(db) as store:
        train_score(store, "lead_to_won")
    return db


def test_demo_rejections_by_channel(feedback_demo_db: Path) -> None:
    with open_store(feedback_demo_db, read_only=True) as store:
        view = feedback_reasons(store, ADMIN, "channel")
    assert (view.mqls, view.decided, view.rejected) == (4000, 3986, 1419)
    g = view.groups.set_index("group")
    # social leads are rejected most often: 261 of 435 decided, significantly above the rest
    assert g.loc["social", ["rejected", "decided"]].tolist() == [261, 435]
    assert g.loc["social", "direction"] == "higher"
    assert g.loc["field_sales", "direction"] == "lower"
    assert g.loc["content", "significant"] == False  # noqa: E712
    assert set(view.reasons["reason"]) == {"Kein Bedarf", "Falsche Zielgruppe", "Kein Budget",
                                           "Nicht erreichbar"}  # fmt: skip


def test_demo_campaign_with_the_planted_dip(feedback_demo_db: Path) -> None:
    with open_store(feedback_demo_db, read_only=True) as store:
        g = feedback_reasons(store, ADMIN, "campaign").groups.set_index("group")
    assert g.loc["K0100", ["mqls", "rejected", "decided"]].tolist() == [104, 90, 98]
    assert g.loc["K0100", "direction"] == "higher"
    assert int(g["significant"].sum()) == 1
    assert g.loc["K0101", "label"] == "Messeauftritte Q1/2020"


def test_demo_rep_scope(feedback_demo_db: Path) -> None:
    with open_store(feedback_demo_db, read_only=True) as store:
        every = feedback_leads(store, ADMIN)
        rep = feedback_leads(store, User("r", "R", Role.sales_rep, rep_id="R004"))
    assert 0 < len(rep) < len(every)
    assert set(rep["rep_id"]) == {"R004"}
    assert len(rep) == int((every["rep_id"] == "R004").sum())


def test_demo_proposal_scored_out_of_time(feedback_scored_db: Path) -> None:
    with open_store(feedback_scored_db, read_only=True) as store:
        record = load_model(store, "lead_to_won")
        view = mql_definition(store, ADMIN, 0.7)
    p, scores = view.proposal, view.scores
    assert scores.stored == 0 and scores.model_id == record.model_id
    # only MQLs after the model's training data are scored
    assert scores.fitted_until == pd.Timestamp(record.train_to)
    assert p.chosen_from > pd.Timestamp(record.train_to)
    assert scores.modelled + p.unscored == 4000
    assert p.threshold is not None and p.threshold > 0
    chosen = p.at("chosen", p.threshold)
    assert chosen["acceptance"] >= 0.7 and chosen["decided_kept"] >= 30
    below = p.curve[(p.curve["period"] == "chosen") & (p.curve["threshold"] < p.threshold)]
    assert (below["acceptance"] < 0.7).all()
    everything = p.at("reported", 0.0)
    assert everything["share_kept"] == 1.0 and everything["wins_lost"] == 0
    assert p.at("reported", p.threshold)["share_kept"] < 1.0


def test_cli_reasons(feedback_demo_db: Path) -> None:
    result = runner.invoke(
        app,
        [
            "feedback",
            "reasons",
            "--db",
            str(feedback_demo_db),
            "--by",
            "segment",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = {r["group"]: r for r in json.loads(result.output)}
    assert rows["Enterprise"]["rejected"] == 265 and rows["Enterprise"]["decided"] == 696
    db = str(feedback_demo_db)
    table = runner.invoke(app, ["feedback", "reasons", "--db", db, "--lang", "de"])
    assert "Abgelehnte MQLs nach Kanal: 1.419 von 3.986" in table.output


def test_cli_mql_definition(feedback_scored_db: Path, feedback_demo_db: Path) -> None:
    result = runner.invoke(
        app, ["feedback", "mql-definition", "--db", str(feedback_scored_db),
              "--target-acceptance", "0.7", "--format", "csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0].split(",")
    assert header[:3] == ["threshold", "mqls_kept", "share_kept"] and header[-1] == "period"
    table = runner.invoke(
        app, ["feedback", "mql-definition", "--db", str(feedback_scored_db), "--target-acceptance",
              "0.7", "--lang", "de"],
    )  # fmt: skip
    assert "Vorschlag: MQL ab einem Lead-Score von" in table.output
    refused = runner.invoke(app, ["feedback", "mql-definition", "--db", str(feedback_demo_db)])
    assert refused.exit_code != 0


@pytest.mark.parametrize("by", ["industry", "size", "score_band"])
def test_other_breakdowns_cover_every_mql(feedback_scored_db: Path, by: str) -> None:
    with open_store(feedback_scored_db, read_only=True) as store:
        view = feedback_reasons(store, ADMIN, by)
    assert int(view.groups["mqls"].sum()) == 4000
    assert int(view.groups["rejected"].sum()) == 1419
