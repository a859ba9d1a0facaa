"""The rep track record built with running sums equals the pairwise definition, ties included.

The pairwise definition (every snapshot joined with every earlier closed deal of its rep) is the
reference: it is obviously right and quadratic. The product builds the record with running sums
over one time line per rep; both must give the same numbers on a company whose times are
truncated to whole days, so snapshots and closings fall on the same instants all the time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pytest

from revintel.model import load_funnel
from revintel.predict import _features, target
from revintel.predict._features import _closed_deals, _deal_base, _rep_record, deal_features
from revintel.predict._snapshots import deal_snapshots, history_end, label_deal_journey
from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company

RECORD = ["rep_closed", "rep_won", "rep_industry_closed", "rep_industry_won"]


def pairwise_rep_record(store: Store, snaps: ir.Table) -> ir.Table:
    """Reference: each snapshot paired with every earlier closed deal of its rep."""
    history = _closed_deals(store)
    s = snaps.select("entity_id", "at", "rep_id", "industry")
    j = s.join(history, [s.rep_id == history.h_rep, history.h_at < s.at], how="left")
    same = (j.h_ind == j.industry).fill_null(False)
    won = j.h_won.fill_null(False)
    return j.group_by(["entity_id", "at"]).aggregate(
        rep_closed=j.h_at.count(),
        rep_won=won.sum(),
        rep_industry_closed=(same & j.h_at.notnull()).sum(),
        rep_industry_won=(same & won).sum(),
        record_recorded_at=j.h_at.max(),
    )


@pytest.fixture(scope="module")
def tied_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A small company with every milestone at midnight, some deals without a rep and some
    accounts without an industry."""
    path = Path(tmp_path_factory.mktemp("ties")) / "ties.duckdb"
    with open_store(path) as store:
        write_demo_company(store, SynthConfig(seed=5, leads=3_000, accounts=150, reps=4))
        store.execute_sql("UPDATE milestones SET occurred_at = date_trunc('day', occurred_at)")
        store.execute_sql("UPDATE opportunities SET rep_id = NULL WHERE opportunity_id LIKE '%3'")
        store.execute_sql("UPDATE accounts SET industry = NULL WHERE account_id LIKE '%7'")
    with open_store(path) as store:
        yield store


def _snapshots(store: Store) -> ir.Table:
    """Training snapshots plus every deal at the last recorded instant (a closing time)."""
    funnel = load_funnel()
    history = deal_snapshots(store, funnel)
    now = store.table("opportunities").select(
        entity_id="opportunity_id", at=ibis.timestamp(history_end(store))
    )
    both = ibis.union(history, now.cast(history.schema()), distinct=False).distinct()
    state = label_deal_journey(store, both, target("deal_win"), funnel)
    return _deal_base(store, state)


def _records(store: Store, build: object) -> pd.DataFrame:
    snaps = _snapshots(store)
    record = build(store, snaps)  # type: ignore[operator]
    keys = snaps.select("entity_id", "at")
    joined = keys.join(record, ["entity_id", "at"], how="left")
    frame = joined.select("entity_id", "at", *RECORD, "record_recorded_at").to_pandas()
    frame[RECORD] = frame[RECORD].fillna(0).astype("int64")
    return frame.sort_values(["entity_id", "at"], ignore_index=True)


def test_the_company_has_ties_nulls_and_history(tied_store: Store) -> None:
    snaps = _snapshots(tied_store).to_pandas()
    closed = _closed_deals(tied_store).to_pandas()
    tied = snaps.merge(closed, left_on=["rep_id", "at"], right_on=["h_rep", "h_at"])
    assert len(tied) > 100  # snapshots at the very instant their rep closed a deal
    assert closed.duplicated(["h_rep", "h_at"]).sum() > 30  # deals closed at the same instant
    assert snaps["rep_id"].isna().sum() > 0 and snaps["industry"].isna().sum() > 0
    assert closed["h_ind"].isna().sum() > 0


def test_running_sums_equal_the_pairwise_record(tied_store: Store) -> None:
    reference = _records(tied_store, pairwise_rep_record)
    running = _records(tied_store, _rep_record)
    assert len(running) == len(reference) > 1_000
    pd.testing.assert_frame_equal(running, reference)
    assert reference["rep_closed"].max() > 100 and reference["rep_industry_won"].max() > 0


def test_deal_features_are_unchanged(tied_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    funnel = load_funnel()
    state = label_deal_journey(
        tied_store, deal_snapshots(tied_store, funnel), target("deal_win"), funnel
    )

    def frame() -> pd.DataFrame:
        out = deal_features(tied_store, state).to_pandas()
        return out.sort_values(["entity_id", "at"], ignore_index=True)

    running = frame()
    monkeypatch.setattr(_features, "_rep_record", pairwise_rep_record)
    reference = frame()
    pd.testing.assert_frame_equal(running, reference)
    assert running["rep_win_rate"].nunique() > 50
