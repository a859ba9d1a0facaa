"""Entity resolution: precision and recall on the labelled dirty set, and stored decisions."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.ingest import (
    account_candidates,
    evaluate_pairs,
    import_files,
    load_decisions,
    normalise_names,
    record_decision,
    score_account_pairs,
)
from revintel.store import Store
from revintel.synth._duplicates import generate_duplicate_accounts

from .conftest import WriteFile


def test_names_normalise_across_spellings() -> None:
    names = pa.array(
        ["Müller Maschinenbau GmbH & Co. KG", "MUELLER MASCHINENBAU GMBH", "Müller Maschinenbau AG"]
    )
    assert set(normalise_names(names).to_pylist()) == {"mueller maschinenbau"}


def test_generator_labels_every_pair_of_copies() -> None:
    records, pairs = generate_duplicate_accounts(3, 200)
    per_company = records.to_pandas().groupby("company_id").size()
    assert pairs.num_rows == int((per_company * (per_company - 1) // 2).sum())
    assert records.num_rows == int(per_company.sum())
    assert set(records["source_system"].to_pylist()) == {"crm", "erp", "marketing"}


@pytest.mark.parametrize(("seed", "companies"), [(7, 1000), (11, 600)])
def test_precision_and_recall_above_0_9_on_the_dirty_set(seed: int, companies: int) -> None:
    records, truth = generate_duplicate_accounts(seed, companies)
    quality = evaluate_pairs(score_account_pairs(records, threshold=0.5), truth)
    assert quality.precision > 0.95
    assert quality.recall > 0.9


def _accounts_csv(write_file: WriteFile) -> tuple[Path, set[tuple[str, str]]]:
    """The generated dirty set as a generic accounts export, and its true pairs as store keys."""
    records, truth = generate_duplicate_accounts(5, 300)
    frame = records.to_pandas().rename(columns={"record_id": "account_id"})
    path = write_file(
        "accounts.csv", frame.drop(columns=["company_id", "source_system"]).to_csv(index=False)
    )
    keys = {
        (f"generic:{a}", f"generic:{b}")
        for a, b in zip(
            truth["record_id_l"].to_pylist(), truth["record_id_r"].to_pylist(), strict=True
        )
    }
    return path, keys


def test_candidates_from_the_store_and_decisions(store: Store, write_file: WriteFile) -> None:
    path, truth = _accounts_csv(write_file)
    import_files(store, "generic", [path])
    candidates = account_candidates(store, threshold=0.5)
    pairs = set(zip(candidates["account_id_l"], candidates["account_id_r"], strict=True))
    assert len(pairs & truth) / len(pairs) > 0.9
    assert len(pairs & truth) / len(truth) > 0.9
    assert candidates["name_l"].notna().all()
    first = candidates.iloc[0]["pair_id"]
    record_decision(store, candidates, first, "rejected")
    record_decision(store, candidates, first, "accepted", decided_by="jana")
    decisions = load_decisions(store)
    assert decisions[["pair_id", "decision", "decided_by"]].values.tolist() == [
        [first, "accepted", "jana"]
    ]
    assert account_candidates(store).set_index("pair_id").loc[first, "decision"] == "accepted"
    with pytest.raises(ValueError, match="no candidate pair 'nope'"):
        record_decision(store, candidates, "nope", "accepted")


def test_dedupe_command(tmp_path: Path, write_file: WriteFile) -> None:
    db = str(tmp_path / "dedupe.duckdb")
    runner = CliRunner()
    path = str(_accounts_csv(write_file)[0])
    assert runner.invoke(app, ["import", "generic", path, "--db", db]).exit_code == 0
    listed = runner.invoke(app, ["dedupe", "--db", db, "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    rows = listed.output.strip().splitlines()
    pair = rows[1].split(",")[0]
    accepted = runner.invoke(app, ["dedupe", "--db", db, "--accept", pair, "--format", "csv"])
    assert accepted.exit_code == 0, accepted.output
    assert len(accepted.output.strip().splitlines()) == len(rows) - 1


def test_no_shared_name_or_domain_means_no_candidates() -> None:
    records = pa.table(
        {
            "record_id": ["a", "b", "c", "d"],
            "name": ["Acme Corporation", "Betatech", "Cancity", "Dalttechnology"],
            "domain": [None, None, None, None],
            "city": ["Berlin", "Bonn", "Köln", "Ulm"],
        },
        schema=pa.schema([(n, pa.string()) for n in ("record_id", "name", "domain", "city")]),
    )
    assert score_account_pairs(records).num_rows == 0


def test_without_domains_matches_stay_precise() -> None:
    records, truth = generate_duplicate_accounts(11, 600)
    quality = evaluate_pairs(score_account_pairs(records.drop_columns(["domain"])), truth)
    assert quality.precision > 0.95
    assert quality.recall > 0.6


def test_a_threshold_of_one_keeps_only_certain_pairs() -> None:
    records, _ = generate_duplicate_accounts(11, 300)
    likely = score_account_pairs(records, threshold=0.99)
    certain = score_account_pairs(records, threshold=1.0)
    probabilities = certain["match_probability"].to_pylist()
    assert all(p >= 1.0 for p in probabilities)
    assert certain.num_rows == sum(p >= 1.0 for p in likely["match_probability"].to_pylist())
